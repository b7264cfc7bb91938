/**
 * The dataset preview page: the dataset's counts, its fit with the selected model (what training will do, or what
 * to change), then a row of samples per class. Everything shown comes from files on disk, so text goes in through
 * textContent only (dom.ts's h) and bytes are drawn, never interpreted.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import './styles.css';
import type { Chart } from 'chart.js';
import type { DatasetPreviewToHost, HostToDatasetPreview } from '../../src/core/messages';
import { splitText, summaryDescription } from '../../src/core/data/summaryText';
import { h, icon } from '../dom';
import { readTheme } from '../theme';
import { imageCanvas, seriesChart } from './samples';

interface VsCodeApi {
  postMessage(msg: DatasetPreviewToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const root = h('main', { class: 'dataset-preview' });
document.body.append(root);
let charts: Chart[] = [];

function clear(): void {
  charts.forEach((c) => c.destroy());
  charts = [];
  root.replaceChildren();
}

function render(m: Extract<HostToDatasetPreview, { type: 'preview' }>): void {
  clear();
  const { summary: s, preview: p, fit } = m;
  root.append(
    h('header', {},
      h('h1', {}, s.name),
      h('div', { class: 'subtitle' }, summaryDescription(s), s.classes !== undefined ? ` · ${s.classes} classes` : ''),
      h('div', { class: 'subtitle' }, splitText(s)),
      h('div', { class: 'location' }, s.location || '')),
  );
  const fitBox = h('section', { class: 'fit' });
  if (!m.model) fitBox.append(h('div', { class: 'note info' }, icon('info'), 'Open or select a model to check this dataset against it.'));
  else if (!fit.length) fitBox.append(h('div', { class: 'note ok' }, icon('pass'), `Fits model '${m.model}' as it is.`));
  for (const f of fit) {
    fitBox.append(h('div', { class: `note ${f.severity}` }, icon(f.severity === 'error' ? 'error' : 'warning'),
      h('div', {}, h('div', { class: 'message' }, f.message), h('div', { class: 'action' }, f.action))));
  }
  for (const n of p.notes) fitBox.append(h('div', { class: 'note info' }, icon('info'), n));
  root.append(fitBox);
  const theme = readTheme();
  const grid = h('section', { class: `grid ${p.kind}` });
  p.classes.forEach((c, label) => {
    const counts = s.perClass?.[label];
    const row = h('div', { class: 'class-row' },
      h('div', { class: 'class-name' }, h('span', {}, c.name), counts ? h('vscode-badge', { variant: 'counter', title: `${counts.train} train, ${counts.test} test` }, String(counts.train + counts.test)) : undefined));
    const samples = h('div', { class: 'samples' });
    for (const sample of c.samples) {
      let el: HTMLElement;
      if (p.kind === 'image') el = imageCanvas(sample);
      else {
        const made = seriesChart(sample, theme);
        charts.push(made.chart);
        el = made.element;
      }
      // image-folder samples name their file: a click opens it
      if (!/^(train|test) sample \d+$/.test(sample.source)) {
        el.classList.add('clickable');
        el.addEventListener('click', () => vscode.postMessage({ v: 1, type: 'reveal', file: sample.source }));
      }
      samples.append(el);
    }
    if (!c.samples.length) samples.append(h('span', { class: 'empty' }, 'no readable sample'));
    row.append(samples);
    grid.append(row);
  });
  root.append(grid);
}

window.addEventListener('message', (e: MessageEvent<HostToDatasetPreview>) => {
  const m = e.data;
  if (!m || m.v !== 1) return;
  if (m.type === 'loading') {
    clear();
    root.append(h('div', { class: 'loading' }, h('vscode-progress-ring', {}), h('span', {}, m.message)));
  } else if (m.type === 'error') {
    clear();
    root.append(h('h1', {}, m.name), h('div', { class: 'note error' }, icon('error'), h('pre', {}, m.message)));
  } else if (m.type === 'preview') {
    render(m);
  }
});
vscode.postMessage({ v: 1, type: 'ready' });
