/**
 * CIFAR-10 "binary version" batches (data_batch_1..5.bin, test_batch.bin): records of 1 label byte followed by
 * 3 × 1024 pixel bytes, the red plane, then green, then blue, each 32×32 row-major. We convert to HWC (interleaved
 * RGB), the layout of the model's [32, 32, 3] input and of the device's input buffer.
 */
import { DataError } from './errors';
import { maybeGunzip, readBytes } from './idx';

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS;
export const CIFAR_RECORD = 1 + CIFAR_PIXELS;
export const CIFAR_CLASSES = 10;

export interface CifarBatch {
  count: number;
  /** count × 32 × 32 × 3 bytes, HWC. */
  images: Uint8Array;
  labels: Uint8Array;
}

export function parseCifarBatch(bytes: Uint8Array, file: string): CifarBatch {
  if (bytes.length === 0) throw new DataError('empty CIFAR-10 batch file', file);
  if (bytes.length % CIFAR_RECORD !== 0) {
    const whole = Math.floor(bytes.length / CIFAR_RECORD);
    throw new DataError(`not a whole number of CIFAR-10 records: ${bytes.length} bytes = ${whole} records of ${CIFAR_RECORD} bytes + ${bytes.length - whole * CIFAR_RECORD} left over (truncated, or not the binary version of CIFAR-10 — CIFAR-100 records are 3074 bytes)`, file);
  }
  const count = bytes.length / CIFAR_RECORD;
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  for (let n = 0; n < count; n++) {
    const rec = n * CIFAR_RECORD;
    const label = bytes[rec];
    if (label >= CIFAR_CLASSES) throw new DataError(`record ${n}: label ${label} is out of range 0..9 (not a CIFAR-10 binary batch?)`, file);
    labels[n] = label;
    const src = rec + 1;
    const dst = n * CIFAR_PIXELS;
    for (let p = 0; p < plane; p++) {
      images[dst + 3 * p] = bytes[src + p];
      images[dst + 3 * p + 1] = bytes[src + plane + p];
      images[dst + 3 * p + 2] = bytes[src + 2 * plane + p];
    }
  }
  return { count, images, labels };
}

export function readCifarBatch(file: string): CifarBatch {
  return parseCifarBatch(maybeGunzip(readBytes(file), file), file);
}

/** Concatenates batches (the five training batches form the training set). */
export function concatCifarBatches(batches: CifarBatch[]): CifarBatch {
  const count = batches.reduce((a, b) => a + b.count, 0);
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * CIFAR_PIXELS);
    labels.set(b.labels, at);
    at += b.count;
  }
  return { count, images, labels };
}
