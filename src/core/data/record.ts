/**
 * config.json's record of how a user's dataset was read (dataset.preprocessing). A leaf module, so the experiment
 * types can name it without importing the loaders.
 */
import type { ByteRule } from './arrays';
import type { ResizeMode } from './imageDecode';

export type UserDataFormat = 'numpy' | 'csv' | 'image-folder';

/** Everything needed to read the same samples again (eval, bench, flash, resume). */
export interface DatasetPreprocessing {
  format: UserDataFormat;
  /** The float → 8-bit rule, when the values were not already bytes. */
  toBytes?: ByteRule & { rule: string };
  /** The test part carved out of data that has none. */
  testSplit?: { fraction: number; seed: number; stratified: true };
  /** CSV: the label column, by header name or as a 0-based index. */
  labelColumn?: string | number;
  /** Image folders: the input shape images were brought to, the resize mode and the channel rule (imageDecode.ts). */
  image?: { shape: [number, number, number]; resize: ResizeMode; channels: string };
  /** The trainer's validation split was stratified (set by the trainer for every NumPy/CSV run). */
  stratifiedValidation?: true;
}
