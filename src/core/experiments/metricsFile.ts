/**
 * Reading `metrics.jsonl`: one MetricsEvent per line, appended by the trainer (or an exported Larq script) while it
 * runs. A run killed mid-write leaves a truncated last line; that line is ignored, never an error, so the experiment
 * still opens. A malformed line in the middle is skipped and reported with its line number, so one bad line does not
 * hide the rest of a run.
 */
import type { MetricsEvent } from './types';

export interface MetricsParseIssue {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface MetricsParseResult {
  events: MetricsEvent[];
  /** Malformed complete lines that were skipped. */
  issues: MetricsParseIssue[];
  /** True when the text ended in an incomplete line that was ignored (a killed or still-writing run). */
  truncatedTail: boolean;
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

/**
 * Parses the text of a metrics.jsonl. A final line without newline is kept when it parses (a writer that never wrote
 * the last newline) and ignored when it does not (a killed run). A follower reading a live file first cuts off the
 * incomplete tail with `splitCompleteLines` and keeps it for its next read.
 */
export function parseMetricsJsonl(text: string, firstLineNumber = 1): MetricsParseResult {
  const events: MetricsEvent[] = [];
  const issues: MetricsParseIssue[] = [];
  let truncatedTail = false;
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const isLast = i === lines.length - 1 && !endsWithNewline;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      if (isLast) {
        truncatedTail = true;
        continue;
      }
      issues.push({ line: firstLineNumber + i, message: `not valid JSON (${(err as Error).message})` });
      continue;
    }
    const ev = toMetricsEvent(value);
    if (typeof ev === 'string') issues.push({ line: firstLineNumber + i, message: ev });
    else events.push(ev);
  }
  return { events, issues, truncatedTail };
}

/** Splits appended text into complete lines and the incomplete remainder a live writer has not finished yet. */
export function splitCompleteLines(text: string): { complete: string; rest: string } {
  const nl = text.lastIndexOf('\n');
  if (nl < 0) return { complete: '', rest: text };
  return { complete: text.slice(0, nl + 1), rest: text.slice(nl + 1) };
}

/** One line of metrics.jsonl for an event (the writer side; used by tests, tools and the Larq exporter alike). */
export function serializeMetricsEvent(ev: MetricsEvent): string {
  return JSON.stringify(ev) + '\n';
}
