/**
 * A model of the PyTorch project (python/bnn_torch) against the compiled model's TypeScript twin: random weights in
 * PyTorch, its scores on deterministic images and its checkpoint (written by the project's writer), compared with
 * referenceInfer on that checkpoint to 1e-4, and the checkpoint's weights manifest with BNN Studio's own writer's.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torchProjectConfig } from '../../src/core/interop/torchProject';
import { loadCheckpoint, modelJson } from '../../src/core/train/checkpoint';
import { lowerModel } from '../../src/core/compile/lower';
import { referenceInfer } from '../../src/core/compile/reference';
import type { ModelSpec } from '../../src/core/model/spec';
import type { TrainedModel } from '../../src/core/model/trained';

const SOURCES = join(__dirname, '..', '..', 'python', 'bnn_torch');
export const TORCH_PYTHON = '/usr/bin/python3';

function runPython(code: string): string {
  return execFileSync(TORCH_PYTHON, ['-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(SOURCES)})\n${code}`], { encoding: 'utf8', timeout: 60_000 });
}

/** Random weights in PyTorch, its scores on `n` images and its checkpoint, compared with referenceInfer on it. */
export function compareTorchWithReference(spec: ModelSpec, n: number): { params: string[]; trained: TrainedModel } {
  const cfg = torchProjectConfig({
    spec, modelPath: 'x', optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } },
    dataset: { name: 'none', dir: '.', files: { trainImages: 'a', trainLabels: 'b', testImages: 'c', testLabels: 'd' } }, epochs: 1, batchSize: 1, seed: 0, valSplit: 0, generator: 'test',
  });
  const dir = mkdtempSync(join(tmpdir(), 'bnn-torch-graph-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  const size = spec.input.shape.reduce((a, b) => a * b, 1);
  // a deterministic spread of pixel values, with one all-zero and one all-255 image
  const images = Uint8Array.from({ length: n * size }, (_, i) => (i < size ? 0 : i >= size * (n - 1) ? 255 : Math.floor(127.5 + 127.5 * Math.sin(i * 0.37 + Math.floor(i / size)))));
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
          if m.gamma is not None:
              m.gamma.copy_(torch.rand(c, generator=g) + 0.5)
          if m.beta is not None:
              m.beta.copy_(torch.rand(c, generator=g) - 0.5)
          m.moving_mean.copy_(torch.rand(c, generator=g) * 4 - 2)
          m.moving_variance.copy_(torch.rand(c, generator=g) * 3 + 0.5)
      elif hasattr(m, "alpha"):
          m.alpha.copy_(torch.rand(m.alpha.shape, generator=g) - 0.5)
      elif getattr(m, "bias", None) is not None:
          m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
model.eval()
x = torch.tensor(np.frombuffer(bytes.fromhex(${JSON.stringify(Buffer.from(images).toString('hex'))}), dtype=np.uint8).reshape(${n}, ${spec.input.shape.join(', ')}).copy())
scores = model(encode_u8(x)).tolist()
w = ExperimentWriter(${JSON.stringify(join(dir, 'exp'))}, "torch_graph", "bop")
w.checkpoint("last", model, cfg["topology"], {"epoch": 0, "step": 0})
w.release()
print(json.dumps({"dir": w.dir, "scores": scores, "params": sorted(n for n, _ in model.named_parameters())}))
`)) as { dir: string; scores: number[][]; params: string[] };
  const trained = loadCheckpoint(join(out.dir, 'checkpoints', 'last'));
  // the same weight list, names and shapes (alpha [1, 1, C] after an image) as BNN Studio's own checkpoint writer
  const written = JSON.parse(readFileSync(join(out.dir, 'checkpoints', 'last', 'model.json'), 'utf8')) as { weightsManifest: unknown };
  assert.deepEqual(written.weightsManifest, modelJson(trained, { epoch: 0, step: 0, createdAt: '' }, 'x').json.weightsManifest);
  const lowered = lowerModel(trained);
  for (let s = 0; s < n; s++) {
    const ref = referenceInfer(lowered, images.subarray(s * size, (s + 1) * size)).scores;
    for (let c = 0; c < spec.classes; c++) assert.ok(Math.abs(ref[c] - out.scores[s][c]) <= 1e-4 * (1 + Math.abs(ref[c])), `sample ${s} class ${c}: reference ${ref[c]}, PyTorch ${out.scores[s][c]}`);
  }
  return { params: out.params, trained };
}
