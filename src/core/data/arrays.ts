/**
 * Turning the arrays of a user's dataset (NumPy, CSV) into what every consumer shares: u8 samples and u8 labels. The
 * model's input encoding starts from bytes (x = u8 / 127.5 − 1, the firmware's integer path too), so other numbers
 * are mapped to bytes here, once, by a rule that is recorded with the run and repeated for eval, bench and flash.
 */
import { statSync } from 'node:fs';
import { DataError } from './errors';

/**
 * Largest data file read into memory. Above it the file is refused with a message instead of risking an
 * out-of-memory crash of the extension host (whose heap is shared with every other extension).
 */
export const MAX_DATA_FILE_BYTES = 1024 * 1024 * 1024;

/** Refuses a file larger than MAX_DATA_FILE_BYTES (or `bytes`, the decoded size when known). */
export function checkDataSize(file: string, bytes?: number, what = 'file'): void {
  let size = bytes;
  if (size === undefined) {
    try {
      size = statSync(file).size;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new DataError(e.code === 'ENOENT' ? 'file not found' : `cannot read file (${e.code ?? e.message})`, file);
    }
  }
  if (size > MAX_DATA_FILE_BYTES) {
    throw new DataError(`${what} is ${(size / 2 ** 30).toFixed(1)} GiB; BNN Studio reads data files of at most ${MAX_DATA_FILE_BYTES / 2 ** 30} GiB into memory`, file,
      'Store the samples as uint8 (a quarter of float32), or split the data into several smaller files and train on a subset.');
  }
}

/** A numeric array as read from a file, row-major. */
export interface NumericArray {
  shape: number[];
  data: ArrayLike<number>;
  /** Values are whole numbers by type (int/uint dtypes; CSV cells that are all integers). */
  integer: boolean;
}

/**
 * The float → 8-bit rule: u8 = min(255, max(0, floor((x − lo) · 255 / (hi − lo) + 0.5))). Its [lo, hi] is chosen
 * from the training samples: [0, 1] when they lie in it (x / 255 data), else [−1, 1], else [0, 255] (pixel values
 * stored as floats), else their own [min, max]; then the same rule maps the test samples, so both splits agree.
 */
export interface ByteRule {
  lo: number;
  hi: number;
}

export const BYTE_RULE_DESCRIPTION = 'u8 = clamp(floor((x - lo) * 255 / (hi - lo) + 0.5), 0, 255)';

function range(data: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** The sample index and position within the sample of the first NaN/±Inf, or undefined. */
function firstNonFinite(data: ArrayLike<number>, perSample: number): string | undefined {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) return `${data[i]} in sample ${Math.floor(i / perSample)} (value ${i % perSample} of ${perSample}, counting from 0)`;
  }
  return undefined;
}

export function chooseByteRule(data: ArrayLike<number>): ByteRule {
  const { min, max } = range(data);
  if (min >= 0 && max <= 1) return { lo: 0, hi: 1 };
  if (min >= -1 && max <= 1) return { lo: -1, hi: 1 };
  if (min >= 0 && max <= 255) return { lo: 0, hi: 255 };
  // A constant array still needs a non-empty range.
  return { lo: min, hi: max > min ? max : min + 1 };
}

export interface ByteSamples {
  bytes: Uint8Array;
  /** The float rule used; undefined when the values were already bytes. */
  rule?: ByteRule;
  /** Values outside the rule's range, clamped to 0 or 255 (test data under the training data's rule). */
  clamped: number;
}

/**
 * Samples as bytes: whole numbers in 0..255 are taken as they are; anything else goes through the float rule
 * (`rule` when given — the training split's, or the one a run recorded — else chosen from these values).
 * NaN and ±Inf are an error naming the file, the array and the sample.
 */
export function toByteSamples(arr: NumericArray, perSample: number, where: { file: string; name: string }, rule?: ByteRule): ByteSamples {
  const bad = firstNonFinite(arr.data, perSample);
  if (bad) throw new DataError(`${where.name} holds ${bad}: NaN and infinite values cannot be mapped to the model's 8-bit inputs`, where.file, 'Replace or drop those samples before exporting the arrays.');
  const { min, max } = range(arr.data);
  const isBytes = arr.data.length === 0 || (min >= 0 && max <= 255 && isWhole(arr));
  if (isBytes && !rule) return { bytes: Uint8Array.from(arr.data), clamped: 0 };
  const r = rule ?? chooseByteRule(arr.data);
  const bytes = new Uint8Array(arr.data.length);
  const k = 255 / (r.hi - r.lo);
  let clamped = 0;
  for (let i = 0; i < bytes.length; i++) {
    const v = Math.floor((arr.data[i] - r.lo) * k + 0.5);
    if (v < 0 || v > 255) clamped++;
    bytes[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { bytes, rule: r, clamped };
}

function isWhole(arr: NumericArray): boolean {
  if (arr.integer) return true;
  for (let i = 0; i < arr.data.length; i++) if (!Number.isInteger(arr.data[i])) return false;
  return true;
}

export interface Labels {
  labels: Uint8Array;
  /** One-hot width, when the labels were one-hot. */
  oneHot?: number;
}

/**
 * Labels as class indices: shape [N] or [N, 1] of whole numbers ≥ 0, or one-hot [N, K] (exactly one 1 per row, the
 * rest 0). At most 256 classes (labels are bytes, as on the device).
 */
export function toLabels(arr: NumericArray, where: { file: string; name: string }): Labels {
  const [n, k = 1, ...rest] = arr.shape;
  if (arr.shape.length === 0 || arr.shape.length > 2 || rest.length) {
    throw new DataError(`${where.name} has shape [${arr.shape.join(', ')}]; labels must be [N] class indices or [N, K] one-hot rows`, where.file);
  }
  const labels = new Uint8Array(n);
  if (k > 1) {
    if (k > 256) throw new DataError(`${where.name} is one-hot with ${k} classes; at most 256 are supported`, where.file);
    for (let i = 0; i < n; i++) {
      let hot = -1;
      for (let j = 0; j < k; j++) {
        const v = arr.data[i * k + j];
        if (v === 1 && hot < 0) hot = j;
        else if (v !== 0) { hot = -2; break; }
      }
      if (hot < 0) throw new DataError(`${where.name} row ${i} (counting from 0) is not one-hot: [${Array.from({ length: Math.min(k, 12) }, (_, j) => arr.data[i * k + j]).join(', ')}${k > 12 ? ', …' : ''}]`, where.file, 'One-hot labels have exactly one 1 per row and 0 elsewhere; or give class indices, shape [N].');
      labels[i] = hot;
    }
    return { labels, oneHot: k };
  }
  for (let i = 0; i < n; i++) {
    const v = arr.data[i];
    if (!(Number.isInteger(v) && v >= 0 && v <= 255)) {
      throw new DataError(`${where.name}[${i}] is ${v}: labels must be whole class indices 0..255`, where.file);
    }
    labels[i] = v;
  }
  return { labels };
}

/** Per-sample shape [H, W, C] of an array [N, …]: [N, H, W, C] as is, [N, H, W] → [H, W, 1], [N, F] → [F, 1, 1]. */
export function sampleShape(shape: readonly number[], where: { file: string; name: string }): [number, number, number] {
  const [, a, b, c] = shape;
  if (shape.length === 4) return [a, b, c];
  if (shape.length === 3) return [a, b, 1];
  if (shape.length === 2) return [a, 1, 1];
  throw new DataError(`${where.name} has shape [${shape.join(', ')}]; samples must be [N, H, W, C], [N, H, W] or [N, F]`, where.file);
}

/** Largest label + 1: the class count of data that does not declare one. */
export function labelClassCount(...sets: Uint8Array[]): number {
  let m = -1;
  for (const s of sets) for (const l of s) if (l > m) m = l;
  return m + 1;
}
