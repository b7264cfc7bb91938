/**
 * Checkpoints in the TensorFlow.js layers format, written from our own model:
 *
 *   checkpoints/<name>/
 *     model.json            { format: 'layers-model', modelTopology (Keras Sequential with BNN Studio's layer classes
 *                            QuantConv2D / QuantDense as Larq names them), weightsManifest, userDefinedMetadata.bnnStudio }
 *     weights.bin           float32 little-endian, manifest order; binary kernels exactly ±1
 *     binary-weights.json   every binary kernel packed as in src/core/deploy/packing.ts (base64 of LE uint32 words)
 *     training-state.json + training-state.bin   optimizer slots, latent weights, progress (for resume only)
 *
 * Each checkpoint directory is staged and swapped in by the experiment store (src/core/experiments/store.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSpec } from '../model/spec';
import { hasBinaryInput, hasBinaryKernel } from '../model/spec';
import { loadEmbeddedSpec } from '../model/load';
import type { LayerWeights, TrainedModel } from '../model/trained';
import { inferGraphShapes } from '../deploy/shapes';
import { INPUT_SOURCE, modelGraph } from '../model/graph';
import { packKernel, kernelRowWords, positionsAndChannels } from '../deploy/packing';
import { writeCheckpoint as storeWriteCheckpoint } from '../experiments/store';
import { readableDir } from '../experiments/read';
import { shown } from '../experiments/files';
import { specToKerasJson } from '../interop/kerasExport';

export const CHECKPOINT_FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const BINARY_WEIGHTS_JSON = 'binary-weights.json';
export const STATE_JSON = 'training-state.json';
export const STATE_BIN = 'training-state.bin';

const KIND_KEYS = [
  ['kernel', 'kernel'],
  ['bias', 'bias'],
  ['gamma', 'gamma'],
  ['beta', 'beta'],
  ['moving_mean', 'movingMean'],
  ['moving_variance', 'movingVariance'],
  ['alpha', 'alpha'],
] as const;

export interface CheckpointMeta {
  formatVersion: number;
  spec: ModelSpec;
  experimentId?: string;
  epoch: number;
  step: number;
  createdAt: string;
  /** Validation accuracy after the epoch this checkpoint ends (absent mid-epoch and in older checkpoints). */
  valAccuracy?: number;
}

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Progress and optimizer state for an exact resume. */
export interface TrainingState {
  /** Epochs fully done, and batches done in the current epoch (a mid-epoch checkpoint). */
  epoch: number;
  batchInEpoch: number;
  step: number;
  optimizerIterations: number;
  bestValAccuracy?: number;
  /** Wall-clock ms of training so far (metrics' `time` continues from it). */
  elapsedMs: number;
  /** Running loss/accuracy sums of the current epoch. */
  epochLossSum: number;
  epochCorrect: number;
  epochSeen: number;
  /** Optimizer slots (`<weight>/m`, `<weight>/v`) and, for the latent baseline, the latent kernels (`<weight>`). */
  arrays: NamedArray[];
}

/** Weight entries of a trained model in Keras order (per layer: kernel, bias, gamma, beta, moving_mean, moving_variance). */
function weightEntries(model: TrainedModel): NamedArray[] {
  const { graph, shapes } = inferGraphShapes(model.spec);
  const out: NamedArray[] = [];
  model.spec.layers.forEach((layer, i) => {
    const lw = model.weights[layer.name] ?? {};
    const inShape = sourceShape(model.spec, shapes, graph.inputs[i][0]);
    for (const [kind, key] of KIND_KEYS) {
      const data = lw[key];
      if (!data) continue;
      let shape: number[];
      if (kind === 'kernel') {
        const cin = inShape[inShape.length - 1];
        shape = layer.type === 'QuantConv2D' ? [layer.kernelSize[0], layer.kernelSize[1], cin, layer.filters] : [inShape[0], (layer as { units: number }).units];
      } else if (kind === 'alpha' && inShape.length === 3) {
        // Keras' PReLU shared over H and W keeps its alphas as [1, 1, C]; TF.js and Keras check the shape on load
        shape = [1, 1, data.length];
      } else {
        shape = [data.length];
      }
      out.push({ name: `${layer.name}/${kind}`, shape, data });
    }
  });
  return out;
}

function sourceShape(spec: ModelSpec, shapes: number[][], source: number): number[] {
  return source === INPUT_SOURCE ? spec.input.shape : shapes[source];
}

function concatArrays(arrays: Float32Array[]): Uint8Array {
  const total = arrays.reduce((a, b) => a + b.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const a of arrays) {
    all.set(a, o);
    o += a.length;
  }
  return new Uint8Array(all.buffer);
}

/** The packed binary kernels: the layout the compiler and firmware use (packing.ts). */
export function packedBinaryWeights(model: TrainedModel): Record<string, unknown> {
  const { graph, shapes } = inferGraphShapes(model.spec);
  const layers: Record<string, unknown>[] = [];
  model.spec.layers.forEach((layer, i) => {
    if (!graph.live[i] || !hasBinaryKernel(layer) || (layer.type !== 'QuantConv2D' && layer.type !== 'QuantDense')) return;
    const kernel = model.weights[layer.name]?.kernel;
    if (!kernel) throw new Error(`layer '${layer.name}' has no kernel`);
    const binaryInput = hasBinaryInput(layer);
    let inputChannels: number;
    let windowPositions: number;
    let outputs: number;
    const inShape = sourceShape(model.spec, shapes, graph.inputs[i][0]);
    if (layer.type === 'QuantConv2D') {
      inputChannels = inShape[2];
      windowPositions = layer.kernelSize[0] * layer.kernelSize[1];
      outputs = layer.filters;
    } else {
      // a dense row lines up with the packed input as it was before any Flatten (position by position)
      let j = graph.inputs[i][0];
      while (j !== INPUT_SOURCE && model.spec.layers[j].type === 'Flatten') j = graph.inputs[j][0];
      const before = sourceShape(model.spec, shapes, j);
      const pc = positionsAndChannels(before);
      inputChannels = pc.channels;
      windowPositions = pc.positions;
      outputs = layer.units;
    }
    const opts = { binaryInput, inputChannels, windowPositions, outputs };
    const words = packKernel(kernel, opts);
    layers.push({
      name: layer.name,
      type: layer.type,
      ...opts,
      rowWords: kernelRowWords(opts),
      words: Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('base64'),
    });
  });
  return { format: 'bnn-studio-binary-weights', formatVersion: 1, encoding: 'base64 of little-endian uint32 words; layout: src/core/deploy/packing.ts', layers };
}

export function modelJson(model: TrainedModel, meta: Omit<CheckpointMeta, 'spec' | 'formatVersion'>, generatedBy: string): { json: Record<string, unknown>; bin: Uint8Array } {
  const entries = weightEntries(model);
  const json = {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    // the same Keras topology as "Export as Keras" (one definition, src/core/interop/keras.ts)
    modelTopology: { ...specToKerasJson(model.spec), keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: entries.map((e) => ({ name: e.name, shape: e.shape, dtype: 'float32' })) }],
    userDefinedMetadata: { bnnStudio: { formatVersion: CHECKPOINT_FORMAT_VERSION, spec: model.spec, ...meta } satisfies CheckpointMeta },
  };
  return { json, bin: concatArrays(entries.map((e) => e.data)) };
}

/** Writes checkpoints/<name>/ of an experiment atomically (the store stages it and swaps it in). */
export function writeCheckpoint(
  experimentDir: string,
  name: string,
  model: TrainedModel,
  meta: Omit<CheckpointMeta, 'spec' | 'formatVersion'>,
  state: TrainingState | undefined,
  generatedBy: string,
): string {
  const { json, bin } = modelJson(model, meta, generatedBy);
  const files: Record<string, string | Uint8Array> = {
    [WEIGHTS_BIN]: bin,
    [MODEL_JSON]: JSON.stringify(json),
    [BINARY_WEIGHTS_JSON]: JSON.stringify(packedBinaryWeights(model), null, 1),
  };
  if (state) {
    const { arrays, ...rest } = state;
    files[STATE_BIN] = concatArrays(arrays.map((a) => a.data));
    const stateJson = { formatVersion: CHECKPOINT_FORMAT_VERSION, ...rest, arrays: arrays.map((a) => ({ name: a.name, shape: a.shape })) };
    const problem = validateTrainingState(stateJson);
    if (problem) throw new Error(`BNN Studio would write an invalid ${STATE_JSON}: ${problem}`);
    files[STATE_JSON] = JSON.stringify(stateJson, null, 1);
  }
  return storeWriteCheckpoint(experimentDir, name, files);
}

function readF32(file: string, specs: Array<{ name: string; shape: number[] }>): Map<string, Float32Array> {
  for (const [i, w] of specs.entries()) {
    const ok = typeof w === 'object' && w !== null && typeof w.name === 'string' && Array.isArray(w.shape) && w.shape.every((d) => Number.isInteger(d) && d >= 0);
    if (!ok) throw new Error(`${file}: entry ${i} of its manifest is not {name, shape: [whole numbers]}`);
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    // Node names the file for ENOENT but not for EISDIR and others: the message must say which file.
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${file}: cannot read the weights (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message})`);
  }
  const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  if (buf.byteLength !== total * 4) throw new Error(`${file}: ${buf.byteLength} bytes, expected ${total * 4} for the manifest`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out = new Map<string, Float32Array>();
  let o = 0;
  for (const s of specs) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    out.set(s.name, all.slice(o, o + n));
    o += n;
  }
  return out;
}

function checkpointDir(dir: string): string {
  const d = readableDir(dir);
  if (!d) throw new Error(`no checkpoint at ${dir}`);
  return d;
}

/**
 * Reads one checkpoint directory into a TrainedModel. Which checkpoint of an experiment to read is not decided here
 * but by experiments/checkpoints.ts (train/experimentModel.ts loads an experiment's).
 */
export function loadCheckpoint(dir: string): TrainedModel & { meta: CheckpointMeta } {
  const d = checkpointDir(dir);
  const file = path.join(d, MODEL_JSON);
  let json: {
    weightsManifest?: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
    userDefinedMetadata?: { bnnStudio?: CheckpointMeta };
  };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a readable model.json (${(err as Error).message})`);
  }
  const meta = json?.userDefinedMetadata?.bnnStudio;
  if (!meta?.spec) throw new Error(`${file}: no BNN Studio metadata (userDefinedMetadata.bnnStudio.spec); not a BNN Studio checkpoint`);
  // The spec is untrusted input that reaches generated C: it must pass the same checks as a *.bnn.json (issue 18).
  const loaded = loadEmbeddedSpec(meta.spec, `${file}#spec`);
  if (!loaded.spec) throw new Error(`${file}: invalid model spec: ${loaded.reason}`);
  meta.spec = loaded.spec;
  const group = json.weightsManifest?.[0];
  if (!group || !Array.isArray(group.paths) || group.paths.length !== 1 || !Array.isArray(group.weights)) throw new Error(`${file}: expected one weights file in weightsManifest`);
  if (group.weights.some((w) => w.dtype !== 'float32')) throw new Error(`${file}: only float32 weights are supported`);
  // The weights file sits next to model.json: a path elsewhere ('../../x') would read outside the checkpoint.
  if (typeof group.paths[0] !== 'string' || path.basename(group.paths[0]) !== group.paths[0] || group.paths[0].startsWith('.')) {
    throw new Error(`${file}: weights path ${JSON.stringify(group.paths[0])} is not a file name in the checkpoint folder`);
  }
  const values = readF32(path.join(d, group.paths[0]), group.weights);
  const weights: Record<string, LayerWeights> = {};
  for (const w of group.weights) {
    const slash = w.name.lastIndexOf('/');
    const layer = w.name.slice(0, slash);
    const kind = w.name.slice(slash + 1);
    const key = KIND_KEYS.find(([k]) => k === kind)?.[1];
    if (!key) throw new Error(`${file}: unknown weight '${w.name}'`);
    (weights[layer] ??= {})[key] = values.get(w.name)!;
  }
  const { live } = modelGraph(meta.spec);
  for (const [i, layer] of meta.spec.layers.entries()) {
    // layers the output does not depend on are not trained and have no weights
    if (!live[i] || !hasBinaryKernel(layer)) continue;
    const k = weights[layer.name]?.kernel;
    if (!k) throw new Error(`${file}: layer '${layer.name}' has no kernel`);
    for (let i = 0; i < k.length; i++) if (k[i] !== 1 && k[i] !== -1) throw new Error(`${file}: binary kernel of '${layer.name}' holds ${k[i]} (expected ±1)`);
  }
  return { spec: meta.spec, weights, meta };
}

type TrainingStateJson = Omit<TrainingState, 'arrays'> & { formatVersion: number; arrays: Array<{ name: string; shape: number[] }> };

/** The one rule for training-state.json, checked when it is written and when a resume reads it. */
export function validateTrainingState(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const s = v as Record<string, unknown>;
  if (s.formatVersion !== CHECKPOINT_FORMAT_VERSION) return `formatVersion ${shown(s.formatVersion)} is not supported (this BNN Studio reads version ${CHECKPOINT_FORMAT_VERSION})`;
  for (const k of ['epoch', 'batchInEpoch', 'step', 'optimizerIterations', 'epochSeen'] as const) {
    if (!(Number.isInteger(s[k]) && (s[k] as number) >= 0)) return `${k} ${shown(s[k])} is not a whole number ≥ 0`;
  }
  for (const k of ['elapsedMs', 'epochLossSum', 'epochCorrect'] as const) {
    if (!(typeof s[k] === 'number' && Number.isFinite(s[k]))) return `${k} ${shown(s[k])} is not a number`;
  }
  if (s.bestValAccuracy !== undefined && typeof s.bestValAccuracy !== 'number') return `bestValAccuracy ${shown(s.bestValAccuracy)} is not a number`;
  if (!Array.isArray(s.arrays)) return 'arrays is not a list';
  for (const [i, a] of s.arrays.entries()) {
    const ok = typeof a === 'object' && a !== null && typeof a.name === 'string' && Array.isArray(a.shape) && a.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0);
    if (!ok) return `arrays[${i}] is not {name, shape: [whole numbers]}`;
  }
  return undefined;
}

/** The optimizer state of a checkpoint, or undefined when it has none; a damaged one throws naming its file. */
export function loadTrainingState(dir: string): TrainingState | undefined {
  const d = readableDir(dir);
  if (!d || !fs.existsSync(path.join(d, STATE_JSON))) return undefined;
  const file = path.join(d, STATE_JSON);
  let json: TrainingStateJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainingStateJson;
  } catch (err) {
    throw new Error(`${file}: not readable JSON (${(err as Error).message})`);
  }
  const problem = validateTrainingState(json);
  if (problem) throw new Error(`${file}: ${problem}`);
  const { formatVersion: _v, ...rest } = json;
  const values = readF32(path.join(d, STATE_BIN), json.arrays);
  return { ...rest, arrays: json.arrays.map((a) => ({ ...a, data: values.get(a.name)! })) };
}
