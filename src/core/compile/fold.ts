/**
 * Folding a MAC's bias and BatchNormalization (and the input scale of the first layer) into per-channel epilogues.
 *
 * The real value before the sign is y = γ/σ · (acc·s + b − μ) + β with σ = sqrt(var + ε) — that is y = A·acc + B with
 * A = γ·s/σ and B = γ·(b − μ)/σ + β (s: the accumulator's scale, b: the bias). Then sign(y) (sign(0) = +1) is
 * - A > 0: acc ≥ q, A < 0: acc ≤ q (the comparison flips), with q = (μ − b − β·σ/γ) / s;
 * - A = 0 (γ = 0): the constant sign of B.
 * For integer accumulators t = ceil(q) (or floor(q) when flipped) is exact. For float32 ones t is the float32 next to
 * q on the side that keeps the comparison exact for every float32 accumulator.
 */
import type { Epilogue } from './types';
import { CompileError } from './types';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const FLT_MAX = 3.4028234663852886e38;

/** Per channel y = A·acc + B, in float64, plus q for the sign decision. */
export interface ChannelFold {
  A: Float64Array;
  B: Float64Array;
  q: Float64Array;
}

export interface BatchNormParams {
  gamma?: ArrayLike<number>;
  beta?: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
  epsilon: number;
}

export function foldChannels(channels: number, s: number, bias: ArrayLike<number> | undefined, bn: BatchNormParams | undefined, where: string): ChannelFold {
  const A = new Float64Array(channels);
  const B = new Float64Array(channels);
  const q = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const b = bias ? bias[c] : 0;
    if (!Number.isFinite(b)) throw new CompileError(`${where}: bias[${c}] is ${b}; the checkpoint holds a non-finite value`);
    if (!bn) {
      A[c] = s;
      B[c] = b;
      q[c] = -b / s;
      continue;
    }
    const gamma = bn.gamma ? bn.gamma[c] : 1;
    const beta = bn.beta ? bn.beta[c] : 0;
    const mu = bn.mean[c];
    const v = bn.variance[c];
    for (const [name, x] of [['gamma', gamma], ['beta', beta], ['moving_mean', mu], ['moving_variance', v]] as const) {
      if (!Number.isFinite(x)) throw new CompileError(`${where}: ${name}[${c}] is ${x}; the checkpoint holds a non-finite value`);
    }
    const sigma = Math.sqrt(v + bn.epsilon);
    if (!(sigma > 0)) throw new CompileError(`${where}: moving_variance[${c}] + epsilon = ${v + bn.epsilon} is not positive`);
    A[c] = (gamma * s) / sigma;
    B[c] = (gamma * (b - mu)) / sigma + beta;
    q[c] = gamma === 0 ? NaN : (mu - b - (beta * sigma) / gamma) / s;
  }
  return { A, B, q };
}

/** The float32 value just above (dir = 1) or below (dir = −1) a finite float32 `f`. */
export function nextFloat32(f: number, dir: 1 | -1): number {
  const buf = new DataView(new ArrayBuffer(4));
  if (f === 0) { buf.setUint32(0, 1); return dir * buf.getFloat32(0); }
  buf.setFloat32(0, f);
  const bits = buf.getUint32(0);
  buf.setUint32(0, (f > 0) === (dir > 0) ? bits + 1 : bits - 1);
  return buf.getFloat32(0);
}

export function thresholdEpilogue(fold: ChannelFold, acc: 'int' | 'float'): Epilogue {
  const n = fold.A.length;
  const thresholds = acc === 'int' ? new Int32Array(n) : new Float32Array(n);
  const flips = new Uint32Array(Math.ceil(n / 32));
  const low = acc === 'int' ? INT32_MIN : -FLT_MAX;
  for (let c = 0; c < n; c++) {
    const a = fold.A[c];
    let flip = false;
    let t: number;
    if (a === 0 || Number.isNaN(fold.q[c])) {
      // γ = 0: y = B for every input. acc >= low always holds; acc <= low never does (accumulators stay far from it).
      flip = !(fold.B[c] >= 0);
      t = low;
    } else {
      flip = a < 0;
      const q = fold.q[c];
      if (acc === 'int') {
        t = flip ? Math.floor(q) : Math.ceil(q);
        t = Math.min(INT32_MAX, Math.max(INT32_MIN, t));
      } else {
        t = Math.fround(q);
        if (!flip && t < q) t = nextFloat32(t, 1);
        if (flip && t > q) t = nextFloat32(t, -1);
        t = Math.min(FLT_MAX, Math.max(-FLT_MAX, t));
      }
    }
    thresholds[c] = t;
    if (flip) flips[c >>> 5] |= 1 << (c & 31);
  }
  return { kind: 'threshold', thresholds, flips };
}

export function affineEpilogue(fold: ChannelFold, where: string): Epilogue {
  const n = fold.A.length;
  const scale = new Float32Array(n);
  const offset = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = fold.A[c];
    offset[c] = fold.B[c];
    if (!Number.isFinite(scale[c]) || !Number.isFinite(offset[c])) {
      throw new CompileError(`${where}: channel ${c}'s folded scale/offset (${fold.A[c]}, ${fold.B[c]}) does not fit in float32`);
    }
  }
  return { kind: 'affine', scale, offset };
}
