/**
 * The `*.bnn.json` model format: declarative, with Larq's layer and quantizer names so Larq users feel at home.
 * These types describe a model *after* schema validation and defaulting (see normalize.ts); the JSON Schema in
 * media/bnn-model.schema.json is the user-facing definition of the same format.
 */

/** Quantizers as in Larq; `null` means the tensor stays full precision. */
export type QuantizerName = 'ste_sign' | 'approx_sign' | 'swish_sign';
export type Quantizer = QuantizerName | null;
export const QUANTIZER_NAMES: readonly QuantizerName[] = ['ste_sign', 'approx_sign', 'swish_sign'];

export type Padding = 'valid' | 'same';

/**
 * What every layer may carry: the names of the layers it reads (`"input"` is the model input). Without `inputs` a layer
 * reads the layer listed before it (the first one the model input), so a chain needs none and every model written
 * before graphs keeps its meaning. graph.ts resolves these names once for every stage.
 */
export interface LayerInputs {
  inputs?: string[];
}

/** The name `inputs` uses for the model input. */
export const MODEL_INPUT = 'input';

export interface QuantConv2DLayer extends LayerInputs {
  type: 'QuantConv2D';
  name: string;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: Padding;
  inputQuantizer: Quantizer;
  kernelQuantizer: Quantizer;
  useBias: boolean;
}

export interface QuantDenseLayer extends LayerInputs {
  type: 'QuantDense';
  name: string;
  units: number;
  inputQuantizer: Quantizer;
  kernelQuantizer: Quantizer;
  useBias: boolean;
}

export interface BatchNormalizationLayer extends LayerInputs {
  type: 'BatchNormalization';
  name: string;
  /** Learn gamma (Keras `scale`). BinaryNet uses scale=false. */
  scale: boolean;
  /** Learn beta (Keras `center`). */
  center: boolean;
  momentum: number;
  epsilon: number;
}

/** A pooling window and how it steps, the same for max and average pooling (Keras' pool_size, strides, padding). */
export interface PoolWindow {
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

export interface MaxPool2DLayer extends LayerInputs, PoolWindow {
  type: 'MaxPool2D';
  name: string;
}

export interface FlattenLayer extends LayerInputs {
  type: 'Flatten';
  name: string;
}

export interface ActivationLayer extends LayerInputs {
  type: 'Activation';
  name: string;
  /** softmax only as the last layer (argmax ignores it); relu anywhere on real values. */
  activation: 'softmax' | 'linear' | 'relu';
}

/** Element-wise sum of two or more inputs of one shape (Keras `Add`): the residual shortcut. */
export interface AddLayer extends LayerInputs {
  type: 'Add';
  name: string;
}

/** Joins two or more inputs along the channel axis (Keras `Concatenate`, axis −1); the other axes must agree. */
export interface ConcatenateLayer extends LayerInputs {
  type: 'Concatenate';
  name: string;
}

/** Mean over each channel's positions: [H, W, C] → [C] (Keras `GlobalAveragePooling2D`). */
export interface GlobalAveragePooling2DLayer extends LayerInputs {
  type: 'GlobalAveragePooling2D';
  name: string;
}

/** Mean over each window; 'same' windows average only the cells inside the input, as TensorFlow does. */
export interface AveragePooling2DLayer extends LayerInputs, PoolWindow {
  type: 'AveragePooling2D';
  name: string;
}

/** y = x for x ≥ 0, alpha·x below, with one learned alpha per channel (Keras `PReLU` shared over H and W). */
export interface PReLULayer extends LayerInputs {
  type: 'PReLU';
  name: string;
  /** The alphas' initial value (Keras' alpha_initializer "zeros" is 0; Bi-Real/ReActNet in PyTorch start at 0.25). */
  alphaInitializer: number;
}

export type LayerSpec =
  | QuantConv2DLayer
  | QuantDenseLayer
  | BatchNormalizationLayer
  | MaxPool2DLayer
  | FlattenLayer
  | ActivationLayer
  | AddLayer
  | ConcatenateLayer
  | GlobalAveragePooling2DLayer
  | AveragePooling2DLayer
  | PReLULayer;

export type LayerType = LayerSpec['type'];
export const LAYER_TYPES: readonly LayerType[] = [
  'QuantConv2D', 'QuantDense', 'BatchNormalization', 'MaxPool2D', 'Flatten', 'Activation',
  'Add', 'Concatenate', 'GlobalAveragePooling2D', 'AveragePooling2D', 'PReLU',
];

/** Layers that read several inputs; every other layer reads exactly one. */
export function isMergeLayer(layer: LayerSpec): layer is AddLayer | ConcatenateLayer {
  return layer.type === 'Add' || layer.type === 'Concatenate';
}

export interface ModelSpec {
  name: string;
  description?: string;
  /** [H, W, C] for images, [N] for vectors. Inputs are 8-bit values (0..255) on the device; see INPUT_ENCODING. */
  input: { shape: number[] };
  classes: number;
  layers: LayerSpec[];
  /** The layer whose output is the model's (one only); the last layer when absent. */
  outputs?: string[];
}

/**
 * How raw 8-bit inputs become the network's real-valued input, everywhere (trainer, host reference, C firmware):
 * x = u8 / 127.5 − 1, in [−1, 1] (as in Larq's MNIST guide). The first layer's binary MACs then run exactly on the
 * integers (2·u8 − 255), since x = (2·u8 − 255) / 255, and the 1/255 is folded into the following threshold.
 */
export const INPUT_ENCODING = { scale: 1 / 127.5, offset: -1, description: 'x = u8 / 127.5 - 1' } as const;

/**
 * Padding and sign semantics — the same in training, in the host reference and in the compiled C:
 * - sign(0) = +1 (Larq's `ste_sign`).
 * - 'same' padding pads a *binarized* input with +1 (Larq `pad_values=1.0`), so every window is a pure
 *   XNOR-popcount over the full kernel; a real-valued input (the first layer) is padded with 0 (x = 0, i.e. u8 = 127.5,
 *   which the integer path represents exactly as 2·u8 − 255 = 0).
 * - 'same' follows TensorFlow: total padding = max((ceil(in/s) − 1)·s + k − in, 0), the extra pixel at the bottom/right.
 */
export const BINARY_PAD_VALUE = 1;
export const REAL_PAD_VALUE = 0;

/** A layer is binary when its kernel is quantized (the MACs are XNOR-popcount if its input is quantized too). */
export function hasBinaryKernel(layer: LayerSpec): boolean {
  return (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') && layer.kernelQuantizer !== null;
}

export function hasBinaryInput(layer: LayerSpec): boolean {
  return (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') && layer.inputQuantizer !== null;
}
