/**
 * Serves a webview's real HTML (the training panel's or the model graph's: renderPanelHtml, same CSP, the built dist/
 * bundle) from a local HTTP server and opens it in Debian's Chromium through playwright-core, with `acquireVsCodeApi`
 * stubbed the way VS Code provides it. Used by the browser tests and by the chart benchmark.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeNonce, renderPanelHtml } from '../../src/extension/panelHtml';
import { DARK_MODERN, HIGH_CONTRAST, LIGHT_MODERN } from '../fixtures/vscodeThemes';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const ROOT = path.resolve(__dirname, '../..');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.html': 'text/html' };

export interface PanelPage {
  page: Page;
  context: BrowserContext;
  /** Messages the panel posted to the "host". */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** Delivers a host → webview message the way VS Code does (a message event on window). */
  send(msg: unknown): Promise<void>;
  /** Content-Security-Policy violations and page errors seen so far. */
  problems(): Promise<string[]>;
  close(): Promise<void>;
}

export type PanelTheme = 'dark' | 'light' | 'high-contrast';
export const THEME_VARS: Record<PanelTheme, Record<string, string>> = { dark: DARK_MODERN, light: LIGHT_MODERN, 'high-contrast': HIGH_CONTRAST };

/** `bundle`: which webview to serve — the training panel (`webview`, the default) or the model graph (`graphView`). */
export async function openPanelPage(opts: { theme: PanelTheme; width?: number; height?: number; state?: unknown; bundle?: 'webview' | 'graphView' | 'datasetPreview' }): Promise<PanelPage> {
  const bundle = opts.bundle ?? 'webview';
  if (!existsSync(path.join(ROOT, `dist/${bundle}.js`))) throw new Error(`dist/${bundle}.js is missing: run \`npm run build\` first`);
  const nonce = makeNonce();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/panel.html') {
      const vars = THEME_VARS[opts.theme];
      let html = renderPanelHtml({
        cspSource: origin, nonce, title: 'Training panel',
        scriptUri: `${origin}/dist/${bundle}.js`, styleUri: `${origin}/dist/${bundle}.css`, codiconUri: `${origin}/dist/codicons/codicon.css`,
      });
      // What VS Code adds around our HTML: theme variables on <html>, the theme class on <body>, acquireVsCodeApi.
      const style = Object.entries(vars).map(([k, v]) => `${k}: ${v};`).join(' ');
      const stub = `<script nonce="${nonce}">
        window.__posted = []; window.__problems = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI));
        window.addEventListener('error', (e) => window.__problems.push('error ' + e.message));
        let st = ${JSON.stringify(opts.state ?? null)};
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))), getState: () => st, setState: (s) => { st = s; } });
      </script>`;
      html = html.replace('<html lang="en">', `<html lang="en" style="${style.replace(/"/g, '&quot;')}">`).replace('<body>', `<body class="vscode-${opts.theme}">\n${stub}`);
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    const file = path.join(ROOT, path.normalize(url.pathname));
    if (!url.pathname.startsWith('/dist/') || !file.startsWith(path.join(ROOT, 'dist')) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const userDir = mkdtempSync(path.join(tmpdir(), 'bnn-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror ${e.message}`));
  await page.goto(`${origin}/panel.html`);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return {
    page,
    context,
    posted: () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted),
    send: (msg) => page.evaluate((m) => window.postMessage(m, '*'), msg),
    problems: async () => [...pageErrors, ...await page.evaluate(() => (window as unknown as { __problems: string[] }).__problems)],
    close: async () => {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Pixels of `canvas` whose colour is within `tol` of `hex` (per channel, alpha > 0). */
export function countColour(page: Page, selector: string, hex: string, tol = 40): Promise<number> {
  return page.evaluate(([sel, hx, t]) => {
    const c = document.querySelector(sel as string) as HTMLCanvasElement;
    const ctx = c.getContext('2d')!;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const want = [1, 3, 5].map((i) => parseInt((hx as string).slice(i, i + 2), 16));
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 128 && Math.abs(d[i] - want[0]) <= (t as number) && Math.abs(d[i + 1] - want[1]) <= (t as number) && Math.abs(d[i + 2] - want[2]) <= (t as number)) n++;
    }
    return n;
  }, [selector, hex, tol] as const);
}
