import { summarize, formatSummaryTable, summaryJson } from '../../core/estimate/summary';
import { parseArgs, UsageError, type CliCommand } from '../errors';
import { loadModelFile, formatDiagnostics } from './modelFile';

export const summaryCommand: CliCommand = {
  name: 'summary',
  usage: 'bnn summary <model.bnn.json> [--json]',
  summary: 'Larq-style table: params, deployed flash/RAM bytes, MACs',
  async run(args) {
    const { positional, bools } = parseArgs(args, { booleans: ['json'] });
    if (positional.length > 1) throw new UsageError(`takes one model file, got ${positional.length}: ${positional.join(' ')}`);
    const model = loadModelFile(positional[0]);
    if (!model.spec) {
      process.stderr.write(`${formatDiagnostics(model)}\n`);
      return 1;
    }
    const s = summarize(model.spec);
    process.stdout.write(bools.has('json') ? `${JSON.stringify(summaryJson(s), null, 2)}\n` : `${formatSummaryTable(s)}\n`);
    return 0;
  },
};
