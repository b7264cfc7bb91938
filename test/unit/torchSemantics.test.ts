/**
 * The PyTorch project's layers and optimizer (python/bnn_torch) against BNN Studio's own definitions, run for real on
 * Debian's torch: a binary CNN whose layers exercise every rule that differs from PyTorch's defaults — sign(0) = +1,
 * +1 padding of binarized inputs, TensorFlow's 'same' split with the extra pixel after (a stride-2 conv and a 'same'
 * max-pool on an odd size), NHWC flatten order, BatchNorm with moving statistics — is given random weights in
 * PyTorch, written as a checkpoint by the project's writer, and its scores compared with BNN Studio's host reference
 * (predict) on the same checkpoint; and the Bop and Adam steps compared with the trainer's update rules.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModelText } from '../../src/core/model/load';
import { torchProjectConfig } from '../../src/core/interop/torchProject';
import { loadDataset, locateDataset } from '../../src/core/data';
import { loadCheckpoint } from '../../src/core/train/checkpoint';
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
        if hasattr(m, "bn"):
            c = m.bn.num_features
            m.bn.weight.copy_(torch.rand(c, generator=g) + 0.5)
            m.bn.bias.copy_(torch.rand(c, generator=g) - 0.5)
            m.bn.running_mean.copy_(torch.rand(c, generator=g) * 4 - 2)
            m.bn.running_var.copy_(torch.rand(c, generator=g) * 3 + 0.5)
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
});
