/**
 * A cloned repository opened without trusting it (VS Code's Restricted Mode, workspace trust on): BNN Studio still
 * shows models, estimates and the charts of the runs already in the folder, but Train, Compile, Run on Emulated
 * Board and Flash ask for trust first, and the program the repository's .vscode/settings.json names for
 * qemu-system-arm, arm-none-eabi-gcc and Python never runs. Screenshots in test-results/e2e-restricted/.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { loadModelText } from '../../src/core/model/load';
import { formatBytes, summarize } from '../../src/core/estimate/summary';
import { lossChartPoints } from '../e2e-support/charts';
import { runTitle } from '../../src/core/experiments/labels';
import { readConfigFile } from '../../src/core/experiments/files';
import { openSession, sessionHooks, type Session } from '../e2e-support/session';
import { REPO_ROOT, RESULTS_DIR, requireE2ETools } from '../e2e-support/tools';
import { expandViewPane, openActivity, pickQuickInput, quickOpen, runCommand, treeRow, webviewFrame } from '../e2e-support/workbench';

/**
 * The warning a refused command shows, read in the notification center (the headless workbench files extension
 * notifications there without popping a toast): it names the action and offers to manage trust. Leaves the center open.
 */
async function trustWarning(page: Page, action: string): Promise<Locator> {
  await runCommand(page, 'Notifications: Show Notifications');
  const row = page.locator('.notifications-center .monaco-list-row', { hasText: `BNN Studio: ${action} runs programs` }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: 20_000 });
  } catch {
    throw new Error(`no trust warning for "${action}"; notifications: ${JSON.stringify(await page.locator('.notifications-center .monaco-list-row').allInnerTexts())}`);
  }
  const text = (await row.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /trust this workspace/);
  assert.ok(await row.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).count() > 0, `"${text}" offers Manage Workspace Trust`);
  return row;
}

/** An empty notification center, closed. */
async function noNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.keyboard.press('Escape');
}

describe('BNN Studio in Restricted Mode (untrusted workspace, Playwright)', function () {
  let s: Session | undefined;
  let tmp = '';
  let marker = '';
  let runId = '';

  before(async function () {
    this.timeout(300_000);
    const tools = requireE2ETools(this);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bnn-e2e-restricted-'));
    // A finished run, as a clone of someone's repository would carry it.
    const cli = path.join(REPO_ROOT, 'dist', 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
    const experiments = path.join(tmp, 'bnn', 'experiments');
    mkdirSync(experiments, { recursive: true });
    execFileSync(process.execPath, [cli, 'train', path.join(REPO_ROOT, 'examples', 'binary-mlp.bnn.json'), '--data', 'bundled', '--epochs', '2', '--max-samples', '600', '--experiments', experiments], { stdio: 'pipe', timeout: 240_000 });
    [runId] = readdirSync(experiments).filter((d) => !d.startsWith('.') && d.includes('binary_mlp'));
    assert.ok(runId, 'bnn train made a run');
    // a run of another model with the same optimizer: Compare must tell the two apart
    execFileSync(process.execPath, [cli, 'train', path.join(REPO_ROOT, 'examples', 'binary-cnn.bnn.json'), '--data', 'bundled', '--epochs', '1', '--max-samples', '300', '--experiments', experiments], { stdio: 'pipe', timeout: 240_000 });
    // The repository's settings name a "tool" that would leave a marker if anything ran it.
    marker = path.join(tmp, 'hostile-program-ran');
    const hostile = path.join(tmp, 'hostile.sh');
    writeFileSync(hostile, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 1\n`);
    chmodSync(hostile, 0o755);
    const vscodeDir = path.join(tmp, 'vscode');
    mkdirSync(vscodeDir);
    writeFileSync(path.join(vscodeDir, 'settings.json'), JSON.stringify({
      'bnnStudio.tools.qemu-system-arm': hostile, 'bnnStudio.tools.arm-none-eabi-gcc': hostile, 'bnnStudio.tools.arm-none-eabi-size': hostile, 'bnnStudio.python': hostile,
    }, null, 2));
    s = await openSession(tools, path.join(RESULTS_DIR, 'e2e-restricted'), {}, [], {
      workspaceTrust: 'untrusted',
      workspaceFiles: { '.bnn': path.join(tmp, 'bnn'), '.vscode': vscodeDir },
    });
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  sessionHooks(() => s);

  it('opens the cloned folder in Restricted Mode', async function () {
    const item = s!.page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('still lists every example model with the estimator\'s flash and RAM, and shows the inline estimates', async function () {
    const page = s!.page;
    await openActivity(page, 'BNN Studio');
    const models = await expandViewPane(page, 'Models');
    for (const file of ['binary-cnn.bnn.json', 'binary-mlp.bnn.json', 'binarynet-cifar10.bnn.json']) {
      const spec = loadModelText(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'), file).spec!;
      const t = summarize(spec).totals;
      const row = await treeRow(models, file.replace('.bnn.json', ''));
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes(`${formatBytes(t.flashBytes)} flash`) && text.includes(`${formatBytes(t.ramBytes)} RAM`), `row "${text}"`);
    }
    await quickOpen(page, 'binary-mlp.bnn.json');
    const t = summarize(loadModelText(readFileSync(path.join(REPO_ROOT, 'examples', 'binary-mlp.bnn.json'), 'utf8'), 'x').spec!).totals;
    await page.locator('.monaco-editor .codelens-decoration', { hasText: `Total: flash ${formatBytes(t.flashBytes)}` }).first().waitFor({ state: 'visible', timeout: 20_000 });
  });

  it('shows the run already in the folder, and opens its charts with every logged loss', async function () {
    this.timeout(120_000);
    const page = s!.page;
    const pane = await expandViewPane(page, 'Experiments');
    await pane.locator('.monaco-list-row', { hasText: /Bop/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    // two runs of two models: the MLP's, picked by its label (model · optimizer · what differs)
    await runCommand(page, 'BNN: Open Charts');
    await pickQuickInput(page, /Open the charts/, 'binary_mlp');
    const runDir = path.join(s!.server.workspace, '.bnn', 'experiments', runId);
    await page.locator('.tabs-container .tab', { hasText: `Training: ${runTitle({ id: runId, config: readConfigFile(runDir) })}` }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const loss = webviewFrame(page).locator('canvas[data-chart="loss"]');
    await loss.waitFor({ state: 'attached', timeout: 60_000 });
    const want = lossChartPoints(path.join(s!.server.workspace, '.bnn', 'experiments', runId, 'metrics.jsonl'));
    assert.ok(want > 2, `the 2-epoch run logged ${want} losses`);
    const deadline = Date.now() + 30_000;
    let got = 0;
    while (Date.now() < deadline && (got = Number(await loss.getAttribute('data-points'))) !== want) await page.waitForTimeout(300);
    assert.equal(got, want, 'the loss chart holds every logged training and validation loss');
  });

  it('Compare labels the two runs by their model and what differs, not by the optimizer alone', async function () {
    this.timeout(120_000);
    const page = s!.page;
    await runCommand(page, 'BNN: Compare Experiments');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: /Compare experiments/ }).waitFor({ state: 'visible', timeout: 20_000 });
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
    try {
      // a click on a row of a multi-select pick ticks it
      await rows.nth(0).click();
      await rows.nth(1).click();
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: 'Compare 2 runs' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    } catch (err) {
      await page.keyboard.press('Escape'); // an open pick would block the next steps
      throw err;
    }
    const labels = webviewFrame(page).locator('table.compare .run-label');
    await labels.first().waitFor({ state: 'visible', timeout: 60_000 });
    const texts = await labels.allInnerTexts();
    assert.equal(texts.length, 2, JSON.stringify(texts));
    assert.notEqual(texts[0], texts[1], `two runs read alike: ${JSON.stringify(texts)}`);
    assert.ok(texts.some((t) => t.startsWith('binary_mlp · Bop')) && texts.some((t) => t.startsWith('binary_cnn · Bop')), JSON.stringify(texts));
    await s!.shots.take('compare-labels');
    await runCommand(page, 'View: Close All Editors');
  });

  // Each refused command: the warning names the action, and nothing of it happens.
  const refusals: [title: string, action: string][] = [
    ['BNN: Train BNN', 'training'],
    ['BNN: Compile to C', 'compiling to C'],
    ['BNN: Run on Emulated Board', 'running on the emulated board'],
    ['BNN: Flash to Board', 'flashing a board'],
  ];
  for (const [title, action] of refusals) {
    it(`"${title}" asks for trust first, and runs nothing`, async function () {
      const page = s!.page;
      await noNotifications(page);
      const runs = readdirSync(path.join(s!.server.workspace, '.bnn', 'experiments'));
      await runCommand(page, title);
      // Refused before any question: no pick of a model, a dataset or a run opens.
      await page.waitForTimeout(1500);
      assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no question asked');
      await trustWarning(page, action);
      await page.keyboard.press('Escape');
      assert.deepEqual(readdirSync(path.join(s!.server.workspace, '.bnn', 'experiments')), runs, 'no new experiment');
      const run = path.join(s!.server.workspace, '.bnn', 'experiments', runId);
      assert.deepEqual(readdirSync(run).filter((f) => ['compiled', 'device', 'firmware'].includes(f)), [], 'nothing compiled, built or run for the board');
      assert.ok(!existsSync(marker), `the program named in .vscode/settings.json ran: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
    });
  }

  it('"Manage Workspace Trust" on the warning opens VS Code\'s trust editor', async function () {
    const page = s!.page;
    await noNotifications(page);
    await runCommand(page, 'BNN: Run on Emulated Board');
    const row = await trustWarning(page, 'running on the emulated board');
    await row.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().click();
    await page.getByText('You are in Restricted Mode').first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.ok(!existsSync(marker), 'still nothing ran');
  });
});
