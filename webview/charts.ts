/**
 * The four live charts (chart.js): loss, accuracy, flip ratio per binary layer (log y), and γ/τ/learning rate (log y).
 * Tuned for long live runs: no animation, no parsing (data is already {x, y}), min-max decimation to the canvas width
 * (keeps the spikes a flip-ratio plot is read for), and one update per animation frame for the charts that changed.
 */
import {
  Chart, Decimation, Interaction, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset, type InteractionItem, type TooltipItem,
} from 'chart.js';
import { getRelativePosition } from 'chart.js/helpers';
import type { ChartId, RunData, SeriesKey, XMode } from './runs';
import type { Point } from './series';
import type { ChartTheme } from './theme';
import { fmtAxisTicks, fmtDuration, fmtNum, fmtPct, fmtSci } from './format';
import { smooth, type SmoothedPoint } from './smoothing';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

/**
 * Tooltip mode: for every visible line, the point nearest to the pointer's x (TensorBoard's hover). chart.js's 'index'
 * mode assumes shared x values, which lines with their own steps and decimation do not have.
 */
(Interaction.modes as unknown as Record<string, unknown>).xPerDataset = function (chart: Chart, e: Event): InteractionItem[] {
  const pos = getRelativePosition(e as never, chart as never);
  const items: InteractionItem[] = [];
  if (pos.x < chart.chartArea.left || pos.x > chart.chartArea.right) return items;
  for (const meta of chart.getSortedVisibleDatasetMetas()) {
    const pts = meta.data;
    if (pts.length === 0) continue;
    let lo = 0;
    let hi = pts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid].x < pos.x) lo = mid + 1;
      else hi = mid;
    }
    // On a flat stretch (stored as its two ends) the value in effect is the left end's.
    const data = chart.data.datasets[meta.index]?.data as Point[] | undefined;
    const flatFrom = lo > 0 && pts[lo - 1].x <= pos.x && pts[lo].x >= pos.x && data?.[lo - 1]?.y === data?.[lo]?.y ? lo - 1 : -1;
    if (lo > 0 && Math.abs(pts[lo - 1].x - pos.x) < Math.abs(pts[lo].x - pos.x)) lo--;
    if (flatFrom < 0 && Math.abs(pts[lo].x - pos.x) > 24) continue;
    const i = flatFrom >= 0 && Math.abs(pts[lo].x - pos.x) > 24 ? flatFrom : lo;
    if ((pts[i] as unknown as { skip?: boolean }).skip) continue;
    items.push({ element: pts[i], datasetIndex: meta.index, index: i });
  }
  return items;
};

interface ChartDef {
  id: ChartId;
  title: string;
  yTitle: string;
  log: boolean;
  format: (v: number) => string;
}

export const CHART_DEFS: ChartDef[] = [
  { id: 'loss', title: 'Loss', yTitle: 'loss', log: false, format: (v) => fmtNum(v) },
  { id: 'accuracy', title: 'Accuracy', yTitle: 'accuracy', log: false, format: (v) => fmtPct(v) },
  { id: 'flip', title: 'Flip ratio per binary layer', yTitle: 'flip ratio', log: true, format: (v) => fmtSci(v) },
  { id: 'hyper', title: 'γ, τ and learning rate', yTitle: 'value', log: true, format: (v) => fmtSci(v) },
];

type LineDataset = ChartDataset<'line', Point[]> & { bnnRun: number; bnnKey: string; bnnSeries: Point[]; bnnSmoothed?: SmoothedPoint[] };

/** Lines TensorBoard's slider smooths: the per-step ones (validation is one point an epoch; γ/τ/lr are exact). */
const smoothable = (key: string): boolean => key === 'train' || key.startsWith('flip:');

const SLOT: Record<string, number> = { train: 0, val: 1, gamma: 0, threshold: 1, lr: 2 };
const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
const KEY_LABEL: Record<string, string> = { train: 'train', val: 'validation', gamma: 'γ (adaptivity rate)', threshold: 'τ (threshold)', lr: 'learning rate' };

function xTitle(mode: XMode): string {
  return mode === 'time' ? 'relative time' : mode;
}

export class ChartView {
  readonly chart: Chart<'line', Point[]>;
  dirty = false;
  log: boolean;
  private readonly byKey = new Map<string, LineDataset>();
  private smoothing = 0;
  private hiddenRuns = new Set<number>();

  constructor(readonly def: ChartDef, readonly canvas: HTMLCanvasElement, private theme: ChartTheme, private xMode: XMode, private readonly compare: boolean) {
    this.log = def.log;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        spanGaps: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'xPerDataset' as never, intersect: false },
        elements: { point: { radius: 0, hitRadius: 4 }, line: { tension: 0 } },
        plugins: {
          decimation: { enabled: true, algorithm: 'min-max' },
          legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 2, usePointStyle: false } },
          tooltip: {
            animation: false,
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => this.tooltipTitle(items),
              label: (item: TooltipItem<'line'>) => {
                const p = item.raw as SmoothedPoint;
                const raw = p.raw !== undefined && p.raw !== p.y && Number.isFinite(p.raw) ? ` (raw ${this.def.format(p.raw)})` : '';
                return `${item.dataset.label}: ${this.def.format(p.y)}${raw}`;
              },
            },
          },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: xTitle(xMode) }, ticks: { maxTicksLimit: 8, maxRotation: 0, callback: (v) => (this.xMode === 'time' ? fmtDuration(Number(v) * 1000) : Number(v).toLocaleString('en-US')) } },
          y: { type: this.log ? 'logarithmic' : 'linear', title: { display: true, text: def.yTitle }, ticks: { maxTicksLimit: 7, callback: (v, i, ticks) => this.tickLabel(Number(v), i, ticks.map((t) => t.value)) } },
        },
      },
    });
    this.applyTheme(theme);
    this.updateCanvasInfo();
  }

  /** A log axis of flip ratios or hyperparameters labels all its ticks in one notation (format.ts fmtAxisTicks). */
  private tickLabel(v: number, i: number, all: number[]): string {
    return this.log && (this.def.id === 'flip' || this.def.id === 'hyper') ? fmtAxisTicks(all)[i] : this.def.format(v);
  }

  private tooltipTitle(items: TooltipItem<'line'>[]): string {
    if (items.length === 0) return '';
    const p = items[0].raw as Point;
    if (this.xMode === 'time') return `${fmtDuration(p.t)} (step ${p.s.toLocaleString('en-US')})`;
    return this.xMode === 'step' ? `step ${p.s.toLocaleString('en-US')}` : `epoch ${p.x.toFixed(2)} (step ${p.s.toLocaleString('en-US')})`;
  }

  addSeries(run: RunData, runIndex: number, key: SeriesKey, runLabel: string): void {
    const series = run.get(key.chart, key.key);
    const id = `${run.id}/${key.key}`;
    if (this.byKey.has(id)) return;
    const base = this.baseLabel(key.key);
    const ds: LineDataset = {
      label: this.compare ? `${runLabel} · ${base}` : base,
      data: series.points,
      bnnRun: runIndex,
      bnnKey: key.key,
      bnnSeries: series.points,
      hidden: this.hiddenRuns.has(runIndex),
    };
    this.byKey.set(id, ds);
    this.chart.data.datasets.push(ds);
    this.styleDataset(ds, run);
    this.dirty = true;
  }

  private styleDataset(ds: LineDataset, run?: RunData): void {
    const t = this.theme;
    const isFlip = ds.bnnKey.startsWith('flip:');
    const layerIndex = isFlip && run ? run.layers.indexOf(ds.bnnKey.slice(5)) : -1;
    const slot = isFlip ? Math.max(0, layerIndex) : (SLOT[ds.bnnKey] ?? 0);
    const color = this.compare ? t.palette[ds.bnnRun % t.palette.length] : t.palette[slot % t.palette.length];
    ds.borderColor = color;
    ds.backgroundColor = color;
    ds.borderWidth = t.lineWidth;
    ds.borderDash = this.compare ? DASHES[slot % DASHES.length] : [];
    // Validation is one point per epoch: show the points so a short run is readable.
    ds.pointRadius = ds.bnnKey === 'val' ? 2.5 : 0;
  }

  applyTheme(theme: ChartTheme): void {
    this.theme = theme;
    const o = this.chart.options;
    const font = { family: theme.font, size: 11 };
    o.color = theme.foreground;
    o.font = font as never;
    for (const axis of [o.scales!.x!, o.scales!.y!]) {
      axis.grid = { color: theme.grid };
      axis.border = { color: theme.grid };
      axis.ticks = { ...axis.ticks, color: theme.muted, font };
      (axis as { title: { color: string; font: unknown } }).title.color = theme.muted;
      (axis as { title: { color: string; font: unknown } }).title.font = font;
    }
    o.plugins!.legend!.labels!.color = theme.foreground;
    o.plugins!.legend!.labels!.font = font;
    Object.assign(o.plugins!.tooltip!, {
      backgroundColor: theme.tooltipBackground, borderColor: theme.tooltipBorder, borderWidth: 1,
      titleColor: theme.foreground, bodyColor: theme.foreground, titleFont: { ...font, weight: 'bold' }, bodyFont: font,
    });
    for (const ds of this.chart.data.datasets as LineDataset[]) this.styleDataset(ds);
    this.dirty = true;
  }

  /** New run labels (a run was renamed): the legend entries follow. */
  relabel(runs: RunData[]): void {
    for (const ds of this.chart.data.datasets as LineDataset[]) {
      const run = runs[ds.bnnRun];
      if (run && this.compare) ds.label = `${run.label} · ${this.baseLabel(ds.bnnKey)}`;
    }
    this.dirty = true;
  }

  private baseLabel(key: string): string {
    return key.startsWith('flip:') ? key.slice(5) : (KEY_LABEL[key] ?? key);
  }

  restyle(runs: RunData[]): void {
    for (const ds of this.chart.data.datasets as LineDataset[]) this.styleDataset(ds, runs[ds.bnnRun]);
    this.dirty = true;
  }

  setXMode(mode: XMode): void {
    this.xMode = mode;
    (this.chart.options.scales!.x as { title: { text: string } }).title.text = xTitle(mode);
    this.dirty = true;
  }

  setLog(log: boolean): void {
    this.log = log;
    const y = this.chart.options.scales!.y!;
    y.type = log ? 'logarithmic' : 'linear';
    if (!log) y.min = undefined;
    this.dirty = true;
  }

  /** The floor of a log axis: the decade below the smallest positive value, so zero flips sit on the axis floor. */
  setLogFloor(minPositive: number): void {
    if (!this.log) return;
    const y = this.chart.options.scales!.y!;
    // 0.999: a minimum exactly on a decade (τ = 1e-8) gets the decade below, so its line is not drawn on the frame.
    y.min = Number.isFinite(minPositive) ? Math.pow(10, Math.floor(Math.log10(minPositive * 0.999))) : 1e-6;
  }

  /** TensorBoard's smoothing weight, 0 (off) … 0.99. */
  setSmoothing(w: number): void {
    this.smoothing = w;
    this.dirty = true;
  }

  /** Compare's run filter: the lines of these runs (by index) are hidden. */
  setHiddenRuns(hidden: Set<number>): void {
    this.hiddenRuns = hidden;
    for (const ds of this.chart.data.datasets as LineDataset[]) ds.hidden = hidden.has(ds.bnnRun);
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    // smoothed copies are recomputed from the bounded series on each draw (≤ 2,500 points a line)
    for (const ds of this.chart.data.datasets as LineDataset[]) {
      if (this.smoothing > 0 && smoothable(ds.bnnKey)) ds.data = smooth(ds.bnnSeries, this.smoothing, (ds.bnnSmoothed ??= []));
      else ds.data = ds.bnnSeries;
    }
    this.chart.update('none');
    this.updateCanvasInfo();
  }

  /** What each line shows now (read by the browser and e2e tests through window.bnnCharts.lines). */
  lines(): { label: string; hidden: boolean; points: number; lastY?: number; lastX?: number; xTitle: string }[] {
    const xt = (this.chart.options.scales!.x as { title: { text: string } }).title.text;
    return (this.chart.data.datasets as LineDataset[]).map((ds) => {
      const d = ((ds as { _data?: Point[] })._data ?? ds.data) as Point[];
      return { label: String(ds.label), hidden: Boolean(ds.hidden), points: d.length, lastY: d.at(-1)?.y, lastX: d.at(-1)?.x, xTitle: xt };
    });
  }

  /** Series and point counts on the canvas element: read by the browser tests and the e2e suite. */
  private updateCanvasInfo(): void {
    let n = 0;
    for (const ds of this.chart.data.datasets as LineDataset[]) n += ((ds as { _data?: Point[] })._data ?? ds.data).length;
    this.canvas.dataset.series = String(this.chart.data.datasets.length);
    this.canvas.dataset.points = String(n);
  }

  /** PNG of the chart on the theme's background (a transparent PNG is unreadable in a light viewer). */
  toPng(): string {
    const src = this.canvas;
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    return out.toDataURL('image/png');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
