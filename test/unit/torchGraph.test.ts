/**
 * The PyTorch project builds graph models (python/bnn_torch/bnn_model.py): a residual model with Add, Concatenate,
 * a 'same' AveragePooling2D on an odd size (windows at the edge average fewer cells), MaxPool2D, GlobalAveragePooling2D,
 * PReLU and ReLU, and a layer the output does not depend on, is given random weights in PyTorch, written as a
 * checkpoint by the project's writer, and its scores compared with the compiled model's TypeScript twin
 * (referenceInfer, the C's exact order of operations) on the same checkpoint.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelText } from '../../src/core/model/load';
import { torchProjectConfig } from '../../src/core/interop/torchProject';
import { loadCheckpoint, modelJson } from '../../src/core/train/checkpoint';
import { lowerModel } from '../../src/core/compile/lower';
import { referenceInfer } from '../../src/core/compile/reference';
import { requirePythonModule } from '../support/tools';

const SOURCES = join(__dirname, '..', '..', 'python', 'bnn_torch');
const PYTHON = '/usr/bin/python3';

const RESIDUAL = JSON.stringify({
  name: 'torch_graph', input: { shape: [9, 9, 1] }, classes: 4, outputs: ['head'],
  layers: [
    { type: 'QuantConv2D', name: 'stem', filters: 4, kernelSize: 3, padding: 'same', kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', name: 'bn0' },
    { type: 'QuantConv2D', name: 'bin', filters: 4, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    { type: 'BatchNormalization', name: 'bn1' },
    { type: 'Add', name: 'add', inputs: ['bn1', 'bn0'] },
    { type: 'PReLU', name: 'act', alphaInitializer: 0.25 },
    // 9 → 5: the last row and column of windows hold one cell of the input, not two
    { type: 'AveragePooling2D', name: 'avg', poolSize: 2, padding: 'same' },
    { type: 'MaxPool2D', name: 'mp', poolSize: 2, padding: 'same', inputs: ['act'] },
    { type: 'Concatenate', name: 'cat', inputs: ['avg', 'mp'] },
    { type: 'Activation', name: 'relu', activation: 'relu' },
    { type: 'GlobalAveragePooling2D', name: 'gap' },
    { type: 'QuantDense', name: 'head', units: 4 },
    { type: 'QuantDense', name: 'probe', units: 3, inputs: ['gap'] },
  ],
});

function runPython(code: string): string {
  return execFileSync(PYTHON, ['-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(SOURCES)})\n${code}`], { encoding: 'utf8', timeout: 60_000 });
}

describe('PyTorch project: graph models', () => {
  before(function () {
    requirePythonModule(this, PYTHON, 'torch', 'apt-get install python3-torch');
  });

  it('a residual model with Add, Concatenate, pooling, PReLU and ReLU scores as the compiled model\'s reference', function () {
    this.timeout(60_000);
    const loaded = loadModelText(RESIDUAL, 'torch_graph.bnn.json');
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
    const spec = loaded.spec!;
    const cfg = torchProjectConfig({
      spec, modelPath: 'x', optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } },
      dataset: { name: 'none', dir: '.', files: { trainImages: 'a', trainLabels: 'b', testImages: 'c', testLabels: 'd' } }, epochs: 1, batchSize: 1, seed: 0, valSplit: 0, generator: 'test',
    });
    const dir = mkdtempSync(join(tmpdir(), 'bnn-torch-graph-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    const n = 12;
    // a deterministic spread of pixel values, with one all-zero and one all-255 image
    const images = Uint8Array.from({ length: n * 81 }, (_, i) => (i < 81 ? 0 : i >= 81 * (n - 1) ? 255 : Math.floor(127.5 + 127.5 * Math.sin(i * 0.37 + Math.floor(i / 81)))));
    const out = JSON.parse(runPython(`
import numpy as np, torch
from bnn_model import BnnModel, encode_u8
from bnn_experiment import ExperimentWriter
cfg = json.load(open(${JSON.stringify(join(dir, 'config.json'))}))
model = BnnModel(cfg["model"])
g = torch.Generator().manual_seed(5)
model.init_weights(g)
with torch.no_grad():
    for name, m in model.named_layers():
        if hasattr(m, "moving_mean"):
            c = m.moving_mean.numel()
            m.gamma.copy_(torch.rand(c, generator=g) + 0.5)
            m.beta.copy_(torch.rand(c, generator=g) - 0.5)
            m.moving_mean.copy_(torch.rand(c, generator=g) * 4 - 2)
            m.moving_variance.copy_(torch.rand(c, generator=g) * 3 + 0.5)
        elif hasattr(m, "alpha"):
            m.alpha.copy_(torch.rand(m.alpha.shape, generator=g) - 0.5)
        elif getattr(m, "bias", None) is not None:
            m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
model.eval()
x = torch.tensor(np.frombuffer(bytes.fromhex(${JSON.stringify(Buffer.from(images).toString('hex'))}), dtype=np.uint8).reshape(${n}, 9, 9, 1).copy())
scores = model(encode_u8(x)).tolist()
w = ExperimentWriter(${JSON.stringify(join(dir, 'exp'))}, "torch_graph", "bop")
w.checkpoint("last", model, cfg["topology"], {"epoch": 0, "step": 0})
w.release()
print(json.dumps({"dir": w.dir, "scores": scores, "params": sorted(n for n, _ in model.named_parameters())}))
`)) as { dir: string; scores: number[][]; params: string[] };
    // every live layer's weights, PReLU's alpha among them, and none for 'probe', which the output does not depend on
    assert.deepEqual(out.params, ['layers.0.kernel', 'layers.1.beta', 'layers.1.gamma', 'layers.11.bias', 'layers.11.kernel', 'layers.2.kernel', 'layers.3.beta', 'layers.3.gamma', 'layers.5.alpha']);
    const trained = loadCheckpoint(join(out.dir, 'checkpoints', 'last'));
    assert.equal(trained.weights.act.alpha?.length, 4);
    assert.equal(trained.weights.probe, undefined);
    // the same weight list, names and shapes (alpha [1, 1, C] after an image) as BNN Studio's own checkpoint writer
    const written = JSON.parse(readFileSync(join(out.dir, 'checkpoints', 'last', 'model.json'), 'utf8')) as { weightsManifest: unknown };
    assert.deepEqual(written.weightsManifest, modelJson(trained, { epoch: 0, step: 0, createdAt: '' }, 'x').json.weightsManifest);
    const lowered = lowerModel(trained);
    for (let s = 0; s < n; s++) {
      const ref = referenceInfer(lowered, images.subarray(s * 81, (s + 1) * 81)).scores;
      for (let c = 0; c < 4; c++) assert.ok(Math.abs(ref[c] - out.scores[s][c]) <= 1e-4 * (1 + Math.abs(ref[c])), `sample ${s} class ${c}: reference ${ref[c]}, PyTorch ${out.scores[s][c]}`);
    }
  });
});
