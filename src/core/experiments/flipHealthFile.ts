/** Flip-ratio health (flipHealth.ts) of a run on disk, for the Experiments tree. */
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { METRICS_FILE, type ExperimentConfig } from './types';
import { parseMetricsText } from './metrics';
import { flipHealthFor, type FlipWarning } from './flipHealth';

const cache = new Map<string, { key: string; warnings: FlipWarning[] }>();

/**
 * The warnings of a run on disk, from the newest `maxBytes` of its metrics.jsonl (at ten events a second, 512 KB is
 * several minutes of logging, more than any window). Cached by the file's size and time, so a tree refresh re-reads
 * only runs that changed.
 */
export async function readFlipHealth(experimentDir: string, config: ExperimentConfig, maxBytes = 512 * 1024): Promise<FlipWarning[]> {
  const file = path.join(experimentDir, METRICS_FILE);
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const st = await fh.stat();
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = cache.get(file);
    if (hit?.key === key) return hit.warnings;
    const start = Math.max(0, st.size - maxBytes);
    const buf = Buffer.alloc(st.size - start);
    await fh.read(buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    const health = flipHealthFor(config);
    for (const ev of parseMetricsText(text).events) health.add(ev);
    const warnings = health.warnings();
    cache.set(file, { key, warnings });
    return warnings;
  } finally {
    await fh.close();
  }
}
