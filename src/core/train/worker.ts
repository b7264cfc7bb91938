/**
 * The trainer process. Forked by the extension and the CLI (child_process.fork, IPC channel): it waits for one
 * `start` message, trains, streams WorkerToHost messages, and exits when done; `cancel` stops it between two steps.
 * Without an IPC channel it runs standalone: `node dist/trainWorker.js --request <file.json | json>` prints one
 * message per line as JSON on stdout and treats SIGINT/SIGTERM as cancel.
 *
 * Exit codes: 0 the run ended (completed, cancelled or failed — see the last `done`), 1 the request was rejected
 * (an `error` message says why), 2 an internal error.
 */
import * as fs from 'node:fs';
import { PROTOCOL_VERSION, type HostToWorker, type TrainRequest, type WorkerToHost } from '../messages';
import { prepareJob } from './job';
import { runTraining } from './trainer';

let cancelled = false;
let send: (m: WorkerToHost) => void;

async function start(req: TrainRequest): Promise<number> {
  let job;
  try {
    let last = 0;
    job = prepareJob(req, (done, total, message) => {
      // a few updates a second are plenty for a progress bar
      if (Date.now() - last < 250) return;
      last = Date.now();
      send({ v: PROTOCOL_VERSION, type: 'dataProgress', done, total, message });
    });
  } catch (err) {
    send({ v: PROTOCOL_VERSION, type: 'error', message: (err as Error).message });
    return 1;
  }
  try {
    const status = await runTraining(job, { emit: send, cancelled: () => cancelled });
    return status.state === 'completed' || status.state === 'cancelled' || status.state === 'failed' ? 0 : 2;
  } catch (err) {
    // bad input found before the experiment existed (e.g. epochs ≤ 0, data/model mismatch)
    send({ v: PROTOCOL_VERSION, type: 'error', message: (err as Error).message });
    return 1;
  }
}

function flushAndExit(code: number): void {
  if (process.send && process.connected) {
    // wait until queued IPC messages are out before exiting
    process.send({ v: PROTOCOL_VERSION, type: 'log', level: 'info', message: `trainer exiting (${code})` } satisfies WorkerToHost, () => {
      process.disconnect();
      process.exitCode = code;
    });
  } else {
    process.exitCode = code;
  }
}

function main(): void {
  process.on('uncaughtException', (err) => {
    try { send?.({ v: PROTOCOL_VERSION, type: 'error', message: `internal error: ${err.stack ?? err.message}` }); } catch { /* channel gone */ }
    process.stderr.write(`trainer: internal error: ${err.stack ?? err.message}\n`);
    process.exit(2);
  });
  if (process.send) {
    send = (m) => { if (process.connected) process.send!(m); };
    let started = false;
    process.on('message', (raw: unknown) => {
      const msg = raw as HostToWorker;
      if (!msg || msg.v !== PROTOCOL_VERSION) {
        process.stderr.write(`trainer: dropped a message of protocol version ${(msg as { v?: unknown })?.v} (expected ${PROTOCOL_VERSION})\n`);
        return;
      }
      if (msg.type === 'cancel') cancelled = true;
      else if (msg.type === 'start' && !started) {
        started = true;
        start(msg.request).then(flushAndExit, (err) => { process.stderr.write(`trainer: ${(err as Error).stack}\n`); flushAndExit(2); });
      }
    });
    // the host went away: stop at the next step boundary (the checkpoint stays)
    process.on('disconnect', () => { cancelled = true; });
    return;
  }
  send = (m) => { process.stdout.write(JSON.stringify(m) + '\n'); };
  const i = process.argv.indexOf('--request');
  const arg = i >= 0 ? process.argv[i + 1] : undefined;
  if (!arg) {
    process.stderr.write('usage: trainWorker.js --request <request.json | JSON>  (or fork it with an IPC channel)\n');
    process.exitCode = 2;
    return;
  }
  let req: TrainRequest;
  try {
    req = JSON.parse(arg.trim().startsWith('{') ? arg : fs.readFileSync(arg, 'utf8')) as TrainRequest;
  } catch (err) {
    process.stderr.write(`trainer: cannot read the request: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  process.on('SIGINT', () => { cancelled = true; });
  process.on('SIGTERM', () => { cancelled = true; });
  start(req).then((code) => { process.exitCode = code; }, (err) => { process.stderr.write(`trainer: ${(err as Error).stack}\n`); process.exitCode = 2; });
}

main();
