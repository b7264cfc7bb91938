/**
 * The trainer's side of the experiment folder (layout in src/core/experiments/types.ts): creating it, and writing
 * config.json / status.json atomically and metrics.jsonl by appending whole lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExperimentConfig, ExperimentStatus, MetricsEvent, OptimizerKind } from '../experiments/types';
import { CONFIG_FILE, METRICS_FILE, STATUS_FILE, CHECKPOINTS_DIR } from '../experiments/types';
import { writeFileAtomic, writeJsonAtomic } from './atomic';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `<yyyymmdd-hhmmss>-<model>-<optimizer>` in UTC, the model name reduced to safe characters. */
export function experimentId(date: Date, model: string, optimizer: OptimizerKind): string {
  const t = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  const safe = model.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'model';
  return `${t}-${safe}-${optimizer}`;
}

/** Creates a fresh experiment folder, adding -2, -3… on a clash (mkdir is the atomic claim). */
export function createExperimentDir(experimentsDir: string, baseId: string): { id: string; dir: string } {
  fs.mkdirSync(experimentsDir, { recursive: true });
  for (let k = 1; k < 1000; k++) {
    const id = k === 1 ? baseId : `${baseId}-${k}`;
    const dir = path.join(experimentsDir, id);
    try {
      fs.mkdirSync(dir);
      fs.mkdirSync(path.join(dir, CHECKPOINTS_DIR));
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`cannot create an experiment folder for ${baseId} in ${experimentsDir}`);
}

export function writeConfig(dir: string, config: ExperimentConfig): void {
  writeJsonAtomic(path.join(dir, CONFIG_FILE), config);
}

export function readConfig(dir: string): ExperimentConfig {
  const file = path.join(dir, CONFIG_FILE);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ExperimentConfig;
  } catch (err) {
    throw new Error(`${file}: cannot read the experiment's config (${(err as Error).message})`);
  }
}

export function writeStatus(dir: string, status: ExperimentStatus): void {
  writeJsonAtomic(path.join(dir, STATUS_FILE), status);
}

export function readStatus(dir: string): ExperimentStatus | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STATUS_FILE), 'utf8')) as ExperimentStatus;
  } catch {
    return undefined;
  }
}

export class MetricsLog {
  private fd: number;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }
  append(events: MetricsEvent[]): void {
    if (!events.length) return;
    // one write per batch of whole lines: a kill can truncate at most the last line, which readers skip
    fs.writeSync(this.fd, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

export function metricsFile(dir: string): string {
  return path.join(dir, METRICS_FILE);
}

/** Reads metrics.jsonl, skipping a truncated last line. */
export function readMetrics(dir: string): MetricsEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(metricsFile(dir), 'utf8');
  } catch {
    return [];
  }
  const out: MetricsEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricsEvent);
    } catch {
      // a killed run can leave half a line at the end
    }
  }
  return out;
}

/** On resume: keep only the events up to the checkpoint's step, so the log continues without duplicates. */
export function truncateMetrics(dir: string, step: number): void {
  const kept = readMetrics(dir).filter((e) => e.step <= step);
  writeFileAtomic(metricsFile(dir), kept.map((e) => JSON.stringify(e) + '\n').join(''));
}
