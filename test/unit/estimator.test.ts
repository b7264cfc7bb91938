import { strict as assert } from 'node:assert';
import { summarize } from '../../src/core/estimate/summary';
import { planModel, type DeployPlan, type MacPlanStage } from '../../src/core/deploy/plan';

function macStage(p: DeployPlan, k: number): MacPlanStage {
  const s = p.stages[k];
  if (s.kind !== 'conv' && s.kind !== 'dense') throw new Error(`stage ${k} is a ${s.kind}`);
  return s;
}
import { loadModelText } from '../../src/core/model/load';
import { TEMPLATES, templateText } from '../../src/core/model/templates';
import type { ModelSpec } from '../../src/core/model/spec';
import { larqIntroCnn } from '../support/models';

function spec(id: string): ModelSpec {
  const t = TEMPLATES.find((x) => x.id === id)!;
  const m = loadModelText(templateText(t), id);
  assert.ok(m.spec);
  return m.spec;
}

function model(input: number[], classes: number, layers: unknown[]): ModelSpec {
  const m = loadModelText(JSON.stringify({ name: 't', input: { shape: input }, classes, layers }), 't.bnn.json');
  assert.ok(m.spec, JSON.stringify(m.diagnostics.map((d) => d.message)));
  return m.spec;
}

describe('estimator', () => {
  it('binary conv on a binarized input: per-position channel words, thresholds, same padding', () => {
    // 8×8×40 input binarized; 3×3 conv, 16 filters, same padding → 8×8×16.
    const s = model([8, 8, 40], 2, [
      { type: 'QuantConv2D', filters: 40, kernelSize: 1, kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization' },
      { type: 'QuantConv2D', filters: 16, kernelSize: 3, padding: 'same', inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      { type: 'BatchNormalization' },
      { type: 'Flatten' },
      { type: 'QuantDense', units: 2, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
    ]);
    const p = planModel(s);
    const conv = p.stages[1];
    assert.equal(conv.kind, 'conv');
    // cin = 40 → 2 words per position, 9 positions → 18 words per filter.
    assert.equal(conv.kernelRowWords, 18);
    assert.equal(conv.kernelBytes, 16 * 18 * 4);
    assert.equal(conv.epilogueBytes, 16 * 4 + 4);
    assert.deepEqual(conv.output.shape, [8, 8, 16]);
    assert.equal(conv.output.bytes, 64 * 4);
    // Dense on the flattened packed 8×8×16: 64 positions × 1 word.
    assert.equal(macStage(p, 2).kernelRowWords, 64);
    assert.equal(p.stages[2].output.repr, 'i32');
    const l = p.layers[2];
    assert.equal(l.binaryParams, 9 * 40 * 16);
    assert.equal(l.binaryMacs, 64 * 9 * 40 * 16);
    assert.equal(l.floatMacs, 0);
    // First layer: real input, binary kernel → 32-bit MACs, flat-packed kernel ceil(40/32) = 2 words.
    assert.equal(p.layers[0].floatMacs, 64 * 40 * 40);
    assert.equal(macStage(p, 0).kernelRowWords, 2);
  });

  it('full-precision layers and BatchNorm not followed by a sign are float32', () => {
    const s = model([16], 4, [
      { type: 'QuantDense', units: 8, useBias: true },
      { type: 'BatchNormalization', scale: true, center: true },
      { type: 'QuantDense', units: 4, useBias: false },
    ]);
    const p = planModel(s);
    assert.equal(p.stages.length, 2);
    assert.equal(p.stages[0].kernelBytes, 16 * 8 * 4);
    assert.equal(p.stages[0].epilogueBytes, 8 * 8);
    assert.equal(p.stages[1].output.repr, 'f32');
    assert.equal(p.layers[0].floatParams, 16 * 8 + 8);
    assert.equal(p.layers[1].floatParams, 2 * 8); // Larq counts gamma+variance and beta+mean as 2 per channel
    assert.equal(p.layers[0].flashBytes, 512);
    assert.equal(p.layers[1].flashBytes, 64);
    assert.equal(p.binaryMacs, 0);
    assert.equal(p.floatMacs, 16 * 8 + 8 * 4);
  });

  it('max-pooling fuses into the conv stage and pools before or after BatchNorm', () => {
    const s = larqIntroCnn();
    const p = planModel(s);
    assert.deepEqual(p.stages.map((x) => x.kind), ['conv', 'conv', 'conv', 'dense', 'dense']);
    assert.equal(macStage(p, 0).poolBefore, 1);
    assert.equal(macStage(p, 0).batchNorm, 2);
    assert.deepEqual(p.stages[0].output.shape, [13, 13, 32]);
    assert.equal(p.stages[0].output.repr, 'bits');
    assert.equal(p.stages[4].output.repr, 'f32');
    // Ping-pong: A holds the 784-byte input and stages 2/4; B the packed 13×13×32 map and stages 3.
    assert.equal(p.arena.bytes, 784 + 13 * 13 * 4);
  });

  it('matches Larq 0.13\'s lq.models.summary on its MNIST guide model (468 32-bit parameters, 13.19 KiB)', () => {
    // Larq's table for this model, worked by hand: 1-bit kernels 3·3·1·32 + 3·3·32·64 + 3·3·64·64 + 576·64 + 64·10;
    // BatchNormalization 2 per channel (beta fused with the moving mean, gamma with the moving variance).
    const s = summarize(larqIntroCnn());
    const binary = 288 + 18_432 + 36_864 + 36_864 + 640;
    const bnChannels = 32 + 64 + 64 + 64 + 10;
    assert.equal(s.totals.binaryParams, binary);
    assert.equal(s.totals.floatParams, 468);
    assert.equal(s.totals.floatParams, 2 * bnChannels);
    assert.equal(s.totals.larqMemoryKB.toFixed(2), '13.19');
    assert.equal(s.layers.find((l) => l.name === 'batch_normalization')?.floatParams, 64);
  });

  it('reproduces the totals of the Bop paper\'s BinaryNet (CIFAR-10)', () => {
    const s = summarize(spec('binarynet-cifar10'));
    const convBits = 3 * 3 * (3 * 128 + 128 * 128 + 128 * 256 + 256 * 256 + 256 * 512 + 512 * 512);
    const denseBits = 8192 * 1024 + 1024 * 1024 + 1024 * 10;
    assert.equal(s.totals.binaryParams, convBits + denseBits);
    assert.equal(s.totals.binaryParams, 14_022_016);
    // BatchNorm counted as Larq's summary does: 2 per channel (beta+mean and gamma+variance fused), whatever scale.
    assert.equal(s.totals.floatParams, 2 * (128 * 2 + 256 * 2 + 512 * 2 + 1024 * 2 + 10));
    // Every binary layer's input channels are multiples of 32, so packing wastes no bit except in the first layer
    // (27 kernel bits per filter → one word).
    const thresholds = (128 * 2 + 256 * 2 + 512 * 2 + 1024 * 2) * 4 + (4 + 4 + 8 + 8 + 16 + 16 + 32 + 32) * 4;
    assert.equal(s.totals.flashBytes, 128 * 4 + (convBits - 27 * 128) / 8 + denseBits / 8 + thresholds + 10 * 8);
    assert.equal(s.totals.binaryMacs, 32 * 32 * 9 * (128 * 128) + 16 * 16 * 9 * (128 * 256 + 256 * 256) + 8 * 8 * 9 * (256 * 512 + 512 * 512) + denseBits);
    assert.equal(s.totals.floatMacs, 32 * 32 * 27 * 128);
    assert.ok(s.totals.compressionRatio > 31 && s.totals.compressionRatio < 32);
    // A: the largest of the 3 KB input and the pooled 16×16×128 map; B: the packed 32×32×128 map; the padded band
    // of the 'same' XNOR convs, largest for the pooled 8×8×512 one: 4 rows of 10 positions of 16 words.
    assert.equal(s.totals.ramBytes, 16 * 16 * 128 / 8 + 32 * 32 * 128 / 8 + 4 * 10 * 16 * 4);
  });

  it('sums layer flash to the plan total, and gives Larq\'s memory (1 bit a binary weight, 32 a float) for the binary MLP', () => {
    for (const t of TEMPLATES) {
      const s = summarize(spec(t.id));
      assert.equal(s.layers.reduce((a, l) => a + l.flashBytes, 0), s.totals.flashBytes, t.id);
    }
    // 784-256-256-10 with ±1 kernels, and BatchNorm after each (2 float parameters a channel, as Larq counts them).
    const mlp = summarize(spec('binary-mlp'));
    const bits = (784 * 256 + 256 * 256 + 256 * 10) + 32 * 2 * (256 + 256 + 10);
    assert.equal(mlp.totals.larqMemoryKB, bits / 8 / 1024);
    assert.equal(mlp.totals.larqMemoryKB.toFixed(2), '36.89');
  });
});
