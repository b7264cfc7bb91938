import { parseArgs, type CliCommand } from '../errors';
import { loadModelFile, formatDiagnostics } from './modelFile';

export const validateCommand: CliCommand = {
  name: 'validate',
  usage: 'bnn validate <model.bnn.json>...',
  summary: 'check model files; prints file:line:col: message for each problem',
  async run(args) {
    const { positional } = parseArgs(args, {});
    if (!positional.length) positional.push(undefined as unknown as string);
    let bad = 0;
    for (const file of positional) {
      const model = loadModelFile(file);
      if (model.spec) process.stdout.write(`${file}: ok\n`);
      else { bad++; process.stderr.write(`${formatDiagnostics(model)}\n`); }
    }
    return bad ? 1 : 0;
  },
};
