/**
 * The model graph view: the host sends the model's view model (src/core/view/graphModel.ts) whenever the file
 * changes; this page measures each node's card, lays the graph out with dagre and draws it as SVG. A click (or
 * Enter) on a node asks the host to show that layer in the editor; the host tells which layer the cursor is in.
 */
import '../styles.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { GraphViewModel, GraphViewToHost, HostToGraphView } from '../../src/core/messages';
import { h, icon } from '../dom';
import { readTheme, watchTheme } from '../theme';
import { arrowMarkers, drawEdge, drawNode, svg } from './draw';
import { layoutGraph } from './layout';
import { Viewport } from './viewport';

interface VsCodeApi {
  postMessage(msg: GraphViewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: GraphViewToHost): void => vscode.postMessage(m);

/** What tests and the benchmark read. */
const stats = { renders: 0, measureMs: 0, layoutMs: 0, drawMs: 0, nodes: 0, edges: 0, shortcuts: 0 };

const titleEl = h('h1', {}, 'Loading…');
const fileEl = h('span', { class: 'subtitle' });
const totalsEl = h('div', { class: 'chips' });
const fitBtn = h('vscode-toolbar-button', { icon: 'screen-normal', title: 'Fit the graph to the view', 'aria-label': 'Fit the graph to the view', 'data-action': 'fit' });
const zoomOutBtn = h('vscode-toolbar-button', { icon: 'zoom-out', title: 'Zoom out (Ctrl + wheel)', 'aria-label': 'Zoom out', 'data-action': 'zoom-out' });
const zoomInBtn = h('vscode-toolbar-button', { icon: 'zoom-in', title: 'Zoom in (Ctrl + wheel)', 'aria-label': 'Zoom in', 'data-action': 'zoom-in' });
const legend = h('div', { class: 'legend', 'aria-label': 'Legend' },
  h('span', { class: 'key binary' }, h('span', { class: 'swatch' }), 'binary (XNOR-popcount, 1-bit)'),
  h('span', { class: 'key mixed' }, h('span', { class: 'swatch' }), '±1 weights × real input'),
  h('span', { class: 'key real' }, h('span', { class: 'swatch' }), 'real-valued (float32)'),
  h('span', { class: 'key shortcut' }, h('span', { class: 'line' }), 'shortcut'),
);
const noticeEl = h('div', { class: 'notice error', role: 'status', hidden: true });
const header = h('header', { class: 'run-header graph-header' },
  h('div', { class: 'title-row' }, titleEl, fileEl, h('span', { class: 'spacer' }), zoomOutBtn, zoomInBtn, fitBtn),
  totalsEl, legend);

const svgEl = svg('svg', { class: 'graph', role: 'group', 'aria-label': 'Model graph' });
const viewGroup = svg('g', { class: 'viewport' });
const edgeGroup = svg('g', { class: 'edges' });
const nodeGroup = svg('g', { class: 'nodes' });
viewGroup.append(edgeGroup, nodeGroup);
svgEl.append(arrowMarkers(), viewGroup);
document.body.classList.add('graph-page');
document.body.append(header, noticeEl, h('div', { class: 'graph-box' }, svgEl));
const viewport = new Viewport(svgEl, viewGroup);

let shown: GraphViewModel | undefined;
let selected: number | undefined;
const placedNodes = new Map<string, { x: number; y: number; width: number; height: number }>();

/** Theme colours with enough contrast on the background (webview/contrast.ts) as CSS variables for styles.css. */
function applyTheme(): void {
  const t = readTheme();
  const root = document.documentElement.style;
  root.setProperty('--bnn-binary', t.palette[0]);
  root.setProperty('--bnn-real', t.palette[1]);
  root.setProperty('--bnn-shortcut', t.palette[2]);
  root.setProperty('--bnn-mixed', t.palette[3]);
}

function chip(label: string, value: string): HTMLElement {
  return h('span', { class: 'chip' }, h('span', { class: 'chip-label' }, label), value);
}

function render(model: GraphViewModel): void {
  const first = !shown || shown.uri !== model.uri;
  shown = model;
  vscode.setState({ uri: model.uri });
  document.title = `Graph: ${model.name}`;
  titleEl.textContent = model.name;
  fileEl.textContent = model.file;
  const t = model.totals;
  totalsEl.replaceChildren(chip('flash', t.flash), chip('RAM', t.ram), chip('BOPs', t.bops), chip('MACs', t.macs), chip('binary ops', t.binaryShare),
    ...(t.residual ? [chip('residual stream', t.residual)] : []));

  const t0 = performance.now();
  nodeGroup.replaceChildren();
  edgeGroup.replaceChildren();
  const cards = model.nodes.map((n) => drawNode(nodeGroup, n));
  const widths = cards.map((c) => c.measure());
  const sized = model.nodes.map((n, i) => ({ id: n.id, width: widths[i], height: cards[i].size(widths[i]) }));
  const t1 = performance.now();
  const placed = layoutGraph(sized, model.edges);
  const t2 = performance.now();
  placedNodes.clear();
  sized.forEach((d, i) => {
    const p = placed.nodes.get(d.id)!;
    placedNodes.set(d.id, p);
    cards[i].el.setAttribute('transform', `translate(${(p.x - d.width / 2).toFixed(1)},${(p.y - d.height / 2).toFixed(1)})`);
  });
  for (const e of model.edges) drawEdge(edgeGroup, e, placed.edges.get(e.id) ?? []);
  stats.measureMs = t1 - t0;
  stats.layoutMs = t2 - t1;
  stats.drawMs = performance.now() - t2;
  stats.renders++;
  stats.nodes = model.nodes.length;
  stats.edges = model.edges.length;
  stats.shortcuts = model.edges.filter((e) => e.shortcut).length;
  svgEl.setAttribute('data-nodes', String(stats.nodes));
  viewport.setContent(placed.width, placed.height);
  if (first) viewport.start(); else viewport.apply();
  markSelected(selected, false);
}

function markSelected(layer: number | undefined, scroll: boolean): void {
  selected = layer;
  for (const el of nodeGroup.querySelectorAll('.node.selected')) el.classList.remove('selected');
  if (layer === undefined) return;
  const el = nodeGroup.querySelector(`.node[data-layer="${layer}"]`);
  el?.classList.add('selected');
  const p = placedNodes.get(`L${layer}`);
  if (scroll && p) viewport.ensureVisible(p.x, p.y, p.width, p.height);
}

function showProblems(file: string, problems: { message: string; line: number; column: number }[]): void {
  noticeEl.replaceChildren(
    h('div', { class: 'notice-head' }, icon('error'), shown ? ` ${file} has errors; the graph shows it as it last was valid.` : ` ${file} has errors, so there is no graph to show yet.`),
    h('ul', {}, ...problems.map((p) => h('li', {}, `${p.line}:${p.column}  ${p.message}`))),
  );
  noticeEl.hidden = false;
  if (!shown) {
    titleEl.textContent = file;
  }
}

function revealNode(target: Element | null): void {
  const node = target?.closest('.node.layer');
  if (!node) return;
  const layer = Number(node.getAttribute('data-layer'));
  markSelected(layer, false);
  post({ v: 1, type: 'reveal', layer });
}

nodeGroup.addEventListener('click', (e) => revealNode(e.target as Element));
nodeGroup.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    revealNode(e.target as Element);
  }
});
fitBtn.addEventListener('click', () => viewport.fit());
zoomInBtn.addEventListener('click', () => viewport.zoomAt(1.25));
zoomOutBtn.addEventListener('click', () => viewport.zoomAt(0.8));

applyTheme();
watchTheme(applyTheme);

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as HostToGraphView | { v?: unknown; type?: unknown };
  if (!m || typeof m !== 'object' || m.v !== 1) return;
  try {
    switch (m.type) {
      case 'model': {
        const msg = m as Extract<HostToGraphView, { type: 'model' }>;
        noticeEl.hidden = true;
        render(msg.model);
        break;
      }
      case 'invalid': {
        const msg = m as Extract<HostToGraphView, { type: 'invalid' }>;
        if (!shown) vscode.setState({ uri: msg.uri });
        showProblems(msg.file, Array.isArray(msg.problems) ? msg.problems : []);
        break;
      }
      case 'select': {
        const msg = m as Extract<HostToGraphView, { type: 'select' }>;
        markSelected(typeof msg.layer === 'number' ? msg.layer : undefined, true);
        break;
      }
    }
  } catch (err) {
    noticeEl.replaceChildren(icon('error'), ` The graph could not be drawn: ${(err as Error).message}`);
    noticeEl.hidden = false;
  }
});

(window as unknown as { bnnGraph: unknown }).bnnGraph = { stats, viewport };
post({ v: 1, type: 'ready' });
