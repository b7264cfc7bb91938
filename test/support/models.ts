/** Small normalized ModelSpecs for tests (the shapes of the templates, scaled down). */
import type { ModelSpec } from '../../src/core/model/spec';

export function tinyMlp(input = [8, 8, 1], hidden = 32, classes = 4): ModelSpec {
  return {
    name: 'tiny-mlp',
    input: { shape: input },
    classes,
    layers: [
      { type: 'Flatten', name: 'flatten' },
      { type: 'QuantDense', name: 'dense1', units: hidden, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization', name: 'bn1', scale: false, center: true, momentum: 0.9, epsilon: 1e-3 },
      { type: 'QuantDense', name: 'dense2', units: classes, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization', name: 'bn2', scale: false, center: true, momentum: 0.9, epsilon: 1e-3 },
      { type: 'Activation', name: 'softmax', activation: 'softmax' },
    ],
  };
}

export function tinyCnn(input = [8, 8, 1], classes = 4): ModelSpec {
  return {
    name: 'tiny-cnn',
    input: { shape: input },
    classes,
    layers: [
      { type: 'QuantConv2D', name: 'conv1', filters: 8, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization', name: 'bn1', scale: false, center: true, momentum: 0.9, epsilon: 1e-3 },
      { type: 'QuantConv2D', name: 'conv2', filters: 8, kernelSize: [3, 3], strides: [2, 2], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'MaxPool2D', name: 'pool2', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
      { type: 'BatchNormalization', name: 'bn2', scale: false, center: true, momentum: 0.9, epsilon: 1e-3 },
      { type: 'Flatten', name: 'flatten' },
      { type: 'QuantDense', name: 'dense', units: classes, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization', name: 'bn3', scale: false, center: true, momentum: 0.9, epsilon: 1e-3 },
      { type: 'Activation', name: 'softmax', activation: 'softmax' },
    ],
  };
}

/** Larq's introductory CNN as its guide writes it ('valid' 3×3 convs 32-64-64, dense 64, 10): the shape the
 *  binary-cnn template had before it was widened; the tests of 'valid' pooling arithmetic keep it. */
export function larqIntroCnn(): ModelSpec {
  const bn = (name: string) => ({ type: 'BatchNormalization' as const, name, scale: false, center: true, momentum: 0.99, epsilon: 1e-3 });
  const conv = (name: string, filters: number, inputQuantizer: 'ste_sign' | null) => ({
    type: 'QuantConv2D' as const, name, filters, kernelSize: [3, 3] as [number, number], strides: [1, 1] as [number, number], padding: 'valid' as const,
    inputQuantizer, kernelQuantizer: 'ste_sign' as const, useBias: false,
  });
  const pool = (name: string) => ({ type: 'MaxPool2D' as const, name, poolSize: [2, 2] as [number, number], strides: [2, 2] as [number, number], padding: 'valid' as const });
  const dense = (name: string, units: number) => ({ type: 'QuantDense' as const, name, units, inputQuantizer: 'ste_sign' as const, kernelQuantizer: 'ste_sign' as const, useBias: false });
  return {
    name: 'larq_intro_cnn',
    input: { shape: [28, 28, 1] },
    classes: 10,
    layers: [
      conv('quant_conv2d', 32, null), pool('max_pooling2d'), bn('batch_normalization'),
      conv('quant_conv2d_1', 64, 'ste_sign'), pool('max_pooling2d_1'), bn('batch_normalization_1'),
      conv('quant_conv2d_2', 64, 'ste_sign'), bn('batch_normalization_2'),
      { type: 'Flatten', name: 'flatten' },
      dense('quant_dense', 64), bn('batch_normalization_3'),
      dense('quant_dense_1', 10), bn('batch_normalization_4'),
      { type: 'Activation', name: 'activation', activation: 'softmax' },
    ],
  };
}

/**
 * A small residual graph with every graph layer the trainer runs: a real stem conv + BN + PReLU; an identity block
 * (binary 3×3 conv + BN, Add, relu); a downsampling block whose shortcut is AveragePooling2D ('same' on an odd size,
 * so windows at the border are partly outside) + 1×1 real conv + BN; a Concatenate of that sum with the pooled
 * shortcut; PReLU, GlobalAveragePooling2D and a dense head. 'unused' reads the GAP but the output does not depend on
 * it (a dead layer). `binarizeInputs: false` keeps every input real (binary kernels on real inputs), which makes the
 * network piecewise smooth, so numerical gradients exist for every weight.
 */
export function tinyResidual(opts: { input?: number[]; classes?: number; binarizeInputs?: boolean } = {}): ModelSpec {
  const input = opts.input ?? [5, 5, 1];
  const classes = opts.classes ?? 3;
  const q = opts.binarizeInputs === false ? null : 'ste_sign' as const;
  const bn = (name: string, inputs?: string[]) => ({ type: 'BatchNormalization' as const, name, scale: true, center: true, momentum: 0.9, epsilon: 1e-3, ...(inputs ? { inputs } : {}) });
  const conv = (name: string, filters: number, k: number, s: number, inputQuantizer: 'ste_sign' | null, kernelQuantizer: 'ste_sign' | null, inputs?: string[]) => ({
    type: 'QuantConv2D' as const, name, filters, kernelSize: [k, k] as [number, number], strides: [s, s] as [number, number], padding: 'same' as const,
    inputQuantizer, kernelQuantizer, useBias: kernelQuantizer === null && k > 1, ...(inputs ? { inputs } : {}),
  });
  return {
    name: 'tiny-residual',
    input: { shape: input },
    classes,
    layers: [
      conv('stem', 4, 3, 1, null, null),
      bn('stem_bn'),
      { type: 'PReLU', name: 'stem_act', alphaInitializer: 0.25 },
      conv('b1_conv', 4, 3, 1, q, 'ste_sign'),
      bn('b1_bn'),
      { type: 'Add', name: 'b1_add', inputs: ['b1_bn', 'stem_act'] },
      { type: 'Activation', name: 'b1_relu', activation: 'relu' },
      conv('b2_conv', 6, 3, 2, q, 'ste_sign'),
      bn('b2_bn'),
      { type: 'AveragePooling2D', name: 'b2_pool', poolSize: [2, 2], strides: [2, 2], padding: 'same', inputs: ['b1_relu'] },
      conv('b2_short', 6, 1, 1, null, null),
      bn('b2_short_bn'),
      { type: 'Add', name: 'b2_add', inputs: ['b2_bn', 'b2_short_bn'] },
      { type: 'Concatenate', name: 'b2_cat', inputs: ['b2_add', 'b2_pool'] },
      { type: 'PReLU', name: 'b2_act', alphaInitializer: 0 },
      { type: 'GlobalAveragePooling2D', name: 'gap' },
      { type: 'QuantDense', name: 'unused', units: 5, inputQuantizer: null, kernelQuantizer: null, useBias: true },
      { type: 'QuantDense', name: 'head', units: classes, inputQuantizer: null, kernelQuantizer: null, useBias: true, inputs: ['gap'] },
      { type: 'Activation', name: 'softmax', activation: 'softmax' },
    ],
  };
}
