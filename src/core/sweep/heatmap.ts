/**
 * The numbers a sweep's heatmaps show, over γ (rows) × τ (columns), from the cells' real runs: the final accuracy
 * (test accuracy when the run measured it, else the last validation accuracy) and, for every binary layer, its mean
 * flip ratio over the last epoch — the two quantities the Bop paper's Section 5 plots against the adaptivity rate and
 * the threshold.
 */
import type { MetricsEvent } from '../experiments/types';

export interface CellRun {
  gamma: number;
  threshold: number;
  events: MetricsEvent[];
  testAccuracy?: number;
}

export interface Heatmap {
  title: string;
  gammas: number[];
  thresholds: number[];
  /** values[i][j] for gammas[i], thresholds[j]; undefined where the cell has no result yet. */
  values: Array<Array<number | undefined>>;
}

/**
 * Mean flip ratio of each binary layer over the last epoch that has step events. A step event's flip ratio is the
 * mean over the steps since the event before it, so each counts with that many steps.
 */
export function lastEpochFlipRatios(events: MetricsEvent[]): Record<string, number> {
  const steps = events.filter((e): e is Extract<MetricsEvent, { kind: 'step' }> => e.kind === 'step');
  if (!steps.length) return {};
  const last = steps[steps.length - 1].epoch;
  const sums: Record<string, number> = {};
  let weight = 0;
  let prevStep: number | undefined;
  for (const e of steps) {
    const n = prevStep === undefined ? e.step : e.step - prevStep;
    prevStep = e.step;
    if (e.epoch !== last || n <= 0) continue;
    weight += n;
    for (const [layer, r] of Object.entries(e.flipRatio)) sums[layer] = (sums[layer] ?? 0) + r * n;
  }
  const out: Record<string, number> = {};
  for (const [layer, s] of Object.entries(sums)) out[layer] = s / weight;
  return out;
}

/** Test accuracy if measured, else the last epoch event's validation accuracy, else the last training accuracy. */
export function finalAccuracy(run: CellRun): number | undefined {
  if (run.testAccuracy !== undefined) return run.testAccuracy;
  const epochs = run.events.filter((e): e is Extract<MetricsEvent, { kind: 'epoch' }> => e.kind === 'epoch');
  const last = epochs[epochs.length - 1];
  return last ? (last.valAccuracy ?? last.accuracy) : undefined;
}

export function sweepHeatmaps(gammas: number[], thresholds: number[], runs: CellRun[]): Heatmap[] {
  const at = (g: number, t: number): CellRun | undefined => runs.find((r) => r.gamma === g && r.threshold === t);
  const grid = (f: (r: CellRun) => number | undefined): Array<Array<number | undefined>> =>
    gammas.map((g) => thresholds.map((t) => { const r = at(g, t); return r ? f(r) : undefined; }));
  const layers: string[] = [];
  const flips = new Map<CellRun, Record<string, number>>();
  for (const r of runs) {
    const f = lastEpochFlipRatios(r.events);
    flips.set(r, f);
    for (const l of Object.keys(f)) if (!layers.includes(l)) layers.push(l);
  }
  return [
    { title: 'final accuracy', gammas, thresholds, values: grid(finalAccuracy) },
    ...layers.map((l) => ({ title: `mean flip ratio over the last epoch: ${l}`, gammas, thresholds, values: grid((r) => flips.get(r)?.[l]) })),
  ];
}
