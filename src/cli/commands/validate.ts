import { summarize } from '../../core/estimate/summary';
import { parseArgs, type CliCommand } from '../errors';
import { boardFromFlag, fitProblem, formatProblem } from './boardFit';
import { loadModelFile, formatDiagnostics } from './modelFile';

export const validateCommand: CliCommand = {
  name: 'validate',
  usage: 'bnn validate <model.bnn.json>... [--board <id>]',
  summary: 'check model files; prints file:line:col: message for each problem (with --board, also whether it fits)',
  async run(args) {
    const { positional, flags } = parseArgs(args, { flags: ['board'] });
    const board = boardFromFlag(flags.board);
    if (!positional.length) positional.push(undefined as unknown as string);
    let bad = 0;
    for (const file of positional) {
      const model = loadModelFile(file);
      if (!model.spec) { bad++; process.stderr.write(`${formatDiagnostics(model)}\n`); continue; }
      // A model that cannot fit the board named is an error (compile would refuse it); fitting no board at all is
      // worth a warning even without --board.
      const fit = fitProblem(model, summarize(model.spec, model.plan), board);
      if (fit?.severity === 'error') { bad++; process.stderr.write(`${formatProblem(file, fit)}\n`); continue; }
      process.stdout.write(`${file}: ok${board ? ` (fits ${board.id})` : ''}\n`);
      if (fit) process.stderr.write(`${formatProblem(file, fit)}\n`);
    }
    return bad ? 1 : 0;
  },
};
