/**
 * The model graph view in the real workbench (code-server + Chromium): a residual model is opened, its graph shown
 * from the editor title, every layer is a card with the estimator's numbers, clicking a card selects that layer in the
 * editor, and an edit to the file redraws the graph. Screenshots in test-results/e2e-graph/.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModelText } from '../../src/core/model/load';
import { summarize } from '../../src/core/estimate/summary';
import { buildGraphModel } from '../../src/core/view/graphModel';
import { openSession, sessionHooks, type Session } from '../e2e-support/session';
import { REPO_ROOT, RESULTS_DIR, requireE2ETools } from '../e2e-support/tools';
import { expandViewPane, openActivity, quickOpen, treeRow, webviewFrame } from '../e2e-support/workbench';

// The bundled residual example when it is there, else the graph view's own residual fixture.
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'binary-resnet.bnn.json');
const SOURCE = existsSync(EXAMPLE) ? EXAMPLE : path.join(REPO_ROOT, 'test', 'fixtures', 'residual-graph.bnn.json');
// Its own name: the workspace's models/ folder holds the examples too, and Quick Open must find this copy.
const FILE = 'graph-under-test.bnn.json';
const LABEL = FILE.replace(/\.bnn\.json$/, '');

function expected(text: string) {
  const loaded = loadModelText(text, FILE);
  assert.ok(loaded.spec, loaded.diagnostics.map((d) => d.message).join('\n'));
  return { loaded, graph: buildGraphModel({ spec: loaded.spec, summary: summarize(loaded.spec), file: FILE, uri: '', layerLines: loaded.layerRanges.map((r) => r.start.line) }) };
}

describe('the model graph view in the browser workbench (Playwright)', function () {
  let s: Session | undefined;
  let dir = '';
  const text = readFileSync(SOURCE, 'utf8');
  const { loaded, graph } = expected(text);

  before(async function () {
    this.timeout(180_000);
    const tools = requireE2ETools(this);
    dir = mkdtempSync(path.join(os.tmpdir(), 'bnn-e2e-graph-'));
    copyFileSync(SOURCE, path.join(dir, FILE));
    s = await openSession(tools, path.join(RESULTS_DIR, 'e2e-graph'), {}, [], { workspaceFiles: { residual: dir } });
  });

  sessionHooks(() => s);
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('offers Show Model Graph on the model in the Models view', async function () {
    const page = s!.page;
    await openActivity(page, 'BNN Studio');
    const models = await expandViewPane(page, 'Models');
    const row = await treeRow(models, LABEL);
    await row.hover();
    await row.locator('.actions .action-label[aria-label^="Show Model Graph"]').waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('opens the graph of the open model from the editor title, a card per layer with its numbers', async function () {
    const page = s!.page;
    await quickOpen(page, FILE);
    const action = page.locator('.editor-actions .action-label[aria-label^="Show Model Graph"]').first();
    await action.waitFor({ state: 'visible', timeout: 20_000 });
    await action.click();
    await page.locator(`.tabs-container .tab[aria-label*="Graph: ${LABEL}"]`).first().waitFor({ state: 'visible', timeout: 20_000 });
    const frame = webviewFrame(page);
    await frame.locator('svg.graph .node').first().waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator(`svg.graph[data-nodes="${graph.nodes.length}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('svg.graph .node').count(), graph.nodes.length);
    assert.equal(await frame.locator('svg.graph path.edge.shortcut').count(), graph.edges.filter((e) => e.shortcut).length);
    assert.ok(graph.edges.some((e) => e.shortcut), 'a residual model has shortcuts');
    const binary = graph.nodes.find((n) => n.precision === 'binary')!;
    const card = (await frame.locator(`.node[data-id="${binary.id}"] text`).allTextContents()).join(' | ');
    for (const part of [binary.type, binary.name, `→ ${binary.shape}`, binary.cost]) assert.ok(card.includes(part), `card "${card}" lacks "${part}"`);
    assert.match(await frame.locator('.chips').innerText(), new RegExp(`flash\\s*${graph.totals.flash.replace('.', '\\.')}`));
  });

  it('clicking a card selects that layer in the editor', async function () {
    const page = s!.page;
    const frame = webviewFrame(page);
    const target = graph.nodes.filter((n) => n.precision === 'binary').at(-1)!;
    // It opens at 100% from the input down; the last binary layer is further down, so see it all first.
    await frame.locator('vscode-toolbar-button[data-action="fit"]').click();
    await frame.locator(`.node[data-id="${target.id}"]`).click();
    const range = loaded.layerRanges[target.layer!];
    // The cursor ends at the layer object's end, with its lines selected: the status bar says so.
    const want = `Ln ${range.end.line + 1}, Col ${range.end.character + 1}`;
    const status = page.locator('.part.statusbar .statusbar-item', { hasText: want }).first();
    try {
      await status.waitFor({ state: 'visible', timeout: 15_000 });
    } catch {
      throw new Error(`no "${want}" in the status bar: ${JSON.stringify(await page.locator('.part.statusbar .statusbar-item').allInnerTexts())}`);
    }
    assert.match(await status.innerText(), /selected/);
    await frame.locator(`.node.selected[data-id="${target.id}"]`).waitFor({ timeout: 10_000 });
  });

  it('redraws the graph when the file changes', async function () {
    const page = s!.page;
    const spec = JSON.parse(text);
    // an extra real-valued layer after the last Add (a PReLU keeps every shape)
    const at = spec.layers.findIndex((l: { type: string }) => l.type === 'GlobalAveragePooling2D');
    spec.layers.splice(at, 0, { type: 'PReLU', name: 'added_by_the_test' });
    if (spec.layers[at + 1].inputs) spec.layers[at + 1].inputs = ['added_by_the_test'];
    const edited = JSON.stringify(spec, null, 2);
    const { graph: next } = expected(edited);
    writeFileSync(path.join(s!.server.workspace, 'residual', FILE), edited);
    const frame = webviewFrame(page);
    await frame.locator(`svg.graph[data-nodes="${next.nodes.length}"]`).waitFor({ timeout: 30_000 });
    assert.ok((await frame.locator('.node text.name').allTextContents()).includes('added_by_the_test'));
  });
});
