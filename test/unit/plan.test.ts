import { strict as assert } from 'node:assert';
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
    assert.deepEqual(plan.bufferBytes, [784, 32]);
    assert.equal(plan.binaryMacs, 2560);
    assert.equal(plan.floatMacs, 784 * 256);
  });
});
