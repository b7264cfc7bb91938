/**
 * Training presets for exported Larq projects, from the Bop paper. Schedules are in optimizer steps (Keras
 * semantics); "every 100 epochs" is written out for the preset's dataset size and batch.
 */
import type { OptimizerConfig } from '../experiments/types';

export interface LarqPreset {
  id: string;
  label: string;
  optimizer: OptimizerConfig;
  epochs: number;
  batchSize: number;
  dataset?: string;
}

const CIFAR10_TRAIN = 50_000;

export const LARQ_PRESETS: readonly LarqPreset[] = [
  {
    id: 'bop-larq-defaults', label: 'Bop, Larq defaults (τ = 1e-8, γ = 1e-4, Adam 0.01)',
    optimizer: { kind: 'bop', threshold: { kind: 'constant', value: 1e-8 }, gamma: { kind: 'constant', value: 1e-4 }, lr: { kind: 'constant', value: 0.01 }, preset: 'bop-larq-defaults' },
    epochs: 10, batchSize: 100,
  },
  {
    id: 'bop-paper-5.1', label: 'Bop, paper §5.1 (τ = 1e-6, γ = 1e-3, batch 100)',
    optimizer: { kind: 'bop', threshold: { kind: 'constant', value: 1e-6 }, gamma: { kind: 'constant', value: 1e-3 }, lr: { kind: 'constant', value: 0.01 }, preset: 'bop-paper-5.1' },
    epochs: 100, batchSize: 100,
  },
  {
    id: 'bop-paper-5.2', label: 'Bop, paper §5.2 CIFAR-10 (τ = 1e-8, γ = 1e-4 ×0.1 every 100 epochs, batch 50, 500 epochs)',
    optimizer: {
      kind: 'bop', threshold: { kind: 'constant', value: 1e-8 },
      gamma: { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 100 * Math.ceil((CIFAR10_TRAIN * 0.9) / 50), staircase: true },
      lr: { kind: 'constant', value: 0.01 }, preset: 'bop-paper-5.2',
    },
    epochs: 500, batchSize: 50, dataset: 'cifar10',
  },
  {
    id: 'latent-binarynet', label: 'Latent weights (BinaryNet: Adam 5e-3, clipped)',
    optimizer: { kind: 'latent', lr: { kind: 'constant', value: 5e-3 }, preset: 'latent-binarynet' },
    epochs: 10, batchSize: 100,
  },
];
