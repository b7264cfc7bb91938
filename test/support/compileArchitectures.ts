/** Model shapes the compiler tests run through every path of the plan (small, so each runs in milliseconds). */
import type { LayerSpec, ModelSpec } from '../../src/core/model/spec';

const dense = (name: string, units: number, binaryInput: boolean, useBias = false, binaryKernel = true): LayerSpec =>
  ({ type: 'QuantDense', name, units, inputQuantizer: binaryInput ? 'ste_sign' : null, kernelQuantizer: binaryKernel ? 'ste_sign' : null, useBias });
const conv = (name: string, filters: number, k: number, padding: 'same' | 'valid', stride: number, binaryInput: boolean, useBias = false, binaryKernel = true): LayerSpec =>
  ({ type: 'QuantConv2D', name, filters, kernelSize: [k, k], strides: [stride, stride], padding, inputQuantizer: binaryInput ? 'ste_sign' : null, kernelQuantizer: binaryKernel ? 'ste_sign' : null, useBias });
const bn = (name: string, scale = true, center = true): LayerSpec => ({ type: 'BatchNormalization', name, scale, center, momentum: 0.99, epsilon: 1e-3 });
const pool = (name: string, size: number, stride: number, padding: 'same' | 'valid' = 'valid'): LayerSpec =>
  ({ type: 'MaxPool2D', name, poolSize: [size, size], strides: [stride, stride], padding });
const flatten = (name = 'flatten'): LayerSpec => ({ type: 'Flatten', name });

export const ARCHITECTURES: ModelSpec[] = [
  {
    name: 'mlp', input: { shape: [10, 10, 1] }, classes: 10,
    layers: [flatten(), dense('d1', 70, false), bn('bn1', false, true), dense('d2', 33, true), bn('bn2'), dense('d3', 10, true)],
  },
  {
    name: 'mlp-bn-scores', input: { shape: [64] }, classes: 7,
    layers: [dense('d1', 40, false, true), bn('bn1'), dense('d2', 7, true), bn('bn2'), { type: 'Activation', name: 'softmax', activation: 'softmax' }],
  },
  {
    name: 'cnn-same', input: { shape: [12, 12, 1] }, classes: 10,
    layers: [
      conv('c1', 8, 3, 'same', 1, false), bn('bn1'), pool('p1', 2, 2),
      conv('c2', 16, 3, 'same', 1, true), pool('p2', 2, 2), bn('bn2'),
      conv('c3', 35, 3, 'same', 2, true), bn('bn3'),
      flatten(), dense('d1', 10, true), bn('bn4', true, false),
    ],
  },
  {
    name: 'cnn-valid-stride', input: { shape: [11, 9, 3] }, classes: 5,
    layers: [
      conv('c1', 40, 3, 'valid', 2, false), bn('bn1'),
      conv('c2', 36, 2, 'same', 1, true, true), bn('bn2'), pool('p1', 3, 2, 'same'),
      conv('c3', 12, 2, 'valid', 1, true),
      flatten(), dense('d1', 5, true),
    ],
  },
  {
    name: 'odd-stages', input: { shape: [8, 8, 2] }, classes: 6,
    layers: [
      pool('p0', 2, 2), conv('c1', 5, 3, 'same', 1, true), pool('p1', 2, 1, 'same'),
      conv('c2', 9, 2, 'same', 2, false, true), bn('bn2'), pool('p2', 2, 1), pool('p3', 1, 1),
      conv('c3', 7, 1, 'valid', 1, true), flatten(), bn('bn3'),
      dense('d1', 12, false, true, false), bn('bn4'), dense('d2', 6, false, false, false),
    ],
  },
  {
    // Float accumulators feeding a sign (float32 thresholds) and a standalone BatchNorm folded into thresholds.
    name: 'float-thresholds', input: { shape: [6, 6, 2] }, classes: 4,
    layers: [
      conv('c1', 4, 3, 'same', 1, false), pool('p1', 2, 1), pool('p2', 2, 1), bn('bn1'),
      conv('c2', 6, 2, 'valid', 1, true), flatten(),
      dense('d1', 10, false, true, false), bn('bn2'), dense('d2', 8, true), bn('bn3'),
      dense('d3', 5, false, false, false), bn('bn4'), dense('d4', 4, true),
    ],
  },
  {
    // Full-precision kernels on the 8-bit input and ±1 kernels on float32 activations.
    name: 'float-convs', input: { shape: [7, 7, 3] }, classes: 3,
    layers: [
      conv('c1', 5, 3, 'same', 1, false, true, false), bn('bn1'), pool('p1', 2, 1, 'same'),
      conv('c2', 6, 3, 'same', 2, false), bn('bn2'), conv('c3', 4, 2, 'valid', 1, true),
      flatten(), dense('d1', 3, true), bn('bn3'),
    ],
  },
  {
    name: 'float-first-dense', input: { shape: [30] }, classes: 5,
    layers: [dense('d1', 9, false, true, false), bn('bn1'), dense('d2', 5, true)],
  },
  {
    // A ±1 kernel on float32 activations with nothing after it: its sums are not integers, so the plan stores f32.
    name: 'binary-kernel-on-float', input: { shape: [12] }, classes: 3,
    layers: [dense('d1', 6, false, true, false), bn('bn1'), dense('d2', 3, false)],
  },
  {
    name: 'single-dense', input: { shape: [20] }, classes: 4,
    layers: [dense('d1', 4, false)],
  },
  // The first-layer fast kernels (plan.ts firstLayerScratch / convPlaneScratch) on their edge cases.
  {
    // Lookup tables over two chunks (38 groups of 8: 32 + 6), the last group 4 inputs; negative BatchNorm scales.
    name: 'tables-chunks', input: { shape: [300] }, classes: 5,
    layers: [dense('d1', 12, false), bn('bn1'), dense('d2', 5, true)],
  },
  {
    // A 3-D input flattened into the tables (60 inputs: 7 full groups + 4), bias only: float32 scores.
    name: 'tables-bias-scores', input: { shape: [4, 5, 3] }, classes: 9,
    layers: [flatten(), dense('d1', 9, false, true)],
  },
  {
    // Code planes: 3×3 on one channel, stride 2 'valid' (the last input row and column unused), BatchNorm then a
    // 'same' pool of stride 1.
    name: 'planes-stride-valid', input: { shape: [9, 12, 1] }, classes: 4,
    layers: [
      conv('c1', 6, 3, 'valid', 2, false), bn('bn1'), pool('p1', 2, 1, 'same'),
      conv('c2', 8, 2, 'valid', 1, true), bn('bn2'), flatten(), dense('d1', 4, true),
    ],
  },
  {
    // Code planes with a 2×2 stride-2 max-pool before the BatchNorm: two pooled columns per 32-bit add (9×10 MAC
    // outputs: the pool skips the last row), negative BatchNorm scales.
    name: 'planes-pool-pairs', input: { shape: [11, 12, 1] }, classes: 3,
    layers: [
      conv('c1', 7, 3, 'valid', 1, false), pool('p1', 2, 2), bn('bn1'),
      conv('c2', 4, 2, 'valid', 1, true), bn('bn2'), flatten(), dense('d1', 3, true),
    ],
  },
  {
    // Code planes on two channels (2×2×2 = 4 bits a kernel row), 'same' with stride 2 and padding on one side only,
    // no BatchNorm: pooled raw int32 sums, then binarized by the next layer.
    name: 'planes-channels-same', input: { shape: [7, 8, 2] }, classes: 3,
    layers: [conv('c1', 5, 2, 'same', 2, false), pool('p1', 2, 2, 'same'), flatten(), dense('d1', 3, true)],
  },
  // 'same' XNOR convs read every window from the plan's padded copy of their input (plan.ts paddedInput).
  {
    // Odd maps; 40 and 33 channels (the last word of a position partly padding); 5×5 stride 2 padded 2 on each side;
    // a 2×2 kernel padded after only; pools 'same' and 'valid' before and after BatchNorm.
    name: 'xnor-same-odd', input: { shape: [7, 7, 40] }, classes: 4,
    layers: [
      { type: 'QuantConv2D', name: 'c0', filters: 40, kernelSize: [1, 1], strides: [1, 1], padding: 'valid', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false }, bn('bn0'),
      conv('c1', 33, 3, 'same', 1, true), bn('bn1'),
      conv('c2', 64, 5, 'same', 2, true), pool('p2', 3, 1, 'same'), bn('bn2'),
      conv('c3', 12, 2, 'same', 1, true), bn('bn3'), pool('p3', 2, 2, 'same'),
      flatten(), dense('d1', 4, true),
    ],
  },
  {
    // Even maps with stride 2 (padding after only: 0 before, 1 after), 32 channels (whole words) and a 3×1 kernel.
    name: 'xnor-same-even', input: { shape: [8, 6, 32] }, classes: 3,
    layers: [
      conv('c1', 32, 3, 'same', 2, true), bn('bn1'),
      { type: 'QuantConv2D', name: 'c2', filters: 9, kernelSize: [3, 1], strides: [1, 1], padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      pool('p2', 2, 2), bn('bn2'), flatten(), dense('d1', 3, true),
    ],
  },
  {
    // A float32 first conv over the float band (plan.ts convFloatBandScratch): 'same' 3×3 on one channel with a
    // 'valid' 2×2 pool before BatchNorm that skips the last column, as binary-cnn's first layer.
    name: 'float-band-pool-before', input: { shape: [10, 9, 1] }, classes: 4,
    layers: [conv('c1', 6, 3, 'same', 1, false, false, false), pool('p1', 2, 2), bn('bn1', false), flatten(), dense('d1', 4, true), bn('bn2')],
  },
  {
    // Float band with 2 channels, a 3×2 kernel at strides 2×1 with bias, BatchNorm then a stride-1 pool (after it) whose
    // outputs are floats for a full-precision dense layer; and one whose pooled signs are ORed (threshold epilogue).
    name: 'float-band-pool-after', input: { shape: [9, 7, 2] }, classes: 3,
    layers: [
      { type: 'QuantConv2D', name: 'c1', filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', inputQuantizer: null, kernelQuantizer: null, useBias: true },
      bn('bn1'), pool('p1', 2, 1), flatten(), dense('d1', 6, false, true, false), bn('bn2'), dense('d2', 3, true),
    ],
  },
  {
    name: 'float-band-signs', input: { shape: [8, 8, 3] }, classes: 3,
    layers: [
      conv('c1', 33, 2, 'valid', 2, false, false, false), bn('bn1'), pool('p1', 2, 1),
      conv('c2', 4, 3, 'same', 1, true), bn('bn2'), flatten(), dense('d1', 3, true),
    ],
  },
  {
    // A Bi-Real-style residual network: a float32 stream through Add, a PReLU, a downsampling shortcut of
    // AveragePooling2D + 1×1 real conv on float32 values (bnn_win_float_f32), ReLU, Concatenate, a 'same' average pool
    // whose windows reach past the map (padding not counted), GlobalAveragePooling2D and a ±1 dense on floats.
    name: 'residual', input: { shape: [12, 12, 1] }, classes: 5,
    layers: [
      conv('c0', 8, 3, 'same', 1, false, false, false), bn('bn0'),
      { ...conv('b1', 8, 3, 'same', 1, true), inputs: ['bn0'] }, bn('bn1'),
      { type: 'Add', name: 'add1', inputs: ['bn0', 'bn1'] },
      { type: 'PReLU', name: 'prelu1', alphaInitializer: 0 },
      { ...conv('b2', 16, 3, 'same', 2, true), inputs: ['prelu1'] }, bn('bn2'),
      { type: 'AveragePooling2D', name: 'ap', poolSize: [2, 2], strides: [2, 2], padding: 'valid', inputs: ['prelu1'] },
      conv('sc', 16, 1, 'valid', 1, false, false, false), bn('bnsc'),
      { type: 'Add', name: 'add2', inputs: ['bn2', 'bnsc'] },
      { type: 'Activation', name: 'relu', activation: 'relu' },
      { type: 'Concatenate', name: 'cat', inputs: ['relu', 'ap'] },
      { type: 'AveragePooling2D', name: 'ap2', poolSize: [4, 4], strides: [4, 4], padding: 'same' },
      { type: 'GlobalAveragePooling2D', name: 'gap' },
      dense('d1', 5, false, true),
    ],
  },
  {
    // One float32 tensor read by three binary convs (one shared binarize), a three-input Add (a stage of its own: only
    // a two-input Add folds into a conv) and a Concatenate; a max-pool on floats; binarized GAP features into a ±1
    // dense with raw integer scores.
    name: 'graph-shared-binarize', input: { shape: [8, 8, 3] }, classes: 4,
    layers: [
      conv('c0', 12, 3, 'same', 1, false, false, false), bn('bn0'),
      { ...conv('b1', 12, 3, 'same', 1, true), inputs: ['bn0'] }, bn('bn1'),
      { ...conv('b2', 7, 1, 'valid', 1, true), inputs: ['bn0'] }, bn('bn2'),
      { ...conv('b3', 12, 1, 'valid', 1, true), inputs: ['bn0'] }, bn('bn3'),
      { type: 'Add', name: 'add3', inputs: ['bn1', 'bn3', 'bn0'] },
      { type: 'Concatenate', name: 'cat', inputs: ['add3', 'bn2', 'bn0'] },
      pool('mp', 2, 2),
      { type: 'GlobalAveragePooling2D', name: 'gap' },
      dense('d1', 4, true),
    ],
  },
  {
    // The bit-sliced XNOR kernel (whole groups of 32 channels): BatchNorm before a padded pool ('after'), a 'valid'
    // stride-2 conv over 33 channels (odd window words, padding bits), two groups, and a dense layer of 64 units.
    name: 'sliced-groups', input: { shape: [9, 9, 2] }, classes: 3,
    layers: [
      conv('c0', 33, 1, 'valid', 1, false), bn('bn0'),
      conv('c1', 32, 3, 'same', 1, true), bn('bn1'), pool('p1', 3, 2, 'same'),
      conv('c2', 64, 2, 'valid', 2, true), pool('p2', 2, 1), bn('bn2'),
      flatten(), dense('d1', 64, true), bn('bn3'), dense('d2', 3, true),
    ],
  },
];
