/**
 * Runs mocha suites inside code-server's extension host, the way @vscode/test-electron does for desktop VS Code:
 * the workbench, started with the smoke-test driver enabled, reads the `payload` URL parameter
 * (extensionDevelopmentPath + extensionTestsPath as vscode-remote URIs), loads the extension under development, calls
 * the tests module's `run()` and reports the outcome through `window.codeAutomationExit(code)`.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync, appendFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './browser';
import { saveWorkbenchLogs, startCodeServer } from './codeServer';
import type { E2ETools } from './tools';

export interface ExtensionTestResult {
  exitCode: number;
  /** One line per suite/test as the in-host reporter wrote them. */
  report: string;
  results: { title: string; state: 'passed' | 'failed' | 'pending'; error?: string }[];
  /** Errors the workbench logged (extension host errors are forwarded to the browser console), for when nothing ran. */
  hostErrors: string[];
}

export interface ExtensionTestOptions {
  tools: E2ETools;
  extensionDevelopmentPath: string;
  /** The bundled tests module exporting run(). */
  extensionTestsPath: string;
  workspaceFiles: Record<string, string>;
  /** Where logs and the final screenshot go (created). */
  artifactsDir: string;
  timeoutMs: number;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Called with each new report line while the tests run, so a long run shows progress. */
  onReport?: (line: string) => void;
}

export async function runExtensionTests(opts: ExtensionTestOptions): Promise<ExtensionTestResult> {
  mkdirSync(opts.artifactsDir, { recursive: true });
  // The in-host reporter writes here (an artifact worth keeping); the server's env is fixed at spawn, so name it first.
  const reportFile = path.join(opts.artifactsDir, 'report.txt');
  rmSync(reportFile, { force: true });
  rmSync(reportFile + '.json', { force: true });
  const server = await startCodeServer({
    tools: opts.tools,
    workspaceFiles: opts.workspaceFiles,
    smokeTestDriver: true,
    settings: opts.settings,
    env: { ...opts.env, BNN_INTEGRATION_REPORT: reportFile },
  });
  const browser = await launchBrowser(opts.tools.chromium, { profileParent: path.join(server.runDir, 'browser') });
  const consoleLog = path.join(opts.artifactsDir, 'browser-console.log');
  writeFileSync(consoleLog, '');
  const hostErrors: string[] = [];
  let printed = 0;
  const pump = (): void => {
    if (!opts.onReport || !existsSync(reportFile)) return;
    const lines = readFileSync(reportFile, 'utf8').split('\n');
    for (; printed < lines.length - 1; printed++) opts.onReport(lines[printed]);
  };
  const ticker = setInterval(pump, 500);
  try {
    const { page } = browser;
    page.on('console', (m) => {
      appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`);
      // Resource 404s and the unreachable marketplace are noise offline; keep real exceptions.
      if (m.type() === 'error' && /Error\b/.test(m.text()) && !/ENOTFOUND|Failed to load resource/.test(m.text())) hostErrors.push(m.text().slice(0, 2000));
    });
    page.on('pageerror', (e) => appendFileSync(consoleLog, `[pageerror] ${e.stack ?? e.message}\n`));
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(Number(code)));
    const payload = [
      ['extensionDevelopmentPath', server.remoteUri(opts.extensionDevelopmentPath)],
      ['extensionTestsPath', server.remoteUri(opts.extensionTestsPath)],
    ];
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }));
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), opts.timeoutMs).unref());
    const outcome = await Promise.race([exited, timeout]);
    pump();
    await page.screenshot({ path: path.join(opts.artifactsDir, 'workbench-at-exit.png') }).catch(() => undefined);
    const report = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '';
    const results = existsSync(reportFile + '.json') ? (JSON.parse(readFileSync(reportFile + '.json', 'utf8')) as ExtensionTestResult['results']) : [];
    if (outcome === 'timeout') {
      throw new Error(`the extension tests did not finish within ${opts.timeoutMs / 1000} s.\nReport so far:\n${report}\nServer log tail:\n${server.log().slice(-4000)}`);
    }
    return { exitCode: outcome, report, results, hostErrors };
  } finally {
    clearInterval(ticker);
    writeFileSync(path.join(opts.artifactsDir, 'code-server.log'), server.log());
    saveWorkbenchLogs(server.runDir, opts.artifactsDir);
    await browser.close();
    await server.stop();
  }
}
