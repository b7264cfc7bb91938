/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), headless, with a fresh profile per run and
 * every background network feature off so a run needs nothing but the local code-server.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(executablePath: string, opts: { profileParent?: string } = {}): Promise<Browser> {
  const parent = opts.profileParent ?? os.tmpdir();
  mkdirSync(parent, { recursive: true });
  const profile = mkdtempSync(path.join(parent, 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
