/**
 * The training panel: live charts of one run, or several runs overlaid (Compare). Messages from the host are queued
 * and applied once per animation frame, so a trainer sending 20 events a second or a 100,000-event history costs one
 * chart update per frame; a hidden panel (no animation frames) still folds events into its bounded series.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import './styles.css';
import type { HostToWebview, RunSummary, WebviewToHost } from '../src/core/messages';
import type { MetricsEvent } from '../src/core/experiments/types';
import { RunData, type ChartId, type SeriesKey, type XMode } from './runs';
import { CHART_DEFS, ChartView } from './charts';
import { readTheme, watchTheme } from './theme';
import { renderCompareHeader, renderSingleHeader } from './header';
import { runLabels, runTitle } from '../src/core/experiments/labels';
import { h, icon } from './dom';

interface VsCodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives a reload (the host's WebviewPanelSerializer reads `ids`). */
interface PanelState {
  ids: string[];
  xMode: XMode;
  flipLog: boolean;
  /** TensorBoard's smoothing weight (0 … 0.99). */
  smoothing: number;
  /** Compare: the run filter's text, and runs unticked in the table. */
  runFilter: string;
  hiddenIds: string[];
}

export interface FlushInfo {
  events: number;
  ms: number;
  at: number;
}

/**
 * Points kept per line, whatever the run length. A chart is ~600 px wide, so 2,500 points is about 4 per pixel column
 * (where chart.js's min-max decimation starts thinning anyway); a larger cap only made every frame's update slower
 * (measured in `npm run bench`, section charts).
 */
const SERIES_CAP = 2_500;
/** The compare header rebuilds its table: at most this often while events stream in. */
const COMPARE_HEADER_MS = 250;

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as Partial<PanelState>;
const state: PanelState = {
  ids: saved.ids ?? [], xMode: saved.xMode === 'epoch' || saved.xMode === 'time' ? saved.xMode : 'step', flipLog: saved.flipLog !== false,
  smoothing: typeof saved.smoothing === 'number' && saved.smoothing >= 0 && saved.smoothing < 1 ? saved.smoothing : 0,
  runFilter: typeof saved.runFilter === 'string' ? saved.runFilter : '', hiddenIds: Array.isArray(saved.hiddenIds) ? saved.hiddenIds.filter((x) => typeof x === 'string') : [],
};
const post = (m: WebviewToHost) => vscode.postMessage(m);
const saveState = () => vscode.setState(state);

let theme = readTheme();
let runs: RunData[] = [];
const runById = new Map<string, RunData>();
const views = new Map<ChartId, ChartView>();
let compare = false;

const headerEl = h('header', { class: 'run-header', id: 'header' }, h('div', { class: 'stats' }, 'Loading…'));
const noticeEl = h('div', { class: 'notice', role: 'status', hidden: true });
const stepBtn = h('vscode-button', { 'data-x': 'step' }, 'Step');
const epochBtn = h('vscode-button', { 'data-x': 'epoch' }, 'Epoch');
const timeBtn = h('vscode-button', { 'data-x': 'time', title: 'Relative wall time since the run started' }, 'Time');
const smoothInput = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', class: 'smoothing', 'aria-label': 'Smoothing', title: 'Exponential moving average of the per-step lines, as TensorBoard smooths (0: off)' });
smoothInput.value = String(state.smoothing);
const smoothValue = h('span', { class: 'smoothing-value' }, state.smoothing.toFixed(2));
const filterInput = h('input', { type: 'search', class: 'run-filter', placeholder: 'Filter runs (regex)', 'aria-label': 'Filter runs', hidden: true });
filterInput.value = state.runFilter;
const csvBtn = h('vscode-button', { icon: 'export', secondary: true, title: 'Save all metrics of the shown runs as CSV' }, 'Export CSV');
const grid = h('main', { class: 'charts' });
document.body.append(headerEl, h('div', { class: 'toolbar' }, h('span', { class: 'toolbar-label' }, 'x axis'), stepBtn, epochBtn, timeBtn,
  h('label', { class: 'toolbar-label smoothing-label' }, 'Smoothing', smoothInput, smoothValue), filterInput, h('span', { class: 'spacer' }), csvBtn), noticeEl, grid);

// ---- live queue -------------------------------------------------------------------------------------------------

const queue: { id: string; events: MetricsEvent[] }[] = [];
let queued = 0;
let frameRequested = false;
let fallbackTimer: ReturnType<typeof setTimeout> | undefined;
let headerDirty = true;

/** Read by the browser tests, the benchmark and the e2e suite. */
const stats = { frames: 0, events: 0, lastFlushMs: 0, maxFlushMs: 0, points: 0 };
const flushListeners: ((info: FlushInfo) => void)[] = [];
(window as unknown as { bnnCharts: unknown }).bnnCharts = {
  stats,
  onFlush: (fn: (info: FlushInfo) => void) => flushListeners.push(fn),
  pointCount: () => runs.reduce((n, r) => n + r.pointCount(), 0),
  lines: (chart: ChartId) => views.get(chart)?.lines() ?? [],
};

function schedule(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => flush(true));
  // Hidden panels get no animation frames: fold the queue into the bounded series anyway so it cannot grow.
  fallbackTimer = setTimeout(() => flush(false), 500);
}

function flush(draw: boolean): void {
  const t0 = performance.now();
  frameRequested = false;
  if (fallbackTimer !== undefined) clearTimeout(fallbackTimer);
  fallbackTimer = undefined;
  const n = queued;
  for (const { id, events } of queue) {
    const run = runById.get(id);
    if (!run) continue;
    for (const ev of events) for (const c of run.apply(ev, state.xMode)) views.get(c)!.dirty = true;
    headerDirty = true;
  }
  queue.length = 0;
  queued = 0;
  if (draw && !document.hidden) drawAll();
  const ms = performance.now() - t0;
  stats.frames++;
  stats.events += n;
  stats.lastFlushMs = ms;
  stats.maxFlushMs = Math.max(stats.maxFlushMs, ms);
  for (const fn of flushListeners) fn({ events: n, ms, at: performance.now() });
}

function drawAll(): void {
  for (const [id, v] of views) {
    if (id === 'flip') v.setLogFloor(Math.min(...runs.map((r) => r.minPositive.flip)));
    if (id === 'hyper') v.setLogFloor(Math.min(...runs.map((r) => r.minPositive.hyper)));
    v.draw();
    const card = v.canvas.closest('.card');
    card?.classList.toggle('empty', Number(v.canvas.dataset.points) === 0);
  }
  if (headerDirty) renderHeader();
}

let lastCompareHeader = 0;
function renderHeader(): void {
  if (runs.length === 0) return;
  if (compare) {
    const now = performance.now();
    if (now - lastCompareHeader < COMPARE_HEADER_MS) {
      setTimeout(schedule, COMPARE_HEADER_MS);
      return;
    }
    lastCompareHeader = now;
  }
  headerDirty = false;
  if (compare) renderCompareHeader(headerEl, runs, theme.palette, { hidden: hiddenRunIds(), toggle: toggleRun });
  else renderSingleHeader(headerEl, runs[0], { post: (type, experimentId) => post({ v: 1, type, experimentId }) });
  stats.points = runs.reduce((n, r) => n + r.pointCount(), 0);
}

// ---- building the panel -----------------------------------------------------------------------------------------

function onNewSeries(run: RunData, key: SeriesKey): void {
  views.get(key.chart)?.addSeries(run, runs.indexOf(run), key, run.label);
}

function init(summaries: RunSummary[], history: Record<string, MetricsEvent[]>): void {
  for (const v of views.values()) v.destroy();
  views.clear();
  grid.replaceChildren();
  runById.clear();
  queue.length = 0;
  queued = 0;
  compare = summaries.length > 1;
  state.ids = summaries.map((s) => s.id);
  saveState();
  document.title = compare ? `Compare ${summaries.length} runs` : (summaries[0] ? runTitle(summaries[0]) : 'Training');
  // Series must exist before their first points: create the views first, then the runs.
  for (const def of CHART_DEFS) {
    const canvas = h('canvas', { 'aria-label': `${def.title} chart`, role: 'img', 'data-chart': def.id });
    const pngBtn = h('vscode-toolbar-button', { icon: 'device-camera', title: `Save ${def.title} as PNG`, 'aria-label': `Save ${def.title} as PNG` });
    const tools = h('div', { class: 'card-tools' });
    if (def.id === 'flip') {
      const logBtn = h('vscode-toolbar-button', { icon: 'symbol-numeric', title: 'Toggle log / linear y axis', 'aria-label': 'Toggle log / linear y axis', checked: state.flipLog, toggleable: true });
      logBtn.addEventListener('click', () => {
        state.flipLog = !state.flipLog;
        saveState();
        views.get('flip')?.setLog(state.flipLog);
        logBtn.toggleAttribute('checked', state.flipLog);
        schedule();
      });
      tools.append(logBtn);
    }
    tools.append(pngBtn);
    const card = h('section', { class: 'card empty', 'data-chart': def.id },
      h('div', { class: 'card-head' }, h('h2', {}, def.title), tools),
      h('div', { class: 'canvas-box' }, canvas, h('div', { class: 'empty-note' }, def.id === 'flip' ? 'No flip ratios yet (the model needs binary layers)' : 'Waiting for metrics…')),
    );
    grid.append(card);
    const view = new ChartView(def, canvas, theme, state.xMode, compare);
    if (def.id === 'flip') view.setLog(state.flipLog);
    view.setSmoothing(state.smoothing);
    views.set(def.id, view);
    pngBtn.addEventListener('click', () => {
      const base = compare ? 'compare' : summaries[0].id;
      post({ v: 1, type: 'saveFile', kind: 'png', name: `${base}-${def.id}.png`, data: view.toPng() });
    });
  }
  runs = summaries.map((s) => new RunData(s, SERIES_CAP, onNewSeries));
  relabel();
  for (const r of runs) runById.set(r.id, r);
  // Pre-create the series every run will have so legends are stable from the first frame.
  for (const r of runs) {
    r.get('loss', 'train');
    r.get('loss', 'val');
    r.get('accuracy', 'train');
    r.get('accuracy', 'val');
  }
  const canEpoch = runs.every((r) => r.stepsPerEpoch !== undefined);
  epochBtn.toggleAttribute('disabled', !canEpoch);
  if (!canEpoch) state.xMode = 'step';
  setXMode(state.xMode);
  filterInput.hidden = !compare;
  applyRunFilter();
  for (const [id, events] of Object.entries(history)) enqueue(id, events);
  headerDirty = true;
  schedule();
}

/** Labels depend on every run shown (what differs between them): recomputed for all when one run's name changes. */
function relabel(): void {
  const labels = runLabels(runs.map((r) => r.summary));
  runs.forEach((r, i) => { r.label = labels[i]; });
  for (const v of views.values()) v.relabel(runs);
}

/** Runs the filter text leaves out (a regex, case-insensitive; text that is no regex matches as it is) or unticked. */
function hiddenRunIds(): Set<string> {
  const hidden = new Set(state.hiddenIds);
  const f = state.runFilter.trim();
  if (compare && f) {
    let re: RegExp;
    try {
      re = new RegExp(f, 'i');
    } catch {
      re = new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    }
    for (const r of runs) if (!re.test(r.label) && !re.test(r.id)) hidden.add(r.id);
  }
  return hidden;
}

function applyRunFilter(): void {
  const hidden = hiddenRunIds();
  const idx = new Set(runs.flatMap((r, i) => (hidden.has(r.id) ? [i] : [])));
  for (const v of views.values()) v.setHiddenRuns(idx);
  headerDirty = true;
  schedule();
}

function toggleRun(id: string): void {
  state.hiddenIds = state.hiddenIds.includes(id) ? state.hiddenIds.filter((x) => x !== id) : [...state.hiddenIds, id];
  saveState();
  applyRunFilter();
}

function enqueue(id: string, events: MetricsEvent[]): void {
  if (!Array.isArray(events) || events.length === 0) return;
  queue.push({ id, events });
  queued += events.length;
  schedule();
}

function setXMode(mode: XMode): void {
  state.xMode = mode;
  saveState();
  for (const [b, m] of [[stepBtn, 'step'], [epochBtn, 'epoch'], [timeBtn, 'time']] as const) {
    b.toggleAttribute('secondary', mode !== m);
    b.setAttribute('aria-pressed', String(mode === m));
  }
  for (const r of runs) r.setMode(mode);
  for (const v of views.values()) v.setXMode(mode);
  schedule();
}

function showNotice(text: string, kind: 'info' | 'error' = 'info'): void {
  noticeEl.replaceChildren(icon(kind === 'error' ? 'error' : 'info'), ` ${text}`);
  noticeEl.className = `notice ${kind}`;
  noticeEl.hidden = false;
}

stepBtn.addEventListener('click', () => setXMode('step'));
timeBtn.addEventListener('click', () => setXMode('time'));
smoothInput.addEventListener('input', () => {
  state.smoothing = Math.min(0.99, Math.max(0, Number(smoothInput.value) || 0));
  smoothValue.textContent = state.smoothing.toFixed(2);
  saveState();
  for (const v of views.values()) v.setSmoothing(state.smoothing);
  schedule();
});
filterInput.addEventListener('input', () => {
  state.runFilter = filterInput.value;
  saveState();
  applyRunFilter();
});
epochBtn.addEventListener('click', () => { if (!epochBtn.hasAttribute('disabled')) setXMode('epoch'); });
csvBtn.addEventListener('click', () => { if (runs.length) post({ v: 1, type: 'exportCsv', experimentIds: runs.map((r) => r.id) }); });

watchTheme(() => {
  theme = readTheme();
  for (const v of views.values()) {
    v.applyTheme(theme);
    v.restyle(runs);
  }
  headerDirty = true;
  schedule();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    for (const v of views.values()) v.dirty = true;
    schedule();
  }
});

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as HostToWebview | { v?: unknown; type?: unknown };
  if (!m || typeof m !== 'object' || m.v !== 1) return;
  try {
    switch (m.type) {
      case 'init': {
        const msg = m as Extract<HostToWebview, { type: 'init' }>;
        init(msg.runs ?? [], msg.history ?? {});
        break;
      }
      case 'metrics': {
        const msg = m as Extract<HostToWebview, { type: 'metrics' }>;
        enqueue(msg.experimentId, msg.events);
        break;
      }
      case 'status': {
        const msg = m as Extract<HostToWebview, { type: 'status' }>;
        const run = runById.get(msg.experimentId);
        if (run) {
          run.summary = { ...run.summary, status: msg.status };
          headerDirty = true;
          schedule();
        }
        break;
      }
      case 'config': {
        const msg = m as Extract<HostToWebview, { type: 'config' }>;
        const run = runById.get(msg.experimentId);
        if (run && msg.config) {
          run.summary = { ...run.summary, config: msg.config };
          relabel();
          if (!compare) document.title = runTitle(run.summary);
          headerDirty = true;
          schedule();
        }
        break;
      }
      case 'device': {
        const msg = m as Extract<HostToWebview, { type: 'device' }>;
        const run = runById.get(msg.experimentId);
        if (run) {
          run.summary = { ...run.summary, devices: [...(run.summary.devices ?? []), msg.result] };
          headerDirty = true;
          schedule();
        }
        break;
      }
      case 'notice': {
        const msg = m as Extract<HostToWebview, { type: 'notice' }>;
        if (typeof msg.text === 'string') showNotice(msg.text, msg.level === 'error' ? 'error' : 'info');
        break;
      }
    }
  } catch (err) {
    showNotice(`The panel could not show this update: ${(err as Error).message}`, 'error');
  }
});

post({ v: 1, type: 'ready' });
