import { DATASET_NAMES, NAMED_DATASETS, probeNamedDataset, dataRoots, userDataDir, loadLocatedDataset, loadDataset, DataError, classCounts, type DataLookupOptions, type Dataset } from '../../core/data';
import * as path from 'node:path';
import { InputError, parseArgs, UsageError, type CliCommand } from '../errors';
import { EXPERIMENTS_DIR } from '../../core/experiments/types';
import { cacheDirFor } from '../../core/data/imageFolder';
import { resizeFlag } from './train';

function fraction(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !(v >= 0 && v < 1)) throw new UsageError(`--${name} must be a fraction in [0, 1) (got '${raw}')`);
  return v;
}

/** One dataset given by name or path: what training would see (shape, classes, counts per class, how it was read). */
function describeOne(ds: Dataset): Record<string, unknown> {
  return {
    name: ds.name, path: ds.dir, shape: ds.shape, classes: ds.classes, classNames: ds.classNames ?? null,
    train: { samples: ds.train.count, perClass: classCounts(ds.train.labels, ds.classes) },
    test: { samples: ds.test.count, perClass: classCounts(ds.test.labels, ds.classes) },
    preprocessing: ds.preprocessing ?? null, warnings: ds.warnings ?? [],
  };
}

export const datasetsCommand: CliCommand = {
  name: 'datasets',
  usage: 'bnn datasets [<name|path>] [--data-dir D] [--test-split F] [--split-seed N] [--label-column C] [--resize M] [--check] [--json]',
  summary: 'show which named datasets are found where (--check also loads and validates them); with a name or path, load it and show its shape, classes and samples per class',
  async run(args) {
    const { positional, flags, bools } = parseArgs(args, { flags: ['data-dir', 'test-split', 'split-seed', 'label-column', 'resize'], booleans: ['check', 'json'] });
    const opts: DataLookupOptions = { dataDir: flags['data-dir'] };
    if (positional[0]) {
      const seed = flags['split-seed'] === undefined ? undefined : Number(flags['split-seed']);
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new UsageError(`--split-seed must be a whole number ≥ 0 (got '${flags['split-seed']}')`);
      let ds: Dataset;
      try {
        const col = flags['label-column'];
        ds = loadDataset(positional[0], opts, { testSplit: fraction(flags['test-split'], 'test-split'), splitSeed: seed, labelColumn: col !== undefined && /^\d+$/.test(col) ? Number(col) : col,
          resize: resizeFlag(flags.resize), cacheDir: cacheDirFor(path.resolve(EXPERIMENTS_DIR)),
        });
      } catch (err) {
        if (err instanceof DataError) throw new InputError(err.message);
        throw err;
      }
      const d = describeOne(ds);
      if (bools.has('json')) {
        process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
        return 0;
      }
      const names = (c: number): string => ds.classNames?.[c] ?? String(c);
      const per = (labels: Uint8Array): string => classCounts(labels, ds.classes).map((n, c) => `${names(c)}: ${n}`).join(', ');
      process.stdout.write(`${ds.name} (${ds.dir})\n  samples of shape [${ds.shape.join(', ')}], ${ds.classes} classes\n`);
      process.stdout.write(`  train ${ds.train.count} (${per(ds.train.labels)})\n  test  ${ds.test.count} (${per(ds.test.labels)})\n`);
      const p = ds.preprocessing;
      if (p?.testSplit) process.stdout.write(`  test split: ${p.testSplit.fraction} of the samples, stratified, seed ${p.testSplit.seed} (the data has no test part)\n`);
      if (p?.image) process.stdout.write(`  images: brought to [${p.image.shape.join(', ')}] by ${p.image.resize} resize; ${p.image.channels}${ds.imageReport ? `; ${ds.imageReport.decoded} decoded, ${ds.imageReport.cached} from the cache` : ''}\n`);
      if (p?.toBytes) process.stdout.write(`  8-bit inputs: ${p.toBytes.rule}, [lo, hi] = [${p.toBytes.lo}, ${p.toBytes.hi}]\n`);
      for (const w of ds.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      return 0;
    }
    const rows = DATASET_NAMES.map((name) => {
      const info = NAMED_DATASETS[name];
      const probes = probeNamedDataset(name, opts);
      const hit = probes.find((p) => p.location);
      let check: string | undefined;
      let counts: { train: number; test: number } | undefined;
      if (hit?.location && bools.has('check')) {
        try {
          const ds = loadLocatedDataset(hit.location);
          counts = { train: ds.train.count, test: ds.test.count };
          const bal = classCounts(ds.train.labels, ds.classes);
          check = `ok: ${ds.train.count} train + ${ds.test.count} test, ${ds.shape.join('×')}, train per class ${Math.min(...bal)}–${Math.max(...bal)}`;
        } catch (err) {
          check = err instanceof DataError ? `INVALID: ${err.message}` : `INVALID: ${(err as Error).message}`;
        }
      }
      return { name, info, probes, hit, check, counts };
    });
    if (bools.has('json')) {
      process.stdout.write(`${JSON.stringify(rows.map((r) => ({
        name: r.name, title: r.info.title, shape: r.info.shape, classes: r.info.classes, found: !!r.hit, dir: r.hit?.dir ?? null, origin: r.hit?.origin ?? null,
        files: r.hit?.location ? (r.hit.location.idx ? Object.values(r.hit.location.idx) : [...(r.hit.location.cifar?.train ?? []), r.hit.location.cifar?.test]) : [],
        searched: r.probes.map((p) => ({ dir: p.dir, origin: p.origin, exists: p.exists, missing: p.missing })),
        ...(r.check !== undefined ? { check: r.check, counts: r.counts ?? null } : {}),
      })), null, 2)}\n`);
      return rows.some((r) => r.check?.startsWith('INVALID')) ? 1 : 0;
    }
    const roots = dataRoots(opts);
    process.stdout.write(`data folders searched: ${roots.map((r) => `${r.dir} (${r.origin})`).join(', ')}${roots.length ? '' : `(none; default ${userDataDir()})`}\n\n`);
    for (const r of rows) {
      const head = `${r.name.padEnd(14)} ${r.info.title}, ${r.info.shape.join('×')}, ${r.info.classes} classes`;
      if (r.hit) {
        process.stdout.write(`${head}\n  found: ${r.hit.dir} (${r.hit.origin})\n${r.check ? `  ${r.check}\n` : ''}`);
        continue;
      }
      const partial = r.probes.find((p) => p.exists);
      const target = r.probes[0]?.dir;
      const debian = r.info.system[0];
      process.stdout.write(`${head}\n  not found${partial ? ` (${partial.dir} lacks ${partial.missing.join(', ')})` : ''}\n`);
      if (target) process.stdout.write(`  to add it, put ${r.info.format === 'idx' ? 'the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)' : 'data_batch_1..5.bin and test_batch.bin'} into ${target}\n`);
      if (debian) process.stdout.write(`  or: sudo apt-get install ${debian.debianPackage}\n`);
    }
    return rows.some((r) => r.check?.startsWith('INVALID')) ? 1 : 0;
  },
};
