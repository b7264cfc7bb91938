import { firstLayerFlag } from './compile';
import { findBoard, BOARDS } from '../../core/boards';
import { formatDeviceResult } from '../../core/device/bench';
import { benchExperiment } from '../../core/device/benchExperiment';
import { formatHostCheck, hostCheckExperiment } from '../../core/device/hostRun';
import { requireTool } from '../../core/device/tools';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';
import { createProgress } from '../progress';
import { experimentDirArg, runOnRealBoard, samplesFlag } from './flash';

export const benchCommand: CliCommand = {
  name: 'bench',
  usage: 'bnn bench <experiment> --board qemu-stm32|<real board> | --host [--port P] [--samples N] [--checkpoint NAME] [--first-layer fast|lean] [--experiments DIR] [--data-dir D] [--json]',
  summary: 'run an experiment on the emulated board: on-device accuracy, agreement with the host, latency, flash/RAM; --host: the compiled C built with this machine\'s gcc, checked bit for bit against the reference (no board, no QEMU)',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['board', 'port', 'method', 'samples', 'checkpoint', 'experiments', 'data-dir', 'first-layer'], booleans: ['json', 'host'] });
    if (positional.length !== 1) throw new UsageError('give exactly one experiment (id or folder)');
    if (bools.has('host')) {
      if (flags.board) throw new UsageError('--host runs the C on this machine: give it or --board, not both');
      return benchOnHost(experimentDirArg(positional[0], flags.experiments), flags, bools.has('json'));
    }
    const boardId = flags.board ?? 'qemu-stm32';
    const board = findBoard(boardId);
    if (!board) throw new UsageError(`unknown board '${boardId}' (one of ${BOARDS.map((b) => b.id).join(', ')})`);
    // A real board that already runs this experiment's firmware: connect on --port and benchmark (no flashing).
    if (!board.emulated) return runOnRealBoard(args, 'bench');
    const samples = samplesFlag(flags.samples);
    const experimentDir = experimentDirArg(positional[0], flags.experiments);
    const json = bools.has('json');
    const ac = new AbortController();
    const onSigint = (): void => { process.stderr.write('\nbnn bench: cancelling, stopping the emulated board…\n'); ac.abort(); };
    process.once('SIGINT', onSigint);
    const progress = createProgress();
    try {
      const { report, file } = await benchExperiment({
        experimentDir, board: boardId, samples, checkpoint: flags.checkpoint, firstLayer: firstLayerFlag(flags['first-layer']),
        data: flags['data-dir'] ? { dataDir: flags['data-dir'] } : undefined,
        signal: ac.signal,
        log: (line) => progress.log(line),
        progress: (phase, done, total) => { if (phase === 'infer') progress.update(done, total, `${done}/${total} samples on the emulated board`); },
      }).finally(() => progress.stop());
      if (json) {
        process.stdout.write(`${JSON.stringify({ ...report.result, file, hostReferenceMismatches: report.mismatches.length, inferSeconds: report.inferSeconds, tickSource: report.hello.tickSource }, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatDeviceResult(report.result)}\nsaved            ${file}\n`);
        if (report.mismatches.length) process.stdout.write(`WARNING: ${report.mismatches.length} samples differ from the host's exact reference of the compiled C\n`);
      }
      return 0;
    } catch (err) {
      if (ac.signal.aborted) { process.stderr.write('bnn bench: cancelled\n'); return 130; }
      throw new InputError((err as Error).message);
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};

async function benchOnHost(experimentDir: string, flags: Record<string, string>, json: boolean): Promise<number> {
  const samples = samplesFlag(flags.samples);
  try {
    const gcc = requireTool('gcc', 'to build the compiled C on this machine');
    const check = await hostCheckExperiment({
      experimentDir, gcc, samples, checkpoint: flags.checkpoint,
      data: flags['data-dir'] ? { dataDir: flags['data-dir'] } : undefined,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(json ? `${JSON.stringify(check, null, 2)}\n` : `${formatHostCheck(check)}\n`);
    return check.exact === check.samples ? 0 : 1;
  } catch (err) {
    // a missing gcc, a damaged checkpoint, unreadable data: one line, no stack
    throw new InputError((err as Error).message);
  }
}
