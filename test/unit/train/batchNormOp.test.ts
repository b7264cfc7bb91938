import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { batchNormTraining } from '../../../src/core/train/batchNorm';

/** Largest absolute difference relative to the reference's largest magnitude. */
function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
  return err / Math.max(scale, 1e-12);
}

describe('train/batchNorm: the fused training-mode BatchNormalization', () => {
  it('equals tf.moments + autodiff (values, batch statistics, dx, dγ, dβ) on cpu and wasm, 2-D and 4-D', async () => {
    const cases = [[20, 14, 14, 32], [7, 3, 5, 9], [50, 256], [13, 10], [4, 1, 1, 3]];
    for (const shape of cases) {
      await initBackend('cpu');
      const c = shape[shape.length - 1];
      // an offset and spread per channel, as conv outputs have (integers up to ±288 in binary-cnn)
      const xv = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1), 30), tf.randomUniform([c], -100, 100, 'float32', 2)).dataSync();
      const gv = tf.randomUniform([c], 0.5, 2, 'float32', 3).dataSync();
      const bv = tf.randomUniform([c], -1, 1, 'float32', 4).dataSync();
      const wv = tf.randomNormal(shape, 0, 1, 'float32', 5).dataSync();
      const eps = 1e-3;
      const axes = shape.slice(0, -1).map((_, i) => i);
      const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const m = tf.moments(x, axes);
        return tf.add(tf.mul(tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, eps))), g), b);
      };
      const X = tf.tensor(xv, shape);
      const m = tf.moments(X, axes);
      const meanRef = m.mean.dataSync();
      const varRef = m.variance.dataSync();
      const yRef = ref(X, tf.tensor(gv), tf.tensor(bv)).dataSync();
      const gradsRef = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ref(x, g, b), tf.tensor(wv, shape))))([X, tf.tensor(gv), tf.tensor(bv)]).map((t) => t.dataSync());
      for (const backend of ['cpu', 'wasm']) {
        await initBackend(backend);
        const bn = batchNormTraining(tf.tensor(xv, shape), tf.tensor(gv), tf.tensor(bv), eps);
        const tag = `${backend} [${shape}]`;
        assert.deepEqual(bn.y.shape, shape, tag);
        assert.ok(maxRelErr(bn.y.dataSync(), yRef) < 1e-4, `y ${tag}: ${maxRelErr(bn.y.dataSync(), yRef)}`);
        assert.ok(maxRelErr(bn.mean.dataSync(), meanRef) < 1e-5, `mean ${tag}`);
        assert.ok(maxRelErr(bn.variance.dataSync(), varRef) < 1e-4, `variance ${tag}: ${maxRelErr(bn.variance.dataSync(), varRef)}`);
        const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(x, g, b, eps).y, tf.tensor(wv, shape))))([tf.tensor(xv, shape), tf.tensor(gv), tf.tensor(bv)]).map((t) => t.dataSync());
        ['dx', 'dγ', 'dβ'].forEach((name, i) => assert.ok(maxRelErr(grads[i], gradsRef[i]) < 1e-3, `${name} ${tag}: rel err ${maxRelErr(grads[i], gradsRef[i])}`));
      }
    }
    await initBackend('cpu');
  });

  it('without γ and β it is x̂ = (x − μ)/√(σ² + ε), and its input gradient is orthogonal to 1 and (as ε → 0) to x̂ per channel', async () => {
    await initBackend('wasm');
    const x = tf.randomNormal([20, 6], 3, 2, 'float32', 9);
    const bn = batchNormTraining(x, undefined, undefined, 1e-3);
    const y = bn.y.arraySync() as number[][];
    const xs = x.arraySync() as number[][];
    for (let ch = 0; ch < 6; ch++) {
      const col = xs.map((r) => r[ch]);
      const mu = col.reduce((a, b) => a + b, 0) / col.length;
      const v = col.reduce((a, b) => a + (b - mu) ** 2, 0) / col.length;
      col.forEach((xi, i) => assert.ok(Math.abs(y[i][ch] - (xi - mu) / Math.sqrt(v + 1e-3)) < 1e-4, `channel ${ch} row ${i}`));
    }
    const w = tf.randomNormal([20, 6], 0, 1, 'float32', 10);
    // Σ dx·x̂ = r·Σ dy·x̂·(1 − σ²/(σ² + ε)): zero only without ε
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(t, undefined, undefined, 1e-9).y, w)))(x).arraySync() as number[][];
    for (let ch = 0; ch < 6; ch++) {
      const s1 = dx.reduce((a, r) => a + r[ch], 0);
      const s2 = dx.reduce((a, r, i) => a + r[ch] * y[i][ch], 0);
      // float32 rounding, relative to the sizes of the terms summed
      const scale = dx.reduce((a, r, i) => a + Math.abs(r[ch]) * (1 + Math.abs(y[i][ch])), 0);
      assert.ok(Math.abs(s1) < 1e-5 * scale && Math.abs(s2) < 1e-5 * scale, `channel ${ch}: Σdx = ${s1}, Σdx·x̂ = ${s2}`);
    }
    await initBackend('cpu');
  });
});
