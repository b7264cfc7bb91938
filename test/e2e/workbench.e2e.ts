/**
 * `npm run test:e2e`: a person's first session with BNN Studio, driven through the browser. Steps run in order on one
 * workbench; each leaves a screenshot in test-results/e2e/ (the failing step too).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { openSession, type Session } from '../e2e-support/session';
import { RESULTS_DIR, requireE2ETools } from '../e2e-support/tools';
import { quickOpen } from '../e2e-support/workbench';

describe('BNN Studio in the browser workbench (Playwright)', function () {
  let s: Session | undefined;

  before(async function () {
    this.timeout(180_000);
    const tools = requireE2ETools(this);
    s = await openSession(tools, path.join(RESULTS_DIR, 'e2e'));
  });

  after(async function () {
    this.timeout(60_000);
    await s?.close();
  });

  afterEach(async function () {
    if (!s) return;
    const state = this.currentTest?.state === 'failed' ? 'FAILED-' : '';
    await s.shots.take(`${state}${this.currentTest?.title ?? 'step'}`).catch(() => undefined);
  });

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
});
