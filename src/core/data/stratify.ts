/**
 * Stratified, seeded splits: the held-out part takes each class in the proportion the whole has, so a small or
 * imbalanced dataset does not validate or test on a set that lacks a class (what scikit-learn's
 * StratifiedShuffleSplit and Edge Impulse's train/test split do). Same labels + fraction + seed → same split.
 */
import { deriveSeed, permutation } from './prng';
import { validationCount } from './dataset';

export interface IndexSplit {
  /** Indices kept (training), ascending: the file order within a part. */
  keep: Uint32Array;
  /** Indices held out (validation or test), ascending. */
  held: Uint32Array;
}

/**
 * How many of each class are held out: the total is the Keras-rounded n − floor(n·(1 − f)); it is shared among the
 * classes by largest remainder of n_c · total / n (ties to the lower class index), so every class's share is within
 * one sample of its exact proportion and the shares add up to the total.
 */
export function stratifiedCounts(perClass: readonly number[], fraction: number): number[] {
  const n = perClass.reduce((a, b) => a + b, 0);
  const total = validationCount(n, fraction);
  if (n === 0) return perClass.map(() => 0);
  const exact = perClass.map((c) => (c * total) / n);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left <= 0) break;
    if (counts[c] < perClass[c]) { counts[c]++; left--; }
  }
  return counts;
}

/** Splits sample indices 0..labels.length−1, holding out `fraction` of every class; `salt` tells splits apart. */
export function stratifiedSplit(labels: Uint8Array, fraction: number, seed: number, salt: number): IndexSplit {
  const byClass: number[][] = [];
  labels.forEach((l, i) => (byClass[l] ??= []).push(i));
  const perClass = Array.from(byClass, (ix) => ix?.length ?? 0);
  const counts = stratifiedCounts(perClass, fraction);
  const held: number[] = [];
  const keep: number[] = [];
  byClass.forEach((ix, c) => {
    if (!ix) return;
    const perm = permutation(ix.length, deriveSeed(seed, salt, c));
    for (let k = 0; k < ix.length; k++) (k < counts[c] ? held : keep).push(ix[perm[k]]);
  });
  return { keep: Uint32Array.from(keep).sort(), held: Uint32Array.from(held).sort() };
}

/** Salts of the two splits, so the test and validation shuffles are independent. */
export const TEST_SPLIT_SALT = 0x7e57;
export const VAL_SPLIT_SALT = 0x5a1;

/** Largest/smallest class size at which a dataset is called imbalanced (Edge Impulse and Keras users then reach for
 *  class weights or more data; the run goes ahead). */
export const IMBALANCE_RATIO = 3;

/** A warning when some class has no samples or far fewer than another, naming both; undefined when balanced. */
export function imbalanceWarning(perClass: readonly number[], classNames?: readonly string[]): string | undefined {
  if (perClass.length < 2) return undefined;
  const name = (c: number): string => (classNames?.[c] !== undefined ? `'${classNames[c]}'` : String(c));
  const min = perClass.indexOf(Math.min(...perClass));
  const max = perClass.indexOf(Math.max(...perClass));
  if (perClass[min] === 0) return `class ${name(min)} has no training samples: the model cannot learn it`;
  const ratio = perClass[max] / perClass[min];
  if (ratio <= IMBALANCE_RATIO) return undefined;
  return `imbalanced classes: class ${name(max)} has ${perClass[max]} training samples, class ${name(min)} only ${perClass[min]} (${ratio.toFixed(1)}×); accuracy will favour the large classes`;
}
