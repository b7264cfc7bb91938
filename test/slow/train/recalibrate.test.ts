import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { BnnModel, encodeInputs, type BatchStats } from '../../../src/core/train/model';
import { recalibrateBatchNorm } from '../../../src/core/train/recalibrate';
import type { TrainJob } from '../../../src/core/train/trainer';
import { splitIndices } from '../../../src/core/train/splits';
import { readMetrics } from '../../support/metricsOf';
import { readConfigFile as readConfig } from '../../../src/core/experiments/store';
import { loadCheckpoint } from '../../../src/core/train/checkpoint';
import type { MetricsEvent, OptimizerConfig } from '../../../src/core/experiments/types';
import { syntheticData } from '../../support/syntheticData';
import { tinyCnn, tinyMlp, tinyResidual } from '../../support/models';
import { runJob } from '../../support/runJob';

const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 600, test: 200, seed: 5 });
const SIZE = 64;
const bop: OptimizerConfig = { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } };

function variable(model: BnnModel, name: string): number[] {
  return Array.from(model.byName.get(name)!.variable.dataSync());
}

/** The training-mode statistics of every BN layer for `idx` as one batch. */
function oneBatchStats(model: BnnModel, idx: Uint32Array): Array<{ mean: number[]; variance: number[] }> {
  const stats: BatchStats = [];
  return tf.tidy(() => {
    model.forward(tf.tensor(encodeInputs(data.train.images, idx, SIZE), [idx.length, ...model.spec.input.shape]), true, undefined, stats);
    return stats.map((s) => ({ mean: Array.from(s.mean.dataSync()), variance: Array.from(s.variance.dataSync()) }));
  });
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${a} vs ${expected[i]}`));
}

describe('BatchNorm recalibration (train/recalibrate.ts)', () => {
  before(async () => { await initBackend('cpu'); });

  it('sets a first BN layer\'s moving statistics to the exact mean and variance over all the images, however they are batched', async () => {
    for (const spec of [tinyMlp(), tinyCnn(), tinyResidual({ input: [8, 8, 1], classes: 4 })]) {
      const model = new BnnModel(spec, { latent: false, seed: 3 });
      const idx = Uint32Array.from({ length: 230 }, (_, i) => (i * 7) % data.train.count);
      const whole = oneBatchStats(model, idx)[0];
      const bn1 = spec.layers.find((l) => l.type === 'BatchNormalization')!.name;
      // batches of 50 (the last one 30): pooled exactly, the first layer's statistics are the whole set's
      assert.equal(await recalibrateBatchNorm(model, data.train.images, idx, SIZE, 50), true);
      assertClose(variable(model, `${bn1}/moving_mean`), whole.mean, 1e-4, `${spec.name} moving_mean`);
      assertClose(variable(model, `${bn1}/moving_variance`), whole.variance, 1e-4, `${spec.name} moving_variance`);
      assert.ok(whole.variance.some((v) => v > 0.01), 'the statistics are not trivially 0/1');
      model.dispose();
    }
  });

  it('changes only the moving statistics, every BN layer\'s, and leaks no tensors', async () => {
    const model = new BnnModel(tinyCnn(), { latent: false, seed: 4 });
    const before = new Map(model.params.map((p) => [p.name, Array.from(p.variable.dataSync())]));
    const tensors = tf.memory().numTensors;
    await recalibrateBatchNorm(model, data.train.images, Uint32Array.from({ length: 120 }, (_, i) => i), SIZE, 40);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    for (const p of model.params) {
      const now = Array.from(p.variable.dataSync());
      if (p.kind === 'moving_mean' || p.kind === 'moving_variance') assert.notDeepEqual(now, before.get(p.name), `${p.name} re-estimated`);
      else assert.deepEqual(now, before.get(p.name), `${p.name} untouched`);
    }
    model.dispose();
  });

  it('stops between batches when cancelled, leaving the statistics as they were', async () => {
    const model = new BnnModel(tinyCnn(), { latent: false, seed: 6 });
    const before = variable(model, 'bn1/moving_mean');
    let asked = 0;
    const done = await recalibrateBatchNorm(model, data.train.images, Uint32Array.from({ length: 200 }, (_, i) => i), SIZE, 50, () => ++asked > 2);
    assert.equal(done, false);
    assert.equal(asked, 3, 'asked before each batch, stopped at the third');
    assert.deepEqual(variable(model, 'bn1/moving_mean'), before);
    model.dispose();
  });

  it('does nothing for a model without BatchNormalization or an empty image set', async () => {
    const spec = tinyMlp();
    const model = new BnnModel(spec, { latent: false, seed: 5 });
    const mean = variable(model, 'bn1/moving_mean');
    await recalibrateBatchNorm(model, data.train.images, new Uint32Array(0), SIZE, 50);
    assert.deepEqual(variable(model, 'bn1/moving_mean'), mean);
    const noBn = new BnnModel({ ...spec, layers: spec.layers.filter((l) => l.type !== 'BatchNormalization') }, { latent: false, seed: 5 });
    await recalibrateBatchNorm(noBn, data.train.images, Uint32Array.from([0, 1, 2]), SIZE, 2);
    model.dispose();
    noBn.dispose();
  });
});

describe('the trainer re-estimates BatchNorm statistics after every epoch', function () {
  this.timeout(120_000);
  let tmp: string;
  before(async () => { await initBackend('cpu'); tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-recal-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const job = (over: Partial<TrainJob>): TrainJob => ({
    spec: tinyCnn(), modelPath: 'tiny.bnn.json', data, epochs: 2, batchSize: 50, seed: 9, valSplit: 0.2, experimentsDir: tmp, backend: 'cpu',
    optimizer: bop, eventsPerSecond: 0, threads: 1, ...over,
  });
  const run = (j: TrainJob) => runJob(j);
  const steps = (dir: string) => readMetrics(dir).filter((e): e is Extract<MetricsEvent, { kind: 'step' }> => e.kind === 'step').map((e) => [e.step, e.loss, e.accuracy, e.flipRatio]);

  it('records how many training images it used (all of them when fewer than asked; 0 turns it off) and trains the same weights either way', async () => {
    const on = await run(job({}));
    const few = await run(job({ bnRecalibration: 100 }));
    const off = await run(job({ bnRecalibration: 0 }));
    for (const r of [on, few, off]) assert.equal(r.status.state, 'completed', JSON.stringify(r.status.error));
    assert.equal(readConfig(on.dir).bnRecalibration, 480, 'the default 10,000 is capped at the 480 training images (20% are validation)');
    assert.equal(readConfig(few.dir).bnRecalibration, 100);
    assert.equal(readConfig(off.dir).bnRecalibration, 0);
    // the statistics are not used by training steps: the trajectory is identical, only inference differs
    assert.deepEqual(steps(on.dir), steps(off.dir));
    const ckOn = loadCheckpoint(path.join(on.dir, 'checkpoints', 'last'));
    const ckOff = loadCheckpoint(path.join(off.dir, 'checkpoints', 'last'));
    assert.deepEqual(Array.from(ckOn.weights.conv1.kernel!), Array.from(ckOff.weights.conv1.kernel!));
    assert.notDeepEqual(Array.from(ckOn.weights.bn1.movingMean!), Array.from(ckOff.weights.bn1.movingMean!), 'the saved statistics are the re-estimated ones');
  });

  it('saves the statistics of the final weights over training images only, never validation ones', async () => {
    const r = await run(job({ bnRecalibration: 480 }));
    const cfg = readConfig(r.dir);
    assert.equal(cfg.dataset.trainSamples, 480);
    const ck = loadCheckpoint(path.join(r.dir, 'checkpoints', 'last'));
    const model = new BnnModel(ck.spec, { latent: false, seed: 1 }, ck.weights);
    // all 480 training images of the run's seeded split: the first BN layer's pooled statistics are theirs exactly
    const { train, val } = splitIndices(data.train.count, cfg.valSplit, cfg.seed);
    const want = oneBatchStats(model, train)[0];
    assertClose(Array.from(ck.weights.bn1.movingMean!), want.mean, 1e-4, 'bn1 moving_mean');
    assertClose(Array.from(ck.weights.bn1.movingVariance!), want.variance, 1e-4, 'bn1 moving_variance');
    // with the validation images the statistics would differ
    const withVal = oneBatchStats(model, Uint32Array.from([...train, ...val]))[0];
    assert.ok(withVal.mean.some((m, i) => Math.abs(m - want.mean[i]) > 1e-3), 'the validation images change the statistics, so the test can tell');
    model.dispose();
  });

  it('rejects a share that is not a whole number ≥ 0 before creating an experiment', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
    for (const n of [-1, 2.5, Number.NaN]) {
      await assert.rejects(run(job({ bnRecalibration: n, experimentsDir: dir })), /BatchNorm recalibration must be a whole number of training images/);
    }
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
