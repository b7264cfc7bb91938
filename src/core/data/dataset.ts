/**
 * The in-memory dataset every consumer shares (trainer, eval, device benchmark): raw u8 pixels in HWC order, exactly
 * what the device receives, plus labels. Normalisation is not applied here — it is the model's INPUT_ENCODING
 * (x = u8 / 127.5 − 1), applied by the trainer on the fly and by the firmware's integer path.
 */
import { INPUT_ENCODING, type ModelSpec } from '../model/spec';
import type { ExperimentConfig } from '../experiments/types';
import { DataError } from './errors';
import type { DatasetPreprocessing } from './record';
import { deriveSeed, permutation } from './prng';

/** One split: `count` images of `shape` (H, W, C), HWC, contiguous. */
export interface DataSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** 'fashion-mnist', 'mnist', 'cifar10', 'bundled', or the folder name for a path. */
  name: string;
  /** [H, W, C]. */
  shape: [number, number, number];
  classes: number;
  classNames?: string[];
  train: DataSplit;
  test: DataSplit;
  /** Files the data came from, for the experiment config and error messages. */
  sources: string[];
  /** The folder the files were found in. */
  dir: string;
  /** Where each split's labels were read from, in order, so a bad label can be traced to its file and record. */
  labelSources?: { train: LabelSource[]; test: LabelSource[] };
  /** How a user's arrays were read (NumPy, CSV): recorded in config.json so eval, bench and flash read the same. */
  preprocessing?: DatasetPreprocessing;
  /** Image folders: how many images were decoded, taken from the cache, resized, or skipped as corrupt. */
  imageReport?: { decoded: number; cached: number; resized: number; corrupt: { file: string; reason: string }[] };
  /** Things the user should know about the data (float values mapped to bytes, clamping…), said before training. */
  warnings?: string[];
}

/** `count` consecutive labels of a split read from `file` (CIFAR's training split joins five batch files). */
export interface LabelSource {
  file: string;
  count: number;
}

/** The file a split's sample `index` came from and its record number in that file (0-based). */
export function labelRecord(sources: readonly LabelSource[], index: number): { file: string; record: number } | undefined {
  let start = 0;
  for (const s of sources) {
    if (index < start + s.count) return { file: s.file, record: index - start };
    start += s.count;
  }
  return undefined;
}

type LabelledDataset = Pick<Dataset, 'name' | 'shape' | 'classes'> & Partial<Pick<Dataset, 'train' | 'test' | 'labelSources'>>;

/** The first label (training split, then test) that is not one of `classes`, said with the file and record it is in. */
function firstLabelOutside(ds: LabelledDataset, classes: number): string | undefined {
  for (const which of ['train', 'test'] as const) {
    const split = ds[which];
    if (!split) continue;
    for (let i = 0; i < split.count; i++) {
      if (split.labels[i] < classes) continue;
      const at = ds.labelSources ? labelRecord(ds.labelSources[which], i) : undefined;
      const where = at ? `${at.file}, record ${at.record} (counting from 0)` : `${which === 'train' ? 'training' : 'test'} sample ${i}`;
      return `label ${split.labels[i]} in ${where} is not one of the model's classes 0..${classes - 1}`;
    }
  }
  return undefined;
}

/** The normalisation string recorded in ExperimentConfig.dataset.normalization. */
export const NORMALIZATION_DESCRIPTION: string = INPUT_ENCODING.description;

export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks internal consistency: sizes agree with counts and shape, labels within classes. */
export function validateSplit(split: DataSplit, shape: readonly number[], classes: number, what: string): void {
  const per = sampleSize(shape);
  if (split.labels.length !== split.count) throw new DataError(`label count ${split.labels.length} ≠ image count ${split.count}`, what);
  if (split.images.length !== split.count * per) throw new DataError(`${split.images.length} image bytes, expected ${split.count} × ${shape.join('×')} = ${split.count * per}`, what);
  for (let i = 0; i < split.count; i++) {
    if (split.labels[i] >= classes) throw new DataError(`label ${split.labels[i]} at index ${i} is out of range: ${classes} classes (0..${classes - 1})`, what);
  }
}

/**
 * Whether a dataset fits a model's input and classes. A model input [H, W, C] must equal the data's shape; [H, W]
 * matches single-channel data; a vector input [N] accepts any image with H·W·C = N (an MLP reads the flattened
 * pixels, HWC order). Returns the problems (empty when it fits) so callers can show them all at once.
 */
export function datasetModelMismatch(ds: LabelledDataset, spec: Pick<ModelSpec, 'name' | 'input' | 'classes'>): string[] {
  const problems: string[] = [];
  const want = spec.input.shape;
  const [h, w, c] = ds.shape;
  // Dimensions of size 1 do not change the row-major layout: NumPy windows [N, T, C] are read as [T, C, 1] and feed a
  // [T, 1, C] sensor model as they are. Flat rows (CSV, [N, F]) are the features in the model's input order.
  const squeeze = (s: readonly number[]): string => s.filter((d) => d !== 1).join();
  const flat = ds.shape.filter((d) => d !== 1).length <= 1;
  const fits =
    want.length === 3 ? (want[0] === h && want[1] === w && want[2] === c) || squeeze(want) === squeeze(ds.shape) || (flat && want[0] * want[1] * want[2] === h * w * c)
      : want.length === 2 ? (want[0] === h && want[1] === w && c === 1) || squeeze(want) === squeeze(ds.shape)
        : want.length === 1 ? want[0] === h * w * c
          : false;
  if (!fits) {
    problems.push(`dataset '${ds.name}' has images of shape [${ds.shape.join(', ')}] (${h * w * c} values) but model '${spec.name}' expects input shape [${want.join(', ')}]`);
  }
  if (spec.classes !== ds.classes) {
    // More classes than outputs means some label the model cannot predict: say where the first one is.
    const outside = ds.classes > spec.classes ? firstLabelOutside(ds, spec.classes) : undefined;
    problems.push(`dataset '${ds.name}' has ${ds.classes} classes but model '${spec.name}' has ${spec.classes} outputs${outside ? `: ${outside}` : ''}`);
  }
  return problems;
}

/** Throws a DataError listing every mismatch between the dataset and the model. */
export function checkDatasetForModel(ds: LabelledDataset, spec: Pick<ModelSpec, 'name' | 'input' | 'classes'>): void {
  const problems = datasetModelMismatch(ds, spec);
  if (problems.length) throw new DataError(problems.join('; '));
}

/** Copies the samples at `indices` into a new contiguous split. */
export function selectSamples(split: DataSplit, shape: readonly number[], indices: ArrayLike<number>): DataSplit {
  const per = sampleSize(shape);
  const images = new Uint8Array(indices.length * per);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (j < 0 || j >= split.count) throw new RangeError(`sample index ${j} out of range 0..${split.count - 1}`);
    images.set(split.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = split.labels[j];
  }
  return { images, labels, count: indices.length };
}

/** First `n` samples (for quick runs: `maxSamples`). Shares memory with the source. */
export function takeSamples(split: DataSplit, shape: readonly number[], n: number): DataSplit {
  const count = Math.max(0, Math.min(split.count, Math.floor(n)));
  const per = sampleSize(shape);
  return { images: split.images.subarray(0, count * per), labels: split.labels.subarray(0, count), count };
}

/** Number of validation samples for a fraction, as Keras' validation_split rounds: n − floor(n·(1 − f)). */
export function validationCount(n: number, valSplit: number): number {
  if (!(valSplit >= 0 && valSplit < 1)) throw new RangeError(`validation split must be in [0, 1), got ${valSplit}`);
  // Tiny epsilon so 0.1 of 6000 is 600, not 601, despite binary floating point.
  return n - Math.floor(n * (1 - valSplit) + 1e-9);
}

/**
 * Splits training data into train/validation with a seeded shuffle (unlike Keras, which takes the tail unshuffled —
 * a sorted file would then validate on one class). Same seed → same split, so a resumed run validates on the same
 * samples.
 */
export function splitValidation(split: DataSplit, shape: readonly number[], valSplit: number, seed: number): { train: DataSplit; val: DataSplit } {
  const valCount = validationCount(split.count, valSplit);
  const perm = permutation(split.count, deriveSeed(seed, 0x7a1));
  const trainIdx = perm.subarray(0, split.count - valCount);
  const valIdx = perm.subarray(split.count - valCount);
  // Keep each part in file order: the split is random, the order within it is decided per epoch by batches().
  return { train: selectSamples(split, shape, Uint32Array.from(trainIdx).sort()), val: selectSamples(split, shape, Uint32Array.from(valIdx).sort()) };
}

export interface Batch {
  /** size × H × W × C bytes, HWC. */
  images: Uint8Array;
  labels: Uint8Array;
  size: number;
  /** Indices of the samples in the split. */
  indices: Uint32Array;
  /** Index of the batch within the epoch. */
  index: number;
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed (combined with `epoch`); omit for file order (evaluation). */
  seed?: number;
  epoch?: number;
  /** Drop a last, smaller batch (default false). */
  dropRemainder?: boolean;
  /** Start at this batch index (resume mid-epoch). */
  startBatch?: number;
}

export function batchCount(count: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/**
 * Batches of one epoch. The order depends only on (seed, epoch), so epoch k after a resume sees exactly the batches it
 * would have seen in an uninterrupted run. Each batch is a fresh copy (the caller may hand it to another thread).
 */
export function* batches(split: DataSplit, shape: readonly number[], opts: BatchOptions): Generator<Batch> {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const order = opts.seed === undefined ? Uint32Array.from({ length: split.count }, (_, i) => i) : permutation(split.count, deriveSeed(opts.seed, opts.epoch ?? 0));
  const n = batchCount(split.count, batchSize, opts.dropRemainder);
  const per = sampleSize(shape);
  for (let b = opts.startBatch ?? 0; b < n; b++) {
    const indices = order.slice(b * batchSize, Math.min(split.count, (b + 1) * batchSize));
    const size = indices.length;
    const images = new Uint8Array(size * per);
    const labels = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const j = indices[i];
      images.set(split.images.subarray(j * per, (j + 1) * per), i * per);
      labels[i] = split.labels[j];
    }
    yield { images, labels, size, indices, index: b };
  }
}

/** Applies INPUT_ENCODING (x = u8 / 127.5 − 1) into `out` (allocated when omitted). */
export function normalizeInputs(u8: Uint8Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(u8.length);
  if (dst.length < u8.length) throw new RangeError(`normalizeInputs: output has ${dst.length} elements, need ${u8.length}`);
  const { scale, offset } = INPUT_ENCODING;
  for (let i = 0; i < u8.length; i++) dst[i] = u8[i] * scale + offset;
  return dst;
}

/** The `dataset` entry of an ExperimentConfig for a run on `ds` with these split sizes. */
export function datasetConfigEntry(ds: Dataset, counts: { trainSamples: number; valSamples: number; testSamples?: number }): ExperimentConfig['dataset'] {
  return {
    name: ds.name, path: ds.dir, trainSamples: counts.trainSamples, valSamples: counts.valSamples, testSamples: counts.testSamples ?? ds.test.count, normalization: NORMALIZATION_DESCRIPTION,
    ...(ds.preprocessing ? { preprocessing: ds.preprocessing } : {}),
  };
}

/** Per-class sample counts (for summaries and the balance test). */
export function classCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}
