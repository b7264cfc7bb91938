/**
 * `npm run test:integration`: starts code-server with the smoke-test driver, loads this repo as the extension under
 * development and runs the bundled suites of test/integration/suite inside its extension host. This outer mocha test
 * fails with the in-host failures when any in-host test fails.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { runExtensionTests } from '../e2e-support/extensionTests';
import { REPO_ROOT, RESULTS_DIR, requireE2ETools, type E2ETools } from '../e2e-support/tools';

describe('BNN Studio inside VS Code (code-server extension host)', function () {
  let tools: E2ETools;
  before(function () {
    tools = requireE2ETools(this);
    const index = path.join(REPO_ROOT, 'out', 'integration', 'index.js');
    if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run test:integration\` (it bundles the suites first)`);
  });

  it('all in-host suites pass', async function () {
    const timeoutMs = Number(process.env.BNN_INTEGRATION_TOTAL_TIMEOUT ?? 600_000);
    this.timeout(timeoutMs + 120_000);
    const result = await runExtensionTests({
      tools,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'integration', 'index.js'),
      workspaceFiles: { models: path.join(REPO_ROOT, 'examples') },
      artifactsDir: path.join(RESULTS_DIR, 'integration'),
      timeoutMs,
      onReport: (line) => console.log(`      ${line}`),
    });
    const failed = result.results.filter((r) => r.state === 'failed');
    const passed = result.results.filter((r) => r.state === 'passed');
    if (failed.length > 0) {
      assert.fail(`${failed.length} in-host test(s) failed (exit code ${result.exitCode}):\n\n${failed.map((f) => `✘ ${f.title}\n${f.error ?? ''}`).join('\n\n')}`);
    }
    if (passed.length === 0) {
      assert.fail(`no in-host test ran (exit code ${result.exitCode}). Errors in the workbench/extension host:\n${result.hostErrors.join('\n') || '(none logged)'}\nMore in test-results/integration/.`);
    }
    assert.equal(result.exitCode, 0, `the workbench reported exit code ${result.exitCode}`);
  });
});
