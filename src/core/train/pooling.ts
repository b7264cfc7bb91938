/**
 * Average pooling with TensorFlow's semantics in the forward *and* the gradient. A 'same' window averages only the
 * cells inside the input (as tf.avgPool's forward does), but tfjs' AvgPoolGrad divides every window by its full size,
 * padding included, so its gradient at the border disagrees with its own forward. Here a padded window is a 'valid'
 * average over zero padding, rescaled by (window size / cells inside) — plain ops whose gradients are right.
 */
import * as tf from '@tensorflow/tfjs-core';
import { samePadding } from './padding';

/** Per output position, window size / number of window cells inside the input: [1, OH, OW, 1]. */
function insideScale(inH: number, inW: number, pool: [number, number], strides: [number, number], ph: [number, number], pw: [number, number]): tf.Tensor4D {
  const oh = Math.ceil(inH / strides[0]);
  const ow = Math.ceil(inW / strides[1]);
  const inside = (o: number, s: number, k: number, before: number, n: number): number => {
    const from = o * s - before;
    return Math.min(from + k, n) - Math.max(from, 0);
  };
  const scale = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      scale[y * ow + x] = (pool[0] * pool[1]) / (inside(y, strides[0], pool[0], ph[0], inH) * inside(x, strides[1], pool[1], pw[0], inW));
    }
  }
  return tf.tensor4d(scale, [1, oh, ow, 1]);
}

export function avgPool(x: tf.Tensor4D, pool: [number, number], strides: [number, number], padding: 'valid' | 'same'): tf.Tensor4D {
  if (padding === 'valid') return tf.avgPool(x, pool, strides, 'valid');
  const [, h, w] = x.shape;
  const ph = samePadding(h, pool[0], strides[0]);
  const pw = samePadding(w, pool[1], strides[1]);
  if (ph[0] + ph[1] + pw[0] + pw[1] === 0) return tf.avgPool(x, pool, strides, 'valid');
  const padded = tf.pad(x, [[0, 0], ph, pw, [0, 0]], 0);
  return tf.mul(tf.avgPool(padded, pool, strides, 'valid'), insideScale(h, w, pool, strides, ph, pw));
}
