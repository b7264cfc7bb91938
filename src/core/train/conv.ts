/**
 * A 'valid' 2-D convolution with its own gradient, expressed only with forward conv2d so it runs fast on
 * every backend: the wasm backend has no Conv2DBackpropFilter kernel, and borrowing Conv3DBackpropFilterV2 gives wrong
 * results at stride 2. The filter gradient is a forward convolution of the input with the output gradient, batch and
 * channels swapped and the stride turned into a dilation:
 *   dW[a,b,ci,co] = Σ_{n,oh,ow} x[n, a + oh·sh, b + ow·sw, ci] · dy[n, oh, ow, co]
 * Callers pad explicitly before (binarized inputs pad with +1, real inputs with 0), so 'valid' is all that is needed.
 */
import * as tf from '@tensorflow/tfjs-core';

export { samePadding } from './padding';

type Conv = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
const cache = new Map<string, Conv>();

export function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], strides: [number, number]): tf.Tensor4D {
  const [n, , , ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const k = kernel[0] * kernel[1] * ci;
  if (k <= co) {
    // A short window (the first layer: 3×3 over one channel). The batch-as-channels convolution below would have only
    // kh·kw output pixels (profiled at ~1.6 GMAC/s); instead its patches come from a convolution with the identity
    // kernel (k² products per output pixel, at most the k·co of the gradient itself) and dW is one matrix product.
    return tf.tidy(() => {
      const eye = tf.reshape(tf.eye(k), [kernel[0], kernel[1], ci, k]) as tf.Tensor4D;
      const patches = tf.reshape(tf.conv2d(x, eye, strides, 'valid'), [n * oh * ow, k]);
      // dWᵀ = dyᵀ · patches: the smaller operand (patches) is the one XNNPACK packs as weights on every call
      const r = tf.transpose(tf.matMul(tf.transpose(tf.reshape(dy, [n * oh * ow, co])), patches)); // [k, co]
      return tf.reshape(r, [kernel[0], kernel[1], ci, co]) as tf.Tensor4D;
    });
  }
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

/**
 * The input gradient as a forward 'valid' convolution (wasm's conv2dTranspose is ~10× slower than its conv2d): the
 * output gradient, dilated by the stride (zeros between elements) and padded, convolved with the kernel flipped in
 * space and with its in/out channels swapped. Rows/columns no window reached get zero gradient. `pads` is the explicit
 * padding the forward pass put around an input of `xShape`: the gradient is computed for the unpadded input only (the
 * padding is constant), which for a 3×3 'same' convolution over 7×7 skips 40% of the products.
 */
export function inputGradient(
  dy: tf.Tensor4D, w: tf.Tensor4D, xShape: [number, number, number, number], strides: [number, number],
  pads: Pads = NO_PADS,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, oh, ow, co] = dy.shape;
    const [kh, kw] = w.shape;
    const [sh, sw] = strides;
    let d: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      // insert s − 1 zeros after every element: [n, oh, 1, ow, 1, co] → pad → [n, oh·sh, ow·sw, co] → crop the tail
      const e = tf.reshape(dy, [n, oh, 1, ow, 1, co]);
      const p = tf.pad(e, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      d = tf.slice(tf.reshape(p, [n, oh * sh, ow * sw, co]), [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]) as tf.Tensor4D;
    }
    // the full correlation covers the padded input (H + top + bottom rows); keep rows top … top + H − 1
    const [[top, bottom], [left, right]] = pads;
    const hp = xShape[1] + top + bottom;
    const wp = xShape[2] + left + right;
    const coveredH = (oh - 1) * sh + kh;
    const coveredW = (ow - 1) * sw + kw;
    const padH: [number, number] = [kh - 1 - top, kh - 1 + hp - coveredH - bottom];
    const padW: [number, number] = [kw - 1 - left, kw - 1 + wp - coveredW - right];
    if (Math.min(...padH, ...padW) < 0) throw new Error(`inputGradient: padding ${JSON.stringify(pads)} is wider than the ${kh}×${kw} kernel`);
    d = tf.pad(d, [[0, 0], padH, padW, [0, 0]]);
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, co, ci]
    return tf.conv2d(d, wf, 1, 'valid');
  });
}

/** Explicit [top, bottom], [left, right] padding of a convolution's input. */
export type Pads = [[number, number], [number, number]];
const NO_PADS: Pads = [[0, 0], [0, 0]];

type Gradient<T extends tf.Tensor> = (dy: T, x: T, w: T) => T;

/**
 * y = forward(x, w) with hand-written gradients for x and w (tf.customGrad). `inputGrad=false` skips dx and returns
 * zeros (the first layer's input is data).
 */
function productWithGrad<T extends tf.Tensor>(forward: (x: T, w: T) => T, inputGradOf: Gradient<T>, weightGradOf: Gradient<T>, inputGrad: boolean): (x: T, w: T) => T {
  return tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
    const x = xi as T;
    const w = wi as T;
    save([x, w]);
    return {
      value: forward(x, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [T, T];
        const dx = inputGrad ? inputGradOf(dy as T, xs, ws) : tf.zerosLike(xs);
        const dw = weightGradOf(dy as T, xs, ws);
        return [dx, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: T, w: T) => T;
}

/** conv2d(x, w, strides, 'valid') whose gradient never needs Conv2DBackpropFilter. `inputGrad=false` skips dx (the
 * first layer's input is data). */
export function validConv2d(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], inputGrad = true): tf.Tensor4D {
  const key = `${strides[0]},${strides[1]},${inputGrad}`;
  let f = cache.get(key);
  if (!f) {
    f = productWithGrad<tf.Tensor4D>(
      (x4, w4) => tf.conv2d(x4, w4, strides, 'valid'),
      (dy, xs, ws) => inputGradient(dy, ws, xs.shape, strides),
      (dy, xs, ws) => filterGradient(xs, dy, [ws.shape[0], ws.shape[1]], strides),
      inputGrad,
    );
    cache.set(key, f);
  }
  return f(x, w);
}

const paddedCache = new Map<string, Conv>();

/**
 * conv2d over x padded by `pads` with `padValue` (+1 for a binarized input, 0 for a real one), 'valid' after that,
 * with the gradients of validConv2d — except that the input gradient is computed for the unpadded x only: the pad's
 * own gradient (a slice of a full-size input gradient) is never formed.
 */
export function paddedConv2d(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], pads: Pads, padValue: number, inputGrad = true): tf.Tensor4D {
  if (pads[0][0] + pads[0][1] + pads[1][0] + pads[1][1] === 0) return validConv2d(x, w, strides, inputGrad);
  const key = `${strides},${pads},${padValue},${inputGrad}`;
  let f = paddedCache.get(key);
  if (!f) {
    const padded = (x4: tf.Tensor4D): tf.Tensor4D => tf.pad(x4, [[0, 0], pads[0], pads[1], [0, 0]], padValue);
    f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
      const xp = padded(xi as tf.Tensor4D);
      save([xp, wi]);
      return {
        value: tf.conv2d(xp, wi as tf.Tensor4D, strides, 'valid'),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          const [n, hp, wp, c] = xs.shape;
          const xShape: [number, number, number, number] = [n, hp - pads[0][0] - pads[0][1], wp - pads[1][0] - pads[1][1], c];
          const dx = inputGrad ? inputGradient(dy as tf.Tensor4D, ws, xShape, strides, pads) : tf.zeros(xShape);
          return [dx, filterGradient(xs, dy as tf.Tensor4D, [ws.shape[0], ws.shape[1]], strides)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Conv;
    paddedCache.set(key, f);
  }
  return f(x, w);
}

type Dense = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
const denseCache = new Map<boolean, Dense>();

/**
 * x·w with a gradient that uses only untransposed matMuls plus explicit transposes: the wasm backend's matMul with
 * transposeA/transposeB is several times slower than transposing first (profiled: x^T·dy for 100×784 · 100×256 took
 * ~80 ms vs ~11 ms for the forward product).
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, inputGrad = true): tf.Tensor2D {
  let f = denseCache.get(inputGrad);
  if (!f) {
    f = productWithGrad<tf.Tensor2D>(
      (x2, w2) => tf.matMul(x2, w2),
      (dy, _xs, ws) => tf.matMul(dy, tf.transpose(ws)),
      (dy, xs) => tf.matMul(tf.transpose(xs), dy),
      inputGrad,
    );
    denseCache.set(inputGrad, f);
  }
  return f(x, w);
}

type Pool = (x: tf.Tensor4D) => tf.Tensor4D;
const poolCache = new Map<string, Pool>();

/**
 * Max-pooling whose gradient avoids wasm's slow MaxPoolGrad (profiled at ~40% of a CNN step) for the usual
 * non-overlapping 'valid' case (pool = strides): the window's gradient goes to its
 * maximum — split evenly among tied maxima, which are common on the integer outputs of binary layers (TF gives it all
 * to the first). Other pool configurations use tf.maxPool and its stock gradient. The forward values are identical.
 */
export function maxPool(x: tf.Tensor4D, pool: [number, number], strides: [number, number], padding: 'valid' | 'same'): tf.Tensor4D {
  if (padding !== 'valid' || pool[0] !== strides[0] || pool[1] !== strides[1]) return tf.maxPool(x, pool, strides, padding);
  const key = `${pool[0]},${pool[1]}`;
  let f = poolCache.get(key);
  if (!f) {
    const [ph, pw] = pool;
    f = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
      const x4 = xi as tf.Tensor4D;
      const y = tf.maxPool(x4, pool, strides, 'valid');
      save([x4, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ys] = saved as [tf.Tensor4D, tf.Tensor4D];
          const [n, h, w, c] = xs.shape;
          const [, oh, ow] = ys.shape;
          const used = oh * ph === h && ow * pw === w ? xs : (tf.slice(xs, [0, 0, 0, 0], [n, oh * ph, ow * pw, c]) as tf.Tensor4D);
          // windows as axes of their own: [n, oh, ph, ow, pw, c] is a plain reshape of the used part, and a window's max
          // or gradient broadcasts over its ph × pw elements (on wasm ~2× cheaper than upsampling with resizeNearestNeighbor)
          const x6 = tf.reshape(used, [n, oh, ph, ow, pw, c]);
          const perWindow = (t: tf.Tensor): tf.Tensor => tf.reshape(t, [n, oh, 1, ow, 1, c]);
          // x == window max as 1 − step(max − x): max − x ≥ 0 and is 0 only where they are equal; on wasm ~4× cheaper
          // than equal + cast (boolean kernels)
          const mask = tf.sub(1, tf.step(tf.sub(perWindow(ys), x6), 0));
          const ties = tf.mul(tf.avgPool(tf.reshape(mask, [n, oh * ph, ow * pw, c]) as tf.Tensor4D, pool, strides, 'valid'), ph * pw);
          let dx = tf.reshape(tf.mul(mask, perWindow(tf.div(dy, ties))), [n, oh * ph, ow * pw, c]) as tf.Tensor4D;
          if (used !== xs) dx = tf.pad(dx, [[0, 0], [0, h - oh * ph], [0, w - ow * pw], [0, 0]]);
          return dx;
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Pool;
    poolCache.set(key, f);
  }
  return f(x);
}
