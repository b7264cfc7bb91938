/**
 * What the training panel's charts must hold for a run, worked out from its metrics.jsonl (not from the panel's code):
 * the loss chart has one point per logged training loss and one per validation loss, except that a flat stretch is
 * drawn by its two ends (three equal values in a row keep two points). Runs in these tests stay far below the
 * panel's per-line cap, where it starts thinning.
 */
import { readFileSync } from 'node:fs';

/** Points a line of `values` holds when a flat stretch keeps only its ends. */
function linePoints(values: number[]): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (i >= 2 && values[i] === values[i - 1] && values[i] === values[i - 2]) continue; // moves the stretch's end
    n++;
  }
  return n;
}

export function lossChartPoints(metricsFile: string): number {
  const events = readFileSync(metricsFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { kind: string; loss?: number; valLoss?: number });
  const train = events.filter((e) => e.kind === 'step').map((e) => e.loss!);
  const val = events.filter((e) => e.kind === 'epoch' && typeof e.valLoss === 'number').map((e) => e.valLoss!);
  return linePoints(train) + linePoints(val);
}
