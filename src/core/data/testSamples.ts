/**
 * The first N samples of the test split an experiment was trained with, read with the preprocessing its config.json
 * recorded (test split and its seed, 8-bit rule, image shape and resize), so the board, the host build and eval run
 * on the same samples. Plain data in and out, so it runs the same in-process (CLI) and in the data worker (the
 * extension, where a cold image folder would otherwise stall the extension host).
 */
import type { DatasetPreprocessing } from './record';
import type { DataLookupOptions } from './locate';
import { loadDataset } from './load';
import { readOptionsFrom } from './preprocess';
import { modelImageShape, type LoadProgress } from './imageFolder';
import { sampleSize } from './dataset';

export interface TestSamplesRequest {
  /** config.json's dataset.path ?? dataset.name. */
  data: string;
  /** The model's input shape (image folders are brought to it). */
  inputShape: number[];
  preprocessing?: DatasetPreprocessing;
  /** The workspace's decoded-image cache (.bnn/cache). */
  cacheDir?: string;
  requested: number;
  lookup?: DataLookupOptions;
}

export interface TestSamples {
  /** `count` samples of `size` bytes, back to back. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  size: number;
  /** Things worth a log line (fewer samples than asked for). */
  notes: string[];
}

export function readTestSamples(req: TestSamplesRequest, progress?: LoadProgress): TestSamples {
  if (!(Number.isInteger(req.requested) && req.requested >= 1)) throw new Error(`samples must be a positive integer (got ${req.requested})`);
  const ds = loadDataset(req.data, req.lookup, {
    imageShape: modelImageShape(req.inputShape), ...readOptionsFrom(req.preprocessing), cacheDir: req.cacheDir,
  }, progress);
  const size = sampleSize(req.inputShape);
  if (sampleSize(ds.shape) !== size) throw new Error(`dataset '${ds.name}' has samples of shape [${ds.shape.join(', ')}] but the model's input is [${req.inputShape.join(', ')}]`);
  const count = Math.min(req.requested, ds.test.count);
  const notes = count < req.requested ? [`the test split of '${ds.name}' has ${ds.test.count} samples; running all of them`] : [];
  // copies, so the worker can transfer them without dragging the whole dataset along
  // (new Uint8Array(view) copies; a Buffer's slice() would not)
  return { images: new Uint8Array(ds.test.images.subarray(0, count * size)), labels: new Uint8Array(ds.test.labels.subarray(0, count)), count, size, notes };
}

/** The samples as the per-inference views the board benchmark takes. */
export function sampleViews(s: Pick<TestSamples, 'images' | 'count' | 'size'>): Uint8Array[] {
  return Array.from({ length: s.count }, (_, i) => s.images.subarray(i * s.size, (i + 1) * s.size));
}
