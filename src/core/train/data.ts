/**
 * What the trainer needs from a dataset, kept small so any loader plugs in (the named/IDX/CIFAR loaders live in
 * src/core/data; tests build synthetic sets directly).
 */
import type { DatasetPreprocessing } from '../data/record';

export interface LabeledImages {
  /** u8 samples back to back, channels last. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface TrainingData {
  name: string;
  path?: string;
  /** How a NumPy/CSV dataset was read; recorded in config.json (src/core/data/record.ts). */
  preprocessing?: DatasetPreprocessing;
  /** Said to the user (as warnings) when the run starts. */
  warnings?: string[];
  /** Per-sample shape, e.g. [28, 28, 1]. */
  shape: number[];
  classes: number;
  classNames?: string[];
  train: LabeledImages;
  test?: LabeledImages;
}

export function sampleSize(data: { shape: number[] }): number {
  return data.shape.reduce((a, b) => a * b, 1);
}

/** Checks the data fits the model; returns a message naming the mismatch, or undefined. */
export function dataModelMismatch(data: TrainingData, input: number[], classes: number): string | undefined {
  const same = data.shape.length === input.length && data.shape.every((d, i) => d === input[i]);
  const sameSize = sampleSize(data) === input.reduce((a, b) => a * b, 1);
  if (!same && !sameSize) return `dataset '${data.name}' has samples of shape [${data.shape.join(', ')}] but the model's input is [${input.join(', ')}]`;
  if (data.classes > classes) return `dataset '${data.name}' has ${data.classes} classes but the model outputs ${classes}`;
  for (let i = 0; i < data.train.count; i++) {
    if (data.train.labels[i] >= classes) return `dataset '${data.name}': label ${data.train.labels[i]} of sample ${i} is out of range for ${classes} classes`;
  }
  return undefined;
}

/** First `n` samples of a set (a view, no copy). */
export function takeSamples(set: LabeledImages, n: number, size: number): LabeledImages {
  const count = Math.min(n, set.count);
  return { images: set.images.subarray(0, count * size), labels: set.labels.subarray(0, count), count };
}
