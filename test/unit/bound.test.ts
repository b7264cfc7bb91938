import { strict as assert } from 'node:assert';
import { instructionBound, U8_INSTRUCTIONS_PER_MAC, XNOR_INSTRUCTIONS_PER_WORD } from '../../src/core/deploy/bound';
import { planModel } from '../../src/core/deploy/plan';
import { loadModelText } from '../../src/core/model/load';
import type { ModelSpec } from '../../src/core/model/spec';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import { larqIntroCnn } from '../support/models';

const template = (id: string): ModelSpec => loadModelText(templateText(TEMPLATES.find((t) => t.id === id)!), `${id}.bnn.json`).spec!;

describe('instruction lower bound (deploy/bound.ts)', () => {
  it('an XNOR word is the counted instructions of the bit-sliced kernel per input bit of 32 channels', () => {
    // SBFX + EOR + LDRD/2 + LDR/32 + 15·5/16 + 5/32 + 5/64, by hand: 2 + 0.5 + 0.03125 + 4.6875 + 0.15625 + 0.078125.
    assert.equal(XNOR_INSTRUCTIONS_PER_WORD, 7.453125);
  });

  it('binary-mlp: 784×256 8-bit-input MACs at 0.5, then 8 + 8 XNOR words per output at the bit-sliced kernel\'s count', () => {
    const spec = template('binary-mlp');
    const b = instructionBound(spec, planModel(spec));
    assert.equal(b.u8Macs, 784 * 256);
    assert.equal(b.xnorWords, 256 * 8 + 10 * 8);
    assert.equal(b.instructions, 784 * 256 * U8_INSTRUCTIONS_PER_MAC + (256 * 8 + 10 * 8) * XNOR_INSTRUCTIONS_PER_WORD);
    assert.deepEqual(b.stages.map((s) => s.instructions), [100_352, 2048 * 7.453125, 80 * 7.453125]);
  });

  it("Larq's intro CNN: a valid 2×2 pool that drops the 11th row and column of an 11×11 map does not count it", () => {
    const spec = larqIntroCnn();
    const b = instructionBound(spec, planModel(spec));
    // conv 26×26×32 on 3×3×1 pixels; conv_1 11×11 → pool 5×5 reads 10×10 windows of 9 words × 64 filters.
    assert.equal(b.stages[0].u8Macs, 26 * 26 * 32 * 9);
    assert.equal(b.stages[1].xnorWords, 10 * 10 * 64 * 9);
  });

  it("counts only the taps inside the input of a 'same' conv on 8-bit input, and float MACs at 1", () => {
    const spec: ModelSpec = {
      name: 'same', input: { shape: [3, 3, 2] }, classes: 2,
      layers: [
        { type: 'QuantConv2D', name: 'c', filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'same', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false },
        { type: 'Flatten', name: 'f' },
        { type: 'QuantDense', name: 'd', units: 2, inputQuantizer: null, kernelQuantizer: null, useBias: true },
      ],
    };
    const b = instructionBound(spec, planModel(spec));
    // Per axis the 3 outputs see 2, 3, 2 taps: (2+3+2)² = 49 positions × 2 channels × 4 filters.
    assert.equal(b.stages[0].u8Macs, 49 * 2 * 4);
    assert.equal(b.stages[1].otherMacs, 36 * 2);
    assert.equal(b.instructions, 49 * 2 * 4 * 0.5 + 72);
  });
});
