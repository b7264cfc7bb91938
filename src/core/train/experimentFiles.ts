/**
 * The trainer's reads of an experiment folder (writes go through src/core/experiments/store.ts): its config and status
 * as plain sync reads, and metrics.jsonl cut back to a checkpoint's step when a run resumes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExperimentConfig, ExperimentStatus, MetricsEvent } from '../experiments/types';
import { CONFIG_FILE, METRICS_FILE, STATUS_FILE } from '../experiments/types';
import { writeFileAtomic } from '../experiments/atomic';
import { parseMetricsText } from '../experiments/metrics';
import { validateConfig } from '../experiments/store';

export function readConfig(dir: string): ExperimentConfig {
  const file = path.join(dir, CONFIG_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the experiment's config (${(err as Error).message})`);
  }
  // The store's rule, so a config that lists and one that loads are the same thing ('[]' crashed eval and bench).
  const problem = validateConfig(parsed);
  if (problem) throw new Error(`${file}: ${problem}`);
  return parsed as ExperimentConfig;
}

export function readStatus(dir: string): ExperimentStatus | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STATUS_FILE), 'utf8')) as ExperimentStatus;
  } catch {
    return undefined;
  }
}

export function metricsFile(dir: string): string {
  return path.join(dir, METRICS_FILE);
}

/** Reads metrics.jsonl synchronously, skipping a truncated last line. */
export function readMetrics(dir: string): MetricsEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(metricsFile(dir), 'utf8');
  } catch {
    return [];
  }
  return parseMetricsText(text).events;
}

/** On resume: keep only the events up to the checkpoint's step, so the log continues without duplicates. */
export function truncateMetrics(dir: string, step: number): void {
  const kept = readMetrics(dir).filter((e) => e.step <= step);
  writeFileAtomic(metricsFile(dir), kept.map((e) => JSON.stringify(e) + '\n').join(''));
}
