/**
 * What the weights import folds into a model, checked against the source model's arithmetic written out directly:
 * an input encoding into a real first layer (per channel), Larq's MagnitudeAwareSign scale into the BatchNormalization
 * after the layer, and the encodings that cannot be folded, each refused with the reason.
 */
import { strict as assert } from 'node:assert';
import type { ModelSpec } from '../../src/core/model/spec';
import type { TrainedModel } from '../../src/core/model/trained';
import { foldInputEncoding } from '../../src/core/interop/inputEncoding';
import { attachKerasWeights } from '../../src/core/interop/kerasWeights';
import { importKerasModel } from '../../src/core/interop/keras';
import { predict } from '../../src/core/train/predict';
import { Mulberry32 } from '../../src/core/data';

const rng = new Mulberry32(11);
const rand = (): number => rng.nextFloat();
const randn = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1);
const images = (n: number, size: number): Uint8Array => Uint8Array.from({ length: n * size }, () => Math.floor(rand() * 256));

describe('import folds: input encoding and MagnitudeAwareSign', () => {
  it('folds a per-channel x = a_c·u8 + b_c into a real first Dense: the scores equal W·x + b computed directly', () => {
    const spec: ModelSpec = { name: 'm', input: { shape: [2, 2, 2] }, classes: 3, layers: [
      { type: 'Flatten', name: 'flatten' },
      { type: 'QuantDense', name: 'dense', units: 3, inputQuantizer: null, kernelQuantizer: null, useBias: false },
    ] };
    const kernel = randn(8 * 3);
    const trained: TrainedModel = { spec, weights: { dense: { kernel: kernel.slice() } } };
    const a = [1 / 255, 2 / 255];
    const b = [0.1, -0.3];
    const r = foldInputEncoding(trained, { scale: a, offset: b, source: 'test' });
    assert.ok('notes' in r, JSON.stringify(r));
    assert.equal(trained.spec.layers[1].type === 'QuantDense' && trained.spec.layers[1].useBias, true);
    const u8 = images(20, 8);
    const got = predict(trained, u8, 20).scores;
    for (let s = 0; s < 20; s++) {
      for (let o = 0; o < 3; o++) {
        let z = 0;
        // Keras' Flatten order is H, W, C: element i is channel i % 2
        for (let i = 0; i < 8; i++) z += kernel[i * 3 + o] * (a[i % 2] * u8[s * 8 + i] + b[i % 2]);
        assert.ok(Math.abs(got[s][o] - z) < 1e-4, `sample ${s} output ${o}: ${got[s][o]} vs ${z}`);
      }
    }
  });

  it('refuses what cannot be folded, saying why', () => {
    const conv = (over: Record<string, unknown>): TrainedModel => ({
      spec: { name: 'm', input: { shape: [4, 4, 2] }, classes: 2, layers: [
        { type: 'QuantConv2D', name: 'c', filters: 2, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false, ...over } as never,
        { type: 'BatchNormalization', name: 'bn', scale: true, center: true, momentum: 0.99, epsilon: 1e-3 },
        { type: 'Flatten', name: 'f' },
        { type: 'QuantDense', name: 'd', units: 2, inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false },
      ] },
      weights: { c: { kernel: randn(36).map((v) => (v >= 0 ? 1 : -1)) }, bn: { gamma: randn(2), beta: randn(2), movingMean: randn(2), movingVariance: Float32Array.of(1, 2) }, d: { kernel: randn(16).map((v) => (v >= 0 ? 1 : -1)) } },
    });
    const perChannel = foldInputEncoding(conv({}), { scale: [1 / 255, 2 / 255], offset: [0, 0], source: 'test' });
    assert.match('error' in perChannel ? perChannel.error : '', /cannot be folded: layer 1 \(QuantConv2D 'c'\) has a ±1 kernel, which cannot carry a different scale per input channel/);
    const same = foldInputEncoding(conv({ padding: 'same' }), { scale: [1 / 255], offset: [0], source: 'test' });
    assert.match('error' in same ? same.error : '', /cannot be folded exactly: layer 1 \(QuantConv2D 'c'\) pads with x' = 0, which is x = -1 in BNN Studio's encoding/);
    const binIn = foldInputEncoding(conv({ inputQuantizer: 'ste_sign' }), { scale: [1 / 255], offset: [-0.2], source: 'test' });
    assert.match('error' in binIn ? binIn.error : '', /layer 1 \(QuantConv2D 'c'\) binarizes its input, at u8 = 51 in the source model and at u8 = 127\.5 in BNN Studio/);
    const ok = conv({});
    const r = foldInputEncoding(ok, { scale: [1 / 255], offset: [0], source: 'test' });
    assert.ok('notes' in r);
    // the scale 0.5 of x' = 0.5·x + 0.5 went into γ
    assert.equal(ok.spec.layers[1].type, 'BatchNormalization');
  });

  it('folds MagnitudeAwareSign (mean |w| per output channel) into the BatchNormalization: scores equal BN(α·(sign(W)·x))', () => {
    const doc = JSON.stringify({ class_name: 'Sequential', config: { name: 'mas', layers: [
      { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 6] } },
      { class_name: 'QuantDense', config: { name: 'dense', units: 3, use_bias: false, input_quantizer: null, kernel_quantizer: { class_name: 'MagnitudeAwareSign', config: { clip_value: 1 } } } },
      { class_name: 'BatchNormalization', config: { name: 'bn', epsilon: 1e-3 } },
      { class_name: 'Activation', config: { name: 'sm', activation: 'softmax' } },
    ] } });
    const r = importKerasModel(doc, 'mas.json');
    assert.ok(r.spec, JSON.stringify(r.problems));
    const latent = randn(18);
    const [gamma, beta, mean] = [randn(3), randn(3), randn(3)];
    const variance = Float32Array.of(0.5, 1, 2);
    const stored = new Map([
      ['dense', [{ name: 'dense/kernel:0', shape: [6, 3], data: latent.slice() }]],
      ['bn', [['gamma', gamma], ['beta', beta], ['moving_mean', mean], ['moving_variance', variance]].map(([k, v]) => ({ name: `bn/${k}:0`, shape: [3], data: (v as Float32Array).slice() }))],
      ['sm', []],
    ]);
    const a = attachKerasWeights(r.spec, r.origins, stored, r.magnitudeAware, 'mas.h5');
    assert.deepEqual(a.errors, []);
    const alpha = [0, 1, 2].map((o) => [0, 1, 2, 3, 4, 5].reduce((s, i) => s + Math.abs(latent[i * 3 + o]), 0) / 6);
    const u8 = images(10, 6);
    const got = predict(a.trained!, u8, 10).scores;
    for (let s = 0; s < 10; s++) {
      for (let o = 0; o < 3; o++) {
        let z = 0;
        for (let i = 0; i < 6; i++) z += (latent[i * 3 + o] >= 0 ? 1 : -1) * (u8[s * 6 + i] / 127.5 - 1);
        const want = (alpha[o] * z - mean[o]) / Math.sqrt(variance[o] + 1e-3) * gamma[o] + beta[o];
        assert.ok(Math.abs(got[s][o] - want) < 1e-4, `sample ${s} output ${o}: ${got[s][o]} vs ${want}`);
      }
    }
  });
});
