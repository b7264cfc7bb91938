/**
 * A γ × τ sweep in the style of the Bop paper's Section 5 ablation: one run per (adaptivity rate γ, threshold τ) of a
 * grid, everything else as the chosen preset has it. γ and τ are the *starting* values of the preset's schedules (a
 * constant preset's constants), so a recipe that anneals γ keeps annealing it from each start by the same factor.
 * Pure planning; running the queue is the caller's (bnn sweep).
 */
import type { OptimizerConfig, Schedule } from '../experiments/types';
import { BOP_PRESETS, fitRecipe } from '../train/presets';

export interface SweepCell {
  gamma: number;
  threshold: number;
}

/** "1e-5,1e-4,1e-3" → [1e-5, 1e-4, 1e-3]; every item a positive finite number, no duplicates. */
export function parseValueList(text: string, flag: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  const values: number[] = [];
  for (const item of items) {
    const v = item === '' ? NaN : Number(item);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag}: '${item}' is not a positive number (expected a comma-separated list such as 1e-5,1e-4,1e-3)`);
    if (values.includes(v)) throw new Error(`${flag}: ${item} is listed twice`);
    values.push(v);
  }
  return values;
}

/** The grid, γ-major (row = γ, column = τ), as the heatmaps are drawn. */
export function sweepGrid(gammas: number[], thresholds: number[]): SweepCell[] {
  if (!gammas.length || !thresholds.length) throw new Error('a sweep needs at least one γ and one τ');
  return gammas.flatMap((gamma) => thresholds.map((threshold) => ({ gamma, threshold })));
}

/** `s` with its starting value replaced (a missing schedule becomes the constant). */
export function startingAt(s: Schedule | undefined, value: number): Schedule {
  if (!s || s.kind === 'constant') return { kind: 'constant', value };
  return { ...s, initial: value };
}

/** The optimizer of one cell: the preset fitted to the run's epochs, γ and τ starting at the cell's values. */
export function cellOptimizer(preset: string, epochs: number, cell: SweepCell): { optimizer: OptimizerConfig; batchSize?: number } {
  const p = BOP_PRESETS.find((x) => x.id === preset);
  if (!p) throw new Error(`unknown optimizer preset '${preset}' (expected one of ${BOP_PRESETS.map((x) => x.id).join(', ')})`);
  if (p.kind === 'latent') throw new Error(`preset '${preset}' trains latent weights: it has no γ or τ to sweep (choose a Bop preset)`);
  const fit = fitRecipe(preset, epochs);
  const o = fit.optimizer;
  return { optimizer: { ...o, gamma: startingAt(o.gamma, cell.gamma), threshold: startingAt(o.threshold, cell.threshold) }, batchSize: fit.batchSize };
}

/** Runs at once: as many as the cores hold at `threadsPerRun` each, at least one, never more than the cells. */
export function sweepConcurrency(cores: number, threadsPerRun: number, cells: number): number {
  return Math.max(1, Math.min(cells, Math.floor(cores / Math.max(1, threadsPerRun))));
}
