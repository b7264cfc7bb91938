/**
 * The panel's header: for one run its status, model, optimizer and hyperparameters, backend, progress, throughput,
 * ETA and the action buttons; for a comparison one row per run. Device results sit next to the host accuracy.
 */
import type { ExperimentConfig, RunState, Schedule } from '../src/core/experiments/types';
import type { RunData } from './runs';
import { h, icon } from './dom';
import { fmtBytes, fmtDuration, fmtInt, fmtPct, fmtSci } from './format';
import { firmwareTotalText, modelArraysText } from '../src/core/device/memoryText';
import { optimizerTitle } from '../src/core/experiments/labels';

export const STATE_ICON: Record<RunState, { name: string; spin?: boolean; cls: string }> = {
  running: { name: 'loading', spin: true, cls: 'running' },
  completed: { name: 'pass', cls: 'completed' },
  failed: { name: 'error', cls: 'failed' },
  cancelled: { name: 'circle-slash', cls: 'cancelled' },
  interrupted: { name: 'debug-disconnect', cls: 'interrupted' },
  imported: { name: 'cloud-download', cls: 'completed' },
};

export function optimizerName(c?: ExperimentConfig): string {
  return c ? optimizerTitle(c.optimizer?.kind) : '?';
}

export function describeSchedule(s?: Schedule): string {
  if (!s) return '–';
  switch (s.kind) {
    case 'constant': return fmtSci(s.value);
    case 'exponential': return `${fmtSci(s.initial)} ×${fmtSci(s.decayRate)} every ${fmtInt(s.decaySteps)} steps${s.staircase ? '' : ' (smooth)'}`;
    case 'linear': return `${fmtSci(s.initial)} → ${fmtSci(s.final)} over ${fmtInt(s.steps)} steps`;
    default: return '?';
  }
}

export interface HeaderActions {
  post(type: 'stop' | 'resume' | 'compile' | 'runEmulated' | 'flash', experimentId: string): void;
}

function totalSteps(run: RunData): number | undefined {
  const st = run.summary.status;
  if (st?.totalSteps) return st.totalSteps;
  const spe = run.stepsPerEpoch;
  const epochs = run.summary.config?.epochs;
  return spe && epochs ? spe * epochs : undefined;
}

/** Progress figures from the newest events: what the trainer reports, not a guess from wall-clock time. */
export function progressOf(run: RunData): { step: number; total?: number; epoch: number; epochs?: number; samplesPerSec?: number; etaMs?: number } {
  const st = run.summary.status;
  const step = Math.max(run.lastStep?.step ?? 0, run.lastEpoch?.step ?? 0, st?.step ?? 0);
  const total = totalSteps(run);
  const sps = run.lastStep?.samplesPerSec;
  const batch = run.summary.config?.batchSize;
  const running = st?.state === 'running';
  const etaMs = running && total && sps && batch && sps > 0 ? ((total - step) * batch / sps) * 1000 : undefined;
  const epochs = run.summary.config?.epochs;
  const spe = run.stepsPerEpoch;
  const epoch = spe ? Math.min(epochs ?? Infinity, Math.floor(step / spe) + (step % spe === 0 && step > 0 ? 0 : 1)) : (run.lastStep?.epoch ?? st?.epoch ?? 0) + 1;
  return { step, total, epoch, epochs, samplesPerSec: sps, etaMs };
}

function chip(label: string, value: string, title?: string): HTMLElement {
  return h('span', { class: 'chip', title }, h('span', { class: 'chip-label' }, label), h('span', { class: 'chip-value' }, value));
}

/**
 * Live numbers (progress, loss, samples/s, ETA) change every frame; the rest only when the status or device results do.
 * Rebuilding the buttons every frame would drop their hover and keyboard focus, so only the numbers are patched.
 */
export function renderSingleHeader(root: HTMLElement, run: RunData, actions: HeaderActions): void {
  const c = run.summary.config;
  const st = run.summary.status;
  const state = st?.state ?? 'running';
  const structure = JSON.stringify([run.id, c?.name, st, run.summary.devices?.length ?? 0]);
  if (root.dataset.structure === structure) {
    updateLiveNumbers(root, run);
    return;
  }
  root.dataset.structure = structure;
  const si = STATE_ICON[state] ?? STATE_ICON.interrupted;
  const hasCheckpoint = Boolean(st?.lastCheckpoint || st?.bestCheckpoint || state === 'completed');
  const btn = (label: string, iconName: string, type: Parameters<HeaderActions['post']>[0], enabled: boolean, secondary: boolean, title: string) => {
    const b = h('vscode-button', { icon: iconName, secondary, disabled: !enabled, title, 'data-action': type }, label);
    b.addEventListener('click', () => { if (!b.hasAttribute('disabled')) actions.post(type, run.id); });
    return b;
  };
  const o = c?.optimizer;
  const hyper: HTMLElement[] = [];
  if (o && o.kind !== 'latent') {
    hyper.push(chip('γ', describeSchedule(o.gamma), 'adaptivity rate of the gradient moving average'));
    hyper.push(chip('τ', describeSchedule(o.threshold), 'flip threshold'));
    if (o.kind === 'bop2') hyper.push(chip('σ', describeSchedule(o.sigma), 'second-moment rate'));
  }
  if (o) hyper.push(chip(o.kind === 'latent' ? 'lr' : 'Adam lr', describeSchedule(o.lr)));
  if (c) {
    hyper.push(chip('batch', fmtInt(c.batchSize)), chip('epochs', fmtInt(c.epochs)), chip('seed', String(c.seed)));
    hyper.push(chip('data', `${c.dataset?.name ?? '?'} (${fmtInt(c.dataset?.trainSamples ?? 0)} train / ${fmtInt(c.dataset?.valSamples ?? 0)} val)`, c.dataset?.normalization));
    hyper.push(chip('backend', c.backend ?? '?'));
    if (c.bnRecalibration) hyper.push(chip('BN stats', `re-estimated on ${fmtInt(c.bnRecalibration)} images`, 'After every epoch, BatchNorm moving mean and variance are re-estimated over this many training images with the current weights; validation, test and checkpoints use them.'));
    if (o?.preset) hyper.push(chip('preset', o.preset));
  }

  const parts: (HTMLElement | undefined)[] = [
    h('div', { class: 'title-row' },
      h('span', { class: `status ${si.cls}` }, icon(si.name, si.spin, state)),
      h('h1', {}, c?.name ?? `${c?.model?.name ?? run.id}`, h('span', { class: 'optimizer' }, c?.name ? ` · ${c.model?.name ?? '?'} · ${optimizerName(c)}` : ` · ${optimizerName(c)}`)),
      h('vscode-badge', { class: `state ${si.cls}` }, state),
      h('span', { class: 'spacer' }),
      h('div', { class: 'actions' },
        // primary only while it can act: a disabled primary button still reads as the thing to press
        btn('Stop', 'debug-stop', 'stop', state === 'running', state !== 'running', 'Stop training (keeps the last checkpoint)'),
        btn('Resume', 'debug-continue', 'resume', state === 'interrupted' || state === 'cancelled' || state === 'failed', true, 'Resume from the last checkpoint'),
        btn('Compile', 'file-binary', 'compile', state !== 'running' && hasCheckpoint, true, 'Compile to a C library for the selected board'),
        btn('Run on Emulated Board', 'vm', 'runEmulated', state !== 'running' && hasCheckpoint, true, 'Compile, run on the emulated board and benchmark'),
        btn('Flash', 'zap', 'flash', state !== 'running' && hasCheckpoint, true, 'Flash to the connected board and benchmark'),
      ),
    ),
    h('div', { class: 'subtitle' }, run.id, c?.modelPath ? ` · ${c.modelPath}` : '', st?.startedAt ? ` · started ${new Date(st.startedAt).toLocaleString()}` : ''),
    st?.error ? h('div', { class: 'error-line' }, icon('error'), ` ${st.error.message}${st.error.step !== undefined ? ` (step ${fmtInt(st.error.step)})` : ''}`) : undefined,
    h('div', { class: 'chips' }, ...hyper),
    h('div', { class: 'progress-row' }, h('vscode-progress-bar', { 'aria-label': 'training progress' }), h('span', { class: 'progress-text' })),
    h('div', { class: 'stats' }),
    h('div', { class: 'health', role: 'status' }),
    renderDevices(run),
  ];
  root.replaceChildren(...parts.filter((e): e is HTMLElement => e !== undefined));
  updateLiveNumbers(root, run);
}

function updateLiveNumbers(root: HTMLElement, run: RunData): void {
  const st = run.summary.status;
  const state = st?.state ?? 'running';
  const p = progressOf(run);
  const last = run.lastStep;
  const lastEpoch = run.lastEpoch;
  const stats: string[] = [];
  if (last) stats.push(`loss ${fmtSci(last.loss)}`, `train acc ${fmtPct(last.accuracy)}`);
  if (lastEpoch?.valAccuracy !== undefined) stats.push(`val acc ${fmtPct(lastEpoch.valAccuracy)} (best ${fmtPct(run.bestValAccuracy)})`);
  else if (st?.final?.valAccuracy !== undefined) stats.push(`val acc ${fmtPct(st.final.valAccuracy)}`);
  if (p.samplesPerSec !== undefined && state === 'running') stats.push(`${fmtInt(p.samplesPerSec)} samples/s`);
  if (p.etaMs !== undefined) stats.push(`ETA ${fmtDuration(p.etaMs)}`);
  const took = runDuration(run);
  if (took !== undefined) stats.push(`took ${fmtDuration(took)}`);
  const statsEl = root.querySelector('.stats');
  if (statsEl) statsEl.textContent = stats.join(' · ') || 'waiting for the first metrics…';
  const healthEl = root.querySelector<HTMLElement>('.health');
  if (healthEl) renderHealth(healthEl, run);
  const textEl = root.querySelector('.progress-text');
  if (textEl) textEl.textContent = `epoch ${p.epoch}${p.epochs ? `/${p.epochs}` : ''} · step ${fmtInt(p.step)}${p.total ? `/${fmtInt(p.total)}` : ''}`;
  const bar = root.querySelector('vscode-progress-bar');
  if (bar) {
    if (p.total) {
      bar.setAttribute('value', String(Math.min(p.step, p.total)));
      bar.setAttribute('max', String(p.total));
    } else if (state !== 'running') {
      bar.setAttribute('value', '0');
    }
  }
}

/**
 * How long a finished run trained: its last event's clock (training time summed over resumed sessions, the figure the
 * CLI prints), else the status's start and end — which cover the last session only.
 */
export function runDuration(run: Pick<RunData, 'lastStep' | 'lastEpoch' | 'summary'>): number | undefined {
  const st = run.summary.status;
  if (!st?.endedAt) return undefined;
  const wall = st.startedAt ? Date.parse(st.endedAt) - Date.parse(st.startedAt) : NaN;
  const trained = Math.max(run.lastStep?.time ?? 0, run.lastEpoch?.time ?? 0);
  return trained > 0 ? Math.max(trained, Number.isFinite(wall) ? wall : 0) : Number.isFinite(wall) ? wall : undefined;
}

/** The flip-ratio warnings, one line each; rebuilt only when they change (this runs every frame). */
function renderHealth(el: HTMLElement, run: RunData): void {
  const warnings = run.health.warnings();
  const key = warnings.map((w) => w.text).join('\n');
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.replaceChildren(...warnings.map((w) => h('div', { class: `health-line ${w.kind}`, 'data-layer': w.layer, 'data-kind': w.kind }, icon('warning'), ` ${w.text}`)));
}

function renderDevices(run: RunData): HTMLElement | undefined {
  const devs = run.summary.devices ?? [];
  if (devs.length === 0) return undefined;
  const row = (cells: (string | Node)[], head = false) => h('tr', {}, ...cells.map((c) => h(head ? 'th' : 'td', {}, c)));
  return h('section', { class: 'devices' },
    h('h2', {}, icon('circuit-board'), ' On-device results'),
    h('table', {},
      h('thead', {}, row(['Board', 'Device accuracy', 'Host accuracy', 'Agreement', 'Latency median / p90', 'Model arrays: flash · RAM', 'Firmware total: flash · RAM', 'When'], true)),
      h('tbody', {}, ...devs.map((d) => row([
        d.board + (d.port ? ` (${d.port})` : ''),
        `${fmtPct(d.deviceAccuracy)} of ${fmtInt(d.samples)}`,
        fmtPct(d.hostAccuracy),
        fmtPct(d.agreement),
        d.latencyUs ? `${fmtNum1(d.latencyUs.median)} / ${fmtNum1(d.latencyUs.p90)} µs` : `${fmtInt(d.latency.median)} / ${fmtInt(d.latency.p90)} ${d.latency.unit}`,
        `${modelArraysText(d.flash, fmtBytes)} · ${modelArraysText(d.ram, fmtBytes)}`,
        `${firmwareTotalText(d.flash, fmtBytes)} · ${firmwareTotalText(d.ram, fmtBytes)}`,
        new Date(d.time).toLocaleString(),
      ]))),
    ),
  );
}

function fmtNum1(v: number): string {
  return v >= 100 ? fmtInt(v) : v.toFixed(1);
}

function healthCell(r: RunData): HTMLElement {
  const w = r.health.warnings();
  if (w.length === 0) return h('span', { class: 'health-ok' }, 'ok');
  return h('span', { class: 'health-line', title: w.map((x) => x.text).join('\n') }, icon('warning'), ` ${w.map((x) => `${x.layer} ${x.kind}`).join(', ')}`);
}

export interface CompareFilter {
  hidden: Set<string>;
  toggle(id: string): void;
}

export function renderCompareHeader(root: HTMLElement, runs: RunData[], colors: string[], filter?: CompareFilter): void {
  const row = (cells: (string | Node)[], head = false) => h('tr', {}, ...cells.map((c) => h(head ? 'th' : 'td', {}, c)));
  root.replaceChildren(
    h('div', { class: 'title-row' }, h('h1', {}, `Comparing ${runs.length} runs`)),
    h('table', { class: 'compare' },
      h('thead', {}, row(['', 'Run', 'Model', 'Optimizer', 'Hyperparameters', 'Status', 'Progress', 'Best val acc', 'Device acc', 'Flip health'], true)),
      h('tbody', {}, ...runs.map((r, i) => {
        const c = r.summary.config;
        const st = r.summary.status;
        const si = STATE_ICON[st?.state ?? 'interrupted'];
        const p = progressOf(r);
        const dev = (r.summary.devices ?? []).at(-1);
        const o = c?.optimizer;
        const hp = o ? (o.kind === 'latent' ? `lr ${describeSchedule(o.lr)}` : `γ ${describeSchedule(o.gamma)}, τ ${describeSchedule(o.threshold)}`) + ` · batch ${c?.batchSize}` : '';
        const swatch = h('span', { class: 'swatch' });
        swatch.style.backgroundColor = colors[i % colors.length];
        const shown = !filter?.hidden.has(r.id);
        const box = h('input', { type: 'checkbox', class: 'run-toggle', 'data-run': r.id, 'aria-label': `Show ${r.label}`, title: shown ? 'Shown in the charts: untick to hide' : 'Hidden: tick to show', checked: shown });
        box.addEventListener('change', () => filter?.toggle(r.id));
        return row([
          h('label', { class: 'run-cell' }, box, swatch),
          h('span', { class: 'run-label', title: r.id }, r.label),
          h('span', { title: c?.modelPath ?? '' }, c?.model?.name ?? '?'),
          optimizerName(c),
          hp,
          h('span', { class: `status ${si.cls}` }, icon(si.name, si.spin), ` ${st?.state ?? '?'}`),
          `step ${fmtInt(p.step)}${p.total ? `/${fmtInt(p.total)}` : ''}`,
          fmtPct(r.bestValAccuracy ?? st?.final?.valAccuracy),
          dev ? `${fmtPct(dev.deviceAccuracy)} (${dev.board})` : '–',
          healthCell(r),
        ]);
      })),
    ),
  );
}
