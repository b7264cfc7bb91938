import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { modelWork, trainStep, type TrainJob } from '../../../src/core/train/trainer';
import { loadModelText } from '../../../src/core/model/load';
import { BnnModel, encodeInputs } from '../../../src/core/train/model';
import { CaseOptimizer } from '../../../src/core/train/optimizers';
import { DataParallel } from '../../../src/core/train/parallel';
import { splitShards } from '../../../src/core/train/shard';
import { defaultThreads, describeThreads, threadsProblem } from '../../../src/core/train/threads';
import { readMetrics } from '../../support/metricsOf';
import { readConfigFile as readConfig } from '../../../src/core/experiments/store';
import type { MetricsEvent, OptimizerConfig } from '../../../src/core/experiments/types';
import type { ModelSpec } from '../../../src/core/model/spec';
import { syntheticData } from '../../support/syntheticData';
import { tinyCnn, tinyMlp, tinyResidual } from '../../support/models';
import { runJob } from '../../support/runJob';

const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 1200, test: 300, seed: 3 });
const bop: OptimizerConfig = { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } };

function job(dir: string, over: Partial<TrainJob> = {}): TrainJob {
  return {
    spec: tinyMlp(), modelPath: 'tiny.bnn.json', data, epochs: 1, batchSize: 50, seed: 7, valSplit: 0.1, experimentsDir: dir, backend: 'cpu',
    optimizer: bop, eventsPerSecond: 0, threads: 2, ...over,
  };
}

const run = runJob;

const stripTime = (e: MetricsEvent) => ({ ...e, time: 0, ...(e.kind === 'step' ? { samplesPerSec: 0 } : {}) });

/** A model without BatchNormalization: its 2-thread gradient is exactly the 1-thread one (no per-shard statistics). */
function noBnMlp(): ModelSpec {
  const s = tinyMlp();
  return { ...s, name: 'tiny-mlp-nobn', layers: s.layers.filter((l) => l.type !== 'BatchNormalization') };
}

function values(v: tf.Tensor): number[] {
  return Array.from(v.dataSync());
}

/** The same model twice from one seed: trained on one thread, and data-parallel on `threads` (cpu backend). */
async function twins(spec: ConstructorParameters<typeof BnnModel>[0], idx: Uint32Array, threads: number) {
  await initBackend('cpu');
  const xs = encodeInputs(data.train.images, idx, 64);
  const ys = Int32Array.from(idx, (i) => data.train.labels[i]);
  const single = new BnnModel(spec, { latent: false, seed: 1 });
  const so = new CaseOptimizer(bop, single.trainableParams);
  const multi = new BnnModel(spec, { latent: false, seed: 1 });
  const mo = new CaseOptimizer(bop, multi.trainableParams);
  const dp = await DataParallel.start({ threads, model: multi, optimizer: mo, backend: 'cpu', images: data.train.images, labels: data.train.labels, latent: false, seed: 1 });
  return { xs, ys, single, so, multi, mo, dp };
}

describe('train/parallel (data-parallel threads)', function () {
  this.timeout(120000);
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-par-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('splits a batch into contiguous shards that differ by at most one sample', () => {
    const idx = Uint32Array.from({ length: 11 }, (_, i) => i);
    assert.deepEqual(splitShards(idx, 3).map((s) => Array.from(s)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]);
    assert.deepEqual(splitShards(idx.subarray(0, 1), 2).map((s) => s.length), [1, 0]);
  });

  it('default thread count: one per core, capped by the batch (≥ 25 samples and enough work a thread), 1 with tfjs-node', async () => {
    await initBackend('cpu');
    assert.equal(defaultThreads('wasm', 100, undefined, 2), 2);
    assert.equal(defaultThreads('wasm', 100, undefined, 16), 4);
    assert.equal(defaultThreads('wasm', 1000, undefined, 16), 8);
    assert.equal(defaultThreads('wasm', 10, undefined, 4), 1);
    assert.equal(defaultThreads('tensorflow', 100, undefined, 8), 1);
    const load = (f: string) => loadModelText(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', f), 'utf8'), f).spec!;
    const mlp = modelWork(load('binary-mlp.bnn.json'));
    assert.deepEqual(mlp, { macsPerSample: 784 * 256 + 256 * 256 + 256 * 10, params: 784 * 256 + 256 * 256 + 256 * 10 + 256 + 256 + 10 });
    const cnn = modelWork(load('binary-cnn.bnn.json'));
    // 'same' convs on 28×28, 14×14 and 7×7 maps, then dense 3·3·64 → 256 → 10
    assert.equal(cnn.macsPerSample, 28 * 28 * 9 * 32 + 14 * 14 * 9 * 32 * 64 + 7 * 7 * 9 * 64 * 64 + 576 * 256 + 256 * 10);
    // the MLP template at batch 100: one thread (measured: two were not faster); at batch 1000 the per-sample work pays
    assert.equal(defaultThreads('wasm', 100, mlp, 2), 1);
    assert.equal(defaultThreads('wasm', 1000, mlp, 2), 2);
    assert.equal(defaultThreads('wasm', 100, cnn, 2), 2);
    assert.equal(defaultThreads('wasm', 50, cnn, 2), 2, 'the 10-epoch Bop recipe (batch 50) trains the CNN on both cores');
    assert.equal(threadsProblem(0), 'threads must be an integer from 1 to 64 (got 0)');
    assert.equal(threadsProblem(2), undefined);
    assert.equal(describeThreads('wasm (SIMD)', 2), 'wasm (SIMD) × 2 data-parallel threads');
  });

  it('without BatchNormalization one 2-thread step equals the single-thread step (averaged gradient, one Bop/Adam update)', async () => {
    const spec = noBnMlp();
    const idx = Uint32Array.from({ length: 30 }, (_, i) => i * 7);
    const { xs, ys, single, so, multi, mo, dp } = await twins(spec, idx, 2);
    try {
      for (let s = 0; s < 3; s++) {
        const out = trainStep(single, so, single.trainableParams.map((p) => p.variable), xs, ys, spec);
        const r1 = Array.from(out.dataSync());
        out.dispose();
        const r2 = Array.from(await dp.step(idx));
        assert.ok(Math.abs(r1[0] - r2[0]) < 1e-5, `loss ${r1[0]} vs ${r2[0]}`);
        assert.deepEqual(r2.slice(1), r1.slice(1), 'correct count and flips');
      }
      for (const [name, slot] of Object.entries(so.slots)) {
        const a = values(slot);
        const b = values(mo.slots[name]);
        assert.ok(a.every((v, i) => Math.abs(v - b[i]) <= 1e-6 * Math.max(1, Math.abs(v))), `optimizer slot ${name}`);
      }
      single.trainableParams.forEach((p, j) => assert.deepEqual(values(multi.trainableParams[j].variable), values(p.variable), p.name));
    } finally {
      await dp.close();
      for (const x of [so, mo, single, multi]) x.dispose();
    }
  });

  // Only the first BatchNormalization sees the same input on 1 and on 3 threads: later ones get inputs normalised
  // with per-shard statistics (MirroredStrategy's default), so only the first can be compared exactly.
  for (const [spec, first] of [[tinyCnn(), 'bn1'], [tinyResidual({ input: [8, 8, 1], classes: 4 }), 'stem_bn']] as const) it(`BatchNormalization moving statistics pool the shards exactly (the whole batch's mean and variance): ${spec.name}`, async () => {
    const idx = Uint32Array.from({ length: 25 }, (_, i) => i);
    const { xs, ys, single, so, multi, mo, dp } = await twins(spec, idx, 3);
    try {
      trainStep(single, so, single.trainableParams.map((p) => p.variable), xs, ys, spec).dispose();
      await dp.step(idx);
      let checked = 0;
      for (const p of single.params) {
        if (p.layer !== first || (p.kind !== 'moving_mean' && p.kind !== 'moving_variance')) continue;
        const a = values(p.variable);
        const b = values(multi.byName.get(p.name)!.variable);
        assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-5), `${p.name}: ${a.slice(0, 3)} vs ${b.slice(0, 3)}`);
        checked++;
      }
      assert.equal(checked, 2);
    } finally {
      await dp.close();
      for (const x of [so, mo, single, multi]) x.dispose();
    }
  });

  it('no tensor leaks on any thread: tensor counts are flat across steps', async () => {
    await initBackend('cpu');
    for (const spec of [tinyMlp(), tinyCnn(), tinyResidual({ input: [8, 8, 1], classes: 4 })]) {
      const model = new BnnModel(spec, { latent: false, seed: 1 });
      const opt = new CaseOptimizer(bop, model.trainableParams);
      const dp = await DataParallel.start({ threads: 3, model, optimizer: opt, backend: 'cpu', images: data.train.images, labels: data.train.labels, latent: false, seed: 1 });
      try {
        const idx = Uint32Array.from({ length: 30 }, (_, i) => i);
        await dp.step(idx);
        const before = tf.memory().numTensors;
        const threadsBefore = dp.threadTensorCounts();
        assert.equal(threadsBefore.length, 2);
        assert.ok(threadsBefore.every((n) => n > 0));
        for (let i = 0; i < 4; i++) await dp.step(idx);
        assert.equal(tf.memory().numTensors, before, `${spec.name}: coordinator`);
        assert.deepEqual(dp.threadTensorCounts(), threadsBefore, `${spec.name}: threads`);
      } finally {
        await dp.close();
        opt.dispose();
        model.dispose();
      }
    }
  });

  it('trains far above chance on 2 threads, records the thread count, and is deterministic for seed + backend + threads', async () => {
    const a = await run(job(path.join(tmp, 'a')));
    assert.equal(a.status.state, 'completed', JSON.stringify(a.status.error));
    assert.ok(a.status.final!.valAccuracy! > 0.8, `val accuracy ${a.status.final!.valAccuracy}`);
    const config = readConfig(a.dir);
    assert.equal(config.threads, 2);
    assert.equal(config.backend, 'cpu (plain JavaScript) × 2 data-parallel threads');
    assert.equal(a.started.backend, config.backend);
    const steps = readMetrics(a.dir).filter((e) => e.kind === 'step') as Array<Extract<MetricsEvent, { kind: 'step' }>>;
    assert.ok(steps.some((e) => e.flipRatio.dense1 > 0), 'flip ratio per layer');
    const b = await run(job(path.join(tmp, 'b')));
    assert.deepEqual(readMetrics(b.dir).map(stripTime), readMetrics(a.dir).map(stripTime));
    const one = await run(job(path.join(tmp, 'one'), { threads: 1 }));
    assert.equal(readConfig(one.dir).backend, 'cpu (plain JavaScript), 1 thread');
    assert.notDeepEqual(readMetrics(one.dir).map(stripTime), readMetrics(a.dir).map(stripTime), 'per-shard BatchNorm statistics make 2 threads differ from 1');
  });

  it('cancel within one step; resume keeps the recorded thread count and ends as the uninterrupted run', async () => {
    const full = await run(job(path.join(tmp, 'full'), { epochs: 2 }));
    const part = await run(job(path.join(tmp, 'part'), { epochs: 2, checkpointEverySec: 0 }), { cancelAt: 25 });
    assert.equal(part.status.state, 'cancelled');
    assert.equal(part.status.step, 25);
    const resumed = await run(job(path.join(tmp, 'part'), { epochs: 2, resume: part.dir, threads: undefined }));
    assert.equal(resumed.status.state, 'completed');
    assert.equal(readConfig(part.dir).threads, 2);
    const ef = readMetrics(full.dir).filter((e) => e.kind === 'epoch').map(stripTime);
    const er = readMetrics(part.dir).filter((e) => e.kind === 'epoch').map(stripTime);
    assert.deepEqual(er, ef);
  });

  it('a thread that dies fails the run with the reason and the step; nothing hangs', async () => {
    const r = await run(job(tmp, { epochs: 3 }), {
      onThreads: (dp, steps) => {
        const timer = setInterval(() => { if (steps() >= 5) { clearInterval(timer); void dp.workers()[0].terminate(); } }, 1);
      },
    });
    assert.equal(r.status.state, 'failed');
    assert.match(r.status.error!.message, /training thread 2 of 2 failed: exited with code 1/);
    assert.ok(r.status.error!.step! >= 5);
  });

  it('the latent baseline and a diverging loss work on threads too', async () => {
    const latent = await run(job(path.join(tmp, 'latent'), { optimizer: { kind: 'latent', lr: { kind: 'constant', value: 5e-3 } } }));
    assert.equal(latent.status.state, 'completed', JSON.stringify(latent.status.error));
    assert.ok(latent.status.final!.valAccuracy! > 0.6, `latent val accuracy ${latent.status.final!.valAccuracy}`);
    const nan = await run(job(path.join(tmp, 'nan'), { optimizer: { kind: 'bop', lr: { kind: 'constant', value: 1e38 } } }));
    assert.equal(nan.status.state, 'failed');
    assert.match(nan.status.error!.message, /loss became (NaN|-?Infinity) at step \d+/);
  });
});
