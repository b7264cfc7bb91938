/**
 * Presets for exported Larq projects. The optimizer settings are the trainer's own presets (src/core/train/presets.ts,
 * one definition); this adds what a long GPU run needs on top: epochs, batch and, for the paper's CIFAR-10 setup, the
 * dataset. Epoch-based schedules are written out in optimizer steps for the dataset's size (Keras semantics).
 */
import type { OptimizerConfig } from '../experiments/types';
import { BOP_PRESETS, optimizerFromPreset } from '../train/presets';
import { NAMED_DATASETS, isDatasetName } from '../data/named';

export interface LarqPreset {
  id: string;
  label: string;
  epochs: number;
  batchSize: number;
  dataset?: string;
}

/** Epochs of the paper's runs (§5.2: 500 on CIFAR-10), a short default elsewhere. Bop2ndOrder is not in Larq. */
const RUN: Record<string, { epochs: number; batchSize: number; dataset?: string }> = {
  bop: { epochs: 10, batchSize: 100 },
  'bop-paper-5.1': { epochs: 100, batchSize: 100 },
  'bop-paper-5.2': { epochs: 500, batchSize: 50, dataset: 'cifar10' },
  'bop-10-epochs': { epochs: 10, batchSize: 50 },
  latent: { epochs: 10, batchSize: 100 },
  'latent-10-epochs': { epochs: 10, batchSize: 100 },
};

export const LARQ_PRESETS: readonly LarqPreset[] = BOP_PRESETS.filter((p) => RUN[p.id]).map((p) => ({
  id: p.id, label: `${p.label} — ${p.detail}`, ...RUN[p.id],
}));

/** The preset's optimizer for a run on `dataset` (its training split less the validation share) at `batchSize`. */
export function larqOptimizer(presetId: string, dataset: string, batchSize: number, valSplit: number): OptimizerConfig {
  const train = isDatasetName(dataset) ? NAMED_DATASETS[dataset].trainCount ?? 60_000 : 60_000;
  return optimizerFromPreset(presetId, { stepsPerEpoch: Math.ceil((train * (1 - valSplit)) / batchSize) }).optimizer;
}
