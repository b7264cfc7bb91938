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
