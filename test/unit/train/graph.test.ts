import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { BnnModel, encodeInputs } from '../../../src/core/train/model';
import type { TrainJob } from '../../../src/core/train/trainer';
import { loadCheckpoint } from '../../../src/core/train/checkpoint';
import { predict } from '../../../src/core/train/predict';
import type { LayerWeights, TrainedModel } from '../../../src/core/model/trained';
import type { MetricsEvent } from '../../../src/core/experiments/types';
import { forward64 } from '../../support/forward64';
import { tinyResidual } from '../../support/models';
import { mulberry32 } from '../../support/syntheticModel';
import { syntheticData } from '../../support/syntheticData';
import { readMetrics } from '../../support/metricsOf';
import { runJob } from '../../support/runJob';

/** Seeded weights for every layer of the model, in TrainedModel form (BatchNorm statistics near the values' scale). */
function seededWeights(model: BnnModel, seed: number): Record<string, LayerWeights> {
  const rnd = mulberry32(seed);
  const out: Record<string, LayerWeights> = {};
  for (const p of model.params) {
    const n = p.variable.size;
    const lw = (out[p.layer] ??= {});
    const v = Float32Array.from({ length: n }, () => rnd() * 2 - 1);
    if (p.kind === 'kernel') lw.kernel = p.binary ? v.map((x) => (x >= 0 ? 1 : -1)) : v;
    else if (p.kind === 'bias') lw.bias = v.map((x) => 0.3 * x);
    else if (p.kind === 'gamma') lw.gamma = v.map((x) => 0.8 + 0.4 * x);
    else if (p.kind === 'beta') lw.beta = v.map((x) => 0.3 * x);
    else if (p.kind === 'moving_mean') lw.movingMean = v.map((x) => 0.5 * x);
    else if (p.kind === 'moving_variance') lw.movingVariance = v.map((x) => 1.5 + x);
    else lw.alpha = v.map((x) => 0.25 + 0.2 * x);
  }
  return out;
}

/** Mean softmax cross-entropy of forward64's float64 scores. */
function loss64(trained: TrainedModel, images: Uint8Array[], labels: number[]): number {
  let sum = 0;
  images.forEach((img, i) => {
    const s = forward64(trained, img).scores;
    const m = Math.max(...s);
    const lse = m + Math.log(s.reduce((a, v) => a + Math.exp(v - m), 0));
    sum += lse - s[labels[i]];
  });
  return sum / images.length;
}

describe('train/graph models', function () {
  this.timeout(120000);

  it('gradients of a residual model (Add, Concatenate, AvgPool same, 1×1 real shortcut, PReLU, relu, GAP) equal float64 numerical gradients of the independent forward, on cpu and wasm', async () => {
    const spec = tinyResidual({ binarizeInputs: false });
    const rnd = mulberry32(11);
    const n = 3;
    const images = Array.from({ length: n }, () => Uint8Array.from({ length: 25 }, () => Math.floor(rnd() * 256)));
    const labels = [0, 2, 1];
    await initBackend('cpu');
    const probe = new BnnModel(spec, { latent: false, seed: 1 });
    assert.ok(!probe.params.some((p) => p.layer === 'unused'), 'the dead layer gets no weights');
    const weights = seededWeights(probe, 5);
    probe.dispose();

    // numerical gradient of the float64 oracle, central differences, for every trainable weight
    const h = 1e-4;
    const numeric = new Map<string, Float64Array>();
    for (const [layer, lw] of Object.entries(weights)) {
      for (const [key, arr] of Object.entries(lw) as Array<[keyof LayerWeights, Float32Array]>) {
        if (key === 'movingMean' || key === 'movingVariance') continue;
        const g = new Float64Array(arr.length);
        const copy = Float64Array.from(arr);
        for (let i = 0; i < arr.length; i++) {
          // a Float64Array stands in for the Float32Array so the step is not rounded away
          const at = (d: number): number => {
            const moved = Float64Array.from(copy);
            moved[i] += d;
            return loss64({ spec, weights: { ...weights, [layer]: { ...lw, [key]: moved as unknown as Float32Array } } }, images, labels);
          };
          g[i] = (at(h) - at(-h)) / (2 * h);
        }
        const kind = ({ kernel: 'kernel', bias: 'bias', gamma: 'gamma', beta: 'beta', alpha: 'alpha' } as Record<string, string>)[key];
        numeric.set(`${layer}/${kind}`, g);
      }
    }

    for (const backend of ['cpu', 'wasm']) {
      await initBackend(backend);
      const model = new BnnModel(spec, { latent: false, seed: 1 }, weights);
      const x = tf.tensor(encodeInputs(Uint8Array.from(images.flatMap((a) => Array.from(a))), [0, 1, 2], 25), [n, 5, 5, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.forward(x, false)) as tf.Scalar, model.trainableParams.map((p) => p.variable));
      assert.deepEqual(model.trainableParams.map((p) => p.name).sort(), [...numeric.keys()].sort());
      for (const p of model.trainableParams) {
        const got = grads[p.variable.name].dataSync();
        const want = numeric.get(p.name)!;
        const scale = Math.max(...Array.from(want, Math.abs));
        assert.ok(scale > 1e-4, `${p.name}: the loss depends on it (max |grad| ${scale})`);
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(got[i] - want[i]) <= 1e-3 * scale + 1e-5, `${backend} ${p.name}[${i}]: ${got[i]} vs numerical ${want[i]}`);
        }
      }
      tf.dispose([x, y, ...Object.values(grads)]);
      model.dispose();
    }
  });

  it('predict() and the independent float64 forward give the tfjs inference scores of a binarized residual model', async () => {
    const spec = tinyResidual({ input: [7, 7, 1] });
    await initBackend('cpu');
    const model = new BnnModel(spec, { latent: false, seed: 3 });
    const trained = { spec, weights: seededWeights(model, 9) };
    model.dispose();
    const m = new BnnModel(spec, { latent: false, seed: 3 }, trained.weights);
    const rnd = mulberry32(4);
    const count = 20;
    const images = Uint8Array.from({ length: count * 49 }, () => Math.floor(rnd() * 256));
    const tfScores = tf.tidy(() => m.forward(tf.tensor(encodeInputs(images, Array.from({ length: count }, (_, i) => i), 49), [count, 7, 7, 1]), false).arraySync()) as number[][];
    m.dispose();
    const ts = predict(trained, images, count);
    for (let s = 0; s < count; s++) {
      const oracle = forward64(trained, images.subarray(s * 49, (s + 1) * 49)).scores;
      for (let c = 0; c < 3; c++) {
        assert.ok(Math.abs(ts.scores[s][c] - oracle[c]) < 1e-9, `sample ${s} class ${c}: predict ${ts.scores[s][c]} vs forward64 ${oracle[c]}`);
        assert.ok(Math.abs(tfScores[s][c] - oracle[c]) < 1e-3, `sample ${s} class ${c}: tfjs ${tfScores[s][c]} vs forward64 ${oracle[c]}`);
      }
    }
  });

  describe('training', () => {
    let tmp: string;
    beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-graph-')); });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const data = syntheticData({ shape: [8, 8, 1], classes: 3, train: 600, test: 150, seed: 5, noise: 60 });
    const job = (dir: string, over: Partial<TrainJob> = {}): TrainJob => ({
      spec: tinyResidual({ input: [8, 8, 1] }), modelPath: 'res.bnn.json', data, epochs: 2, batchSize: 50, seed: 7, valSplit: 0.1, experimentsDir: dir, backend: 'wasm',
      optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.03 } },
      eventsPerSecond: 0, threads: 1, bnRecalibration: 300,
      ...over,
    });
    const stripTime = (e: MetricsEvent) => ({ ...e, time: 0, ...(e.kind === 'step' ? { samplesPerSec: 0 } : {}) });

    it('Bop trains it: learns, flip ratio for both binary convs, Adam moves alpha, the checkpoint holds alpha and predict agrees with the engine', async () => {
      const { status, dir } = await runJob(job(tmp), {});
      assert.equal(status.state, 'completed', JSON.stringify(status.error));
      assert.ok(status.final!.valAccuracy! > 0.6, `val accuracy ${status.final!.valAccuracy} (chance 0.33)`);
      const steps = readMetrics(dir).filter((e): e is Extract<MetricsEvent, { kind: 'step' }> => e.kind === 'step');
      assert.deepEqual(Object.keys(steps[0].flipRatio).sort(), ['b1_conv', 'b2_conv']);
      const trained = loadCheckpoint(path.join(dir, 'checkpoints', 'last'));
      for (const [layer, init] of [['stem_act', 0.25], ['b2_act', 0]] as const) {
        const alpha = trained.weights[layer].alpha!;
        assert.equal(alpha.length, layer === 'stem_act' ? 4 : 10);
        assert.ok(alpha.some((a) => Math.abs(a - init) > 1e-3), `${layer} alpha trained away from ${init}: ${Array.from(alpha)}`);
      }
      assert.equal(trained.weights.unused, undefined, 'the dead layer is not in the checkpoint');
      for (const l of ['b1_conv', 'b2_conv']) assert.ok(trained.weights[l].kernel!.every((v) => v === 1 || v === -1));
      const { classes } = predict(trained, data.test!.images, data.test!.labels.length);
      const acc = classes.filter((c, i) => c === data.test!.labels[i]).length / classes.length;
      assert.ok(Math.abs(acc - status.final!.testAccuracy!) < 0.02, `predict ${acc} vs engine ${status.final!.testAccuracy}`);
    });

    it('cancel and resume continue a graph model (alpha and its Adam slots included) to the same result as an uninterrupted run', async () => {
      const full = await runJob(job(path.join(tmp, 'full')), {});
      const part = await runJob(job(path.join(tmp, 'part'), { checkpointEverySec: 0 }), { cancelAt: 14 });
      assert.equal(part.status.state, 'cancelled');
      const resumed = await runJob(job(path.join(tmp, 'part'), { resume: part.dir }), {});
      assert.equal(resumed.status.state, 'completed', JSON.stringify(resumed.status.error));
      const ef = readMetrics(full.dir).filter((e) => e.kind === 'epoch').map(stripTime);
      const er = readMetrics(part.dir).filter((e) => e.kind === 'epoch').map(stripTime);
      assert.deepEqual(er, ef);
      const a = loadCheckpoint(path.join(full.dir, 'checkpoints', 'last')).weights;
      const b = loadCheckpoint(path.join(part.dir, 'checkpoints', 'last')).weights;
      assert.deepEqual(Array.from(b.b2_act.alpha!), Array.from(a.b2_act.alpha!));
    });
  });
});
