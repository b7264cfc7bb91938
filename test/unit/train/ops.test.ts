import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { validConv2d, paddedConv2d, samePadding, maxPool, type Pads } from '../../../src/core/train/conv';
import { Rng } from '../../../src/core/train/rng';
import { quantize } from '../../../src/core/train/quantizers';

describe('train/ops', () => {
  it('quantizers: forward sign with sign(0) = +1 and Larq’s pseudo-gradients', async () => {
    await initBackend('cpu');
    const xs = [-1.5, -1, -0.5, 0, 0.3, 1, 2];
    const x = tf.tensor1d(xs);
    for (const name of ['ste_sign', 'approx_sign', 'swish_sign'] as const) {
      assert.deepEqual(Array.from(quantize(name, x).dataSync()), [-1, -1, -1, 1, 1, 1, 1], name);
    }
    const grad = (name: 'ste_sign' | 'approx_sign' | 'swish_sign') => Array.from(tf.grad((t: tf.Tensor) => tf.sum(quantize(name, t)))(x).dataSync());
    assert.deepEqual(grad('ste_sign'), [0, 1, 1, 1, 1, 1, 0]);
    const approx = grad('approx_sign');
    const approxExp = xs.map((v) => (Math.abs(v) <= 1 ? 2 - 2 * Math.abs(v) : 0));
    approx.forEach((g, i) => assert.ok(Math.abs(g - approxExp[i]) < 1e-6, `approx_sign'(${xs[i]}) = ${g}`));
    const b = 5;
    const swishExp = xs.map((v) => (b * (2 - b * v * Math.tanh((b * v) / 2))) / (1 + Math.cosh(b * v)));
    grad('swish_sign').forEach((g, i) => assert.ok(Math.abs(g - swishExp[i]) < 1e-4 * Math.max(1, Math.abs(swishExp[i])), `swish_sign'(${xs[i]}) = ${g} vs ${swishExp[i]}`));
    await initBackend('wasm');
    const xw = tf.tensor1d([-1.5, -1.0000001, -1, -0.5, 0, 0.3, 1, 1.0000001, 2]);
    assert.deepEqual(Array.from(tf.grad((t: tf.Tensor) => tf.sum(quantize('ste_sign', t)))(xw).dataSync()), [0, 0, 1, 1, 1, 1, 1, 0, 0], 'ste_sign on wasm at |x| = 1');
  });

  it('max-pool gradient goes to each window\'s maximum, split evenly among tied maxima, on cpu and wasm', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await initBackend(backend);
      // one 4×5 channel, 2×2 windows (the last column is outside every window): a single maximum, four tied 3s, four
      // tied −1s, and 0 tied with −0
      const x = tf.tensor4d([1, 5, 3, 3, 9, 2, 0, 3, 3, 9, -1, -1, 0, -0, 9, -1, -1, -0, 0, 9], [1, 4, 5, 1]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool(t as tf.Tensor4D, [2, 2], [2, 2], 'valid'), tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]))))(x);
      assert.deepEqual(Array.from(g.dataSync()), [0, 10, 5, 5, 0, 0, 0, 5, 5, 0, 7.5, 7.5, 10, 10, 0, 7.5, 7.5, 10, 10, 0], backend);
    }
  });

  it('max-pool gradient equals the cpu backend’s stock MaxPool gradient on random (tie-free) inputs, on wasm', async () => {
    for (const c of [{ x: [3, 28, 28, 8], p: 2 }, { x: [2, 7, 9, 5], p: 2 }, { x: [2, 9, 9, 3], p: 3 }]) {
      await initBackend('cpu');
      const xv = tf.randomNormal(c.x, 0, 1, 'float32', 11).dataSync();
      const out = tf.maxPool(tf.tensor4d(xv, c.x as [number, number, number, number]), c.p, c.p, 'valid').shape;
      const wv = tf.randomNormal(out, 0, 1, 'float32', 12).dataSync();
      const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.p, c.p, 'valid'), tf.tensor(wv, out))))(tf.tensor(xv, c.x)).dataSync();
      await initBackend('wasm');
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool(t as tf.Tensor4D, [c.p, c.p], [c.p, c.p], 'valid'), tf.tensor(wv, out))))(tf.tensor(xv, c.x)).dataSync();
      assert.ok(maxRelErr(g, ref) < 1e-6, `${JSON.stringify(c)}: ${maxRelErr(g, ref)}`);
    }
    await initBackend('cpu');
  });

  it('TensorFlow same padding split (extra pixel after)', () => {
    assert.deepEqual(samePadding(28, 3, 1), [1, 1]);
    assert.deepEqual(samePadding(28, 3, 2), [0, 1]);
    assert.deepEqual(samePadding(7, 2, 2), [0, 1]);
    assert.deepEqual(samePadding(5, 4, 1), [1, 2]);
  });

  it('wasm conv gradients (no Conv2DBackpropFilter) equal the cpu backend’s, stride 1 and 2, +1 same padding', async () => {
    const cases = [
      { x: [4, 9, 9, 3], w: [3, 3, 3, 5], s: 1, pad: 'same' as const },
      { x: [4, 9, 9, 3], w: [3, 3, 3, 5], s: 2, pad: 'same' as const },
      { x: [3, 10, 8, 2], w: [2, 3, 2, 4], s: 2, pad: 'valid' as const },
      { x: [2, 6, 6, 40], w: [3, 3, 40, 33], s: 1, pad: 'valid' as const },
    ];
    for (const c of cases) {
      await initBackend('cpu');
      const xv = tf.randomNormal(c.x, 0, 1, 'float32', 7).dataSync();
      const wv = tf.randomNormal(c.w, 0, 1, 'float32', 8).dataSync();
      const dyScale = tf.randomNormal([1], 0, 1, 'float32', 9).dataSync();
      const pads = (h: number, k: number) => (c.pad === 'same' ? samePadding(h, k, c.s) : [0, 0]);
      const padded = (x: tf.Tensor4D) => tf.pad(x, [[0, 0], pads(c.x[1], c.w[0]) as [number, number], pads(c.x[2], c.w[1]) as [number, number], [0, 0]], 1);
      const loss = (conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.square(conv(padded(a as tf.Tensor4D), b as tf.Tensor4D)), dyScale[0]));
      const [dxRef, dwRef] = tf.grads(loss((x, w) => tf.conv2d(x, w, c.s, 'valid')))([tf.tensor(xv, c.x), tf.tensor(wv, c.w)]).map((t) => t.dataSync());
      const info = await initBackend('wasm');
      assert.equal(info.name, 'wasm');
      const [dx, dw] = tf.grads(loss((x, w) => validConv2d(x, w, [c.s, c.s])))([tf.tensor(xv, c.x), tf.tensor(wv, c.w)]).map((t) => t.dataSync());
      const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let scale = 0;
        let err = 0;
        for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
        return err / Math.max(scale, 1e-12);
      };
      assert.ok(maxRel(dw, dwRef) < 1e-5, `dW rel err ${maxRel(dw, dwRef)} for ${JSON.stringify(c)}`);
      assert.ok(maxRel(dx, dxRef) < 1e-5, `dX rel err ${maxRel(dx, dxRef)} for ${JSON.stringify(c)}`);
    }
    await initBackend('cpu');
  });

  it('padded conv (gradient of the unpadded input only) equals the cpu backend’s pad + conv2d gradients on random shapes', async () => {
    const rng = new Rng(17);
    const pick = (lo: number, hi: number) => lo + Math.floor(rng.uniform(0, 1) * (hi - lo + 1));
    const cases = [
      { x: [3, 14, 14, 8], k: [3, 3], s: 1, value: 1 },
      { x: [2, 7, 7, 16], k: [3, 3], s: 1, value: 1 },
      { x: [2, 28, 28, 1], k: [3, 3], s: 1, value: 0 },
      // windows no longer than the output channels: dW from identity-kernel patches and one matrix product
      { x: [2, 28, 28, 1], k: [3, 3], s: 1, value: 0, co: 32 },
      { x: [3, 11, 9, 2], k: [2, 3], s: 2, value: 0, co: 12 },
      { x: [2, 8, 8, 1], k: [3, 3], s: 3, value: 1, co: 9 },
    ] as Array<{ x: number[]; k: number[]; s: number; value: number; co?: number }>;
    for (let i = 0; i < 6; i++) {
      const k = [pick(1, 4), pick(1, 4)];
      cases.push({ x: [pick(1, 3), pick(k[0], 11), pick(k[1], 11), pick(1, 9)], k, s: pick(1, 3), value: i % 2 });
    }
    for (const c of cases) {
      const pads: Pads = [samePadding(c.x[1], c.k[0], c.s), samePadding(c.x[2], c.k[1], c.s)];
      const wShape = [c.k[0], c.k[1], c.x[3], c.co ?? pick(1, 7)];
      await initBackend('cpu');
      const xv = tf.randomNormal(c.x, 0, 1, 'float32', 3).dataSync();
      const wv = tf.randomNormal(wShape, 0, 1, 'float32', 4).dataSync();
      // a loss whose output gradient differs everywhere (squares of the outputs)
      const ref = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.pad(a as tf.Tensor4D, [[0, 0], pads[0], pads[1], [0, 0]], c.value), b as tf.Tensor4D, c.s, 'valid')));
      const yRef = tf.conv2d(tf.pad(tf.tensor4d(xv, c.x as [number, number, number, number]), [[0, 0], pads[0], pads[1], [0, 0]], c.value), tf.tensor4d(wv, wShape as [number, number, number, number]), c.s, 'valid').dataSync();
      const [dxRef, dwRef] = tf.grads(ref)([tf.tensor(xv, c.x), tf.tensor(wv, wShape)]).map((t) => t.dataSync());
      for (const backend of ['cpu', 'wasm']) {
        await initBackend(backend);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(paddedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, [c.s, c.s], pads, c.value)));
        const y = paddedConv2d(tf.tensor4d(xv, c.x as [number, number, number, number]), tf.tensor4d(wv, wShape as [number, number, number, number]), [c.s, c.s], pads, c.value).dataSync();
        const [dx, dw] = tf.grads(f)([tf.tensor(xv, c.x), tf.tensor(wv, wShape)]).map((t) => t.dataSync());
        const tag = `${backend} ${JSON.stringify({ ...c, w: wShape, pads })}`;
        assert.equal(dx.length, dxRef.length, tag);
        assert.ok(maxRelErr(y, yRef) < 1e-5, `y ${tag}`);
        assert.ok(maxRelErr(dw, dwRef) < 1e-5, `dW rel err ${maxRelErr(dw, dwRef)} ${tag}`);
        assert.ok(maxRelErr(dx, dxRef) < 1e-5, `dX rel err ${maxRelErr(dx, dxRef)} ${tag}`);
      }
    }
    await initBackend('cpu');
  });
});

/** Largest absolute difference relative to the reference's largest magnitude. */
function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
  return err / Math.max(scale, 1e-12);
}
