/**
 * Exports a trained experiment for other tools:
 * - 'tfjs': a TensorFlow.js layers model (model.json + weights.bin, the trainer's checkpoint format) that stock
 *   `tf.loadLayersModel` loads once BNN Studio's layers are registered, with `bnn-layers.js` (the standalone bundle of
 *   tfjsLayers.ts) and a README showing how;
 * - 'keras': the Larq/Keras `model.to_json()` document, a weights manifest (names, shapes, dtypes, byte offsets) over
 *   raw float32 little-endian `weights.bin` in Keras order, and `load_weights.py` (numpy reads the weights; Larq builds
 *   the model and `set_weights` fills it).
 * The export folder is written to a temporary sibling and renamed into place, so it is complete or absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainedModel } from '../model/trained';
import { modelJson, loadCheckpoint, WEIGHTS_BIN, MODEL_JSON, type CheckpointMeta } from '../train/checkpoint';
import { specToKerasJson } from './kerasExport';
import { markdownText } from '../escape';
import { describeCheckpoint } from '../experiments/checkpoints';
import { loadExperimentModel } from '../train/experimentModel';

export type ExportFormat = 'tfjs' | 'keras';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['tfjs', 'keras'];
export const BNN_LAYERS_JS = 'bnn-layers.js';

export class ExportError extends Error {}

/**
 * The trained model to export: a checkpoint folder given directly, or an experiment's checkpoint as every command
 * chooses it (experiments/checkpoints.ts: the one asked for, else best, else last). `checkpoint` is the label commands
 * print, e.g. "best (epoch 7, step 420, val acc 91.20%)".
 */
export function loadExportSource(dir: string, which?: string): TrainedModel & { meta: CheckpointMeta; checkpoint: string } {
  try {
    if (which === undefined && fs.existsSync(path.join(dir, MODEL_JSON))) {
      const trained = loadCheckpoint(dir);
      return { ...trained, checkpoint: describeCheckpoint(path.basename(dir), trained.meta) };
    }
    const m = loadExperimentModel(dir, which);
    return { ...m.trained, checkpoint: m.label };
  } catch (err) {
    throw new ExportError((err as Error).message);
  }
}

export interface KerasWeightEntry {
  /** Keras weight name, `<layer>/<kind>` (kind: kernel, bias, gamma, beta, moving_mean, moving_variance). */
  name: string;
  layer: string;
  shape: number[];
  dtype: 'float32';
  /** Byte offset into the weights file. */
  offset: number;
}

export interface KerasWeightsManifest {
  format: 'bnn-studio-keras-weights';
  formatVersion: 1;
  file: string;
  byteOrder: 'little';
  /** Per layer in model order, each layer's weights in `layer.get_weights()` order. */
  weights: KerasWeightEntry[];
}

function tfjsReadme(name: string, spec: TrainedModel['spec']): string {
  const shape = spec.input.shape;
  return `# ${markdownText(name)} — TensorFlow.js layers model

Exported by BNN Studio. \`model.json\` + \`weights.bin\` are a TensorFlow.js layers model with BNN Studio's binary layers
\`QuantConv2D\` and \`QuantDense\` (Larq's names); \`bnn-layers.js\` defines them for TensorFlow.js. Register them once,
then load the model with stock \`tf.loadLayersModel\`:

\`\`\`js
// Node: const tf = require('@tensorflow/tfjs'); const { registerBnnLayers } = require('./bnn-layers.js');
// Browser: <script src="tf.min.js"></script><script src="bnn-layers.js"></script>, then bnnLayers.registerBnnLayers(tf)
registerBnnLayers(tf);
const model = await tf.loadLayersModel('model.json'); // a URL in the browser; tf.io.fileSystem / file:// in Node

// Inputs are 8-bit images [${shape.join(', ')}], encoded as BNN Studio trains them: x = u8 / 127.5 - 1.
const x = tf.tensor(u8Pixels, [1, ${shape.join(', ')}], 'float32').div(127.5).sub(1);
const scores = model.predict(x);           // ${spec.classes} class scores${spec.layers[spec.layers.length - 1]?.type === 'Activation' ? ' (after the final softmax)' : ''}
const cls = scores.argMax(-1).dataSync()[0];
\`\`\`

The layers compute exactly what BNN Studio's reference forward pass (and the compiled C model) computes: sign(0) = +1,
binarized inputs padded with +1 and real-valued inputs with 0 for 'same' padding, binary kernels of ±1. They are for
inference: TensorFlow.js has no straight-through gradient for sign, so train in BNN Studio or with Larq.
`;
}

const LOAD_WEIGHTS_PY = `#!/usr/bin/env python3
"""Loads a BNN Studio Keras export: model.json (Keras model.to_json() with Larq layers) and its weights.

    import load_weights
    model = load_weights.load_model("path/to/export")   # needs larq and tensorflow<2.16 (Keras 2)
    arrays = load_weights.read_weights("path/to/export")  # needs numpy only: {layer name: [arrays in get_weights() order]}

Inputs are encoded as in BNN Studio: x = u8 / 127.5 - 1. Binary kernels hold exactly +-1.
"""
import json
import os
import sys


def read_weights(folder):
    import numpy as np
    with open(os.path.join(folder, "weights.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("format") != "bnn-studio-keras-weights":
        raise ValueError("%s: not a BNN Studio weights manifest" % folder)
    with open(os.path.join(folder, manifest["file"]), "rb") as f:
        raw = f.read()
    layers = {}
    for w in manifest["weights"]:
        count = int(np.prod(w["shape"])) if w["shape"] else 1
        end = w["offset"] + 4 * count
        if w["dtype"] != "float32" or end > len(raw):
            raise ValueError("%s: weight %s does not fit %s (%d bytes)" % (folder, w["name"], manifest["file"], len(raw)))
        arr = np.frombuffer(raw, dtype="<f4", count=count, offset=w["offset"]).reshape(w["shape"])
        layers.setdefault(w["layer"], []).append(arr.astype(np.float32))
    return layers


def load_model(folder):
    import tensorflow as tf
    import larq  # noqa: F401  registers Larq's layers, quantizers and constraints with Keras
    with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
        model = tf.keras.models.model_from_json(f.read())
    for name, arrays in read_weights(folder).items():
        model.get_layer(name).set_weights(arrays)
    return model


if __name__ == "__main__":
    m = load_model(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
    m.summary()
`;

/** The files of an export, by name (text or bytes). `layersJs` is the bnn-layers.js bundle's text (tfjs only). */
export function exportFiles(trained: TrainedModel & { meta?: Partial<CheckpointMeta> }, format: ExportFormat, opts: { layersJs?: string; generatedBy: string }): Record<string, string | Uint8Array> {
  const name = trained.spec.name;
  const meta = { experimentId: trained.meta?.experimentId, epoch: trained.meta?.epoch ?? 0, step: trained.meta?.step ?? 0, createdAt: trained.meta?.createdAt ?? new Date().toISOString() };
  const { json, bin } = modelJson(trained, meta, opts.generatedBy);
  if (format === 'tfjs') {
    if (opts.layersJs === undefined) throw new ExportError(`the ${BNN_LAYERS_JS} bundle is missing from this build (run npm run build)`);
    return { [MODEL_JSON]: JSON.stringify(json), [WEIGHTS_BIN]: bin, [BNN_LAYERS_JS]: opts.layersJs, 'README.md': tfjsReadme(name, trained.spec) };
  }
  // The checkpoint's manifest is already in Keras order per layer; keep it and add byte offsets and layer names.
  const manifest = (json.weightsManifest as Array<{ weights: Array<{ name: string; shape: number[] }> }>)[0].weights;
  let offset = 0;
  const weights: KerasWeightEntry[] = manifest.map((w) => {
    const e: KerasWeightEntry = { name: w.name, layer: w.name.slice(0, w.name.lastIndexOf('/')), shape: w.shape, dtype: 'float32', offset };
    offset += 4 * w.shape.reduce((a, b) => a * b, 1);
    return e;
  });
  const wm: KerasWeightsManifest = { format: 'bnn-studio-keras-weights', formatVersion: 1, file: WEIGHTS_BIN, byteOrder: 'little', weights };
  const readme = `# ${markdownText(name)} — Larq/Keras model

Exported by BNN Studio. \`model.json\` is what Keras' \`model.to_json()\` writes for this model with Larq's layers
(\`lq.layers.QuantConv2D\` with pad_values=1.0 for binarized inputs, \`lq.layers.QuantDense\`); \`weights.json\` lists every
weight (layer, name, shape, dtype float32, byte offset) in \`layer.get_weights()\` order, over the raw little-endian
float32 data in \`weights.bin\`. Binary kernels hold exactly ±1.

\`\`\`python
import load_weights
model = load_weights.load_model(".")   # pip install larq "tensorflow<2.16"
# numpy only: load_weights.read_weights(".") -> {layer name: [kernel, bias, ...]}
\`\`\`

Inputs are encoded as in BNN Studio: x = u8 / 127.5 - 1.
`;
  return {
    [MODEL_JSON]: `${JSON.stringify(specToKerasJson(trained.spec), null, 1)}\n`,
    'weights.json': `${JSON.stringify(wm, null, 1)}\n`,
    [WEIGHTS_BIN]: bin,
    'load_weights.py': LOAD_WEIGHTS_PY,
    'README.md': readme,
  };
}

/**
 * Writes the export into `outDir` (created; must be empty or absent unless `force`). Returns the file names.
 * Files go to a hidden sibling first and the folder is renamed into place.
 */
export function writeExport(outDir: string, files: Record<string, string | Uint8Array>, force = false): string[] {
  let existing: string[] = [];
  try {
    existing = fs.readdirSync(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new ExportError(`${outDir} is a file, not a folder`);
  }
  if (existing.length && !force) throw new ExportError(`${outDir} is not empty (use --force to overwrite)`);
  const parent = path.dirname(path.resolve(outDir));
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (err) {
    throw new ExportError(`cannot create ${parent}: ${(err as Error).message}`);
  }
  const tmp = path.join(parent, `.${path.basename(outDir)}.export-${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), data);
    if (existing.length) {
      // --force: the folder's other files stay; ours replace theirs namesakes one by one (each rename is atomic)
      for (const name of Object.keys(files)) fs.renameSync(path.join(tmp, name), path.join(outDir, name));
      fs.rmSync(tmp, { recursive: true, force: true });
    } else {
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.renameSync(tmp, outDir);
    }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new ExportError(`cannot write ${outDir}: ${(err as Error).message}`);
  }
  return Object.keys(files);
}

/** The bnn-layers.js bundle next to the running bundle (dist/), or in the repository's dist/ when run from sources. */
export function findBnnLayersBundle(fromDir: string): string | undefined {
  for (const d of [fromDir, path.join(fromDir, '..', '..', '..', 'dist'), path.join(fromDir, '..', '..', 'dist'), path.join(fromDir, '..', 'dist')]) {
    const f = path.join(d, BNN_LAYERS_JS);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}
