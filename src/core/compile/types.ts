/**
 * The lowered model: the deployment plan's stages with every parameter array computed, exactly as the generated C
 * holds them. The C generator emits from this and the TypeScript reference runs it, so the two cannot drift apart.
 *
 * Value domains (why: the first layer runs on integers, see INPUT_ENCODING):
 * - `u8` tensors hold the raw bytes; a MAC or BatchNorm reads each as the integer v = 2·u8 − 255, whose real value is
 *   v / 255 (x = u8/127.5 − 1 = (2·u8 − 255)/255). A binarize reads u8 ≥ 128 as +1.
 * - `i32` tensors hold integer accumulators whose real value is value · `scale` (1 after XNOR-popcount, 1/255 after a
 *   binary kernel on the 8-bit input).
 * - `f32` tensors hold real values. `bits` tensors hold packed signs (packing.ts).
 */
import type { DeployPlan } from '../deploy/plan';
import type { FirstLayerScratch, PaddedInput } from '../deploy/scratch';
import type { Repr } from '../deploy/tensors';
import type { WindowGeometry } from '../deploy/geometry';
import type { ModelSpec } from '../model/spec';

/**
 * Spatial geometry of a MAC: a kh×kw×cin kernel window per output channel (outH×outW is the MAC's own output grid,
 * before any fused pooling). A dense layer is the conv whose window is its whole (unpadded) input.
 */
export interface MacGeometry extends WindowGeometry {
  cin: number;
  kh: number;
  kw: number;
  cout: number;
}

/** A ph×pw pool window; padded positions are skipped (TensorFlow pads a max-pool with −∞, an average counts only cells inside). */
export interface PoolGeometry extends WindowGeometry {
  ph: number;
  pw: number;
}

/**
 * What happens to an accumulator after the MAC (and pooling):
 * - threshold: bit = flip ? acc <= t : acc >= t (BatchNorm + bias + sign folded; int32 t for integer accumulators,
 *   float32 t for float ones).
 * - affine: y = fround(fround(acc · scale) + offset) in float32.
 * - none: the accumulator itself (int32).
 */
export type Epilogue =
  | { kind: 'threshold'; thresholds: Int32Array | Float32Array; flips: Uint32Array }
  | { kind: 'affine'; scale: Float32Array; offset: Float32Array }
  | { kind: 'none' };

/**
 * How the MAC multiplies: `xnor` packed input × packed kernel; `binary` a packed ±1 kernel on integer or float
 * values; `float` a float32 kernel.
 */
export type MacMode = 'xnor' | 'binary' | 'float';

export interface MacStage {
  kind: 'conv' | 'dense';
  name: string;
  inputRepr: Repr;
  outputRepr: Repr;
  mode: MacMode;
  /** Integer accumulators (exact) or float32 ones. */
  acc: 'int' | 'float';
  geom: MacGeometry;
  /** Packed kernel (xnor/binary modes), rows of `rowWords` words per output channel. */
  kernelBits?: Uint32Array;
  rowWords?: number;
  /** float32 kernel, one row of kh·kw·cin values (Keras order) per output channel. */
  kernelFloat?: Float32Array;
  pool?: { at: 'before' | 'after'; geom: PoolGeometry };
  epilogue: Epilogue;
  /** The plan's fast-kernel working memory, when this stage runs on one (codegen emits that kernel). */
  scratch?: FirstLayerScratch;
  /** The plan's padded copy of an XNOR conv's input (codegen fills bnn_padded with it and reads every window there). */
  padded?: PaddedInput;
  /** The stage adds a float32 shortcut (its second input) to every output value: y = shortcut + epilogue(acc). */
  residual?: boolean;
  /** Output grid after pooling, and channels. */
  outH: number;
  outW: number;
}

export interface BatchNormStage {
  kind: 'batchnorm';
  name: string;
  inputRepr: Repr;
  outputRepr: 'bits' | 'f32';
  acc: 'int' | 'float';
  positions: number;
  channels: number;
  epilogue: Epilogue;
}

export interface MaxPoolStage {
  kind: 'maxpool';
  name: string;
  repr: Repr;
  channels: number;
  pool: PoolGeometry;
}

export interface BinarizeStage {
  kind: 'binarize';
  name: string;
  inputRepr: Repr;
  positions: number;
  channels: number;
}

/** Element-wise sum of `inputs` float32 tensors of `size` values, added in input order. */
export interface AddStage {
  kind: 'add';
  name: string;
  inputs: number;
  size: number;
}

/** Joins float32 tensors along the channel axis: per position, each input's channels in turn. */
export interface ConcatStage {
  kind: 'concat';
  name: string;
  positions: number;
  channels: number[];
}

/** Mean over each window's cells inside the input (TensorFlow excludes padding), summed in row-major order. */
export interface AvgPoolStage {
  kind: 'avgpool';
  name: string;
  channels: number;
  pool: PoolGeometry;
}

/** Mean over all positions per channel, summed in position order. */
export interface GlobalAvgPoolStage {
  kind: 'gap';
  name: string;
  positions: number;
  channels: number;
}

/** max(x, 0), or alpha[c]·x below 0 for PReLU. */
export interface ReluStage {
  kind: 'relu' | 'prelu';
  name: string;
  positions: number;
  channels: number;
  /** PReLU's per-channel alphas. */
  alpha?: Float32Array;
}

export type LoweredStage = MacStage | BatchNormStage | MaxPoolStage | BinarizeStage | AddStage | ConcatStage | AvgPoolStage | GlobalAvgPoolStage | ReluStage;

export interface LoweredModel {
  spec: ModelSpec;
  plan: DeployPlan;
  stages: LoweredStage[];
  inputBytes: number;
  classes: number;
  scoresAreFloat: boolean;
}

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}
