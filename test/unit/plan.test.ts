import { strict as assert } from 'node:assert';
import { paddedInput } from '../../src/core/deploy/scratch';
import { planModel } from '../../src/core/deploy/plan';
import type { ModelSpec } from '../../src/core/model/spec';

describe('deploy plan', () => {
  it('lays out a binary MLP with thresholds and packed kernels', () => {
    const spec: ModelSpec = {
      name: 'mlp', input: { shape: [28, 28, 1] }, classes: 10,
      layers: [
        { type: 'Flatten', name: 'flatten' },
        { type: 'QuantDense', name: 'd1', units: 256, inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'BatchNormalization', name: 'bn1', scale: false, center: true, momentum: 0.99, epsilon: 1e-3 },
        { type: 'QuantDense', name: 'd2', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      ],
    };
    const plan = planModel(spec);
    assert.equal(plan.stages.length, 2);
    // 256 rows of ceil(784/32)=25 words, then 256 int32 thresholds + 8 flip words.
    assert.equal(plan.stages[0].kernelBytes, 256 * 25 * 4);
    assert.equal(plan.stages[0].epilogueBytes, 256 * 4 + 8 * 4);
    assert.equal(plan.stages[0].output.repr, 'bits');
    // 10 rows of 8 words; raw integer scores.
    assert.equal(plan.stages[1].kernelBytes, 10 * 8 * 4);
    assert.equal(plan.stages[1].output.repr, 'i32');
    assert.equal(plan.flashBytes, 25600 + 1056 + 320);
    // A chain keeps ping-pong placement: the input and stage 1's 40-byte scores in A, stage 0's 32 bytes of bits in B.
    assert.equal(plan.arena.bytes, 784 + 32);
    assert.deepEqual(plan.arena.offsets, [0, 784, 0]);
    assert.equal(plan.binaryMacs, 2560);
    assert.equal(plan.floatMacs, 784 * 256);
  });

  it('gives a padded band of input rows to XNOR convs whose windows leave the input, one shared buffer in RAM', () => {
    // 14×14, 3×3 'same': one cell each side, a band of 3 rows of 16; 40 channels = 2 words a position.
    assert.deepEqual(paddedInput(14, 14, 40, [3, 3], [1, 1], 'same'), { rows: 3, cols: 16, words: 2, padTop: 1, padLeft: 1, bytes: 3 * 16 * 2 * 4 });
    // A 2-high max-pool in the stage: two conv rows per output row, 4 input rows.
    assert.equal(paddedInput(14, 14, 40, [3, 3], [1, 1], 'same', 2)?.rows, 4);
    // 8 wide, stride 2: TF pads 0 before and 1 after; 7 high, 5×5 stride 2: 2 each side; a 3-high pool: 2·2 + 5 rows.
    assert.deepEqual(paddedInput(7, 8, 32, [5, 3], [2, 2], 'same', 3), { rows: 9, cols: 9, words: 1, padTop: 2, padLeft: 0, bytes: 9 * 9 * 4 });
    // No padding needed: 'valid', a 1×1 'same', a 'same' that divides evenly (4 wide, 2×2 stride 2).
    assert.equal(paddedInput(7, 7, 64, [3, 3], [1, 1], 'valid'), undefined);
    assert.equal(paddedInput(7, 7, 64, [1, 1], [1, 1], 'same'), undefined);
    assert.equal(paddedInput(4, 4, 64, [2, 2], [2, 2], 'same'), undefined);
    const conv = (name: string, filters: number, binaryInput: boolean): ModelSpec['layers'][number] => ({
      type: 'QuantConv2D', name, filters, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: binaryInput ? 'ste_sign' : null, kernelQuantizer: 'ste_sign', useBias: false,
    });
    const bn = (name: string): ModelSpec['layers'][number] => ({ type: 'BatchNormalization', name, scale: true, center: true, momentum: 0.99, epsilon: 1e-3 });
    const spec: ModelSpec = {
      name: 's4', input: { shape: [28, 28, 1] }, classes: 10,
      layers: [
        conv('c1', 32, false), { type: 'MaxPool2D', name: 'p1', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, bn('bn1'),
        conv('c2', 64, true), { type: 'MaxPool2D', name: 'p2', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, bn('bn2'),
        conv('c3', 64, true), bn('bn3'), { type: 'Flatten', name: 'f' },
        { type: 'QuantDense', name: 'd', units: 10, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      ],
    };
    const plan = planModel(spec);
    // The first conv reads 8-bit pixels (no copy); the XNOR ones bands of 4 rows of 16×1 words (pooled) and 3 rows of
    // 9×2 words: the larger is the buffer.
    assert.deepEqual(plan.stages.map((s) => (s.kind === 'conv' ? s.padded?.bytes : undefined)), [undefined, 4 * 16 * 4, 3 * 9 * 2 * 4, undefined]);
    assert.equal(plan.paddedBytes, 4 * 16 * 4);
    // Ping-pong halves: the 28×28 8-bit input and the packed pooled 14×14×32 map (196 words) are the largest.
    assert.equal(plan.arena.bytes, 28 * 28 + 14 * 14 * 4);
    // The first conv's ±1 kernel on 8-bit pixels runs on code planes: a 3-wide kernel row of one channel is a 3-bit
    // code, so 8 int16 partial sums per position, over the 28 + 2 padded rows × 28 columns.
    assert.equal(plan.scratchBytes, 30 * 28 * 8 * 2);
    assert.equal(plan.ramBytes, 784 + 784 + 13_440 + 256);
  });
});
