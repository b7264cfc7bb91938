/**
 * The shape of one `metrics.jsonl` line: the single check of a MetricsEvent, used by the one parser (metrics.ts
 * parseMetricsText, readMetrics, followMetrics) and the Experiments tree (readLastEpochEvent).
 */
import type { MetricsEvent } from './types';

export interface MetricsParseIssue {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const isOptNum = (v: unknown): boolean => v === undefined || v === null || isNum(v);

/**
 * Checks one decoded JSON value against the MetricsEvent shape. Returns the event or a message saying what is wrong.
 * Loss may be ±Infinity/NaN-free only: JSON cannot carry NaN, and a trainer that diverged writes a failed status
 * instead of a NaN loss.
 */
export function toMetricsEvent(value: unknown): MetricsEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const o = value as Record<string, unknown>;
  if (o.kind !== 'step' && o.kind !== 'epoch') return `unknown kind ${JSON.stringify(o.kind)} (expected "step" or "epoch")`;
  for (const k of ['step', 'epoch', 'time', 'loss', 'accuracy'] as const) {
    if (!isNum(o[k])) return `"${k}" must be a number`;
  }
  if (o.kind === 'step') {
    if (!isNum(o.lr)) return '"lr" must be a number';
    if (!isNum(o.samplesPerSec)) return '"samplesPerSec" must be a number';
    if (!isOptNum(o.gamma) || !isOptNum(o.threshold)) return '"gamma"/"threshold" must be numbers';
    if (typeof o.flipRatio !== 'object' || o.flipRatio === null || Array.isArray(o.flipRatio)) return '"flipRatio" must be an object of layer → number';
    for (const [layer, r] of Object.entries(o.flipRatio as Record<string, unknown>)) {
      if (!isNum(r)) return `flipRatio of layer "${layer}" must be a number`;
    }
  } else if (!isOptNum(o.valLoss) || !isOptNum(o.valAccuracy)) {
    return '"valLoss"/"valAccuracy" must be numbers';
  }
  return o as unknown as MetricsEvent;
}
