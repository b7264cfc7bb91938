/**
 * Which checkpoint of an experiment a command uses — eval, compile, bench, flash and export alike, in the CLI and the
 * extension: the one asked for, else the run's best (highest validation accuracy), else its last. Defined here only.
 * The chosen checkpoint is used or reported, never quietly swapped for another: a damaged `best` is an error naming its
 * file, not a silent fall back to `last`.
 */
import * as path from 'node:path';
import { CHECKPOINT_NAME, readStatusFile } from './files';
import { readableDir } from './read';
import { CHECKPOINTS_DIR } from './types';

/** The documented default, for help texts and messages. */
export const DEFAULT_CHECKPOINT_RULE = 'best if the run has one, else last';

export interface CheckpointChoice {
  /** Checkpoint name under checkpoints/ ('best', 'last', …). */
  name: string;
  /** Its folder (the moved-aside copy when a kill hit mid-swap). */
  dir: string;
  /** True when the default rule chose it (no name was asked for). */
  defaulted: boolean;
}

export class CheckpointChoiceError extends Error {}

/** Chooses the checkpoint of `experimentDir` to use; throws CheckpointChoiceError saying what is missing. */
export function chooseCheckpoint(experimentDir: string, requested?: string): CheckpointChoice {
  const root = path.join(experimentDir, CHECKPOINTS_DIR);
  const id = path.basename(experimentDir);
  if (requested !== undefined) {
    if (!CHECKPOINT_NAME.test(requested)) throw new CheckpointChoiceError(`invalid checkpoint name '${requested}' (letters, digits, '.', '_' and '-', not starting with '.')`);
    const dir = readableDir(path.join(root, requested));
    if (!dir) throw new CheckpointChoiceError(`experiment ${id} has no checkpoint '${requested}' (no ${path.join(root, requested)})`);
    return { name: requested, dir, defaulted: false };
  }
  const status = readStatusFile(experimentDir);
  const best = status?.bestCheckpoint ?? 'best';
  const bestDir = readableDir(path.join(root, best));
  if (bestDir) return { name: best, dir: bestDir, defaulted: true };
  if (status?.bestCheckpoint) {
    throw new CheckpointChoiceError(`experiment ${id}: status.json names '${best}' as its best checkpoint but ${path.join(root, best)} is missing; pass --checkpoint ${status.lastCheckpoint ?? 'last'} to use another`);
  }
  const last = status?.lastCheckpoint ?? 'last';
  const lastDir = readableDir(path.join(root, last));
  if (lastDir) return { name: last, dir: lastDir, defaulted: true };
  throw new CheckpointChoiceError(`experiment ${id} has no checkpoint yet (looked for ${path.join(CHECKPOINTS_DIR, best)} and ${path.join(CHECKPOINTS_DIR, last)}): train it first, or let it reach its first checkpoint`);
}

/** How commands name the checkpoint they used, e.g. "best (epoch 7, step 420, val acc 91.20%)". */
export function describeCheckpoint(name: string, meta: { epoch: number; step: number; valAccuracy?: number }): string {
  const acc = typeof meta.valAccuracy === 'number' ? `, val acc ${(meta.valAccuracy * 100).toFixed(2)}%` : '';
  return `${name} (epoch ${meta.epoch}, step ${meta.step}${acc})`;
}
