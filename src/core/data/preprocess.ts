/**
 * How a user's arrays (NumPy, CSV) become a Dataset, and the record of it that goes into the experiment's
 * config.json. The record is what makes eval, bench and flash use the same samples as training: the same float →
 * 8-bit rule and the same seeded, stratified test split (which is why its seed is not the training seed — a run with
 * another seed must still be tested on the same samples).
 */
import { BYTE_RULE_DESCRIPTION, labelClassCount, sampleShape, toByteSamples, toLabels, type ByteRule, type NumericArray } from './arrays';
import { selectSamples, sampleSize, type Dataset, type DataSplit } from './dataset';
import { DataError } from './errors';
import type { DatasetPreprocessing } from './record';
import type { ResizeMode } from './imageDecode';
import { stratifiedSplit, TEST_SPLIT_SALT } from './stratify';

export const DEFAULT_TEST_SPLIT = 0.2;
export const DEFAULT_SPLIT_SEED = 0;

/** Choices a reader takes (from the CLI's flags, or from a run's recorded preprocessing). */
export interface DataReadOptions {
  /** Fraction of the samples held out as the test split when the data has no test part (default 0.2). */
  testSplit?: number;
  /** Seed of that split (default 0, independent of the training seed). */
  splitSeed?: number;
  /** CSV label column: a header name or a 0-based index (default: the column named `label`, else the first). */
  labelColumn?: string | number;
  /** Float → 8-bit rule to apply instead of choosing one (a run's recorded rule). */
  byteRule?: ByteRule;
  /** Image folders: the [H, W, C] to bring images to (the model's input; default: the first image's size and
   *  channels), the resize mode (default bilinear), and the folder of the decoded-tensor cache (none: no cache). */
  imageShape?: [number, number, number];
  resize?: ResizeMode;
  cacheDir?: string;
}

/** The read options that repeat a run's recorded preprocessing. */
export function readOptionsFrom(p: DatasetPreprocessing | undefined): DataReadOptions {
  if (!p) return {};
  const all: DataReadOptions = {
    testSplit: p.testSplit?.fraction, splitSeed: p.testSplit?.seed, labelColumn: p.labelColumn,
    byteRule: p.toBytes ? { lo: p.toBytes.lo, hi: p.toBytes.hi } : undefined,
    imageShape: p.image?.shape, resize: p.image?.resize,
  };
  // only what was recorded, so spreading the result over defaults (the model's image shape) keeps them
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as DataReadOptions;
}

/** One split's arrays and where they came from. */
export interface ArrayPart {
  x: NumericArray;
  y: NumericArray;
  xWhere: { file: string; name: string };
  yWhere: { file: string; name: string };
}

export interface ArraySource {
  name: string;
  dir: string;
  sources: string[];
  format: DatasetPreprocessing['format'];
  train: ArrayPart;
  test?: ArrayPart;
  labelColumn?: string | number;
}

function checkTestSplit(f: number): void {
  if (!(f >= 0 && f < 1)) throw new DataError(`test split must be a fraction in [0, 1) (got ${f})`);
}

export function datasetFromArrays(src: ArraySource, read: DataReadOptions = {}): Dataset {
  const warnings: string[] = [];
  const shape = sampleShape(src.train.x.shape, src.train.xWhere);
  const per = sampleSize(shape);
  const parts = [src.train, ...(src.test ? [src.test] : [])];
  for (const p of parts) {
    const n = p.x.shape[0];
    if (p.x.shape.length >= 2 && p === src.test) {
      const s = sampleShape(p.x.shape, p.xWhere);
      if (s.join() !== shape.join()) throw new DataError(`${p.xWhere.name} has samples of shape [${s.join(', ')}] but ${src.train.xWhere.name} (${src.train.xWhere.file}) has [${shape.join(', ')}]`, p.xWhere.file);
    }
    if (p.y.shape[0] !== n) throw new DataError(`${p.yWhere.name} has ${p.y.shape[0]} labels but ${p.xWhere.name} (${p.xWhere.file}) has ${n} samples`, p.yWhere.file, 'Samples and labels must have the same first dimension.');
  }
  if (src.train.x.shape[0] === 0) throw new DataError(`${src.train.xWhere.name} holds no samples`, src.train.xWhere.file);

  const trainBytes = toByteSamples(src.train.x, per, src.train.xWhere, read.byteRule);
  const rule = trainBytes.rule;
  const testBytes = src.test ? toByteSamples(src.test.x, per, src.test.xWhere, rule) : undefined;
  if (rule && !read.byteRule) {
    warnings.push(`${src.train.xWhere.name} holds values that are not bytes; mapped to the model's 8-bit inputs by ${BYTE_RULE_DESCRIPTION} with [lo, hi] = [${rule.lo}, ${rule.hi}] (recorded with the run)`);
  }
  for (const [b, p] of [[trainBytes, src.train], [testBytes, src.test]] as const) {
    if (b?.clamped && p) warnings.push(`${p.xWhere.name}: ${b.clamped} values lie outside [${rule?.lo}, ${rule?.hi}] and were clamped to 0 or 255`);
  }

  const trainLabels = toLabels(src.train.y, src.train.yWhere);
  const testLabels = src.test ? toLabels(src.test.y, src.test.yWhere) : undefined;
  if (src.test && trainLabels.oneHot !== testLabels?.oneHot) {
    throw new DataError(`${src.test.yWhere.name} ${testLabels?.oneHot ? `is one-hot with ${testLabels.oneHot} classes` : 'holds class indices'} but ${src.train.yWhere.name} ${trainLabels.oneHot ? `is one-hot with ${trainLabels.oneHot} classes` : 'holds class indices'}`, src.test.yWhere.file);
  }
  const classes = trainLabels.oneHot ?? labelClassCount(trainLabels.labels, testLabels?.labels ?? new Uint8Array(0));
  if (classes < 2) throw new DataError(`every label is ${classes - 1}: a classifier needs at least two classes`, src.train.yWhere.file);

  let train: DataSplit = { images: trainBytes.bytes, labels: trainLabels.labels, count: trainLabels.labels.length };
  let test: DataSplit;
  let testSplit: DatasetPreprocessing['testSplit'];
  if (testBytes && testLabels) {
    test = { images: testBytes.bytes, labels: testLabels.labels, count: testLabels.labels.length };
    if (read.testSplit !== undefined) warnings.push(`the data has its own test part (${src.test?.xWhere.name}); the test split of ${read.testSplit} is not used`);
  } else {
    const fraction = read.testSplit ?? DEFAULT_TEST_SPLIT;
    checkTestSplit(fraction);
    const seed = read.splitSeed ?? DEFAULT_SPLIT_SEED;
    const s = stratifiedSplit(train.labels, fraction, seed, TEST_SPLIT_SALT);
    test = selectSamples(train, shape, s.held);
    train = selectSamples(train, shape, s.keep);
    testSplit = { fraction, seed, stratified: true };
    if (test.count === 0) warnings.push('no test split (test split 0): eval, bench and flash have no samples to run');
  }
  const preprocessing: DatasetPreprocessing = {
    format: src.format,
    ...(rule ? { toBytes: { ...rule, rule: BYTE_RULE_DESCRIPTION } } : {}),
    ...(testSplit ? { testSplit } : {}),
    ...(src.labelColumn !== undefined ? { labelColumn: src.labelColumn } : {}),
  };
  return {
    name: src.name, shape, classes, train, test, sources: src.sources, dir: src.dir, preprocessing, warnings,
    ...(testSplit ? {} : { labelSources: { train: [{ file: src.train.yWhere.file, count: train.count }], test: [{ file: src.test?.yWhere.file ?? '', count: test.count }] } }),
  };
}
