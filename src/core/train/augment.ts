/**
 * Image augmentation on the fly (`--augment`), off unless asked: a random crop of the image padded with `pad` zero
 * pixels on every side — a shift by dx, dy ∈ [−pad, pad], the uncovered border 0 (black), as Keras' RandomCrop after
 * ZeroPadding2D — and a horizontal flip with probability ½ (x → W − 1 − x). Only training batches are augmented;
 * validation, test, BatchNorm recalibration, eval and the board see the images as they are.
 *
 * Each sample's shift and flip depend only on (run seed, step, position in the batch), never on a thread's state, so
 * the data-parallel threads augment their shards exactly as one thread would, and a resumed run repeats them.
 */
import { Mulberry32, deriveSeed } from '../data/prng';
import { encodeInputs } from './model';

export interface AugmentConfig {
  /** Zero padding of the random crop, in pixels (0: no crop). */
  pad: number;
  /** Random horizontal flips. */
  flip: boolean;
}

/** What the trainer and its threads need to augment a batch. */
export interface AugmentSetup extends AugmentConfig {
  /** [H, W, C] of a sample. */
  shape: number[];
  seed: number;
}

export const AUGMENT_SALT = 0xa06;

export function describeAugment(a: AugmentConfig): string {
  const parts = [a.pad > 0 ? `random crop with ${a.pad}-pixel zero padding` : '', a.flip ? 'horizontal flip' : ''].filter(Boolean);
  return parts.join(' + ') || 'none';
}

/** Checks an augmentation for a sample shape; returns the problem, or undefined. */
export function augmentProblem(a: AugmentConfig, shape: readonly number[]): string | undefined {
  if (!(Number.isInteger(a.pad) && a.pad >= 0)) return `augmentation padding must be a whole number of pixels ≥ 0 (got ${a.pad})`;
  if (shape.length !== 3) return `augmentation needs image samples [H, W, C]; these are [${shape.join(', ')}]`;
  if (a.pad >= Math.min(shape[0], shape[1])) return `augmentation padding ${a.pad} is not smaller than the ${shape[0]}×${shape[1]} images`;
  return undefined;
}

/** The shift (dx, dy) and flip of the sample at `position` of the batch of `step`. */
export function augmentDraw(a: AugmentSetup, step: number, position: number): { dx: number; dy: number; flip: boolean } {
  const rng = new Mulberry32(deriveSeed(a.seed, AUGMENT_SALT, step, position));
  const span = 2 * a.pad + 1;
  const dx = a.pad > 0 ? rng.nextInt(span) - a.pad : 0;
  const dy = a.pad > 0 ? rng.nextInt(span) - a.pad : 0;
  return { dx, dy, flip: a.flip && rng.nextInt(2) === 1 };
}

/** Writes sample `src` (HWC u8) shifted by (dx, dy) — out(y, x) = in(y − dy, x − dx), 0 outside — and flipped. */
export function augmentSample(src: Uint8Array, out: Uint8Array, shape: readonly number[], dx: number, dy: number, flip: boolean): void {
  const [h, w, c] = shape;
  out.fill(0);
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < w; x++) {
      const fx = flip ? w - 1 - x : x;
      const sx = fx - dx;
      if (sx < 0 || sx >= w) continue;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = src[(sy * w + sx) * c + k];
    }
  }
}

/**
 * The u8 samples of `indices` (batch positions offset, offset + 1, …), augmented: a new contiguous buffer the
 * caller encodes as it would the originals.
 */
export function augmentBatch(images: Uint8Array, indices: ArrayLike<number>, a: AugmentSetup, step: number, offset: number): Uint8Array {
  const size = a.shape.reduce((x, y) => x * y, 1);
  const out = new Uint8Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const d = augmentDraw(a, step, offset + i);
    augmentSample(images.subarray(indices[i] * size, (indices[i] + 1) * size), out.subarray(i * size, (i + 1) * size), a.shape, d.dx, d.dy, d.flip);
  }
  return out;
}

/** encodeInputs of a shard that starts at batch position `offset`, augmented when `a` is given. */
export function encodeShard(images: Uint8Array, indices: Uint32Array, size: number, a: AugmentSetup | undefined, step: number, offset: number, out?: Float32Array): Float32Array {
  if (!a) return encodeInputs(images, indices, size, out);
  return encodeInputs(augmentBatch(images, indices, a, step, offset), Uint32Array.from({ length: indices.length }, (_, i) => i), size, out);
}
