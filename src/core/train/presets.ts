/** Optimizer presets offered by "Train BNN" and `bnn train --preset`. */
import type { OptimizerConfig, OptimizerKind } from '../experiments/types';
import { ADAM_DEFAULTS, BOP2_DEFAULTS, BOP_DEFAULTS, LATENT_DEFAULT_LR } from './defaults';

export interface Preset {
  id: string;
  label: string;
  detail: string;
  kind: OptimizerKind;
  batchSize?: number;
}

export const BOP_PRESETS: readonly Preset[] = [
  { id: 'bop', label: 'Bop (Larq defaults)', detail: 'γ = 1e-4, τ = 1e-8; Adam 0.01 for BatchNorm/real weights', kind: 'bop' },
  { id: 'bop-paper-5.1', label: 'Bop — paper §5.1', detail: 'γ = 1e-3, τ = 1e-6, batch 100 (Helwegen et al. 2019, ablations)', kind: 'bop', batchSize: 100 },
  { id: 'bop-paper-5.2', label: 'Bop — paper §5.2', detail: 'γ = 1e-4 decayed ×0.1 every 100 epochs, τ = 1e-8, batch 50 (CIFAR-10 setup)', kind: 'bop', batchSize: 50 },
  { id: 'bop2', label: 'Bop2ndOrder', detail: 'γ = 1e-6, τ = 1e-6, σ = 1e-2 (Suarez-Ramirez et al. 2021)', kind: 'bop2' },
  { id: 'latent', label: 'Latent weights + Adam (baseline)', detail: 'Adam 5e-3 on real latent weights, STE, clipped to [−1, 1] (BinaryNet)', kind: 'latent' },
];

const c = (value: number) => ({ kind: 'constant', value }) as const;

/** The optimizer config of a preset. `stepsPerEpoch` turns epoch-based decays into steps. */
export function optimizerFromPreset(id: string, opts: { stepsPerEpoch: number }): { optimizer: OptimizerConfig; batchSize?: number } {
  const p = BOP_PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`unknown optimizer preset '${id}' (expected one of ${BOP_PRESETS.map((x) => x.id).join(', ')})`);
  switch (id) {
    case 'bop':
      return { optimizer: { kind: 'bop', gamma: c(BOP_DEFAULTS.gamma), threshold: c(BOP_DEFAULTS.threshold), lr: c(ADAM_DEFAULTS.lr), preset: id } };
    case 'bop-paper-5.1':
      return { optimizer: { kind: 'bop', gamma: c(1e-3), threshold: c(1e-6), lr: c(ADAM_DEFAULTS.lr), preset: id }, batchSize: 100 };
    case 'bop-paper-5.2':
      return {
        optimizer: {
          kind: 'bop',
          gamma: { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 100 * Math.max(1, opts.stepsPerEpoch), staircase: true },
          threshold: c(1e-8),
          lr: c(ADAM_DEFAULTS.lr),
          preset: id,
        },
        batchSize: 50,
      };
    case 'bop2':
      return { optimizer: { kind: 'bop2', gamma: c(BOP2_DEFAULTS.gamma), threshold: c(BOP2_DEFAULTS.threshold), sigma: c(BOP2_DEFAULTS.sigma), epsilon: BOP2_DEFAULTS.epsilon, lr: c(ADAM_DEFAULTS.lr), preset: id } };
    default:
      return { optimizer: { kind: 'latent', lr: c(LATENT_DEFAULT_LR), preset: id } };
  }
}

/** Builds an optimizer config from flags: --optimizer, --gamma, --threshold, --lr (unset values take the defaults). */
export function optimizerFromFlags(kind: OptimizerKind, flags: { gamma?: number; threshold?: number; lr?: number; sigma?: number }): OptimizerConfig {
  const base = optimizerFromPreset(kind === 'bop' ? 'bop' : kind === 'bop2' ? 'bop2' : 'latent', { stepsPerEpoch: 1 }).optimizer;
  delete base.preset;
  if (flags.gamma !== undefined) base.gamma = c(flags.gamma);
  if (flags.threshold !== undefined) base.threshold = c(flags.threshold);
  if (flags.sigma !== undefined) base.sigma = c(flags.sigma);
  if (flags.lr !== undefined) base.lr = c(flags.lr);
  return base;
}
