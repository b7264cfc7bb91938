import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { writeTorchProject, TORCHRUN_COMMAND } from '../../core/interop/torchProject';
import { BOP_PRESETS, optimizerFromPreset } from '../../core/train/presets';
import { locateDataset, DataError, NAMED_DATASETS, isDatasetName } from '../../core/data';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';
import { loadModelFile, formatDiagnostics } from './modelFile';

const VAL_SPLIT = 0.1;

export const exportTorchCommand: CliCommand = {
  name: 'export-torch',
  usage: 'bnn export-torch <model.bnn.json> --out <dir> [--preset <id>] [--data <name|dir>] [--epochs N] [--batch-size B] [--seed S] [--force]',
  summary: 'write a runnable PyTorch training project (torchrun / DistributedDataParallel) that logs into the Experiments tree',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['out', 'preset', 'data', 'epochs', 'batch-size', 'seed'], booleans: ['force'] });
    if (!flags.out) throw new UsageError('missing --out <dir>');
    const model = loadModelFile(positional[0]);
    if (!model.spec) { process.stderr.write(`${formatDiagnostics(model)}\n`); return 1; }
    const presetId = flags.preset ?? 'bop';
    if (!BOP_PRESETS.some((p) => p.id === presetId)) throw new UsageError(`unknown preset '${presetId}' (one of: ${BOP_PRESETS.map((p) => p.id).join(', ')})`);
    const int = (name: string, fallback: number, min = 1): number => {
      if (flags[name] === undefined) return fallback;
      const v = Number(flags[name]);
      if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}`);
      return v;
    };
    const dataName = flags.data ?? 'bundled';
    let location;
    try {
      location = locateDataset(dataName);
    } catch (err) {
      if (err instanceof DataError) throw new InputError(err.message);
      throw err;
    }
    if (location.format !== 'idx' || !location.idx) throw new InputError(`${location.dir}: the PyTorch project reads IDX datasets (MNIST, Fashion-MNIST, bundled) so far; this one is ${location.format}`);
    const preset = optimizerFromPreset(presetId);
    const batchSize = int('batch-size', preset.batchSize ?? 100);
    // epoch-counted decays are written in steps for the dataset's training split, as Keras counts them
    const trainCount = (isDatasetName(dataName) ? NAMED_DATASETS[dataName].trainCount : undefined) ?? 60_000;
    const { optimizer } = optimizerFromPreset(presetId, { stepsPerEpoch: Math.ceil((trainCount * (1 - VAL_SPLIT)) / batchSize) });
    if (existsSync(flags.out) && readdirSync(flags.out).length && !bools.has('force')) throw new InputError(`${flags.out} is not empty (use --force to overwrite)`);
    const files = writeTorchProject(flags.out, {
      spec: model.spec, modelPath: path.resolve(positional[0]), optimizer,
      dataset: { name: location.name, dir: location.dir, files: location.idx },
      epochs: int('epochs', 10), batchSize, seed: int('seed', 0, 0), valSplit: VAL_SPLIT, generator: 'BNN Studio `bnn export-torch`',
    });
    process.stdout.write(`wrote ${files.join(', ')} to ${flags.out}\n`
      + `run it (from ${flags.out}; needs torch and numpy):\n`
      + `  python3 train.py --experiments <workspace>/.bnn/experiments                 # one process\n`
      + `  ${TORCHRUN_COMMAND} --experiments <workspace>/.bnn/experiments   # DistributedDataParallel, 2 processes\n`);
    return 0;
  },
};
