import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateLarqProject, LarqExportError } from '../../core/interop/larqScript';
import { LARQ_PRESETS, larqOptimizer } from '../../core/interop/larqPresets';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';
import { loadModelFile, formatDiagnostics } from './modelFile';

export const exportLarqCommand: CliCommand = {
  name: 'export-larq',
  usage: 'bnn export-larq <model.bnn.json> --out <dir> [--preset <id>] [--data <name>] [--epochs N] [--batch-size B] [--force]',
  summary: 'write a runnable Larq/TensorFlow training project that logs into the Experiments tree',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['out', 'preset', 'data', 'epochs', 'batch-size', 'seed'], booleans: ['force'] });
    if (!flags.out) throw new UsageError('missing --out <dir>');
    const model = loadModelFile(positional[0]);
    if (!model.spec) { process.stderr.write(`${formatDiagnostics(model)}\n`); return 1; }
    const preset = LARQ_PRESETS.find((p) => p.id === (flags.preset ?? 'bop'));
    if (!preset) throw new UsageError(`unknown preset '${flags.preset}' (one of: ${LARQ_PRESETS.map((p) => p.id).join(', ')})`);
    const int = (name: string, fallback: number): number => {
      if (flags[name] === undefined) return fallback;
      const v = Number(flags[name]);
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${name} must be a positive integer`);
      return v;
    };
    if (existsSync(flags.out) && readdirSync(flags.out).length && !bools.has('force')) throw new InputError(`${flags.out} is not empty (use --force to overwrite)`);
    let files: Record<string, string>;
    try {
      const dataset = flags.data ?? preset.dataset ?? 'fashion-mnist';
      const batchSize = int('batch-size', preset.batchSize);
      files = generateLarqProject({
        spec: model.spec, optimizer: larqOptimizer(preset.id, dataset, batchSize, 0.1), dataset,
        epochs: int('epochs', preset.epochs), batchSize, seed: flags.seed === undefined ? 0 : int('seed', 1),
        valSplit: 0.1, generator: 'BNN Studio `bnn export-larq`',
      });
    } catch (err) {
      if (err instanceof LarqExportError) throw new InputError(err.message);
      throw err;
    }
    mkdirSync(flags.out, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(flags.out, name), text);
    process.stdout.write(`wrote ${Object.keys(files).join(', ')} to ${flags.out}\n`);
    return 0;
  },
};
