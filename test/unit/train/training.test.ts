import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { trainStep, type TrainJob } from '../../../src/core/train/trainer';
import { BnnModel, encodeInputs } from '../../../src/core/train/model';
import { CaseOptimizer } from '../../../src/core/train/optimizers';
import { loadCheckpoint } from '../../../src/core/train/checkpoint';
import { predict, accuracy } from '../../../src/core/train/predict';
import { readMetrics } from '../../support/metricsOf';
import type { MetricsEvent } from '../../../src/core/experiments/types';
import { syntheticData } from '../../support/syntheticData';
import { tinyCnn, tinyMlp } from '../../support/models';
import { runJob } from '../../support/runJob';

const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 1200, test: 300, seed: 3 });

function job(dir: string, over: Partial<TrainJob> = {}): TrainJob {
  return {
    spec: tinyMlp(), modelPath: 'tiny.bnn.json', data, epochs: 2, batchSize: 50, seed: 7, valSplit: 0.1, experimentsDir: dir, backend: 'cpu',
    optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
    eventsPerSecond: 0,
    threads: 1,
    ...over,
  };
}

const run = (j: TrainJob, cancelAt?: number) => runJob(j, { cancelAt });

const stripTime = (e: MetricsEvent) => ({ ...e, time: 0, ...(e.kind === 'step' ? { samplesPerSec: 0 } : {}) });

describe('train/training', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-train-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('Bop trains a binary MLP far above chance; checkpoint loads with ±1 kernels; predict agrees with the engine', async () => {
    const { status, dir } = await run(job(tmp));
    assert.equal(status.state, 'completed', JSON.stringify(status.error));
    assert.ok(status.final!.valAccuracy! > 0.8, `val accuracy ${status.final!.valAccuracy} (chance 0.25)`);
    const trained = loadCheckpoint(path.join(dir, 'checkpoints', 'last'));
    for (const k of [trained.weights.dense1.kernel!, trained.weights.dense2.kernel!]) assert.ok(k.every((v) => v === 1 || v === -1));
    const acc = accuracy(trained, data.test!.images, data.test!.labels);
    assert.ok(acc > 0.8, `test accuracy via predict ${acc}`);
    assert.ok(Math.abs(acc - status.final!.testAccuracy!) < 0.02, `predict ${acc} vs engine ${status.final!.testAccuracy}`);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'last', 'binary-weights.json')));
    const mj = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoints', 'last', 'model.json'), 'utf8'));
    assert.equal(mj.format, 'layers-model');
    assert.deepEqual(mj.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name), ['Flatten', 'QuantDense', 'BatchNormalization', 'QuantDense', 'BatchNormalization', 'Activation']);
    const events = readMetrics(dir);
    const steps = events.filter((e) => e.kind === 'step');
    assert.equal(steps.length, 2 * Math.ceil(1080 / 50));
    const first = steps[0] as Extract<MetricsEvent, { kind: 'step' }>;
    assert.deepEqual(Object.keys(first.flipRatio).sort(), ['dense1', 'dense2']);
    assert.ok(first.flipRatio.dense1 > 0 && first.flipRatio.dense1 < 1);
    assert.equal(first.gamma, 1e-3);
    assert.equal(events.filter((e) => e.kind === 'epoch').length, 2);
  });

  it('binary CNN (same padding, stride 2, max-pool) on wasm: learns, and the TS reference predict agrees with the tfjs forward', async () => {
    const { status, dir } = await run(job(tmp, { spec: tinyCnn(), backend: 'wasm', epochs: 2 }));
    assert.equal(status.state, 'completed', JSON.stringify(status.error));
    assert.ok(status.final!.valAccuracy! > 0.8, `val accuracy ${status.final!.valAccuracy}`);
    const trained = loadCheckpoint(path.join(dir, 'checkpoints', 'last'));
    const ref = predict(trained, data.test!.images, 100);
    const model = new BnnModel(trained.spec, { latent: false, seed: 0 }, trained.weights);
    const idx = Uint32Array.from({ length: 100 }, (_, i) => i);
    const logits = tf.tidy(() => model.forward(tf.tensor(encodeInputs(data.test!.images, idx, 64), [100, 8, 8, 1]), false).arraySync());
    model.dispose();
    let same = 0;
    for (let i = 0; i < 100; i++) {
      const tc = logits[i].indexOf(Math.max(...logits[i]));
      if (tc === ref.classes[i]) same++;
      for (let c = 0; c < 4; c++) assert.ok(Math.abs(logits[i][c] - ref.scores[i][c]) < 1e-3 * Math.max(1, Math.abs(ref.scores[i][c])), `score ${i},${c}: ${logits[i][c]} vs ${ref.scores[i][c]}`);
    }
    assert.equal(same, 100);
    await initBackend('cpu');
  });

  it('latent baseline trains too, reports sign flips of the latent weights, and checkpoints ±1 kernels', async () => {
    const { status, dir } = await run(job(tmp, { optimizer: { kind: 'latent', lr: { kind: 'constant', value: 5e-3 } } }));
    assert.equal(status.state, 'completed');
    assert.ok(status.final!.valAccuracy! > 0.8);
    const steps = readMetrics(dir).filter((e) => e.kind === 'step') as Array<Extract<MetricsEvent, { kind: 'step' }>>;
    assert.ok(steps.some((e) => e.flipRatio.dense1 > 0));
    assert.equal(steps[0].gamma, undefined);
    assert.ok(loadCheckpoint(path.join(dir, 'checkpoints', 'last')).weights.dense1.kernel!.every((v) => v === 1 || v === -1));
  });

  it('is deterministic: same seed and backend → identical metrics', async () => {
    const a = await run(job(path.join(tmp, 'a'), { epochs: 1 }));
    const b = await run(job(path.join(tmp, 'b'), { epochs: 1 }));
    assert.deepEqual(readMetrics(a.dir).map(stripTime), readMetrics(b.dir).map(stripTime));
    const c = await run(job(path.join(tmp, 'c'), { epochs: 1, seed: 8 }));
    assert.notDeepEqual(readMetrics(a.dir).map(stripTime), readMetrics(c.dir).map(stripTime));
  });

  it('no tensor leaks: the tensor count is flat across steps', async () => {
    await initBackend('cpu');
    for (const spec of [tinyMlp(), tinyCnn()]) {
      const model = new BnnModel(spec, { latent: false, seed: 1 });
      const opt = new CaseOptimizer({ kind: 'bop', lr: { kind: 'constant', value: 0.01 } }, model.trainableParams);
      const vars = model.trainableParams.map((p) => p.variable);
      const idx = Uint32Array.from({ length: 20 }, (_, i) => i);
      const xs = encodeInputs(data.train.images, idx, 64);
      const ys = Int32Array.from(idx, (i) => data.train.labels[i]);
      trainStep(model, opt, vars, xs, ys, spec).dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) trainStep(model, opt, vars, xs, ys, spec).dispose();
      assert.equal(tf.memory().numTensors, before, spec.name);
      opt.dispose();
      model.dispose();
    }
  });

  it('a NaN learning rate is refused before an experiment exists (config.json could not hold it)', async () => {
    const bad = syntheticData({ shape: [8, 8, 1], classes: 4, train: 200, seed: 4 });
    const dir = path.join(tmp, 'nan-lr');
    await assert.rejects(run(job(dir, { data: bad, optimizer: { kind: 'bop', lr: { kind: 'constant', value: NaN } } })), /optimizer\.lr: value must be a finite number/);
    assert.equal(fs.existsSync(dir) && fs.readdirSync(dir).length, false);
  });

  it('a diverging loss stops the run as failed with the step', async () => {
    const bad = syntheticData({ shape: [8, 8, 1], classes: 4, train: 200, seed: 4 });
    const { status } = await run(job(tmp, { data: bad, optimizer: { kind: 'bop', lr: { kind: 'constant', value: 1e38 } } }));
    assert.equal(status.state, 'failed');
    assert.match(status.error!.message, /loss became (NaN|-?Infinity) at step \d+/);
    assert.ok(status.error!.step! >= 1);
  });

  it('cancel stops within one step and keeps the last checkpoint; resume continues to the same result as an uninterrupted run', async () => {
    const full = await run(job(path.join(tmp, 'full'), { epochs: 2 }));
    const part = await run(job(path.join(tmp, 'part'), { epochs: 2, checkpointEverySec: 0 }), 30);
    assert.equal(part.status.state, 'cancelled');
    assert.equal(part.status.step, 30);
    assert.ok(fs.existsSync(path.join(part.dir, 'checkpoints', 'last', 'model.json')));
    const resumed = await run(job(path.join(tmp, 'part'), { epochs: 2, resume: part.dir }));
    assert.equal(resumed.status.state, 'completed');
    assert.equal(resumed.dir, part.dir);
    const ef = readMetrics(full.dir).filter((e) => e.kind === 'epoch').map(stripTime);
    const er = readMetrics(part.dir).filter((e) => e.kind === 'epoch').map(stripTime);
    assert.deepEqual(er, ef);
  });
});

describe('train/model instances', () => {
  it('two models and optimizers of the same spec live in one process (no global variable-name clash)', async () => {
    await initBackend('cpu');
    const a = new BnnModel(tinyMlp(), { latent: false, seed: 1 });
    const b = new BnnModel(tinyMlp(), { latent: false, seed: 1 });
    const oa = new CaseOptimizer({ kind: 'bop2', lr: { kind: 'constant', value: 0.01 } }, a.trainableParams);
    const ob = new CaseOptimizer({ kind: 'bop2', lr: { kind: 'constant', value: 0.01 } }, b.trainableParams);
    assert.deepEqual(Array.from(a.params[0].variable.dataSync()), Array.from(b.params[0].variable.dataSync()));
    for (const x of [oa, ob]) x.dispose();
    for (const x of [a, b]) x.dispose();
  });
});
