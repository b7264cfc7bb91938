/**
 * A 'valid' 2-D convolution with its own gradient, expressed only with forward conv2d / conv2dTranspose so it runs on
 * every backend: the wasm backend has no Conv2DBackpropFilter kernel, and borrowing Conv3DBackpropFilterV2 gives wrong
 * results at stride 2. The filter gradient is a forward convolution of the input with the output gradient, batch and
 * channels swapped and the stride turned into a dilation:
 *   dW[a,b,ci,co] = Σ_{n,oh,ow} x[n, a + oh·sh, b + ow·sw, ci] · dy[n, oh, ow, co]
 * Callers pad explicitly before (binarized inputs pad with +1, real inputs with 0), so 'valid' is all that is needed.
 */
import * as tf from '@tensorflow/tfjs-core';

type Conv = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
const cache = new Map<string, Conv>();

export function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], strides: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, H, W, n]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, n, co]
    let r = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', strides); // [ci, H − (oh−1)·sh, W − (ow−1)·sw, co]
    if (r.shape[1] !== kernel[0] || r.shape[2] !== kernel[1]) {
      r = tf.slice(r, [0, 0, 0, 0], [r.shape[0], kernel[0], kernel[1], r.shape[3]]);
    }
    return tf.transpose(r, [1, 2, 0, 3]) as tf.Tensor4D; // [kh, kw, ci, co]
  });
}

/** conv2d(x, w, strides, 'valid') whose gradient never needs Conv2DBackpropFilter. `inputGrad=false` skips dx (the
 * first layer's input is data). */
export function validConv2d(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], inputGrad = true): tf.Tensor4D {
  const key = `${strides[0]},${strides[1]},${inputGrad}`;
  let f = cache.get(key);
  if (!f) {
    f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
      const x4 = xi as tf.Tensor4D;
      const w4 = wi as tf.Tensor4D;
      save([x4, w4]);
      return {
        value: tf.conv2d(x4, w4, strides, 'valid'),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          const dy4 = dy as tf.Tensor4D;
          const dx = inputGrad
            ? tf.conv2dTranspose(dy4, ws, xs.shape, strides, 'valid')
            : tf.zerosLike(xs);
          const dw = filterGradient(xs, dy4, [ws.shape[0], ws.shape[1]], strides);
          return [dx, dw];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Conv;
    cache.set(key, f);
  }
  return f(x, w);
}

/** TensorFlow 'same' padding for one axis: total = max((ceil(in/s) − 1)·s + k − in, 0), the extra pixel after. */
export function samePadding(inSize: number, k: number, s: number): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
