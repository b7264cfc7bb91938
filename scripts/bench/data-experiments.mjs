// Datasets and the experiment store: what loading a dataset, an epoch of batches, and the experiment files cost the
// trainer, the Experiments tree (listing) and the live charts (history read, follower latency for external runs).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const id = 'data-experiments';
export const title = 'Datasets and experiment files';

const stepEvent = (i) => ({ kind: 'step', step: i, epoch: Math.floor(i / 600), time: i, loss: 0.5, accuracy: 0.8, flipRatio: { quant_dense: 1e-3, quant_dense_1: 2e-3, quant_dense_2: 5e-4 }, gamma: 1e-4, threshold: 1e-8, lr: 0.01, samplesPerSec: 3000 });

function init(model) {
  return {
    modelPath: `${model}.bnn.json`, model: { name: model, input: { shape: [784] }, classes: 10, layers: [] },
    dataset: { name: 'bundled', trainSamples: 5400, valSamples: 600, normalization: 'x = u8 / 127.5 - 1' },
    optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } }, epochs: 10, batchSize: 100, seed: 1, valSplit: 0.1,
    backend: 'wasm', engine: 'bnn-studio', versions: {},
  };
}

export async function run(ctx) {
  const core = createRequire(import.meta.url)(await ctx.bundle('data-experiments', `
    export { loadDataset, splitValidation, batches, probeNamedDataset } from './src/core/data';
    export { createExperiment, listExperiments, updateStatus } from './src/core/experiments/store';
    export { MetricsWriter, readMetrics, followMetrics } from './src/core/experiments/metrics';
  `));
  const rows = [];
  const bundled = await ctx.time(() => core.loadDataset('bundled'), { runs: 10, warmup: 1 });
  rows.push(['Load `bundled` (6,000 + 1,000, gzip IDX)', ctx.ms(bundled.median)]);
  const full = core.probeNamedDataset('fashion-mnist').find((p) => p.location);
  let ds = core.loadDataset('bundled');
  if (full) {
    const t = await ctx.time(() => core.loadDataset('fashion-mnist'), { runs: 3, warmup: 0 });
    rows.push([`Load \`fashion-mnist\` (60,000 + 10,000, from ${full.dir})`, ctx.ms(t.median)]);
    ds = core.loadDataset('fashion-mnist');
  } else {
    rows.push(['Load `fashion-mnist`', 'not installed (apt-get install dataset-fashion-mnist)']);
  }
  const split = core.splitValidation(ds.train, ds.shape, 0.1, 1);
  let epoch = 0;
  const ep = await ctx.time(() => { let n = 0; for (const b of core.batches(split.train, ds.shape, { batchSize: 100, seed: 1, epoch: epoch++ })) n += b.size; return n; }, { runs: 5, warmup: 1 });
  rows.push([`One shuffled epoch of batches of 100 (${split.train.count.toLocaleString('en')} samples)`, `${ctx.ms(ep.median)} = ${Math.round(split.train.count / ep.median * 1000).toLocaleString('en')} samples/s`]);

  const root = ctx.scratch('experiments');
  const one = core.createExperiment(root, init('mlp'));
  const w = new core.MetricsWriter(one.dir);
  const t0 = performance.now();
  for (let i = 1; i <= 100000; i++) w.append(stepEvent(i));
  const appendMs = performance.now() - t0;
  w.close();
  rows.push(['Append one step event to metrics.jsonl (one write() each, 100,000 events)', `${(appendMs / 100).toFixed(1)} µs/event`]);
  const hist = await core.readMetrics(one.dir);
  const rm = await ctx.time(() => core.readMetrics(one.dir), { runs: 3, warmup: 1 });
  rows.push([`Read the history of a 100,000-event run (${(hist.offset / 1e6).toFixed(1)} MB)`, ctx.ms(rm.median)]);
  for (let i = 0; i < 300; i++) {
    const e = core.createExperiment(root, init(`model${i % 5}`));
    core.updateStatus(e.dir, i % 2 ? { state: 'completed', final: { valAccuracy: 0.8 } } : { state: 'running' });
    const mw = new core.MetricsWriter(e.dir);
    for (let k = 0; k < 600; k++) mw.append(stepEvent(k));
    mw.append({ kind: 'epoch', step: 600, epoch: 0, time: 1, loss: 0.4, accuracy: 0.8, valLoss: 0.5, valAccuracy: 0.79 });
    mw.close();
  }
  const ls = await ctx.time(() => core.listExperiments(root), { runs: 5, warmup: 1 });
  rows.push(['List 301 experiments (config + status + last val. accuracy from metrics when not final)', ctx.ms(ls.median)]);

  const file = join(one.dir, 'metrics.jsonl');
  const lat = [];
  let sent = 0;
  const f = core.followMetrics(file, (evs) => { if (evs.length) lat.push(performance.now() - sent); }, { fromOffset: hist.offset, pollMs: 250 });
  await f.flush();
  for (let i = 0; i < 40; i++) {
    sent = performance.now();
    appendFileSync(file, `${JSON.stringify(stepEvent(200000 + i))}\n`);
    await new Promise((r) => setTimeout(r, 50));
  }
  f.stop();
  const l = ctx.stats(lat);
  rows.push([`Follower: line appended by another writer → callback (fs.watch, 250 ms poll fallback; ${l.runs} lines at 20/s)`, `median ${ctx.ms(l.median)}, max ${ctx.ms(l.max)}`]);
  return [
    ctx.table(['Operation', 'Time'], rows),
    '',
    'Medians; code bundled by esbuild exactly as shipped. The trainer needs ~3,000 samples/s, so batching is far from the',
    'bottleneck; the follower is what the live charts use for runs started outside VS Code (CLI, exported Larq script).',
  ].join('\n');
}
