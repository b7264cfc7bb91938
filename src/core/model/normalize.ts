/**
 * Turns a schema-valid model document into a ModelSpec with every default filled in, as Keras/Larq would:
 * quantizers default to null (full precision), useBias to true, padding to 'valid', strides to 1 (pools: poolSize),
 * BatchNormalization to scale/center true, momentum 0.99, epsilon 1e-3. Layer names follow Keras
 * (`quant_conv2d`, `quant_conv2d_1`, …) unless given.
 */
import type { LayerSpec, ModelSpec, Padding, PoolWindow, Quantizer } from './spec';

type Raw = Record<string, unknown>;

const KERAS_NAMES: Record<LayerSpec['type'], string> = {
  QuantConv2D: 'quant_conv2d',
  QuantDense: 'quant_dense',
  BatchNormalization: 'batch_normalization',
  MaxPool2D: 'max_pooling2d',
  Flatten: 'flatten',
  Activation: 'activation',
  Add: 'add',
  Concatenate: 'concatenate',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  AveragePooling2D: 'average_pooling2d',
  PReLU: 'p_re_lu',
};

export function toPair(v: unknown, fallback: [number, number]): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  return fallback;
}

const q = (v: unknown): Quantizer => (v === undefined ? null : (v as Quantizer));

/**
 * Each layer's name: its own, else the Keras-style one (quant_conv2d, quant_conv2d_1, …). Also for a model that does
 * not validate yet, so its errors name layers as the valid model will; undefined for an entry with no known type.
 */
export function layerNames(layers: readonly unknown[]): (string | undefined)[] {
  const counts = new Map<string, number>();
  return layers.map((l) => {
    const r = (typeof l === 'object' && l !== null ? l : {}) as Raw;
    if (typeof r.name === 'string') return r.name;
    const base = typeof r.type === 'string' && Object.prototype.hasOwnProperty.call(KERAS_NAMES, r.type) ? KERAS_NAMES[r.type as LayerSpec['type']] : undefined;
    if (!base) return undefined;
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}

export function normalizeModel(doc: Raw): ModelSpec {
  const names = layerNames(doc.layers as Raw[]);
  const layers = (doc.layers as Raw[]).map((l, i): LayerSpec => {
    const layer = normalizeLayer(l, names[i]!);
    if (Array.isArray(l.inputs)) layer.inputs = (l.inputs as string[]).slice();
    return layer;
  });
  const spec: ModelSpec = { name: doc.name as string, input: { shape: (doc.input as Raw).shape as number[] }, classes: doc.classes as number, layers };
  if (typeof doc.description === 'string') spec.description = doc.description;
  if (Array.isArray(doc.outputs)) spec.outputs = (doc.outputs as string[]).slice();
  return spec;
}

function normalizeLayer(l: Raw, name: string): LayerSpec {
  const type = l.type as LayerSpec['type'];
  switch (type) {
    case 'QuantConv2D':
      return {
        type, name, filters: l.filters as number, kernelSize: toPair(l.kernelSize, [1, 1]), strides: toPair(l.strides, [1, 1]),
        padding: (l.padding as Padding) ?? 'valid', inputQuantizer: q(l.inputQuantizer), kernelQuantizer: q(l.kernelQuantizer),
        useBias: (l.useBias as boolean) ?? true,
      };
    case 'QuantDense':
      return { type, name, units: l.units as number, inputQuantizer: q(l.inputQuantizer), kernelQuantizer: q(l.kernelQuantizer), useBias: (l.useBias as boolean) ?? true };
    case 'BatchNormalization':
      return { type, name, scale: (l.scale as boolean) ?? true, center: (l.center as boolean) ?? true, momentum: (l.momentum as number) ?? 0.99, epsilon: (l.epsilon as number) ?? 1e-3 };
    case 'MaxPool2D':
      return { type, name, ...poolWindow(l) };
    case 'Activation':
      return { type, name, activation: (l.activation as 'softmax' | 'linear' | 'relu') ?? 'softmax' };
    case 'Flatten':
    case 'Add':
    case 'Concatenate':
    case 'GlobalAveragePooling2D':
      return { type, name };
    case 'AveragePooling2D':
      return { type, name, ...poolWindow(l) };
    case 'PReLU':
      return { type, name, alphaInitializer: (l.alphaInitializer as number) ?? 0 };
  }
}

/** Keras' pooling defaults: a 2×2 window, strides equal to the window, 'valid'. */
function poolWindow(l: Raw): PoolWindow {
  const poolSize = toPair(l.poolSize, [2, 2]);
  return { poolSize, strides: toPair(l.strides, poolSize), padding: (l.padding as Padding) ?? 'valid' };
}
