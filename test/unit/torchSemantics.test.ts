/**
 * The PyTorch project's layers and optimizer (python/bnn_torch) against BNN Studio's own definitions, run for real on
 * Debian's torch: a binary CNN whose layers exercise every rule that differs from PyTorch's defaults — sign(0) = +1,
 * +1 padding of binarized inputs, TensorFlow's 'same' split with the extra pixel after (a stride-2 conv and a 'same'
 * max-pool on an odd size), NHWC flatten order, BatchNorm with moving statistics — is given random weights in
 * PyTorch, written as a checkpoint by the project's writer, and its scores compared with BNN Studio's host reference
 * (predict) on the same checkpoint; the Bop and Adam steps compared with the trainer's update rules; and a whole first
 * training step, from one checkpoint and one batch, compared with the trainer's trainStep.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModelText } from '../../src/core/model/load';
import { torchProjectConfig } from '../../src/core/interop/torchProject';
import { loadDataset, locateDataset } from '../../src/core/data';
import { loadCheckpoint, writeCheckpoint } from '../../src/core/train/checkpoint';
import { BnnModel, encodeInputs } from '../../src/core/train/model';
import { CaseOptimizer } from '../../src/core/train/optimizers';
import { trainStep } from '../../src/core/train/trainer';
import { predict } from '../../src/core/train/predict';
import { adamUpdate, bopUpdate } from '../../src/core/train/optimizers';
import { initBackend } from '../../src/core/train/backend';
import { requirePythonModule } from '../support/tools';

const SOURCES = join(__dirname, '..', '..', 'python', 'bnn_torch');
const PYTHON = '/usr/bin/python3';

const CNN = JSON.stringify({
  name: 'torch_semantics', input: { shape: [9, 9, 1] }, classes: 4,
  layers: [
    { type: 'QuantConv2D', filters: 3, kernelSize: 3, padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', scale: true },
    // 9 → 5 with stride 2: TensorFlow pads 0 before and 1 after (PyTorch's padding=1 would pad 1 on both sides)
    { type: 'QuantConv2D', filters: 4, kernelSize: 3, strides: 2, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: true },
    { type: 'MaxPool2D', poolSize: 2, padding: 'same' },
    { type: 'BatchNormalization', scale: true },
    { type: 'Flatten' },
    { type: 'QuantDense', units: 4, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', scale: true },
    { type: 'Activation', activation: 'softmax' },
  ],
});

function runPython(code: string): string {
  return execFileSync(PYTHON, ['-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(SOURCES)})\n${code}`], { encoding: 'utf8', timeout: 60_000 });
}

describe('PyTorch project semantics (python/bnn_torch against BNN Studio)', () => {
  before(function () {
    requirePythonModule(this, PYTHON, 'torch', 'apt-get install python3-torch');
  });

  it('a binary CNN with +1 padding, TensorFlow\'s same split and NHWC flatten scores as BNN Studio\'s host reference', function () {
    this.timeout(60_000);
    const spec = loadModelText(CNN, 'torch_semantics.bnn.json').spec!;
    const loc = locateDataset('bundled');
    const cfg = torchProjectConfig({
      spec, modelPath: 'x', optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } },
      dataset: { name: 'bundled', dir: loc.dir, files: loc.idx! }, epochs: 1, batchSize: 1, seed: 0, valSplit: 0, generator: 'test',
    });
    const dir = mkdtempSync(join(tmpdir(), 'bnn-torch-sem-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    // 9×9 crops of real test images, plus an all-zero one (every first-layer input exactly at sign's 0 after BN shifts)
    const test = loadDataset('bundled').test;
    const n = 16;
    const images = new Uint8Array(n * 81);
    for (let s = 0; s < n - 1; s++) for (let y = 0; y < 9; y++) for (let x = 0; x < 9; x++) images[s * 81 + y * 9 + x] = test.images[s * 784 + (y + 10) * 28 + x + 10];
    const out = JSON.parse(runPython(`
import numpy as np, torch
from bnn_model import BnnModel, encode_u8
from bnn_experiment import ExperimentWriter
cfg = json.load(open(${JSON.stringify(join(dir, 'config.json'))}))
model = BnnModel(cfg["model"])
g = torch.Generator().manual_seed(3)
model.init_weights(g)
with torch.no_grad():
    for name, m in model.named_layers():
        if hasattr(m, "moving_mean"):
            c = m.moving_mean.numel()
            m.gamma.copy_(torch.rand(c, generator=g) + 0.5)
            m.beta.copy_(torch.rand(c, generator=g) - 0.5)
            m.moving_mean.copy_(torch.rand(c, generator=g) * 4 - 2)
            m.moving_variance.copy_(torch.rand(c, generator=g) * 3 + 0.5)
        elif getattr(m, "bias", None) is not None:
            m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
model.eval()
x = torch.tensor(np.frombuffer(bytes.fromhex(${JSON.stringify(Buffer.from(images).toString('hex'))}), dtype=np.uint8).reshape(${n}, 9, 9, 1).copy())
scores = model(encode_u8(x)).tolist()
w = ExperimentWriter(${JSON.stringify(join(dir, 'exp'))}, "torch_semantics", "bop")
w.checkpoint("last", model, cfg["topology"], {"epoch": 0, "step": 0})
w.release()
print(json.dumps({"dir": w.dir, "scores": scores}))
`)) as { dir: string; scores: number[][] };
    const trained = loadCheckpoint(join(out.dir, 'checkpoints', 'last'));
    const ours = predict(trained, images, n).scores;
    for (let s = 0; s < n; s++) {
      for (let c = 0; c < 4; c++) assert.ok(Math.abs(ours[s][c] - out.scores[s][c]) <= 1e-4 * (1 + Math.abs(ours[s][c])), `sample ${s} class ${c}: BNN Studio ${ours[s][c]}, PyTorch ${out.scores[s][c]}`);
    }
    assert.deepEqual(readdirSync(join(out.dir, 'checkpoints')), ['last'], 'no staging folder is left behind');
  });

  it('Bop and Adam steps are the trainer\'s update rules (three steps from the same weights and gradients)', async function () {
    this.timeout(30_000);
    const size = 64;
    // gradients on a grid of magnitudes around Bop's threshold so that some weights flip and others do not
    const grads = [0, 1, 2].map((t) => Array.from({ length: size }, (_, i) => Math.sin(i * 1.7 + t) * 10 ** (-(i % 7) - 1)));
    const w0 = Array.from({ length: size }, (_, i) => (i % 3 === 0 ? -1 : 1));
    const r0 = Array.from({ length: size }, (_, i) => Math.cos(i) * 0.3);
    const gamma = 0.3;
    const threshold = 1e-4;
    const lr = 0.05;
    await initBackend('cpu');
    const py = JSON.parse(runPython(`
import torch
from bnn_optim import BnnOptimizer
w = torch.nn.Parameter(torch.tensor(${JSON.stringify(w0)}, dtype=torch.float32))
r = torch.nn.Parameter(torch.tensor(${JSON.stringify(r0)}, dtype=torch.float32))
opt = BnnOptimizer([w, r], [w], {"kind": "bop", "gamma": {"kind": "constant", "value": ${gamma}}, "threshold": {"kind": "constant", "value": ${threshold}}, "lr": {"kind": "constant", "value": ${lr}}})
flips = []
for g in ${JSON.stringify(grads)}:
    w.grad = torch.tensor(g, dtype=torch.float32)
    r.grad = torch.tensor(g, dtype=torch.float32)
    flips.append(opt.step())
print(json.dumps({"w": w.tolist(), "r": r.tolist(), "flips": flips}))
`)) as { w: number[]; r: number[]; flips: number[][] };
    let w: tf.Tensor = tf.tensor1d(w0);
    let m = tf.zeros([size]);
    let r: tf.Tensor = tf.tensor1d(r0);
    let am = tf.zeros([size]);
    let av = tf.zeros([size]);
    const flips: number[] = [];
    grads.forEach((gv, t) => {
      const g = tf.tensor1d(gv);
      const b = bopUpdate(w, m, g, gamma, threshold);
      flips.push(tf.sum(tf.notEqual(b.w, w)).arraySync() as number);
      w = b.w;
      m = b.m;
      const a = adamUpdate(r, am, av, g, lr, t + 1);
      r = a.p;
      am = a.m;
      av = a.v;
    });
    assert.deepEqual(py.w, Array.from(w.dataSync()));
    assert.deepEqual(py.flips.map((f) => f[0]), flips);
    assert.ok(flips.some((f) => f > 0) && flips.some((f) => f < size), `some weights flip, some stay (${flips})`);
    const rs = Array.from(r.dataSync());
    py.r.forEach((v, i) => assert.ok(Math.abs(v - rs[i]) <= 1e-6, `Adam weight ${i}: PyTorch ${v}, BNN Studio ${rs[i]}`));
  });
  // Two models: without binarized activations every value is a float computed in another order (exact to rounding);
  // the binary MLP's binary layers sum to integers, and an activation exactly at its batch mean is sign(0) = +1 in
  // PyTorch (mean = sum / n, exact) but may land a hair either side in TensorFlow.js (its cpu mean sums x / n) — 48 of
  // the 25,600 inputs of the last layer here, measured — so from the first binarized input on, forward values and all
  // gradients differ a little: there the loss, the flips and the bulk of each update are compared, and the moving
  // statistics exactly only upstream of it.
  const STEP_MODELS = [
    { name: 'no binarized activations (exact to float rounding)', exact: true, text: JSON.stringify({
      name: 'real_activations', input: { shape: [28, 28, 1] }, classes: 10,
      layers: [
        { type: 'Flatten' },
        { type: 'QuantDense', units: 64, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: true },
        { type: 'BatchNormalization', scale: true },
        { type: 'QuantDense', units: 10, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'BatchNormalization', scale: false },
        { type: 'Activation', activation: 'softmax' },
      ] }) },
    { name: 'the binary MLP (ties at sign(0) allowed for)', exact: false, text: readFileSync(join(__dirname, '..', '..', 'examples', 'binary-mlp.bnn.json'), 'utf8') },
  ];
  for (const stepModel of STEP_MODELS) it(`from the same checkpoint and first batch, the first training step is the trainer's: ${stepModel.name}`, async function () {
    this.timeout(60_000);
    await initBackend('cpu');
    const spec = loadModelText(stepModel.text, 'step.bnn.json').spec!;
    const data = loadDataset('bundled');
    const batch = 100;
    const optimizer = { kind: 'bop' as const, gamma: { kind: 'constant' as const, value: 1e-3 }, threshold: { kind: 'constant' as const, value: 1e-6 }, lr: { kind: 'constant' as const, value: 0.01 } };
    const dir = mkdtempSync(join(tmpdir(), 'bnn-torch-step-'));
    const model = new BnnModel(spec, { latent: false, seed: 5 });
    writeCheckpoint(dir, 'init', model.toTrained(), { epoch: 0, step: 0, createdAt: new Date().toISOString() }, undefined, 'test');
    // the trainer's step
    const opt = new CaseOptimizer(optimizer, model.trainableParams);
    const idx = Uint32Array.from({ length: batch }, (_, i) => i);
    const xs = encodeInputs(data.train.images, idx, 784);
    const ys = Int32Array.from(idx, (i) => data.train.labels[i]);
    const out = trainStep(model, opt, model.trainableParams.map((p) => p.variable), xs, ys, spec);
    const [loss, , ...flips] = Array.from(out.dataSync());
    out.dispose();
    const ours = model.toTrained();
    // PyTorch's step, from the checkpoint the trainer wrote, on the same samples
    const cfg = torchProjectConfig({
      spec, modelPath: 'x', optimizer, dataset: { name: 'bundled', dir: '', files: locateDataset('bundled').idx! }, epochs: 1, batchSize: batch, seed: 0, valSplit: 0, generator: 'test',
    });
    writeFileSync(join(dir, 'project.json'), JSON.stringify(cfg));
    const py = JSON.parse(runPython(`
import torch, torch.nn.functional as F
from bnn_model import BnnModel, encode_u8
from bnn_optim import BnnOptimizer
from bnn_data import load_idx
from bnn_experiment import ExperimentWriter, load_checkpoint
cfg = json.load(open(${JSON.stringify(join(dir, 'project.json'))}))
model = BnnModel(cfg["model"])
load_checkpoint(model, ${JSON.stringify(join(dir, 'checkpoints', 'init'))})
x, y, _, _ = load_idx(cfg["dataset"]["files"])
binary = model.binary_kernels()
opt = BnnOptimizer([p for p in model.parameters() if p.requires_grad], [p for _, p in binary], cfg["optimizer"])
model.train()
loss = F.cross_entropy(model(encode_u8(torch.from_numpy(x[:${batch}]))), torch.from_numpy(y[:${batch}]))
opt.zero_grad()
loss.backward()
flips = opt.step()
w = ExperimentWriter(${JSON.stringify(join(dir, 'torch'))}, "m", "bop")
w.checkpoint("after", model, cfg["topology"], {"epoch": 0, "step": 1})
w.release()
print(json.dumps({"loss": float(loss), "flips": flips, "dir": w.dir}))
`)) as { loss: number; flips: number[]; dir: string };
    const theirs = loadCheckpoint(join(py.dir, 'checkpoints', 'after'));
    const tol = stepModel.exact ? 1e-5 : 5e-3;
    assert.ok(Math.abs(py.loss - loss) <= tol * loss, `loss: PyTorch ${py.loss}, BNN Studio ${loss}`);
    assert.ok(flips.some((f) => f > 0), `the step flips weights (${flips})`);
    const firstTie = spec.layers.findIndex((l) => (l.type === 'QuantDense' || l.type === 'QuantConv2D') && l.inputQuantizer !== null);
    for (const [li, layer] of spec.layers.entries()) {
      const forwardExact = stepModel.exact || firstTie < 0 || li < firstTie;
      const a = ours.weights[layer.name] ?? {};
      const b = theirs.weights[layer.name] ?? {};
      assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort(), layer.name);
      for (const key of Object.keys(a) as (keyof typeof a)[]) {
        const va = a[key]!;
        const vb = b[key]!;
        if (key === 'kernel') {
          // a flip happens where w·m crosses τ: rounding of the gradient may tip a weight lying on it
          let differ = 0;
          for (let i = 0; i < va.length; i++) if (va[i] !== vb[i]) differ++;
          assert.ok(differ <= va.length * (stepModel.exact ? 1e-4 : 1e-2), `${layer.name} kernel: ${differ} of ${va.length} weights differ after the step`);
        } else if (key === 'movingMean' || key === 'movingVariance') {
          // moving = m·moving + (1 − m)·batch statistic; a mean after BatchNorm is ~0 up to rounding, so absolute too
          let worst = 0;
          for (let i = 0; i < va.length; i++) worst = Math.max(worst, Math.abs(va[i] - vb[i]) / (1e-4 + Math.abs(va[i])));
          if (forwardExact) {
            assert.ok(worst <= 1e-3, `${layer.name} ${key}: worst difference ${worst} (relative, 1e-4 absolute floor)`);
          } else {
            let d2 = 0;
            let n2 = 0;
            for (let i = 0; i < va.length; i++) { d2 += (va[i] - vb[i]) ** 2; n2 += va[i] ** 2; }
            assert.ok(Math.sqrt(d2) <= 0.25 * Math.sqrt(n2), `${layer.name} ${key}: relative difference ${Math.sqrt(d2 / n2)}`);
          }
        } else {
          // Adam's first step is lr·g/(|g| + ε·√(1−β₂)/…): about ±lr, but ill-conditioned where |g| is near ε, so each
          // parameter is compared to 2 % of a step; with ties (above) some gradients' signs differ too
          let close = 0;
          for (let i = 0; i < va.length; i++) if (Math.abs(va[i] - vb[i]) <= 0.02 * optimizer.lr.value) close++;
          assert.ok(close >= va.length * (stepModel.exact ? 0.97 : 0.8), `${layer.name} ${key}: ${close} of ${va.length} within 2 % of an Adam step`);
        }
      }
    }
    py.flips.forEach((f, i) => assert.ok(Math.abs(f - flips[i]) <= (stepModel.exact ? Math.max(2, flips[i] * 1e-3) : flips[i] * 0.05 + 2), `flips of binary layer ${i}: BNN Studio ${flips[i]}, PyTorch ${f}`));
    opt.dispose();
    model.dispose();
  });
});
