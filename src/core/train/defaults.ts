/** Optimizer and trainer defaults, free of TensorFlow.js so the extension host can show them without loading it. */

/** Larq's Bop defaults. */
export const BOP_DEFAULTS = { gamma: 1e-4, threshold: 1e-8 } as const;
/** Bop2ndOrder defaults of its reference implementation (Suarez-Ramirez et al.), ε as there. */
export const BOP2_DEFAULTS = { gamma: 1e-6, threshold: 1e-6, sigma: 1e-2, epsilon: 1e-10 } as const;
/** Keras Adam defaults; lr 0.01 as Larq's CaseOptimizer examples use for the real-valued parameters with Bop. */
export const ADAM_DEFAULTS = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
/** BinaryNet's latent-weight baseline: Adam 5e-3 on latent weights clipped to [−1, 1]. */
export const LATENT_DEFAULT_LR = 5e-3;
/** Training images BatchNorm's moving statistics are re-estimated over after every epoch (train/recalibrate.ts). */
export const DEFAULT_BN_RECALIBRATION = 10_000;
/** A new run's settings when neither the user nor a preset gives them: one definition for `bnn train` and Train BNN. */
export const TRAIN_DEFAULTS = { epochs: 10, batchSize: 100, seed: 1, valSplit: 0.1 } as const;
