/**
 * A TrainedModel as one JSON file (`*.trained.json`): the model spec in the `*.bnn.json` format plus each layer's
 * weights as plain number arrays. It lets `bnn compile` and tests compile a model without a training run, and is what
 * other tools can write to feed the compiler.
 *
 *   { "format": "bnn-trained-model", "version": 1,
 *     "model": { ...a *.bnn.json document... },
 *     "weights": { "<layer name>": { "kernel": [...], "bias": [...], "gamma": [...], "beta": [...],
 *                                    "movingMean": [...], "movingVariance": [...], "alpha": [...] } } }
 */
import { loadEmbeddedSpec } from '../model/load';
import type { LayerWeights, TrainedModel } from '../model/trained';

export const TRAINED_FORMAT = 'bnn-trained-model';
const WEIGHT_KEYS = ['kernel', 'bias', 'gamma', 'beta', 'movingMean', 'movingVariance', 'alpha'] as const;

export class TrainedModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainedModelFormatError';
  }
}

export function serializeTrainedModel(t: TrainedModel): string {
  const weights: Record<string, Record<string, number[]>> = {};
  for (const [name, w] of Object.entries(t.weights)) {
    const out: Record<string, number[]> = {};
    for (const k of WEIGHT_KEYS) if (w[k]) out[k] = Array.from(w[k]!);
    weights[name] = out;
  }
  return JSON.stringify({ format: TRAINED_FORMAT, version: 1, model: t.spec, weights }) + '\n';
}

/** Parses and validates a trained-model JSON text; errors name the file and the offending key. */
export function parseTrainedModel(text: string, file: string): TrainedModel {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (err) { throw new TrainedModelFormatError(`${file}: invalid JSON (${(err as Error).message})`); }
  const d = doc as { format?: unknown; version?: unknown; model?: unknown; weights?: unknown };
  if (!d || typeof d !== 'object' || d.format !== TRAINED_FORMAT) throw new TrainedModelFormatError(`${file}: not a trained model (expected "format": "${TRAINED_FORMAT}")`);
  if (d.version !== 1) throw new TrainedModelFormatError(`${file}: unsupported version ${JSON.stringify(d.version)} (this BNN Studio reads version 1)`);
  if (!d.model || typeof d.model !== 'object') throw new TrainedModelFormatError(`${file}: missing "model" (a *.bnn.json document)`);
  const loaded = loadEmbeddedSpec(d.model, `${file}#model`);
  if (!loaded.spec) throw new TrainedModelFormatError(`${file}: invalid "model": ${loaded.reason}`);
  if (!d.weights || typeof d.weights !== 'object' || Array.isArray(d.weights)) throw new TrainedModelFormatError(`${file}: missing "weights" object`);
  const weights: Record<string, LayerWeights> = {};
  for (const [name, raw] of Object.entries(d.weights as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') throw new TrainedModelFormatError(`${file}: weights.${name} must be an object`);
    const w: LayerWeights = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      if (!(WEIGHT_KEYS as readonly string[]).includes(key)) throw new TrainedModelFormatError(`${file}: weights.${name}.${key}: unknown array (expected one of ${WEIGHT_KEYS.join(', ')})`);
      if (!Array.isArray(value)) throw new TrainedModelFormatError(`${file}: weights.${name}.${key} must be an array of numbers`);
      const bad = value.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw new TrainedModelFormatError(`${file}: weights.${name}.${key}[${bad}] is ${JSON.stringify(value[bad])}, not a number`);
      w[key as (typeof WEIGHT_KEYS)[number]] = Float32Array.from(value as number[]);
    }
    weights[name] = w;
  }
  return { spec: loaded.spec, weights };
}
