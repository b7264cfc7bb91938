/**
 * The built model graph view in a real browser (Debian's Chromium, headless), fed the view model of a residual model
 * as the host sends it: every layer is drawn as a card with its numbers, no two cards overlap, data flows downwards,
 * shortcuts and binary parts are told apart in the theme's colours, a click asks the host to reveal the layer, and an
 * edit (or an error) updates the picture.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { requireTool } from '../support/tools';
import { openPanelPage, THEME_VARS, type PanelPage, type PanelTheme } from '../support/panelPage';
import { graphViewModelOf, residualStackText } from '../support/graphViewModels';
import { ensureContrast } from '../../webview/contrast';
import type { GraphViewModel } from '../../src/core/messages';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.resolve(ROOT, 'test-results');
const FIXTURE = 'test/fixtures/residual-graph.bnn.json';

const modelOf = (text: string, file = FIXTURE): GraphViewModel => graphViewModelOf(text, file);

interface Box { id: string; x: number; y: number; w: number; h: number; cls: string; textOverflow: number }

async function boxes(p: PanelPage): Promise<Box[]> {
  return p.page.evaluate(() => [...document.querySelectorAll('svg.graph .node')].map((el) => {
    const r = el.querySelector('.card')!.getBoundingClientRect();
    // how far the widest text reaches past the card's right edge (0 when everything fits)
    const overflow = Math.max(0, ...[...el.querySelectorAll('text')].map((t) => t.getBoundingClientRect().right - r.right));
    return { id: el.getAttribute('data-id')!, x: r.x, y: r.y, w: r.width, h: r.height, cls: el.getAttribute('class')!, textOverflow: overflow };
  }));
}

async function waitRenders(p: PanelPage, n: number): Promise<void> {
  await p.page.waitForFunction((k) => (window as unknown as { bnnGraph: { stats: { renders: number } } }).bnnGraph.stats.renders >= k, n, { timeout: 15_000 });
}

async function open(theme: PanelTheme, model: GraphViewModel): Promise<PanelPage> {
  const p = await openPanelPage({ theme, bundle: 'graphView', width: 1200, height: 1400 });
  await p.send({ v: 1, type: 'model', model });
  await waitRenders(p, 1);
  return p;
}

describe('model graph view in headless Chromium', function () {
  this.timeout(90_000);
  const text = readFileSync(path.join(ROOT, FIXTURE), 'utf8');
  const model = modelOf(text);

  before(function () {
    requireTool(this, 'chromium', 'apt-get install chromium');
    mkdirSync(OUT, { recursive: true });
  });

  it('draws every layer as a card, none overlapping, data flowing downwards', async () => {
    const p = await open('dark', model);
    try {
      const b = await boxes(p);
      assert.equal(b.length, model.nodes.length);
      for (let i = 0; i < b.length; i++) {
        assert.ok(b[i].textOverflow < 1, `${b[i].id}: text runs ${b[i].textOverflow}px past its card`);
        for (let j = i + 1; j < b.length; j++) {
          const [a, c] = [b[i], b[j]];
          const overlap = a.x < c.x + c.w && c.x < a.x + a.w && a.y < c.y + c.h && c.y < a.y + a.h;
          assert.ok(!overlap, `${a.id} and ${c.id} overlap`);
        }
      }
      const at = new Map(b.map((x) => [x.id, x]));
      for (const e of model.edges) assert.ok(at.get(e.from)!.y + at.get(e.from)!.h <= at.get(e.to)!.y + 0.5, `${e.from} → ${e.to} does not point down`);
      // the cards say what the host sent: type, name, shape and cost
      const conv = p.page.locator('.node[data-id="L2"]');
      const cardText = (await conv.locator('text').allTextContents()).join(' | ');
      const n = model.nodes.find((x) => x.id === 'L2')!;
      for (const part of [n.type, n.name, `→ ${n.shape}`, n.cost, '1-bit']) assert.ok(cardText.includes(part), `card "${cardText}" lacks "${part}"`);
      // every edge drawn, the two shortcuts dashed
      assert.equal(await p.page.locator('svg.graph path.edge').count(), model.edges.length);
      assert.equal(await p.page.locator('svg.graph path.edge.shortcut').count(), model.edges.filter((e) => e.shortcut).length);
      assert.equal(await p.page.locator('svg.graph path.edge.shortcut').first().evaluate((el) => getComputedStyle(el).strokeDasharray !== 'none'), true);
      assert.deepEqual(await p.problems(), []);
      await p.page.screenshot({ path: path.join(OUT, 'graph-view-dark.png') });
    } finally {
      await p.close();
    }
  });

  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    it(`tells binary from real-valued layers in the ${theme} theme's colours`, async () => {
      const vars = THEME_VARS[theme];
      const p = await open(theme, model);
      try {
        const bg = vars['--vscode-editor-background'];
        const rgb = (hex: string) => { const n = parseInt(hex.slice(1, 7), 16); return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`; };
        const stroke = (id: string) => p.page.locator(`.node[data-id="${id}"] .card`).evaluate((el) => getComputedStyle(el).stroke);
        assert.equal(await stroke('L2'), rgb(ensureContrast(vars['--vscode-charts-blue'], bg)), 'binary conv in the theme blue');
        assert.equal(await stroke('L0'), rgb(ensureContrast(vars['--vscode-charts-orange'], bg)), 'real stem in the theme orange');
        assert.equal(await p.page.locator('.node.dead').count(), 1);
        assert.deepEqual(await p.problems(), []);
        if (theme !== 'dark') await p.page.screenshot({ path: path.join(OUT, `graph-view-${theme}.png`) });
      } finally {
        await p.close();
      }
    });
  }

  it('asks the host to reveal a clicked (or Enter-ed) layer, and highlights the layer the host selects', async () => {
    const p = await open('dark', model);
    try {
      await p.page.locator('.node[data-id="L6"]').click();
      await p.page.locator('.node[data-id="L9"]').focus();
      await p.page.keyboard.press('Enter');
      // the input node is no layer: clicking it asks for nothing
      await p.page.locator('.node[data-id="input"]').click();
      const reveals = (await p.posted()).filter((m) => m.type === 'reveal');
      assert.deepEqual(reveals, [{ v: 1, type: 'reveal', layer: 6 }, { v: 1, type: 'reveal', layer: 9 }]);
      await p.send({ v: 1, type: 'select', layer: 12 });
      await p.page.waitForSelector('.node.selected[data-id="L12"]');
      assert.equal(await p.page.locator('.node.selected').count(), 1);
      await p.send({ v: 1, type: 'select' });
      await p.page.waitForFunction(() => document.querySelectorAll('.node.selected').length === 0);
      assert.deepEqual(await p.problems(), []);
    } finally {
      await p.close();
    }
  });

  it('follows edits: an error keeps the last graph with the problem, a new layer appears', async () => {
    const p = await open('dark', model);
    try {
      await p.send({ v: 1, type: 'invalid', file: FIXTURE, uri: model.uri, problems: [{ message: "layer 5 (Add 'b1_add'): reads 'b1_bnx', which is no layer of this model", line: 11, column: 51 }] });
      await p.page.waitForSelector('.notice:not([hidden])');
      assert.match(await p.page.locator('.notice').innerText(), /11:51\s+layer 5 \(Add 'b1_add'\): reads 'b1_bnx'/);
      assert.equal(await p.page.locator('.node').count(), model.nodes.length, 'the last valid graph stays');

      const edited = JSON.parse(text);
      edited.layers.splice(6, 0, { type: 'BatchNormalization', name: 'extra_bn' });
      edited.layers[7].inputs = ['extra_bn'];
      const next = modelOf(JSON.stringify(edited, null, 2));
      await p.send({ v: 1, type: 'model', model: next });
      await waitRenders(p, 2);
      assert.equal(await p.page.locator('.notice').isHidden(), true);
      assert.equal(await p.page.locator('.node').count(), model.nodes.length + 1);
      assert.ok((await p.page.locator('.node text.name').allTextContents()).includes('extra_bn'));
      assert.deepEqual(await p.problems(), []);
    } finally {
      await p.close();
    }
  });

  it('lays out a 200-layer residual stack, opens it readable at the top and fits it on request', async () => {
    const big = modelOf(residualStackText(50), 'deep.bnn.json');
    const p = await open('dark', big);
    try {
      assert.equal(await p.page.locator('.node').count(), 205);
      assert.equal(await p.page.locator('path.edge.shortcut').count(), 50);
      const scale = () => p.page.evaluate(() => (window as unknown as { bnnGraph: { viewport: { scale: number } } }).bnnGraph.viewport.scale);
      // it opens readable, at the input; Fit shows all of it
      assert.equal(await scale(), 1);
      assert.ok(await p.page.locator('.node[data-id="input"]').isVisible());
      const top = (await p.page.locator('.node[data-id="input"] .card').boundingBox())!;
      const svgBox = (await p.page.locator('svg.graph').boundingBox())!;
      assert.ok(top.y >= svgBox.y && top.y < svgBox.y + 100, `the input card at ${top.y}, the graph from ${svgBox.y}`);
      await p.page.click('vscode-toolbar-button[data-action="fit"]');
      const fitted = await scale();
      assert.ok(fitted < 0.2, `fitted at ${fitted}`);
      await p.page.click('vscode-toolbar-button[data-action="zoom-in"]');
      assert.ok(Math.abs(await scale() - fitted * 1.25) < 1e-6, `zoomed in to ${await scale()} from ${fitted}`);
      const t = await p.page.evaluate(() => (window as unknown as { bnnGraph: { stats: { measureMs: number; layoutMs: number; drawMs: number } } }).bnnGraph.stats);
      console.log(`      205 nodes: cards measured in ${t.measureMs.toFixed(0)} ms, laid out (dagre) in ${t.layoutMs.toFixed(0)} ms, drawn in ${t.drawMs.toFixed(0)} ms`);
      assert.deepEqual(await p.problems(), []);
    } finally {
      await p.close();
    }
  });
});
