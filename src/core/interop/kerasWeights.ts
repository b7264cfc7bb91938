/**
 * Trained Keras weights (from an .h5, a .keras archive or a TF.js model's shards) put onto the model the Keras config
 * converted to: each layer's arrays found by name where the file names them (Keras 2 `conv1/kernel:0`, TF.js
 * `conv1/kernel`) or by Keras' own order where it does not (Keras 3 `vars/0, 1, …`), their shapes checked against the
 * shapes the converted model infers, real-valued latent kernels binarized with sign (sign(0) = +1, said), and Larq's
 * MagnitudeAwareSign scale folded into the following BatchNormalization.
 */
import type { LayerSpec, ModelSpec } from '../model/spec';
import type { LayerWeights, TrainedModel } from '../model/trained';
import { layerLabel } from '../model/layerLabel';
import { inferGraphShapes } from '../deploy/shapes';
import { INPUT_SOURCE } from '../model/graph';
import type { LayerOrigin } from './kerasImport';
import { foldChannelScale } from './scaleFold';

/** One stored array, as the file names it (Keras 3 names them by position: '0', '1', …). */
export interface StoredArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A file's weights: per Keras layer name, its arrays in the order the file lists them. */
export type StoredWeights = Map<string, StoredArray[]>;

export interface AttachedWeights {
  trained?: TrainedModel;
  /** What the user is told: binarized latent kernels, folded scales. */
  notes: string[];
  errors: string[];
}

type Kind = 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';
const KEY: Record<Kind, keyof LayerWeights> = { kernel: 'kernel', bias: 'bias', gamma: 'gamma', beta: 'beta', moving_mean: 'movingMean', moving_variance: 'movingVariance' };

/** The kinds a layer of the converted model holds, in Keras' order (layer.weights). */
function expectedKinds(layer: LayerSpec): Kind[] {
  if (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') return layer.useBias ? ['kernel', 'bias'] : ['kernel'];
  if (layer.type === 'BatchNormalization') return [...(layer.scale ? ['gamma' as const] : []), ...(layer.center ? ['beta' as const] : []), 'moving_mean', 'moving_variance'];
  return [];
}

/** The weight kind a stored name says ('conv1/kernel:0' → kernel), or undefined for a positional name. */
export function kindOfName(name: string): Kind | undefined {
  const last = name.replace(/:\d+$/, '').split('/').pop() ?? '';
  return (Object.keys(KEY) as Kind[]).find((k) => k === last);
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Attaches `stored` to `spec` (converted from the same Keras config; `origins` index-aligned with spec.layers). */
export function attachKerasWeights(spec: ModelSpec, origins: readonly LayerOrigin[], stored: StoredWeights, magnitudeAware: ReadonlySet<number>, file: string): AttachedWeights {
  const notes: string[] = [];
  const errors: string[] = [];
  const { graph, shapes } = inferGraphShapes(spec);
  const weights: Record<string, LayerWeights> = {};
  const used = new Set<string>();
  spec.layers.forEach((layer, i) => {
    const origin = origins[i];
    const label = layerLabel(i, layer.type, layer.name);
    // an Activation split off a Dense's `activation` shares its Keras layer and has no weights of its own
    const kerasName = origin?.kerasName ?? layer.name;
    const kinds = expectedKinds(layer);
    const arrays = stored.get(kerasName) ?? [];
    if (!kinds.length) {
      if (arrays.length && !(layer.type === 'Activation' && used.has(kerasName))) errors.push(`${label}: ${file} holds ${plural(arrays.length, 'weight')} for Keras layer '${kerasName}' (${arrays.map((a) => a.name).join(', ')}), which has none in BNN Studio`);
      return;
    }
    used.add(kerasName);
    if (!stored.has(kerasName)) { errors.push(`${label}: ${file} has no weights for Keras layer '${kerasName}' (it holds weights for ${[...stored.keys()].filter((k) => stored.get(k)!.length).map((k) => `'${k}'`).join(', ') || 'no layer'})`); return; }
    const byName = arrays.every((a) => kindOfName(a.name) !== undefined);
    const found = new Map<Kind, StoredArray>();
    if (byName) {
      for (const a of arrays) found.set(kindOfName(a.name)!, a);
    } else if (arrays.length === kinds.length) {
      kinds.forEach((k, j) => found.set(k, arrays[j]));
    }
    const missing = kinds.filter((k) => !found.has(k));
    const extra = byName ? arrays.filter((a) => !kinds.includes(kindOfName(a.name)!)) : arrays.length > kinds.length ? arrays.slice(kinds.length) : [];
    if (missing.length || extra.length || (!byName && arrays.length !== kinds.length)) {
      errors.push(`${label}: ${file} holds ${plural(arrays.length, 'weight')} for it (${arrays.map((a) => `${a.name} ${shapeText(a.shape)}`).join(', ') || 'none'}) where the config asks for ${kinds.join(', ')}`);
      return;
    }
    const src = graph.inputs[i][0];
    const inShape = src === INPUT_SOURCE || src === undefined ? spec.input.shape : shapes[src];
    const channels = inShape[inShape.length - 1];
    const lw: LayerWeights = {};
    for (const k of kinds) {
      const a = found.get(k)!;
      let want: number[];
      if (k === 'kernel') want = layer.type === 'QuantConv2D' ? [layer.kernelSize[0], layer.kernelSize[1], channels, layer.filters] : [inShape.reduce((x, y) => x * y, 1), (layer as { units: number }).units];
      else want = [layer.type === 'BatchNormalization' ? channels : shapes[i][shapes[i].length - 1]];
      if (a.shape.length !== want.length || a.shape.some((d, j) => d !== want[j])) {
        errors.push(`${label}: its ${k} '${a.name}' in ${file} has shape ${shapeText(a.shape)}; the config makes it ${shapeText(want)}`);
        continue;
      }
      const bad = a.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) { errors.push(`${label}: its ${k} '${a.name}' holds ${a.data[bad]} at index ${bad}`); continue; }
      if (k === 'moving_variance' && a.data.some((v) => v < 0)) { errors.push(`${label}: its moving_variance '${a.name}' has a negative value`); continue; }
      lw[KEY[k]] = a.data.slice();
    }
    weights[layer.name] = lw;
  });
  if (errors.length) return { notes, errors };
  const trained: TrainedModel = { spec, weights };
  spec.layers.forEach((layer, i) => {
    if ((layer.type !== 'QuantConv2D' && layer.type !== 'QuantDense') || layer.kernelQuantizer === null) return;
    const lw = weights[layer.name];
    const k = lw.kernel!;
    const label = layerLabel(i, layer.type, layer.name);
    if (magnitudeAware.has(i)) {
      const outs = layer.type === 'QuantConv2D' ? layer.filters : layer.units;
      const alpha = new Array<number>(outs).fill(0);
      for (let j = 0; j < k.length; j++) alpha[j % outs] += Math.abs(k[j]);
      for (let o = 0; o < outs; o++) alpha[o] /= k.length / outs;
      const problem = foldChannelScale(trained, i, alpha, alpha.map(() => 0));
      // on success the Keras import's own note says where the scale went (magnitudeAware.ts)
      if (problem) errors.push(`${label}: its MagnitudeAwareSign scale (mean |w| per output channel) ${problem}`);
    }
    const latent = binarize(k);
    if (latent) notes.push(`${label}: its kernel holds real-valued latent weights (${latent} of ${k.length} values are not ±1); binarized with sign, sign(0) = +1, as Larq's ste_sign at inference`);
  });
  return errors.length ? { notes, errors } : { trained, notes, errors };
}

/** sign in place (sign(0) = +1); the count of values that were not already ±1. */
export function binarize(k: Float32Array): number {
  let latent = 0;
  for (let j = 0; j < k.length; j++) {
    if (k[j] !== 1 && k[j] !== -1) latent++;
    k[j] = k[j] >= 0 ? 1 : -1;
  }
  return latent;
}
