import { DEFAULT_CHECKPOINT_RULE } from '../../core/experiments/checkpoints';
import { readConfigFile } from '../../core/experiments/files';
import { loadExperimentModel } from '../../core/train/experimentModel';
import { predict } from '../../core/train/predict';
import * as path from 'node:path';
import { loadDataset, checkDatasetForModel, takeSamples, readOptionsFrom, cacheDirFor, modelImageShape, DataError } from '../../core/data';
import { parseArgs, InputError, UsageError, type CliCommand } from '../errors';
import { experimentDirArg } from './flash';

export const evalCommand: CliCommand = {
  name: 'eval',
  usage: 'bnn eval <experiment> [--data <name|path>] [--checkpoint NAME] [--experiments DIR] [--data-dir DIR] [--max-samples N] [--json]',
  summary: `test accuracy of an experiment's checkpoint (${DEFAULT_CHECKPOINT_RULE}; the reference forward pass the compiled C model must match)`,
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['data', 'checkpoint', 'experiments', 'data-dir', 'max-samples'], booleans: ['json'] });
    if (!positional[0]) throw new UsageError('missing <experiment> argument (an id or a folder)');
    if (positional.length > 1) throw new UsageError(`unexpected argument '${positional[1]}'`);
    const dir = experimentDirArg(positional[0], flags.experiments);
    let model;
    let config;
    try {
      // eval needs the dataset config.json names (compile and export do not), so a bad config is the first thing said
      config = readConfigFile(dir);
      model = loadExperimentModel(dir, flags.checkpoint);
    } catch (err) {
      throw new InputError((err as Error).message);
    }
    const { trained, checkpoint: which } = model;
    process.stderr.write(`checkpoint: ${model.label}\n`);
    const dataArg = flags.data ?? config.dataset.path ?? config.dataset.name;
    let ds;
    try {
      // the run's recorded preprocessing: the same test split and 8-bit rule as in training
      ds = loadDataset(dataArg, { dataDir: flags['data-dir'] }, {
        imageShape: modelImageShape(trained.spec.input.shape), ...readOptionsFrom(config.dataset.preprocessing), cacheDir: cacheDirFor(path.dirname(dir)),
      });
      checkDatasetForModel(ds, trained.spec);
    } catch (err) {
      if (err instanceof DataError) throw new InputError(err.message);
      throw err;
    }
    const max = flags['max-samples'] !== undefined ? Number(flags['max-samples']) : undefined;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new UsageError(`--max-samples must be a positive integer (got '${flags['max-samples']}')`);
    const test = max ? takeSamples(ds.test, ds.shape, max) : ds.test;
    const t0 = Date.now();
    const { classes } = predict(trained, test.images, test.count);
    let ok = 0;
    const perClass = Array.from({ length: trained.spec.classes }, () => ({ n: 0, ok: 0 }));
    for (let i = 0; i < test.count; i++) {
      const pc = perClass[test.labels[i]];
      pc.n++;
      if (classes[i] === test.labels[i]) { ok++; pc.ok++; }
    }
    const acc = test.count ? ok / test.count : 0;
    const result = {
      experimentId: config.id, checkpoint: which, step: trained.meta.step, epoch: trained.meta.epoch, dataset: ds.name, samples: test.count, accuracy: acc,
      perClass: perClass.map((p, c) => ({ class: ds.classNames?.[c] ?? String(c), samples: p.n, accuracy: p.n ? p.ok / p.n : null })),
      seconds: (Date.now() - t0) / 1000,
    };
    if (bools.has('json')) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    } else {
      process.stdout.write(`${config.id} (${which} checkpoint, epoch ${trained.meta.epoch}, step ${trained.meta.step})\n`);
      process.stdout.write(`test accuracy on ${ds.name}: ${(acc * 100).toFixed(2)}% (${ok}/${test.count})\n`);
      for (const p of result.perClass) process.stdout.write(`  ${p.class.padEnd(12)} ${p.accuracy === null ? '—' : `${(p.accuracy * 100).toFixed(1)}%`} of ${p.samples}\n`);
    }
    return 0;
  },
};
