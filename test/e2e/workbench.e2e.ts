/**
 * `npm run test:e2e`: a person's first session with BNN Studio, driven through the browser. Steps run in order on one
 * workbench; each leaves a screenshot in test-results/e2e/ (the failing step too).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { openSession, sessionHooks, type Session } from '../e2e-support/session';
import { RESULTS_DIR, requireE2ETools } from '../e2e-support/tools';
import { readFileSync } from 'node:fs';
import { loadModelText } from '../../src/core/model/load';
import { formatBytes, summarize, type ModelSummary } from '../../src/core/estimate/summary';
import { expandTreeRow, expandViewPane, openActivity, quickOpen, runCommand, treeRow, treeRows, viewPane, webviewFrame } from '../e2e-support/workbench';
import { REPO_ROOT } from '../e2e-support/tools';
import { DEFAULT_BOARD_ID, findBoard } from '../../src/core/boards';

/** The estimator's numbers for an example model: what the UI must show. */
function summaryOf(file: string): ModelSummary {
  const loaded = loadModelText(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'), file);
  assert.ok(loaded.spec, `${file} must load`);
  return summarize(loaded.spec);
}

describe('BNN Studio in the browser workbench (Playwright)', function () {
  let s: Session | undefined;

  before(async function () {
    this.timeout(180_000);
    const tools = requireE2ETools(this);
    s = await openSession(tools, path.join(RESULTS_DIR, 'e2e'));
  });

  sessionHooks(() => s);

  it('opens the workspace with the example models', async function () {
    const page = s!.page;
    const explorer = page.locator('.explorer-folders-view');
    await explorer.locator('.monaco-list-row', { hasText: /^models$/ }).click();
    await explorer.locator('.monaco-list-row', { hasText: 'binary-mlp.bnn.json' }).waitFor({ state: 'visible', timeout: 10_000 });
    const rows = await explorer.locator('.monaco-list-row').allInnerTexts();
    for (const f of ['binary-cnn.bnn.json', 'binary-mlp.bnn.json', 'binarynet-cifar10.bnn.json']) assert.ok(rows.includes(f), `explorer rows: ${JSON.stringify(rows)}`);
  });

  it('opens a model file in the editor', async function () {
    const page = s!.page;
    await quickOpen(page, 'binary-mlp.bnn.json');
    await page.locator('.monaco-editor .view-lines', { hasText: 'QuantDense' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('opens the BNN Studio activity bar and lists every example model with its flash and RAM', async function () {
    const page = s!.page;
    await openActivity(page, 'BNN Studio');
    const models = await expandViewPane(page, 'Models');
    for (const file of ['binary-cnn.bnn.json', 'binary-mlp.bnn.json', 'binarynet-cifar10.bnn.json']) {
      const t = summaryOf(file).totals;
      const row = await treeRow(models, file.replace('.bnn.json', ''));
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes(`${formatBytes(t.flashBytes)} flash`) && text.includes(`${formatBytes(t.ramBytes)} RAM`),
        `row "${text}" should show ${formatBytes(t.flashBytes)} flash and ${formatBytes(t.ramBytes)} RAM`);
    }
  });

  it('expands a model into its layers with output shapes and costs', async function () {
    const page = s!.page;
    const models = await expandViewPane(page, 'Models');
    const row = await treeRow(models, 'binary-cnn');
    await expandTreeRow(row);
    const conv = await treeRow(models, /^QuantConv2D/);
    assert.match((await conv.innerText()).replace(/\s+/g, ' '), /→ \d+×\d+×\d+/);
    const all = await treeRows(models).allInnerTexts();
    assert.ok(all.some((t) => t.startsWith('QuantDense')), `layers: ${JSON.stringify(all)}`);
  });

  it('clicking a layer opens the model at that layer, with the inline estimates above each layer', async function () {
    const page = s!.page;
    const models = await expandViewPane(page, 'Models');
    await (await treeRow(models, /^QuantConv2D/)).click();
    await page.locator('.tabs-container .tab[aria-label*="binary-cnn.bnn.json"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    const t = summaryOf('binary-cnn.bnn.json').totals;
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: `Total: flash ${formatBytes(t.flashBytes)}` }).first();
    await lens.waitFor({ state: 'visible', timeout: 20_000 });
    const lenses = await page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
    assert.ok(lenses.some((l) => /QuantConv2D .*→/.test(l)), `lenses: ${JSON.stringify(lenses)}`);
  });

  it('shows the open model\'s flash and RAM against the selected board in the status bar', async function () {
    const page = s!.page;
    const t = summaryOf('binary-cnn.bnn.json').totals;
    // The default board (no bnnStudio.board in the test workspace); the status bar counts the firmware's share too.
    const board = findBoard(DEFAULT_BOARD_ID)!;
    const want = `flash ${formatBytes(t.flashBytes + board.firmwareReserve.flashBytes)}`;
    const item = page.locator('.part.statusbar .statusbar-item', { hasText: want }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      throw new Error(`no status bar item with "${want}"; items: ${JSON.stringify(await page.locator('.part.statusbar .statusbar-item').allInnerTexts())}`);
    }
    assert.match(await item.innerText(), /STM32|Nucleo|Nano/, 'names the selected board');
  });

  it('the Datasets view lists the bundled dataset with its samples per class, and Preview Dataset draws its images per class', async function () {
    const page = s!.page;
    await openActivity(page, 'BNN Studio');
    // room for the Datasets pane: the other two fold while it is looked at, and unfold after
    const setExpanded = async (name: string, expanded: boolean): Promise<void> => {
      const header = viewPane(page, name).locator('.pane-header').first();
      if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
    };
    await setExpanded('Models', false);
    await setExpanded('Experiments', false);
    const pane = await expandViewPane(page, 'Datasets');
    const row = await treeRow(pane, /^bundled$/, 60_000);
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /IDX \(MNIST layout\) · 7,000 samples · 28×28×1/);
    await expandTreeRow(row);
    await treeRow(pane, 'T-shirt/top');
    const rows = (await treeRows(pane).allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    assert.ok(rows.some((t) => /train 6,000 · test 1,000/.test(t)), `rows: ${JSON.stringify(rows)}`);
    await s!.shots.take('datasets-view');
    await row.locator('.label-name').click();
    const frame = webviewFrame(page);
    await frame.locator('.class-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await frame.locator('.class-row').count(), 10, 'a row per class');
    assert.equal(await frame.locator('canvas.image').count(), 80, '8 thumbnails a class');
    assert.match(await frame.locator('.fit').innerText(), /Fits model '\w+' as it is|Open or select a model/);
    await s!.shots.take('dataset-preview');
    // the preview's frame holds the focus: close it so the next steps' keys reach the workbench
    await runCommand(page, 'View: Close Editor');
    await page.keyboard.press('Escape');
    await setExpanded('Datasets', false);
    await setExpanded('Models', true);
    await setExpanded('Experiments', true);
  });

  it('"Flash to Board" without a board says so before asking for a run, with what it saw and the ways on', async function () {
    this.timeout(90_000);
    const page = s!.page;
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.keyboard.press('Escape');
    await runCommand(page, 'BNN: Flash to Board');
    await runCommand(page, 'Notifications: Show Notifications');
    const row = page.locator('.notifications-center .monaco-list-row', { hasText: 'No supported board is connected' }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 30_000 });
    } catch {
      throw new Error(`no "No supported board" notification; notifications: ${JSON.stringify(await page.locator('.notifications-center .monaco-list-row').allInnerTexts())}`);
    }
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /serial ports? (seen|could not)/);
    assert.match(text, /flashing tools: openocd (found|missing), st-flash (found|missing), arduino-cli (found|missing)/);
    for (const b of ['Run on Emulated Board', 'Show Details', 'Open Serial Monitor']) assert.ok(await row.locator('.monaco-button', { hasText: b }).count() > 0, `"${text}" offers ${b}`);
    // the palette that ran "Show Notifications" may still be fading out; an experiment pick would stay open
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no experiment was asked for');
    await s!.shots.take('flash-without-board');
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.keyboard.press('Escape');
  });
});
