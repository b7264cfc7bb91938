/**
 * The graph's SVG: a node is a card in Netron's manner — a header with the layer type (tinted by how it computes:
 * binary, real-valued or ±1 weights on a real input), the layer's name, its attributes, then its output shape and
 * cost. Text always goes in through textContent (names come from the model file). Colours are CSS classes over
 * VS Code's theme variables (styles.css), so a theme change needs no redraw.
 */
import type { GraphViewEdge, GraphViewNode } from '../../src/core/messages';
import { smoothPath } from './layout';

const SVG_NS = 'http://www.w3.org/2000/svg';
export const ROW = 17;
const HEADER = 22;
const PAD_X = 10;
const MIN_WIDTH = 120;

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const PRECISION_WORD: Record<GraphViewNode['precision'], string> = { binary: '1-bit', real: 'real', mixed: '±1 × real', none: 'unused' };

/** The tooltip: everything the card leaves out. */
function nodeTitle(n: GraphViewNode): string {
  const lines = [
    n.layer !== undefined ? `layer ${n.layer + 1} (${n.type} '${n.name}')${n.line ? ` — line ${n.line}` : ''}` : 'model input',
    `output ${n.shape} · ${n.outputRepr}`,
    `computes: ${n.precisionLabel}`,
  ];
  if (n.cost) lines.push(n.cost);
  if (!n.live) lines.push("not used by the model's output: left out of training and the compiled model");
  if (n.isOutput) lines.push("the model's output");
  if (n.layer !== undefined) lines.push('click to show it in the editor');
  return lines.join('\n');
}

export interface DrawnNode {
  el: SVGGElement;
  /** The card's width for its text: reads layout, so call it for every node before `size` writes any. */
  measure(): number;
  /** Sizes the card to `width` and lays out its rows; returns its height. */
  size(width: number): number;
}

/**
 * Builds a node's card at the origin inside `parent`. Measuring and sizing are separate steps so that a graph's
 * cards are all measured in one layout pass rather than one forced layout per card.
 */
export function drawNode(parent: SVGGElement, n: GraphViewNode): DrawnNode {
  const g = svg('g', {
    class: `node ${n.precision}${n.live ? '' : ' dead'}${n.isOutput ? ' output' : ''}${n.layer !== undefined ? ' layer' : ''}`,
    'data-id': n.id,
    ...(n.layer !== undefined ? { 'data-layer': n.layer, tabindex: 0, role: 'button', 'aria-label': `${n.type} ${n.name}, ${n.shape}${n.cost ? `, ${n.cost}` : ''}: show in the editor` } : { 'aria-label': `model input, ${n.shape}` }),
  });
  g.append(svg('title', {}, nodeTitle(n)));
  parent.append(g);
  const box = svg('rect', { class: 'card', rx: 5, ry: 5 });
  const head = svg('path', { class: 'head' });
  g.append(box, head);
  const texts: { el: SVGTextElement; right?: SVGTextElement }[] = [];
  const line = (cls: string, left: string, right?: string): void => {
    const el = svg('text', { class: cls }, left);
    g.append(el);
    let r: SVGTextElement | undefined;
    if (right !== undefined) {
      r = svg('text', { class: `${cls} value`, 'text-anchor': 'end' }, right);
      g.append(r);
    }
    texts.push({ el, right: r });
  };
  const typeText = svg('text', { class: 'type' }, n.type);
  const badge = svg('text', { class: 'badge', 'text-anchor': 'end' }, PRECISION_WORD[n.precision]);
  g.append(typeText, badge);
  if (n.layer !== undefined) line('name', n.name);
  for (const [k, v] of n.attrs) line('attr', k, v);
  line('shape', `→ ${n.shape}`);
  if (n.cost) line('cost', n.cost);

  const measure = (): number => {
    // The widest row, key and value side by side with a gap.
    const widthOf = (t: SVGTextElement | undefined): number => (t ? t.getComputedTextLength() : 0);
    let width = Math.max(MIN_WIDTH, widthOf(typeText) + widthOf(badge) + 3 * PAD_X);
    for (const t of texts) width = Math.max(width, widthOf(t.el) + widthOf(t.right) + (t.right ? 3 : 2) * PAD_X);
    return Math.ceil(width);
  };
  const size = (width: number): number => {
    const height = HEADER + texts.length * ROW + 6;
    // Positions relative to the card's top-left corner; the caller moves the group to the node's place.
    box.setAttribute('width', String(width));
    box.setAttribute('height', String(height));
    head.setAttribute('d', `M0,${HEADER} V5 Q0,0 5,0 H${width - 5} Q${width},0 ${width},5 V${HEADER} Z`);
    typeText.setAttribute('x', String(PAD_X));
    typeText.setAttribute('y', String(HEADER - 7));
    badge.setAttribute('x', String(width - PAD_X));
    badge.setAttribute('y', String(HEADER - 7));
    texts.forEach((t, i) => {
      const y = HEADER + (i + 1) * ROW - 4;
      t.el.setAttribute('x', String(PAD_X));
      t.el.setAttribute('y', String(y));
      if (t.right) {
        t.right.setAttribute('x', String(width - PAD_X));
        t.right.setAttribute('y', String(y));
      }
    });
    return height;
  };
  return { el: g, measure, size };
}

export function drawEdge(parent: SVGGElement, e: GraphViewEdge, points: { x: number; y: number }[]): SVGPathElement {
  const path = svg('path', {
    class: `edge ${e.precision}${e.shortcut ? ' shortcut' : ''}${e.live ? '' : ' dead'}`,
    d: smoothPath(points), 'marker-end': `url(#arrow-${e.precision})`, 'data-from': e.from, 'data-to': e.to,
  });
  path.append(svg('title', {}, `${e.shape} · ${e.precision === 'binary' ? '1-bit' : 'real-valued'}${e.shortcut ? ' · shortcut' : ''}`));
  parent.append(path);
  return path;
}

/** Arrowheads, one per edge kind so each takes its edge's colour. */
export function arrowMarkers(): SVGDefsElement {
  const defs = svg('defs');
  for (const kind of ['binary', 'real']) {
    const m = svg('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', class: `arrow ${kind}` });
    m.append(svg('path', { d: 'M0,0 L10,5 L0,10 z' }));
    defs.append(m);
  }
  return defs;
}
