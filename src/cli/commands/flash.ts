import { createProgress } from '../progress';
import { findBoard, BOARDS, type FlashMethod } from '../../core/boards';
import { formatDeviceResult } from '../../core/device/bench';
import { benchExperiment, DEFAULT_BENCH_SAMPLES } from '../../core/device/benchExperiment';
import { realBoardSession } from '../../core/device/realBoard';
import { findExperimentDir, resolveExperimentsDir } from '../../core/experiments/store';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';

const METHODS: FlashMethod[] = ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader', 'arduino-cli'];

/** Tool paths from the environment for the CLI (the extension reads bnnStudio.tools.<name>): BNN_TOOL_OPENOCD=… */
export function toolPathsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^BNN_TOOL_(.+)$/.exec(k);
    if (m && v) out[m[1].toLowerCase().replace(/_/g, '-')] = v;
  }
  return out;
}

/**
 * `bnn flash` (and `bnn bench --board <real board>`): compile → build → flash → verify → benchmark on a real board,
 * saving the same DeviceResult as the emulated board's.
 */
/** `--samples N` of bench and flash: how many test samples the board classifies. */
export function samplesFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BENCH_SAMPLES;
  const samples = Number(value);
  if (!Number.isInteger(samples) || samples < 1) throw new UsageError(`--samples must be a positive integer (got '${value}')`);
  return samples;
}

/** The experiment folder named on the command line (id or path), under `--dir` or the default experiments folder. */
export function experimentDirArg(given: string, dir: string | undefined): string {
  try {
    return findExperimentDir(resolveExperimentsDir({ dir }), given);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}

export async function runOnRealBoard(args: string[], mode: 'flash' | 'bench'): Promise<number> {
  const { positional, flags, bools } = parseArgs(args, { flags: ['board', 'port', 'method', 'samples', 'checkpoint', 'experiments', 'data-dir'], booleans: ['json'] });
  if (positional.length !== 1) throw new UsageError('give exactly one experiment (id or folder)');
  if (!flags.board) throw new UsageError(`--board is required (one of ${BOARDS.filter((b) => !b.emulated).map((b) => b.id).join(', ')}); 'bnn boards' shows what is connected`);
  const board = findBoard(flags.board);
  if (!board) throw new UsageError(`unknown board '${flags.board}' (one of ${BOARDS.map((b) => b.id).join(', ')})`);
  if (board.emulated) throw new InputError(`${board.name} is emulated: use 'bnn bench ${positional[0]} --board ${board.id}'`);
  const method = flags.method as FlashMethod | undefined;
  if (method && !METHODS.includes(method)) throw new UsageError(`--method must be one of ${board.flashMethods.join(', ')}`);
  if (mode === 'bench' && !flags.port) throw new UsageError(`give the board's serial port with --port (or use 'bnn flash' to flash and benchmark in one go)`);
  const samples = samplesFlag(flags.samples);
  const experimentDir = experimentDirArg(positional[0], flags.experiments);
  const ac = new AbortController();
  const onSigint = (): void => { process.stderr.write(`\nbnn ${mode}: cancelling…\n`); ac.abort(); };
  process.once('SIGINT', onSigint);
  // a bar on a terminal while the board answers the samples, plain lines on a pipe; log lines print above it
  const progress = createProgress();
  const log = (line: string): void => progress.log(line);
  const tools = toolPathsFromEnv();
  const session = realBoardSession({ board, port: flags.port, method, tools, signal: ac.signal, log, onProgress: log, flash: mode === 'flash' });
  try {
    const { report, file } = await benchExperiment({
      experimentDir, board: board.id, samples, checkpoint: flags.checkpoint,
      data: flags['data-dir'] ? { dataDir: flags['data-dir'] } : undefined,
      tools, signal: ac.signal, log, realBoard: session,
      progress: (phase, done, total) => { if (phase === 'infer') progress.update(done, total, `${done}/${total} samples on ${board.name}`); },
    }).finally(() => progress.stop());
    if (bools.has('json')) {
      const flashed = session.outcome();
      process.stdout.write(`${JSON.stringify({ ...report.result, file, flash: report.result.flash, flashedWith: flashed?.method, flashVerified: flashed?.verifiedHow, hostReferenceMismatches: report.mismatches.length, tickSource: report.hello.tickSource, clockHz: report.hello.clockHz }, null, 2)}\n`);
    } else {
      process.stdout.write(`${formatDeviceResult(report.result)}\nsaved            ${file}\n`);
    }
    return 0;
  } catch (err) {
    if (ac.signal.aborted) { process.stderr.write(`bnn ${mode}: cancelled\n`); return 130; }
    throw new InputError((err as Error).message);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export const flashCommand: CliCommand = {
  name: 'flash',
  usage: 'bnn flash <experiment> --board <id> [--port P] [--method openocd|st-flash|mass-storage|stm32-serial-bootloader|arduino-cli] [--samples N] [--checkpoint NAME] [--experiments DIR] [--data-dir D] [--json]',
  summary: 'compile, build, flash and verify an experiment on a real board, then benchmark it there',
  run: (args) => runOnRealBoard(args, 'flash'),
};
