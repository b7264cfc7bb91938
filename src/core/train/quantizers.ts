/**
 * Larq's activation quantizers as TensorFlow.js ops with their pseudo-gradients. Forward is always sign with
 * sign(0) = +1 (the value the compiler reproduces); they differ only in the gradient:
 * - ste_sign:    dy · 1{|x| ≤ 1}                              (straight-through, cancelled outside [−1, 1])
 * - approx_sign: dy · (2 − 2|x|) · 1{|x| ≤ 1}                  (Bi-Real Net's piecewise polynomial)
 * - swish_sign:  dy · β(2 − βx·tanh(βx/2)) / (1 + cosh(βx)), β = 5   (Larq's SwishSign)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { QuantizerName } from '../model/spec';

export const SWISH_SIGN_BETA = 5;

/** sign with sign(0) = +1, as a float tensor of ±1: −step(−x, −1) is +1 for x ≥ 0 and −1 for x < 0, exactly (tf.sign
 * is not usable: on wasm it returns 0 for tiny |x|) and cheaper on wasm than comparisons and casts. */
export function signPm(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.step(tf.neg(x), -1)));
}

/** The pseudo-derivative d sign(x)/dx each quantizer uses (exported for tests and for the latent optimizer). */
export function quantizerGradient(name: QuantizerName, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const absX = tf.abs(x);
    // 1{|x| ≤ 1} as 1 − step(|x| − 1): exact (|x| − 1 keeps its sign in float32), and on wasm ~5× cheaper than
    // lessEqual + cast, whose boolean kernels were the largest binary-only cost of a CNN step
    const inside = tf.sub(1, tf.step(tf.sub(absX, 1), 0));
    switch (name) {
      case 'ste_sign':
        return inside;
      case 'approx_sign':
        return tf.mul(inside, tf.sub(2, tf.mul(absX, 2)));
      case 'swish_sign': {
        const bx = tf.mul(x, SWISH_SIGN_BETA);
        const num = tf.mul(SWISH_SIGN_BETA, tf.sub(2, tf.mul(bx, tf.tanh(tf.div(bx, 2)))));
        return tf.div(num, tf.add(1, tf.cosh(bx)));
      }
    }
  });
}

const ops = new Map<QuantizerName, (x: tf.Tensor) => tf.Tensor>();

export function quantize(name: QuantizerName, x: tf.Tensor): tf.Tensor {
  let op = ops.get(name);
  if (!op) {
    op = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
      save([xi]);
      return {
        value: signPm(xi),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, quantizerGradient(name, saved[0])),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
    ops.set(name, op);
  }
  return op(x);
}
