import { summarize, formatSummaryTable, summaryJson } from '../../core/estimate/summary';
import { parseArgs, UsageError, type CliCommand } from '../errors';
import { boardFromFlag, fitJson, fitProblem, fitTable, formatProblem } from './boardFit';
import { loadModelFile, formatDiagnostics } from './modelFile';

export const summaryCommand: CliCommand = {
  name: 'summary',
  usage: 'bnn summary <model.bnn.json> [--board <id>] [--json]',
  summary: 'Larq-style table: params, deployed flash/RAM bytes, MACs, and whether it fits each board',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['board'], booleans: ['json'] });
    const board = boardFromFlag(flags.board);
    if (positional.length > 1) throw new UsageError(`takes one model file, got ${positional.length}: ${positional.join(' ')}`);
    const model = loadModelFile(positional[0]);
    if (!model.spec) {
      process.stderr.write(`${formatDiagnostics(model)}\n`);
      return 1;
    }
    const s = summarize(model.spec, model.plan);
    const boards = board ? [board] : undefined;
    if (bools.has('json')) {
      process.stdout.write(`${JSON.stringify({ ...summaryJson(s), boards: fitJson(s, boards) }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${formatSummaryTable(s)}\n${fitTable(s, boards)}\n`);
    const fit = fitProblem(model, s, board);
    if (fit) process.stderr.write(`${formatProblem(model.file, fit)}\n`);
    return 0;
  },
};
