import { DATASET_NAMES, NAMED_DATASETS, probeNamedDataset, dataRoots, userDataDir, loadLocatedDataset, DataError, classCounts, type DataLookupOptions } from '../../core/data';
import { parseArgs, type CliCommand } from '../errors';

export const datasetsCommand: CliCommand = {
  name: 'datasets',
  usage: 'bnn datasets [--data-dir D] [--check] [--json]',
  summary: 'show which named datasets are found where (--check also loads and validates them)',
  async run(args) {
    const { flags, bools } = parseArgs(args, { flags: ['data-dir'], booleans: ['check', 'json'] });
    const opts: DataLookupOptions = { dataDir: flags['data-dir'] };
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
