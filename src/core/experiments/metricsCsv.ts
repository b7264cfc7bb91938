/**
 * CSV export of metrics: one row per event (step and epoch rows interleaved in file order), one column per metric and
 * one `flip_ratio/<layer>` column per binary layer, so the file opens in a spreadsheet or pandas without reshaping.
 * Several experiments go into one file with an `experiment` column (the Compare panel exports what it overlays).
 */
import type { MetricsEvent } from './types';

const FIXED = ['experiment', 'kind', 'step', 'epoch', 'time_ms', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'gamma', 'threshold', 'lr', 'samples_per_sec'] as const;

/** RFC 4180 quoting: fields with a comma, quote, CR or LF are quoted and quotes doubled. */
export function csvField(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsToCsv(runs: { id: string; events: readonly MetricsEvent[] }[]): string {
  const layers: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    for (const ev of r.events) {
      if (ev.kind !== 'step') continue;
      for (const name of Object.keys(ev.flipRatio)) {
        if (!seen.has(name)) {
          seen.add(name);
          layers.push(name);
        }
      }
    }
  }
  const header = [...FIXED, ...layers.map((l) => `flip_ratio/${l}`)];
  const out: string[] = [header.map(csvField).join(',')];
  for (const r of runs) {
    for (const ev of r.events) {
      const row: (string | number | undefined)[] = [r.id, ev.kind, ev.step, ev.epoch, ev.time, ev.loss, ev.accuracy];
      if (ev.kind === 'epoch') {
        row.push(ev.valLoss, ev.valAccuracy, undefined, undefined, undefined, undefined);
        for (let i = 0; i < layers.length; i++) row.push(undefined);
      } else {
        row.push(undefined, undefined, ev.gamma, ev.threshold, ev.lr, ev.samplesPerSec);
        for (const l of layers) row.push(ev.flipRatio[l]);
      }
      out.push(row.map(csvField).join(','));
    }
  }
  return out.join('\r\n') + '\r\n';
}
