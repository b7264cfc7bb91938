/**
 * The trainer's train/validation split. IDX and CIFAR runs keep the seeded random split every run before this had;
 * a user's own data (NumPy, CSV: small, often imbalanced) is split stratified, so the validation set has every class
 * in its proportion. Which one a run used is in its config.json (dataset.preprocessing.stratifiedValidation), so a
 * resumed run validates on the same samples.
 */
import { stratifiedSplit, VAL_SPLIT_SALT } from '../data/stratify';
import { Rng, deriveSeed, permutation } from './rng';

export interface Split {
  train: Uint32Array;
  val: Uint32Array;
}

/** Seeded split of the training set into train/validation indices (validation = a random valSplit share). */
export function splitIndices(count: number, valSplit: number, seed: number): Split {
  const perm = permutation(count, new Rng(deriveSeed(seed, 0x5eed)));
  const nVal = Math.round(count * valSplit);
  return { val: perm.slice(0, nVal).sort(), train: perm.slice(nVal).sort() };
}

/** The split of the first `count` training samples: stratified by their labels, or splitIndices' random one. */
export function validationSplit(labels: Uint8Array, count: number, valSplit: number, seed: number, stratified: boolean): Split {
  if (!stratified) return splitIndices(count, valSplit, seed);
  const s = stratifiedSplit(labels.subarray(0, count), valSplit, seed, VAL_SPLIT_SALT);
  return { train: s.keep, val: s.held };
}

/** Samples per class among `indices` of `labels` (all of them when omitted). */
export function classCountsOf(labels: Uint8Array, indices: Uint32Array | undefined, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  if (indices) for (const i of indices) counts[labels[i]]++;
  else for (const l of labels) counts[l]++;
  return counts;
}
