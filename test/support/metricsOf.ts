import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseMetricsText } from '../../src/core/experiments/metrics';
import { METRICS_FILE, type MetricsEvent } from '../../src/core/experiments/types';

/** The events of an experiment's metrics.jsonl, read with the store's parser (sync, for assertions). */
export function readMetrics(dir: string): MetricsEvent[] {
  return parseMetricsText(readFileSync(path.join(dir, METRICS_FILE), 'utf8')).events;
}
