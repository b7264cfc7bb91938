/**
 * The host side of one trainer process, shared by the CLI and the extension: starts the worker, relays its typed
 * messages, cancels it, and — when the process dies without finishing (crash, out of memory, killed) — marks the
 * experiment failed with the tail of its stderr so the run never stays "running".
 */
import type { ChildProcess } from 'node:child_process';
import { PROTOCOL_VERSION, type HostToWorker, type TrainRequest, type WorkerToHost } from '../messages';
import type { ExperimentStatus } from '../experiments/types';
import { forkTrainer, TailBuffer } from './spawn';
import { clearDeadWritersLock, readStatusFile, writeStatus } from '../experiments/store';

export interface TrainerRunResult {
  experimentId?: string;
  experimentDir?: string;
  /** Final status: from the worker's `done`, or the one written here after a crash. */
  status?: ExperimentStatus;
  /** Set when the request was rejected before an experiment existed, or the process died. */
  error?: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrainerProcess {
  readonly child: ChildProcess;
  readonly done: Promise<TrainerRunResult>;
  cancel(): void;
  kill(): void;
}

export function startTrainer(
  request: TrainRequest,
  onMessage: (m: WorkerToHost) => void,
  opts: { distDir?: string; memoryMb?: number; cwd?: string } = {},
): TrainerProcess {
  const child = forkTrainer(opts);
  const tail = new TailBuffer();
  child.stderr?.on('data', (d: Buffer) => tail.push(d));
  const result: TrainerRunResult = { exitCode: null, signal: null };
  child.on('message', (raw: unknown) => {
    const m = raw as WorkerToHost;
    if (!m || m.v !== PROTOCOL_VERSION) {
      tail.push(`\n[host] dropped a trainer message of protocol version ${(m as { v?: unknown })?.v}\n`);
      return;
    }
    if (m.type === 'started') {
      result.experimentId = m.experimentId;
      result.experimentDir = m.experimentDir;
    } else if (m.type === 'done') {
      result.status = m.status;
    } else if (m.type === 'error') {
      result.error = m.message;
    }
    onMessage(m);
  });
  const send = (m: HostToWorker): void => {
    if (child.connected) child.send(m);
  };
  const done = new Promise<TrainerRunResult>((resolve) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      result.exitCode = code;
      result.signal = signal;
      if (spawnError) result.error = `could not start the trainer: ${spawnError.message}`;
      if (!result.status) {
        const why = spawnError ? spawnError.message
          : signal ? `the trainer process was killed (${signal}${signal === 'SIGKILL' ? ', possibly out of memory' : ''})`
            : `the trainer process exited with code ${code}`;
        const stderrTail = tail.toString().trim().split('\n').slice(-30).join('\n');
        // the dead trainer's lock goes; a folder another live process holds by now is not written to
        const otherWriter = result.experimentDir && child.pid !== undefined ? clearDeadWritersLock(result.experimentDir, child.pid) : undefined;
        if (result.experimentDir && !otherWriter) {
          const prev = readStatusFile(result.experimentDir);
          const now = new Date().toISOString();
          const status: ExperimentStatus = {
            ...(prev ?? { startedAt: now, epoch: 0, step: 0 }),
            state: 'failed', updatedAt: now, endedAt: now,
            error: { message: result.error ?? why, step: prev?.step, stderrTail },
          };
          delete status.pid;
          try { writeStatus(result.experimentDir, status); } catch { /* folder gone: nothing to mark */ }
          result.status = status;
          const doneMsg: WorkerToHost = { v: PROTOCOL_VERSION, type: 'done', experimentId: result.experimentId!, status };
          onMessage(doneMsg);
        } else if (!result.error) {
          result.error = `${why}${stderrTail ? `\n${stderrTail}` : ''}`;
          onMessage({ v: PROTOCOL_VERSION, type: 'error', message: result.error });
        }
      }
      resolve(result);
    };
    // 'close' (not 'exit'): fires after stderr and the IPC channel are drained, so no late message is missed
    child.on('close', (code, signal) => finish(code, signal));
    child.on('error', (err) => finish(null, null, err));
  });
  send({ v: PROTOCOL_VERSION, type: 'start', request });
  return {
    child,
    done,
    cancel: () => send({ v: PROTOCOL_VERSION, type: 'cancel' }),
    kill: () => { child.kill('SIGKILL'); },
  };
}
