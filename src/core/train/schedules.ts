/** Hyperparameter schedules (Keras semantics): value at a 0-based optimizer step. */
import type { Schedule } from '../experiments/types';

export function scheduleValue(s: Schedule, step: number): number {
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
      return undefined;
    case 'linear':
      if (!finite(s.initial) || !finite(s.final)) return `${what}: initial and final must be finite numbers`;
      if (!(s.steps >= 0)) return `${what}: steps must be ≥ 0`;
      return undefined;
    default:
      return `${what}: unknown schedule kind`;
  }
}

export function describeSchedule(s: Schedule): string {
  switch (s.kind) {
    case 'constant':
      return String(s.value);
    case 'exponential':
      return `${s.initial} × ${s.decayRate}^(step/${s.decaySteps}${s.staircase ? ', staircase' : ''})`;
    case 'linear':
      return `${s.initial} → ${s.final} over ${s.steps} steps`;
  }
}
