import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { importKerasModel } from '../../core/interop/keras';
import { checkTfjsWeights } from '../../core/interop/tfjsWeights';
import { describeImport } from '../../core/interop/importReport';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';

export const importCommand: CliCommand = {
  name: 'import',
  usage: 'bnn import <keras-model.json|model.json> [--out <model.bnn.json>] [--force]',
  summary: 'convert a Larq/Keras model JSON or a TF.js layers model to *.bnn.json',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['out'], booleans: ['force'] });
    const file = positional[0];
    if (!file) throw new UsageError('missing <keras-model.json> argument');
    if (positional.length > 1) throw new UsageError(`import takes one model file, got ${positional.length}: ${positional.join(', ')}`);
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (err) { throw new InputError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`); }
    const r = importKerasModel(text, file);
    for (const p of r.problems) process.stderr.write(`${file}: ${p.severity}: ${p.message}\n`);
    // a damaged weights file does not change the architecture imported, but it must not pass unnoticed
    const weights = r.format === 'tfjs-layers' ? checkTfjsWeights(r.source, file) : undefined;
    for (const w of weights?.problems ?? []) process.stderr.write(`${file}: warning: weights: ${w}\n`);
    if (!r.spec || r.text === undefined) {
      process.stderr.write(`${file}: not imported; nothing was written\n`);
      return 1;
    }
    const out = flags.out ?? `${r.spec.name}.bnn.json`;
    if (existsSync(out) && !bools.has('force')) throw new InputError(`${out} exists already (use --force to overwrite)`);
    // r.text is the document the model loader accepted, so `bnn validate` accepts the file written
    writeFileSync(out, r.text);
    const report = describeImport(r, weights, `train it with \`bnn train ${out}\``);
    process.stdout.write(`${file} (${r.format}) → ${out}\n  imported: ${report.imported}\n${report.notImported ? `  not imported: ${report.notImported}\n` : ''}`);
    return 0;
  },
};
