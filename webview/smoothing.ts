/**
 * TensorBoard's scalar smoothing: an exponential moving average, debiased so the first points are not pulled
 * towards 0 (TensorBoard's `last = last·w + (1−w)·y; y' = last / (1 − w^n)`, n the points seen). Gaps (NaN, a step
 * without flips on a log axis) stay gaps and do not reset the average, as in TensorBoard.
 */
import type { Point } from './series';

export interface SmoothedPoint extends Point {
  /** The value before smoothing (the tooltip shows both). */
  raw: number;
}

/** `points` smoothed with weight `w` (0 ≤ w < 1; 0 returns copies of the points), written into `out` and returned. */
export function smooth(points: readonly Point[], w: number, out: SmoothedPoint[] = []): SmoothedPoint[] {
  out.length = points.length;
  let last = 0;
  let n = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    let y = p.y;
    if (Number.isFinite(y) && w > 0) {
      last = last * w + (1 - w) * y;
      n++;
      y = last / (1 - Math.pow(w, n));
    }
    const o = out[i];
    if (o) {
      o.x = p.x; o.y = y; o.s = p.s; o.t = p.t; o.raw = p.y;
    } else {
      out[i] = { x: p.x, y, s: p.s, t: p.t, raw: p.y };
    }
  }
  return out;
}
