/**
 * One workbench session for a Playwright suite: a private code-server with a copy of the example models, BNN Studio
 * loaded (from the packaged .vsix when BNN_E2E_VSIX names one, else this repo as the extension under development),
 * and a headless Chromium on the workbench. `close()` always stops both.
 */
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from './browser';
import { saveWorkbenchLogs, startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { REPO_ROOT, type E2ETools } from './tools';
import { Screenshots, waitForWorkbench } from './workbench';

export interface Session {
  server: CodeServer;
  browser: Browser;
  page: Page;
  shots: Screenshots;
  close(): Promise<void>;
}

/** `more`: more for the code-server run (extra workspace folders, workspace trust); the example models are always copied. */
export async function openSession(tools: E2ETools, artifactsDir: string, settings: Record<string, unknown> = {}, workspaceDirs: string[] = [],
  more: Pick<CodeServerOptions, 'workspaceFiles' | 'workspaceTrust'> = {}): Promise<Session> {
  // Screenshots of an earlier run would mix with this run's numbered steps.
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });
  const vsix = process.env.BNN_E2E_VSIX ? path.resolve(process.env.BNN_E2E_VSIX) : undefined;
  if (vsix && !existsSync(vsix)) throw new Error(`BNN_E2E_VSIX=${vsix} does not exist (build it with npm run package)`);
  const server = await startCodeServer({
    tools,
    vsix,
    workspaceTrust: more.workspaceTrust,
    workspaceFiles: { models: path.join(REPO_ROOT, 'examples'), ...more.workspaceFiles },
    workspaceDirs,
    settings,
    // code-server's workbench honours the `payload` URL parameter (extensionDevelopmentPath) only with the driver on.
    smokeTestDriver: !vsix,
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser(tools.chromium, { profileParent: path.join(server.runDir, 'browser') });
    const { page } = browser;
    const consoleLog = path.join(artifactsDir, 'browser-console.log');
    writeFileSync(consoleLog, '');
    page.on('console', (m) => appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(consoleLog, `[pageerror] ${e.stack ?? e.message}\n`));
    const extra: Record<string, string> = vsix ? {} : { payload: JSON.stringify([['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]) };
    await page.goto(server.workbenchUrl(extra));
    await waitForWorkbench(page);
    const shots = new Screenshots(page, artifactsDir);
    const b = browser;
    return {
      server,
      browser: b,
      page,
      shots,
      async close() {
        writeFileSync(path.join(artifactsDir, 'code-server.log'), server.log());
        saveWorkbenchLogs(server.runDir, artifactsDir);
        await b.close();
        await server.stop();
      },
    };
  } catch (e) {
    writeFileSync(path.join(artifactsDir, 'code-server.log'), server.log());
    saveWorkbenchLogs(server.runDir, artifactsDir);
    await browser?.close();
    await server.stop();
    throw e;
  }
}


/** A suite's session housekeeping: a screenshot after every test (marked when it failed), the session closed at the end. */
export function sessionHooks(current: () => Session | undefined): void {
  after(async function () {
    this.timeout(60_000);
    await current()?.close();
  });

  afterEach(async function () {
    const s = current();
    if (!s) return;
    const state = this.currentTest?.state === 'failed' ? 'FAILED-' : '';
    await s.shots.take(`${state}${this.currentTest?.title ?? 'step'}`).catch(() => undefined);
  });
}
