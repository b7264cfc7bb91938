/**
 * What the Datasets view shows of a dataset: format, where it is, sample shape, classes and samples per class in the
 * training and test parts, and what training would say about it. Plain data (it crosses from the data worker to the
 * extension host). An image folder is summarised from its file listing and its first image only — decoding a
 * 10,000-image folder to count it would be the slow load the view must not cause; every other format is read whole
 * (the readers refuse what would not fit in memory).
 */
import * as path from 'node:path';
import { classCounts, type Dataset } from './dataset';
import { DataError } from './errors';
import { describeImageFolder } from './imageFolder';
import { loadLocatedDataset } from './load';
import { locateDataset, type DataLookupOptions, type DatasetLocation } from './locate';
import { NAMED_DATASETS } from './named';
import { DEFAULT_TEST_SPLIT, type DataReadOptions } from './preprocess';
import { stratifiedCounts } from './stratify';

export type SummaryFormat = DatasetLocation['format'];

export interface ClassCount {
  name: string;
  train: number;
  test: number;
}

export interface DatasetSummary {
  /** What to give `--data` or Train BNN: a named dataset's name, else the path. */
  data: string;
  name: string;
  format: SummaryFormat;
  /** The folder or file it is in. */
  location: string;
  builtIn: boolean;
  /** [H, W, C] of one sample; for an image folder the first image's own size (images are resized to the model's). */
  shape?: [number, number, number];
  classes?: number;
  perClass?: ClassCount[];
  train?: number;
  test?: number;
  /** Where the test part comes from: the data's own, or a stratified split of this fraction (seed 0). */
  testFrom?: { own: true } | { fraction: number };
  warnings: string[];
  /** It could not be read: why (a DataError's message, naming the file). */
  error?: string;
}

function fromDataset(base: Omit<DatasetSummary, 'warnings'>, ds: Dataset): DatasetSummary {
  const train = classCounts(ds.train.labels, ds.classes);
  const test = classCounts(ds.test.labels, ds.classes);
  const split = ds.preprocessing?.testSplit;
  return {
    ...base, shape: ds.shape, classes: ds.classes, train: ds.train.count, test: ds.test.count,
    perClass: train.map((n, c) => ({ name: ds.classNames?.[c] ?? String(c), train: n, test: test[c] })),
    testFrom: split ? { fraction: split.fraction } : { own: true },
    warnings: ds.warnings ?? [],
  };
}

function errorText(err: unknown): string {
  return err instanceof DataError ? err.message : `unreadable: ${(err as Error).message}`;
}

/** Summarises a located dataset; never throws (a problem becomes `error`). */
export function summarizeLocation(loc: DatasetLocation, data: string, read: DataReadOptions = {}): DatasetSummary {
  const base = { data, name: loc.name, format: loc.format, location: loc.dir, builtIn: !!loc.named };
  try {
    if (loc.user?.format === 'image-folder') {
      const d = describeImageFolder(loc.user.images);
      const fraction = read.testSplit ?? DEFAULT_TEST_SPLIT;
      // the exact counts the stratified split will hold out (stratify.ts), without shuffling anything
      const held = d.test ? d.test : stratifiedCounts(d.train, fraction);
      const train = d.test ? d.train : d.train.map((n, c) => n - held[c]);
      return {
        ...base, shape: d.shape, classes: d.classNames.length,
        perClass: d.classNames.map((name, c) => ({ name, train: train[c], test: held[c] })),
        train: train.reduce((a, b) => a + b, 0), test: held.reduce((a, b) => a + b, 0),
        testFrom: d.test ? { own: true } : { fraction }, warnings: d.warnings,
      };
    }
    return fromDataset(base, loadLocatedDataset(loc, read));
  } catch (err) {
    return { ...base, warnings: [], error: errorText(err) };
  }
}

/** Summarises a dataset by name or path; a named dataset that is not installed says where its files go. */
export function summarizeDataset(data: string, lookup: DataLookupOptions = {}, read: DataReadOptions = {}): DatasetSummary {
  let loc: DatasetLocation;
  try {
    loc = locateDataset(data, lookup);
  } catch (err) {
    const named = (NAMED_DATASETS as Record<string, (typeof NAMED_DATASETS)[keyof typeof NAMED_DATASETS] | undefined>)[data];
    return {
      data, name: named?.name ?? path.basename(data), format: named?.format ?? 'idx', location: named ? '' : data, builtIn: !!named,
      shape: named?.shape, classes: named?.classes, warnings: [], error: errorText(err),
    };
  }
  return summarizeLocation(loc, data, read);
}
