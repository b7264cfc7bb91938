/**
 * What a run is called wherever runs are listed or overlaid: the Experiments tree, the Compare legend and table, the
 * panel's tab title, the CLI listing. A run the user named (`bnn train --name`, Rename in the tree) is called by its
 * name; any other by its model, its optimizer and whatever differs between the runs shown together, so two runs of
 * different models never share a legend entry. The folder id never changes: it is how commands find the run.
 */
import type { ExperimentConfig, OptimizerKind, Schedule } from './types';
import { fmtInt, fmtSci } from '../format';

/** Longest display name accepted (a legend entry, a tree row). */
export const MAX_RUN_NAME = 80;

/** Why `name` cannot be a run's display name, or undefined. Shown as is by the CLI and the Rename box. */
export function runNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'the run name must be text';
  if (name.trim() === '') return 'the run name is empty';
  if (name.length > MAX_RUN_NAME) return `the run name is ${name.length} characters long (at most ${MAX_RUN_NAME})`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the run name contains a control character (a line break or tab, say)';
  return undefined;
}

export const OPTIMIZER_TITLE: Record<OptimizerKind, string> = { bop: 'Bop', bop2: 'Bop2ndOrder', latent: 'Latent (Adam)' };

export function optimizerTitle(kind: string | undefined): string {
  return (OPTIMIZER_TITLE as Record<string, string>)[kind ?? ''] ?? String(kind ?? '?');
}

/** A schedule in a few characters: `1e-4`, `1e-3↘1e-4` (decay to its value at the end of the run), `1e-3→0`. */
export function scheduleShort(s: Schedule | undefined, totalSteps?: number): string | undefined {
  if (!s) return undefined;
  if (s.kind === 'constant') return fmtSci(s.value);
  if (s.kind === 'linear') return `${fmtSci(s.initial)}→${fmtSci(s.final)}`;
  if (totalSteps && s.decaySteps > 0) {
    const k = s.staircase ? Math.floor(totalSteps / s.decaySteps) : totalSteps / s.decaySteps;
    return `${fmtSci(s.initial)}↘${fmtSci(s.initial * Math.pow(s.decayRate, k))}`;
  }
  return `${fmtSci(s.initial)}↘×${fmtSci(s.decayRate)}`;
}

export interface LabelledRun {
  id: string;
  config?: ExperimentConfig;
}

/** Steps of the whole run, from the config (a schedule's end value needs them). */
function runSteps(c: ExperimentConfig): number | undefined {
  const n = c.dataset?.trainSamples;
  return n && c.batchSize ? Math.ceil(n / c.batchSize) * c.epochs : undefined;
}

/**
 * The facets that can tell runs apart, most telling first. Each gives its text for a config, or undefined when it does
 * not apply (γ of a latent-weight run).
 */
const FACETS: { key: string; text: (c: ExperimentConfig) => string | undefined; defining?: (c: ExperimentConfig) => boolean }[] = [
  { key: 'gamma', text: (c) => (c.optimizer.kind === 'latent' ? undefined : prefixed('γ=', scheduleShort(c.optimizer.gamma, runSteps(c)))), defining: (c) => c.optimizer.kind !== 'latent' },
  { key: 'threshold', text: (c) => (c.optimizer.kind === 'latent' ? undefined : prefixed('τ=', scheduleShort(c.optimizer.threshold, runSteps(c)))), defining: (c) => c.optimizer.kind !== 'latent' },
  { key: 'sigma', text: (c) => (c.optimizer.kind === 'bop2' ? prefixed('σ=', scheduleShort(c.optimizer.sigma, runSteps(c))) : undefined) },
  { key: 'lr', text: (c) => prefixed('lr=', scheduleShort(c.optimizer.lr, runSteps(c))), defining: (c) => c.optimizer.kind === 'latent' },
  { key: 'dataset', text: (c) => c.dataset?.name },
  { key: 'batch', text: (c) => `batch ${fmtInt(c.batchSize)}` },
  { key: 'epochs', text: (c) => `${fmtInt(c.epochs)} epoch${c.epochs === 1 ? '' : 's'}` },
  { key: 'samples', text: (c) => `${fmtInt(c.dataset?.trainSamples ?? 0)} train` },
  { key: 'valSplit', text: (c) => `val ${c.valSplit}` },
  { key: 'seed', text: (c) => `seed ${c.seed}` },
  { key: 'augment', text: (c) => (c.augment ? [c.augment.pad ? `crop ${c.augment.pad}` : '', c.augment.flip ? 'flip' : ''].filter(Boolean).join('+') : 'no augment') },
  { key: 'bn', text: (c) => (c.bnRecalibration ? `BN re-est. ${fmtInt(c.bnRecalibration)}` : 'BN moving avg') },
  { key: 'engine', text: (c) => c.engine },
];

function prefixed(p: string, v: string | undefined): string | undefined {
  return v === undefined ? undefined : p + v;
}

/** "17:05:09": the creation time, the last resort between runs identical in every setting. */
function timeOfDay(run: LabelledRun): string {
  const d = new Date(run.config?.createdAt ?? NaN);
  if (Number.isNaN(d.getTime())) return run.id;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export interface LabelOptions {
  /** Leave the model out (the tree groups runs by model already). */
  omitModel?: boolean;
}

/**
 * One label per run, in order. A single run reads `binary_mlp · Bop · γ=1e-4 · τ=1e-8` (its defining hyperparameters);
 * runs shown together read model · optimizer · the settings whose values differ between them, and runs that still
 * read alike get their creation time. A named run reads its name (with the time when two share one).
 */
export function runLabels(runs: readonly LabelledRun[], opts: LabelOptions = {}): string[] {
  const configs = runs.map((r) => r.config);
  const differing = FACETS.filter((f) => {
    const values = new Set(configs.flatMap((c) => (c ? [f.text(c)] : [])).filter((v) => v !== undefined));
    return values.size > 1;
  });
  const labels = runs.map((r) => {
    const c = r.config;
    if (!c) return r.id;
    if (c.name) return c.name;
    const parts: string[] = [];
    if (!opts.omitModel) parts.push(c.model?.name ?? '?');
    parts.push(optimizerTitle(c.optimizer?.kind));
    const shown = runs.length > 1 ? differing : FACETS.filter((f) => f.defining?.(c));
    for (const f of shown) {
      const t = f.text(c);
      if (t !== undefined) parts.push(t);
    }
    return parts.join(' · ');
  });
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  const withTime = labels.map((l, i) => ((count.get(l) ?? 0) > 1 ? `${l} · ${timeOfDay(runs[i])}` : l));
  // Two runs created in the same second with the same settings: their ids (which carry a clash suffix) tell them apart.
  const again = new Map<string, number>();
  for (const l of withTime) again.set(l, (again.get(l) ?? 0) + 1);
  return withTime.map((l, i) => ((again.get(l) ?? 0) > 1 ? `${l} · ${runs[i].id}` : l));
}

/** The optimizer with its defining hyperparameters: `Bop · γ=1e-4 · τ=1e-8`, `Latent (Adam) · lr=5e-3`. */
export function optimizerSummary(c: ExperimentConfig): string {
  const parts = [optimizerTitle(c.optimizer?.kind)];
  for (const f of FACETS) {
    const t = f.defining?.(c) ? f.text(c) : undefined;
    if (t !== undefined) parts.push(t);
  }
  return parts.join(' · ');
}

/** A run's own title (panel tab, notifications): its name, else `model · optimizer · 17:05:09`. */
export function runTitle(run: LabelledRun): string {
  const c = run.config;
  if (!c) return run.id;
  if (c.name) return c.name;
  return `${c.model?.name ?? '?'} · ${optimizerTitle(c.optimizer?.kind)} · ${timeOfDay(run)}`;
}
