/**
 * What the panel knows about each run it shows: its summary (config, status, device results), the bounded series of
 * every chart, and the latest step/epoch events for the header. Applying an event touches only this model; drawing
 * happens once per animation frame (see main.ts).
 */
import type { RunSummary } from '../src/core/messages';
import type { MetricsEvent } from '../src/core/experiments/types';
import { Series } from './series';
import { FlipHealth, flipHealthFor } from '../src/core/experiments/flipHealth';

/** x axis: optimizer steps, epochs, or TensorBoard's relative wall time (seconds since the run started). */
export type XMode = 'step' | 'epoch' | 'time';
type StepEvent = Extract<MetricsEvent, { kind: 'step' }>;
type EpochEvent = Extract<MetricsEvent, { kind: 'epoch' }>;

export type ChartId = 'loss' | 'accuracy' | 'flip' | 'hyper';

export interface SeriesKey {
  chart: ChartId;
  /** Stable key within the run: 'train', 'val', 'gamma', 'threshold', 'lr', or 'flip:<layer>'. */
  key: string;
}

export class RunData {
  readonly series = new Map<string, Series>();
  lastStep?: StepEvent;
  lastEpoch?: EpochEvent;
  bestValAccuracy?: number;
  eventCount = 0;
  /** What the legend and the compare table call this run (experiments/labels.ts, among the runs shown). */
  label: string;
  /** Flip-ratio layers in the order they first appeared. */
  readonly layers: string[] = [];
  /** Smallest positive flip ratio / hyperparameter seen: the floor of the log axes (0 is drawn on the floor). */
  minPositive: Record<'flip' | 'hyper', number> = { flip: Infinity, hyper: Infinity };

  constructor(public summary: RunSummary, private readonly cap: number, private readonly onNewSeries: (run: RunData, key: SeriesKey) => void) {
    this.label = summary.id;
    this.health = summary.config ? flipHealthFor(summary.config) : new FlipHealth('bop', 200);
  }

  /** Frozen or noisy binary layers over the newest stretch (experiments/flipHealth.ts). */
  readonly health: FlipHealth;

  get id(): string {
    return this.summary.id;
  }

  /** Steps per epoch from the config; the epoch axis is step / stepsPerEpoch, so step and epoch events share one x. */
  get stepsPerEpoch(): number | undefined {
    const c = this.summary.config;
    const n = c?.dataset?.trainSamples;
    const b = c?.batchSize;
    return n && b ? Math.ceil(n / b) : undefined;
  }

  xOf(s: number, epochOfEvent: number, mode: XMode, timeMs = 0): number {
    if (mode === 'step') return s;
    if (mode === 'time') return timeMs / 1000;
    const spe = this.stepsPerEpoch;
    return spe ? s / spe : epochOfEvent;
  }

  get(chart: ChartId, key: string): Series {
    const id = `${chart}/${key}`;
    let s = this.series.get(id);
    if (!s) {
      s = new Series(this.cap);
      this.series.set(id, s);
      this.onNewSeries(this, { chart, key });
    }
    return s;
  }

  apply(ev: MetricsEvent, mode: XMode): Set<ChartId> {
    const touched = new Set<ChartId>();
    const x = this.xOf(ev.step, ev.epoch, mode, ev.time);
    const t = ev.time;
    this.eventCount++;
    this.health.add(ev);
    if (ev.kind === 'step') {
      this.lastStep = ev;
      this.get('loss', 'train').push(ev.step, ev.loss, x, t);
      this.get('accuracy', 'train').push(ev.step, ev.accuracy, x, t);
      touched.add('loss').add('accuracy');
      for (const [layer, r] of Object.entries(ev.flipRatio)) {
        if (!this.layers.includes(layer)) this.layers.push(layer);
        // A step without flips has no place on a log axis: it is a gap the line spans (the CSV keeps the zeros).
        this.get('flip', `flip:${layer}`).push(ev.step, r > 0 ? r : NaN, x, t);
        if (r > 0 && r < this.minPositive.flip) this.minPositive.flip = r;
        touched.add('flip');
      }
      const hyper: [string, number | undefined][] = [['gamma', ev.gamma], ['threshold', ev.threshold], ['lr', ev.lr]];
      for (const [k, v] of hyper) {
        if (v === undefined || v === null || !Number.isFinite(v)) continue;
        this.get('hyper', k).push(ev.step, v, x, t);
        if (v > 0 && v < this.minPositive.hyper) this.minPositive.hyper = v;
        touched.add('hyper');
      }
    } else {
      this.lastEpoch = ev;
      if (ev.valLoss !== undefined && ev.valLoss !== null) {
        this.get('loss', 'val').push(ev.step, ev.valLoss, x, t);
        touched.add('loss');
      }
      if (ev.valAccuracy !== undefined && ev.valAccuracy !== null) {
        this.get('accuracy', 'val').push(ev.step, ev.valAccuracy, x, t);
        if (this.bestValAccuracy === undefined || ev.valAccuracy > this.bestValAccuracy) this.bestValAccuracy = ev.valAccuracy;
        touched.add('accuracy');
      }
    }
    return touched;
  }

  setMode(mode: XMode): void {
    const spe = this.stepsPerEpoch;
    for (const s of this.series.values()) {
      if (mode === 'step') s.setX((st) => st);
      else if (mode === 'time') s.setX((_st, t) => t / 1000);
      else if (spe) s.setX((st) => st / spe);
    }
  }

  pointCount(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.points.length;
    return n;
  }
}
