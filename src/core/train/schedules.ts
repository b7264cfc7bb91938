/** Hyperparameter schedules (Keras semantics): value at a 0-based optimizer step. */
import type { OptimizerConfig, Schedule } from '../experiments/types';

export function scheduleValue(s: Schedule, step: number): number {
  // an unresolved epoch-based schedule would silently decay ~500× too fast
  if (s.kind !== 'constant' && s.unit === 'epochs') throw new Error('an epoch-based schedule must be resolved to steps (resolveEpochSchedules) before training');
  switch (s.kind) {
    case 'constant':
      return s.value;
    case 'exponential': {
      const p = step / s.decaySteps;
      return s.initial * Math.pow(s.decayRate, s.staircase ? Math.floor(p) : p);
    }
    case 'linear': {
      if (s.steps <= 0) return s.final;
      const t = Math.min(Math.max(step / s.steps, 0), 1);
      return s.initial + (s.final - s.initial) * t;
    }
  }
}

/** The schedule counted in optimizer steps: an epoch-based one (unit 'epochs') times `stepsPerEpoch`; others as they are. */
export function resolveSchedule(s: Schedule, stepsPerEpoch: number): Schedule {
  if (s.kind === 'constant' || s.unit !== 'epochs') return s;
  const spe = Math.max(1, stepsPerEpoch);
  if (s.kind === 'exponential') return { kind: 'exponential', initial: s.initial, decayRate: s.decayRate, decaySteps: s.decaySteps * spe, staircase: s.staircase };
  return { kind: 'linear', initial: s.initial, final: s.final, steps: s.steps * spe };
}

/** An optimizer config with every epoch-based schedule resolved to steps (see Schedule). */
export function resolveEpochSchedules(o: OptimizerConfig, stepsPerEpoch: number): OptimizerConfig {
  const out: OptimizerConfig = { ...o, lr: resolveSchedule(o.lr, stepsPerEpoch) };
  if (o.gamma) out.gamma = resolveSchedule(o.gamma, stepsPerEpoch);
  if (o.threshold) out.threshold = resolveSchedule(o.threshold, stepsPerEpoch);
  if (o.sigma) out.sigma = resolveSchedule(o.sigma, stepsPerEpoch);
  return out;
}

/** Optimizer steps per epoch of a run: the training samples left after the validation split (as the trainer splits). */
export function stepsPerEpochFor(samples: number, valSplit: number, batchSize: number): number {
  const train = samples - Math.round(samples * valSplit);
  return Math.max(1, Math.ceil(train / batchSize));
}

export function constant(value: number): Schedule {
  return { kind: 'constant', value };
}

/** Checks a schedule read from a file or flag; returns a message naming the problem, or undefined. */
export function scheduleProblem(s: Schedule, what: string): string | undefined {
  const finite = (v: number): boolean => typeof v === 'number' && Number.isFinite(v);
  switch (s?.kind) {
    case 'constant':
      return finite(s.value) ? undefined : `${what}: value must be a finite number`;
    case 'exponential':
      if (!finite(s.initial) || !finite(s.decayRate)) return `${what}: initial and decayRate must be finite numbers`;
      if (!(s.decaySteps > 0)) return `${what}: decaySteps must be > 0`;
      if (typeof s.staircase !== 'boolean') return `${what}: staircase must be true or false`;
      return unitProblem(s, what);
    case 'linear':
      if (!finite(s.initial) || !finite(s.final)) return `${what}: initial and final must be finite numbers`;
      if (!(s.steps >= 0)) return `${what}: steps must be ≥ 0`;
      return unitProblem(s, what);
    default:
      return `${what}: unknown schedule kind`;
  }
}

function unitProblem(s: { unit?: string }, what: string): string | undefined {
  return s.unit === undefined || s.unit === 'epochs' ? undefined : `${what}: unit must be "epochs" or absent (steps)`;
}

export function describeSchedule(s: Schedule): string {
  switch (s.kind) {
    case 'constant':
      return String(s.value);
    case 'exponential': {
      const per = s.unit === 'epochs' ? 'epoch' : 'step';
      return `${s.initial} × ${s.decayRate}^(${per}/${s.decaySteps}${s.staircase ? ', staircase' : ''})`;
    }
    case 'linear':
      return `${s.initial} → ${s.final} over ${s.steps} ${s.unit === 'epochs' ? 'epochs' : 'steps'}`;
  }
}
