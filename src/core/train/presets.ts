/** Optimizer presets offered by "Train BNN" and `bnn train --preset`. */
import type { OptimizerConfig, OptimizerKind, Schedule } from '../experiments/types';
import { ADAM_DEFAULTS, BOP2_DEFAULTS, BOP_DEFAULTS, LATENT_DEFAULT_LR } from './defaults';
import { resolveEpochSchedules } from './schedules';

export interface Preset {
  id: string;
  label: string;
  detail: string;
  kind: OptimizerKind;
  batchSize?: number;
  /** A recipe's schedules are written for this many epochs (fitRecipe stretches or shrinks them to a run's). */
  recipeEpochs?: number;
}

export const BOP_PRESETS: readonly Preset[] = [
  { id: 'bop', label: 'Bop (Larq defaults)', detail: 'γ = 1e-4, τ = 1e-8; Adam 0.01 for BatchNorm/real weights', kind: 'bop' },
  { id: 'bop-paper-5.1', label: 'Bop — paper §5.1', detail: 'γ = 1e-3, τ = 1e-6, batch 100 (Helwegen et al. 2019, ablations)', kind: 'bop', batchSize: 100 },
  { id: 'bop-paper-5.2', label: 'Bop — paper §5.2', detail: 'γ = 1e-4 decayed ×0.1 every 100 epochs, τ = 1e-8, batch 50 (CIFAR-10 setup)', kind: 'bop', batchSize: 50 },
  {
    id: 'bop-10-epochs', label: 'Bop — 10-epoch recipe (Fashion-MNIST, MNIST)', kind: 'bop', batchSize: 50, recipeEpochs: 10,
    detail: 'γ = 1e-3 → 1e-4, τ = 1e-6; Adam 0.01 → 1e-4 for BatchNorm/real weights (exponential decays over 10 epochs), batch 50',
  },
  { id: 'bop2', label: 'Bop2ndOrder', detail: 'γ = 1e-6, τ = 1e-6, σ = 1e-2 (Suarez-Ramirez et al. 2021)', kind: 'bop2' },
  { id: 'latent', label: 'Latent weights + Adam (baseline)', detail: 'Adam 5e-3 on real latent weights, STE, clipped to [−1, 1] (BinaryNet)', kind: 'latent' },
  {
    id: 'latent-10-epochs', label: 'Latent weights + Adam — 10-epoch recipe (Fashion-MNIST, MNIST)', kind: 'latent', batchSize: 100, recipeEpochs: 10,
    detail: 'Adam 5e-3 → 5e-5 (exponential decay over 10 epochs) on latent weights clipped to [−1, 1], batch 100',
  },
];

/**
 * Decay by `factor` over `epochs`, smoothly (Keras ExponentialDecay without staircase), counted in epochs. The 10-epoch
 * recipes anneal both the real-valued parameters' step (Adam lr) and Bop's γ: late in a short run a smaller γ averages
 * the gradient over more steps, so fewer weights flip on noise (the flip ratio falls), and the BatchNorm offsets settle.
 */
const decay = (initial: number, factor: number, epochs: number): Schedule => ({ kind: 'exponential', initial, decayRate: factor, decaySteps: epochs, staircase: false, unit: 'epochs' });

const c = (value: number) => ({ kind: 'constant', value }) as const;

/**
 * The optimizer config of a preset. Its decays are counted in epochs (Schedule unit 'epochs'), which the trainer's job
 * resolves to steps once the data is loaded; `stepsPerEpoch`, when given, resolves them here instead (Larq export).
 */
export function optimizerFromPreset(id: string, opts: { stepsPerEpoch?: number } = {}): { optimizer: OptimizerConfig; batchSize?: number } {
  const r = presetConfig(id);
  return opts.stepsPerEpoch === undefined ? r : { ...r, optimizer: resolveEpochSchedules(r.optimizer, opts.stepsPerEpoch) };
}

function presetConfig(id: string): { optimizer: OptimizerConfig; batchSize?: number } {
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
          gamma: { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 100, staircase: true, unit: 'epochs' },
          threshold: c(1e-8),
          lr: c(ADAM_DEFAULTS.lr),
          preset: id,
        },
        batchSize: 50,
      };
    case 'bop-10-epochs':
      return { optimizer: { kind: 'bop', gamma: decay(1e-3, 0.1, 10), threshold: c(1e-6), lr: decay(ADAM_DEFAULTS.lr, 0.01, 10), preset: id }, batchSize: 50 };
    case 'latent-10-epochs':
      return { optimizer: { kind: 'latent', lr: decay(LATENT_DEFAULT_LR, 0.01, 10), preset: id }, batchSize: 100 };
    case 'bop2':
      return { optimizer: { kind: 'bop2', gamma: c(BOP2_DEFAULTS.gamma), threshold: c(BOP2_DEFAULTS.threshold), sigma: c(BOP2_DEFAULTS.sigma), epsilon: BOP2_DEFAULTS.epsilon, lr: c(ADAM_DEFAULTS.lr), preset: id } };
    default:
      return { optimizer: { kind: 'latent', lr: c(LATENT_DEFAULT_LR), preset: id } };
  }
}

/** The recipe Train BNN proposes first: the one that reaches the benchmark accuracy (BENCHMARKS.md) in 10 epochs. */
export const DEFAULT_RECIPE = 'bop-10-epochs';

/**
 * A recipe's optimizer for a run of `epochs`: its epoch-counted decays stretched (or shrunk) by epochs / recipeEpochs,
 * so γ and the learning rate end the run where the recipe ends its 10 epochs — 20 epochs anneal half as fast. A
 * preset that is not a recipe, or a run of the recipe's own length, is returned as it is.
 */
export function fitRecipe(id: string, epochs: number): { optimizer: OptimizerConfig; batchSize?: number; stretched: number } {
  const p = BOP_PRESETS.find((x) => x.id === id);
  const base = optimizerFromPreset(id);
  if (!p?.recipeEpochs || epochs === p.recipeEpochs) return { ...base, stretched: 1 };
  const f = epochs / p.recipeEpochs;
  const fit = (s: Schedule | undefined): Schedule | undefined => {
    if (!s || s.kind === 'constant' || s.unit !== 'epochs') return s;
    return s.kind === 'exponential' ? { ...s, decaySteps: s.decaySteps * f } : { ...s, steps: s.steps * f };
  };
  const o = base.optimizer;
  const optimizer: OptimizerConfig = { ...o, lr: fit(o.lr)! };
  for (const k of ['gamma', 'threshold', 'sigma'] as const) if (o[k]) optimizer[k] = fit(o[k]);
  return { optimizer, batchSize: base.batchSize, stretched: f };
}

export type HyperFlags = { gamma?: number | Schedule; threshold?: number | Schedule; lr?: number | Schedule; sigma?: number | Schedule };

/** `base` with the hyperparameters given as flags (a number is a constant schedule) put in place of its own. */
export function withOverrides(base: OptimizerConfig, flags: HyperFlags): OptimizerConfig {
  const out = { ...base };
  const s = (v: number | Schedule): Schedule => (typeof v === 'number' ? c(v) : v);
  if (flags.gamma !== undefined) out.gamma = s(flags.gamma);
  if (flags.threshold !== undefined) out.threshold = s(flags.threshold);
  if (flags.sigma !== undefined) out.sigma = s(flags.sigma);
  if (flags.lr !== undefined) out.lr = s(flags.lr);
  return out;
}

/** Builds an optimizer config from flags: --optimizer, --gamma, --threshold, --lr (unset values take the defaults). */
export function optimizerFromFlags(kind: OptimizerKind, flags: HyperFlags): OptimizerConfig {
  const base = optimizerFromPreset(kind === 'bop' ? 'bop' : kind === 'bop2' ? 'bop2' : 'latent').optimizer;
  delete base.preset;
  return withOverrides(base, flags);
}
