/**
 * The agreement test on the host: models trained by the real trainer on the bundled Fashion-MNIST sample,
 * loaded from their checkpoints, compiled to C and run natively on every bundled test image. The C class must equal
 * the trainer's reference predict() on 100% of the samples, integer scores must equal its scores exactly, and the C
 * outputs must equal the compiler's TypeScript reference bit for bit. The trainer's own TF.js forward pass (what it
 * scored validation and test accuracy with) must classify every one of those images as the C does.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel } from '../../src/core/compile/compile';
import { referenceInfer } from '../../src/core/compile/reference';
import { loadDataset, type Dataset } from '../../src/core/data';
import type { ModelSpec } from '../../src/core/model/spec';
import type { TrainedModel } from '../../src/core/model/trained';
import { loadCheckpoint } from '../../src/core/train/checkpoint';
import { predict } from '../../src/core/train/predict';
import { runTraining } from '../../src/core/train/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/train/backend';
import { BnnModel, encodeInputs } from '../../src/core/train/model';
import { buildHost, removeDir, runHost, writeFiles } from '../support/ccompile';
import { requireTool } from '../support/tools';

const bn = (name: string, scale = false): ModelSpec['layers'][number] => ({ type: 'BatchNormalization', name, scale, center: true, momentum: 0.9, epsilon: 1e-3 });

const MODELS: { spec: ModelSpec; backend: string }[] = [
  {
    backend: 'wasm',
    spec: {
      name: 'mlp-bn-scores', input: { shape: [28, 28, 1] }, classes: 10, layers: [
        { type: 'Flatten', name: 'flatten' },
        { type: 'QuantDense', name: 'dense1', units: 64, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false }, bn('bn1'),
        { type: 'QuantDense', name: 'dense2', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }, bn('bn2'),
        { type: 'Activation', name: 'softmax', activation: 'softmax' },
      ],
    },
  },
  {
    // No BatchNorm at the end: the class scores are the raw XNOR-popcount sums, integers on both sides.
    backend: 'wasm',
    spec: {
      name: 'mlp-int-scores', input: { shape: [28, 28, 1] }, classes: 10, layers: [
        { type: 'Flatten', name: 'flatten' },
        { type: 'QuantDense', name: 'dense1', units: 64, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false }, bn('bn1', true),
        { type: 'QuantDense', name: 'dense2', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'Activation', name: 'softmax', activation: 'softmax' },
      ],
    },
  },
  {
    backend: 'wasm',
    spec: {
      name: 'cnn', input: { shape: [28, 28, 1] }, classes: 10, layers: [
        { type: 'QuantConv2D', name: 'conv1', filters: 8, kernelSize: [3, 3], strides: [2, 2], padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false }, bn('bn1'),
        { type: 'QuantConv2D', name: 'conv2', filters: 16, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'MaxPool2D', name: 'pool2', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, bn('bn2', true),
        { type: 'QuantConv2D', name: 'conv3', filters: 16, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }, bn('bn3', true),
        { type: 'MaxPool2D', name: 'pool3', poolSize: [2, 2], strides: [2, 2], padding: 'same' },
        { type: 'Flatten', name: 'flatten' },
        { type: 'QuantDense', name: 'dense', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }, bn('bn4'),
        { type: 'Activation', name: 'softmax', activation: 'softmax' },
      ],
    },
  },
];

describe('compiler: trained checkpoints → C agree with the trainer on the bundled test set', function () {
  this.timeout(180_000);
  let tmp: string;
  let ds: Dataset;
  const trained = new Map<string, { model: TrainedModel; dir: string }>();

  // Each model's C is built and run on the test set once; both checks below read the same outputs.
  const runs = new Map<string, { compiled: ReturnType<typeof compileModel>; inputs: Uint8Array[]; out: ReturnType<typeof runHost> }>();
  const compiledRun = (name: string): { compiled: ReturnType<typeof compileModel>; inputs: Uint8Array[]; out: ReturnType<typeof runHost> } => {
    const hit = runs.get(name);
    if (hit) return hit;
    const compiled = compileModel(trained.get(name)!.model);
    const size = compiled.model.inputBytes;
    const inputs = Array.from({ length: ds.test.count }, (_, i) => ds.test.images.subarray(i * size, (i + 1) * size));
    const dir = writeFiles(compiled.files);
    try {
      const run = { compiled, inputs, out: runHost(buildHost(dir), inputs, compiled.model.scoresAreFloat) };
      runs.set(name, run);
      return run;
    } finally {
      removeDir(dir);
    }
  };

  before(async function () {
    requireTool(this, 'gcc', 'apt-get install build-essential');
    ds = loadDataset('bundled');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-compile-trained-'));
    for (const { spec, backend } of MODELS) {
      let dir = '';
      const status = await runTraining({
        spec, modelPath: `${spec.name}.bnn.json`, data: { name: ds.name, shape: ds.shape, classes: ds.classes, train: ds.train, test: ds.test },
        epochs: 1, batchSize: 50, seed: 1, valSplit: 0.1, experimentsDir: tmp, backend, maxSamples: 1500, eventsPerSecond: 0,
        optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
      }, { emit: (m) => { if (m.type === 'started') dir = m.experimentDir; }, cancelled: () => false });
      assert.equal(status.state, 'completed', JSON.stringify(status.error));
      trained.set(spec.name, { model: loadCheckpoint(path.join(dir, 'checkpoints', 'last')), dir });
    }
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  for (const { spec } of MODELS) {
    it(`${spec.name}: 100% class agreement with predict() on all bundled test images, scores equal`, () => {
      const { model } = trained.get(spec.name)!;
      const { compiled, inputs, out } = compiledRun(spec.name);
      const n = ds.test.count;
      const host = predict(model, ds.test.images, n);
      let agree = 0;
      let correctC = 0;
      let correctHost = 0;
      for (let i = 0; i < n; i++) {
        const c = out.results[i];
        if (c.class === host.classes[i]) agree++;
        if (c.class === ds.test.labels[i]) correctC++;
        if (host.classes[i] === ds.test.labels[i]) correctHost++;
        assert.deepEqual(c, referenceInfer(compiled.model, inputs[i]), `sample ${i}: C vs referenceInfer`);
        c.scores.forEach((s, k) => {
          if (compiled.model.scoresAreFloat) assert.ok(Math.abs(s - host.scores[i][k]) <= 1e-4 * Math.max(1, Math.abs(host.scores[i][k])), `sample ${i} score ${k}: ${s} vs ${host.scores[i][k]}`);
          else assert.equal(s, host.scores[i][k], `sample ${i} score ${k}`);
        });
      }
      assert.equal(agree, n, `${n - agree} of ${n} samples disagree`);
      assert.equal(correctC, correctHost);
      assert.ok(correctC / n > 0.3, `accuracy ${correctC / n} (chance 0.1): the model should have learned something`);
    });
  }

  for (const { spec, backend } of MODELS) {
    it(`${spec.name}: the trainer's own TF.js forward pass (as it scores validation and test) classifies the bundled test images as the C does`, async () => {
      // predict() above is the float64 twin of the C; this closes the loop to what training itself computed, so a
      // checkpoint that loads into a different network than the one trained cannot pass.
      const { model } = trained.get(spec.name)!;
      const { compiled, out: c } = compiledRun(spec.name);
      const size = compiled.model.inputBytes;
      const n = ds.test.count;
      await initBackend(backend);
      const net = new BnnModel(model.spec, { latent: false, seed: 0 }, model.weights);
      const scores: number[][] = [];
      try {
        for (let at = 0; at < n; at += 250) {
          const idx = Uint32Array.from({ length: Math.min(250, n - at) }, (_, k) => at + k);
          scores.push(...tf.tidy(() => net.forward(tf.tensor(encodeInputs(ds.test.images, idx, size), [idx.length, ...model.spec.input.shape]), false).arraySync()));
        }
      } finally {
        net.dispose();
      }
      let agree = 0;
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const t = scores[i];
        if (t.indexOf(Math.max(...t)) === c.results[i].class) agree++;
        c.results[i].scores.forEach((s, k) => { worst = Math.max(worst, Math.abs(s - t[k]) / Math.max(1, Math.abs(s))); });
      }
      assert.equal(agree, n, `${n - agree} of ${n} bundled test images classified differently by the trainer and the C (largest relative score difference ${worst})`);
      assert.ok(worst < 1e-3, `scores differ by up to ${worst} (relative)`);
    });
  }

  it('bnn compile <experiment dir> compiles its best checkpoint and says so', () => {
    const { dir } = trained.get('cnn')!;
    const model = loadCheckpoint(path.join(dir, 'checkpoints', 'best'));
    const out = path.join(tmp, 'compiled-cli');
    const root = path.join(__dirname, '..', '..');
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), 'compile', dir, '--board', 'qemu-stm32', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'bnn_model.c'), 'utf8'), compileModel(model, { board: 'qemu-stm32' }).files['bnn_model.c']);
    assert.match(r.stderr, new RegExp(`^checkpoint: best \\(epoch 1, step ${model.meta.step}, val acc \\d+\\.\\d\\d%\\)$`, 'm'));
    const bad = spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), 'compile', tmp, '--out', out], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /bnn compile: .*(no checkpoint|model\.json)/);
    const noSuch = spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), 'compile', dir, '--checkpoint', 'epoch-99', '--out', out], { encoding: 'utf8' });
    assert.equal(noSuch.status, 1);
    assert.match(noSuch.stderr, /has no checkpoint 'epoch-99'/);
  });
});
