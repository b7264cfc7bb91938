/**
 * The built training panel in a real browser (Debian's Chromium, headless): 10,000 live metric events are streamed
 * into it the way the host delivers them, then the canvases are inspected for drawn series.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { requireTool } from '../support/tools';
import { countColour, openPanelPage, THEME_VARS, type PanelPage } from '../support/panelPage';
import { contrastRatio, ensureContrast, parseColor } from '../../webview/contrast';
import { LAYERS, syntheticEvents, syntheticSummary } from '../support/syntheticRun';
import { DARK_MODERN } from '../fixtures/vscodeThemes';
import { guardWebviewMessage } from '../../src/core/webviewMessageGuard';

const OUT = path.resolve(__dirname, '../../test-results');
const ID = '20261126-140000-binary-mlp-bop';

/**
 * Streams events as the host does, one message per trainer event, in bursts with a task boundary between them so
 * the page gets animation frames while the stream goes on (all inside the page: no per-burst round trips).
 */
async function stream(p: PanelPage, id: string, events: unknown[], perBurst = 250): Promise<void> {
  await p.page.evaluate(async ([eid, evs, n]) => {
    const list = evs as unknown[];
    for (let i = 0; i < list.length; i += n as number) {
      for (const ev of list.slice(i, i + (n as number))) window.postMessage({ v: 1, type: 'metrics', experimentId: eid, events: [ev] }, '*');
      await new Promise((r) => setTimeout(r, 4));
    }
  }, [id, events, perBurst] as const);
}

async function settle(p: PanelPage, events: number): Promise<void> {
  await p.page.waitForFunction((n) => (window as unknown as { bnnCharts: { stats: { events: number } } }).bnnCharts.stats.events >= n, events, { timeout: 15_000 });
  await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const series = (p: PanelPage, chart: string) => p.page.getAttribute(`canvas[data-chart="${chart}"]`, 'data-series');

/** Each chart has pixels in its first series' colour; loss and accuracy also in the validation series' colour. */
async function assertDrawn(p: PanelPage, vars: Record<string, string>): Promise<void> {
  for (const chart of ['loss', 'accuracy', 'flip', 'hyper']) {
    const n = await countColour(p.page, `canvas[data-chart="${chart}"]`, vars['--vscode-charts-blue'], 30);
    assert.ok(n > 200, `${chart}: only ${n} pixels of the first series' colour`);
  }
  for (const chart of ['loss', 'accuracy']) {
    // a theme colour with too little contrast is drawn darker (webview/contrast.ts): 3:1 against the background at least
    const orange = ensureContrast(vars['--vscode-charts-orange'], vars['--vscode-editor-background']);
    assert.ok(contrastRatio(parseColor(orange)!, parseColor(vars['--vscode-editor-background'])!) >= 3, orange);
    const n = await countColour(p.page, `canvas[data-chart="${chart}"]`, orange, 30);
    assert.ok(n > 20, `${chart}: only ${n} pixels of the validation series' colour`);
  }
}

describe('training panel in headless Chromium', function () {
  this.timeout(90_000);
  before(function () {
    requireTool(this, 'chromium', 'apt-get install chromium');
    mkdirSync(OUT, { recursive: true });
  });

  it('draws 10,000 live events on every chart and stays responsive', async () => {
    const vars = DARK_MODERN;
    const p = await openPanelPage({ theme: 'dark' });
    try {
      const run = syntheticSummary(ID);
      await p.send({ v: 1, type: 'init', runs: [run], history: {} });
      const events = syntheticEvents(10_000 - Math.floor(10_000 / 540), { stepsPerEpoch: 540 });
      assert.equal(events.length, 10_000);
      await stream(p, ID, events);
      await settle(p, 10_000);

      // The right number of lines per chart: train/val, train/val, one per binary layer, γ/τ/lr.
      assert.equal(await series(p, 'loss'), '2');
      assert.equal(await series(p, 'accuracy'), '2');
      assert.equal(await series(p, 'flip'), String(LAYERS.length));
      assert.equal(await series(p, 'hyper'), '3');
      await assertDrawn(p, vars);
      const stats = await p.page.evaluate(() => (window as unknown as { bnnCharts: { stats: { frames: number; events: number } } }).bnnCharts.stats);
      assert.equal(stats.events, 10_000);
      // Batched per frame: far fewer updates than events, but more than one (it drew while the stream went on).
      assert.ok(stats.frames > 1 && stats.frames < 10_000, `frames ${stats.frames}`);
      // Kept responding: a click on the x-axis toggle is handled and redrawn (epoch axis title).
      await p.page.click('vscode-button[data-x="epoch"]');
      await p.page.waitForFunction(() => document.querySelector('vscode-button[data-x="epoch"]')?.hasAttribute('secondary') === false);
      assert.match(await p.page.textContent('.progress-text') ?? '', /epoch 19\/100 · step 9,982\/54,000/);
      assert.match(await p.page.textContent('.stats') ?? '', /samples\/s · ETA/);
      assert.deepEqual(await p.problems(), []);
      await p.page.screenshot({ path: path.join(OUT, 'training-panel-dark.png'), fullPage: true });
    } finally {
      await p.close();
    }
  });

  for (const theme of ['light', 'high-contrast'] as const) {
    it(`opens a run's history in the ${theme} theme with the theme's colours`, async () => {
      const p = await openPanelPage({ theme });
      try {
        const history = syntheticEvents(5_000, { stepsPerEpoch: 540 });
        await p.send({ v: 1, type: 'init', runs: [syntheticSummary(ID)], history: { [ID]: history } });
        await settle(p, history.length);
        await assertDrawn(p, THEME_VARS[theme]);
        assert.deepEqual(await p.problems(), []);
        await p.page.screenshot({ path: path.join(OUT, `training-panel-${theme}.png`), fullPage: true });
      } finally {
        await p.close();
      }
    });
  }

  it('posts validated actions: Stop, PNG export, CSV export', async () => {
    const p = await openPanelPage({ theme: 'dark' });
    try {
      await p.send({ v: 1, type: 'init', runs: [syntheticSummary(ID)], history: { [ID]: syntheticEvents(600) } });
      await settle(p, 600);
      // Hovering a chart shows each line's value at that step (kept as a screenshot to judge the look).
      const box = (await p.page.locator('canvas[data-chart="loss"]').boundingBox())!;
      await p.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
      await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await p.page.locator('section[data-chart="loss"]').screenshot({ path: path.join(OUT, 'training-panel-tooltip.png') });
      await p.page.click('vscode-button[data-action="stop"]');
      await p.page.click('section[data-chart="loss"] vscode-toolbar-button[icon="device-camera"]');
      await p.page.click('vscode-button[icon="export"]');
      const posted = (await p.posted()).filter((m) => m.type !== 'ready');
      assert.deepEqual(posted.map((m) => m.type), ['stop', 'saveFile', 'exportCsv']);
      for (const m of posted) {
        const r = guardWebviewMessage(m, new Set([ID]));
        assert.ok(r.ok, r.ok ? '' : r.error);
      }
      assert.equal(posted[1].name, `${ID}-loss.png`);
      // A finished run: Stop disabled, the device buttons enabled; device results appear next to the host accuracy.
      await p.send({ v: 1, type: 'status', experimentId: ID, status: { state: 'completed', startedAt: '2026-11-26T14:00:00Z', updatedAt: 'x', endedAt: '2026-11-26T14:20:00Z', epoch: 1, step: 600, lastCheckpoint: 'last', final: { valAccuracy: 0.8612 } } });
      await p.send({ v: 1, type: 'device', experimentId: ID, result: { board: 'qemu-stm32', time: '2026-11-26T14:30:00Z', samples: 1000, deviceAccuracy: 0.859, hostAccuracy: 0.859, agreement: 1, latency: { median: 412345, p90: 412400, unit: 'instructions (emulated)' }, flash: { modelArrays: 40000, modelEstimate: 40000, firmwareTotal: 52000, firmwareEstimate: 53288 }, ram: { modelArrays: 4000, modelEstimate: 4000, firmwareTotal: 12000 }, modelHash: '0123456789abcdef' } });
      await p.page.waitForSelector('.devices table');
      assert.ok(await p.page.getAttribute('vscode-button[data-action="stop"]', 'disabled') !== null);
      assert.equal(await p.page.getAttribute('vscode-button[data-action="flash"]', 'disabled'), null);
      assert.match(await p.page.textContent('.devices') ?? '', /qemu-stm32.*85\.90% of 1,000.*85\.90%.*100\.00%/);
      assert.deepEqual(await p.problems(), []);
    } finally {
      await p.close();
    }
  });

  it('warns of a frozen binary layer in the header, with the change to try', async () => {
    const p = await openPanelPage({ theme: 'dark' });
    try {
      // the first layer never flips over 1,200 steps (more than the longest stretch judged, 1,000 steps)
      const events = syntheticEvents(1200).map((e) => (e.kind === 'step' ? { ...e, flipRatio: { ...e.flipRatio, [LAYERS[0]]: 0 } } : e));
      await p.send({ v: 1, type: 'init', runs: [syntheticSummary(ID)], history: { [ID]: events } });
      await settle(p, events.length);
      const line = p.page.locator(`.health-line[data-layer="${LAYERS[0]}"]`);
      await line.waitFor({ timeout: 10_000 });
      assert.equal(await line.getAttribute('data-kind'), 'frozen');
      assert.match(await line.textContent() ?? '', /no weight flipped in 1,199 steps \(frozen\) — γ is too small or τ too large/);
      assert.equal(await p.page.locator('.health-line').count(), 1, 'the other layers flip');
    } finally {
      await p.close();
    }
  });

  it('overlays several runs in one Compare panel', async () => {
    const p = await openPanelPage({ theme: 'dark' });
    try {
      const runs = [syntheticSummary('run-bop-g1e-3', { gamma: 1e-3, threshold: 1e-6 }, 'completed'), syntheticSummary('run-bop-g1e-4', { gamma: 1e-4 }, 'completed'), syntheticSummary('run-latent', { optimizer: 'latent' }, 'interrupted')];
      const history: Record<string, unknown[]> = {};
      runs.forEach((r, i) => { history[r.id] = syntheticEvents(3000, { seed: i + 1, speed: 1 + i * 0.4 }); });
      await p.send({ v: 1, type: 'init', runs, history });
      await settle(p, 3 * 3000 + 3 * 5);
      assert.equal(await series(p, 'loss'), '6');
      assert.equal(await series(p, 'flip'), String(3 * LAYERS.length));
      assert.equal(await p.page.locator('table.compare tbody tr').count(), 3);
      for (const colour of ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green']) {
        assert.ok(await countColour(p.page, 'canvas[data-chart="loss"]', DARK_MODERN[colour], 30) > 100, colour);
      }
      assert.deepEqual(await p.problems(), []);
      await p.page.screenshot({ path: path.join(OUT, 'training-panel-compare-dark.png'), fullPage: true });

      type Line = { label: string; hidden: boolean; points: number; lastY?: number; lastX?: number; xTitle: string };
      const lines = (chart: string) => p.page.evaluate((c) => (window as unknown as { bnnCharts: { lines(c: string): Line[] } }).bnnCharts.lines(c), chart);
      const redraw = () => p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      // TensorBoard's smoothing slider: the train lines change, validation (one point an epoch) does not
      const before = await lines('loss');
      await p.page.locator('input.smoothing').fill('0.9');
      await redraw();
      const after = await lines('loss');
      const train = after.findIndex((l) => l.label.endsWith('· train'));
      const val = after.findIndex((l) => l.label.endsWith('· validation'));
      assert.notEqual(after[train].lastY, before[train].lastY, 'the train loss is smoothed');
      assert.equal(after[val].lastY, before[val].lastY, 'validation is not');
      // the wall-time axis: x is seconds since the run started (the last event's time / 1000)
      await p.page.click('vscode-button[data-x="time"]');
      await redraw();
      const timed = await lines('loss');
      const lastTime = (history[runs[0].id].at(-1) as { time: number }).time;
      assert.equal(timed[0].xTitle, 'relative time');
      assert.ok(Math.abs((timed[0].lastX ?? 0) - lastTime / 1000) < 1e-9, `${timed[0].lastX} vs ${lastTime / 1000}`);
      // the run filter: a regex on the run labels hides the other runs' lines; unticking a row hides that run
      await p.page.locator('input.run-filter').fill('latent');
      await redraw();
      const filtered = await lines('loss');
      const visible = filtered.filter((l) => !l.hidden);
      assert.equal(visible.length, 2, JSON.stringify(visible));
      assert.ok(visible.every((l) => /Latent/.test(l.label)), JSON.stringify(visible));
      await p.page.locator('input.run-filter').fill('');
      await p.page.locator(`input.run-toggle[data-run="${runs[0].id}"]`).click();
      await redraw();
      const toggled = await lines('loss');
      assert.equal(toggled.filter((l) => l.hidden).length, 2, 'train and validation of the unticked run');
    } finally {
      await p.close();
    }
  });
});
