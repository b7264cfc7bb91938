/**
 * One line of a chart, stored in the shape chart.js reads without parsing ({x, y}) plus the training step `s` it came
 * from and its wall-clock time `t`, so switching the x axis between steps, epochs and relative time rewrites x in place. Memory is bounded: past `cap` points
 * the series keeps every other point and from then on keeps one of every `stride` new points, so a run of any length
 * costs at most `cap` points per line while the newest point is always shown. chart.js's decimation then thins what
 * is drawn to about the canvas width.
 */
export interface Point {
  x: number;
  y: number;
  s: number;
  /** Wall-clock ms since the run started (the relative-time axis). */
  t: number;
}

export const DEFAULT_CAP = 20_000;

export class Series {
  readonly points: Point[] = [];
  private stride = 1;
  private sinceKept = 0;
  /** The last point is the newest of an unfinished stride group: the next push replaces it. */
  private lastProvisional = false;

  constructor(private readonly cap = DEFAULT_CAP) {}

  get strideNow(): number {
    return this.stride;
  }

  push(s: number, y: number, x: number, t = 0): void {
    const pts = this.points;
    if (pts.length > 0 && s <= pts[pts.length - 1].s) this.rewind(s);
    const n = pts.length;
    // A flat stretch (a constant γ, τ or learning rate) needs only its two ends: move the end instead of adding a
    // point. The line drawn is the same; a constant hyperparameter costs two points for the whole run.
    if (n >= 2 && pts[n - 1].y === y && pts[n - 2].y === y) {
      pts[n - 1] = { x, y, s, t };
      return;
    }
    const p = { x, y, s, t };
    if (this.lastProvisional) pts[pts.length - 1] = p;
    else pts.push(p);
    this.sinceKept++;
    if (this.sinceKept >= this.stride) {
      this.sinceKept = 0;
      this.lastProvisional = false;
    } else {
      this.lastProvisional = true;
    }
    if (pts.length > this.cap) this.compact();
  }

  /**
   * A resumed run re-sends the steps after its last checkpoint: the new points replace the old ones from `s` on, which
   * also keeps x sorted (chart.js's decimation needs that).
   */
  private rewind(s: number): void {
    const pts = this.points;
    let i = pts.length;
    while (i > 0 && pts[i - 1].s >= s) i--;
    pts.length = i;
    this.sinceKept = 0;
    this.lastProvisional = false;
  }

  private compact(): void {
    const pts = this.points;
    const n = pts.length;
    let j = 0;
    for (let i = 0; i < n; i += 2) pts[j++] = pts[i];
    if ((n - 1) % 2 === 1) pts[j++] = pts[n - 1];
    pts.length = j;
    this.stride *= 2;
    this.sinceKept = 0;
    this.lastProvisional = false;
  }

  setX(fn: (s: number, t: number) => number): void {
    for (const p of this.points) p.x = fn(p.s, p.t);
  }

  clear(): void {
    this.points.length = 0;
    this.stride = 1;
    this.sinceKept = 0;
    this.lastProvisional = false;
  }
}
