/**
 * Person-level actions on the VS Code workbench in the browser: wait for it, run a command from the palette, open a
 * view container, read tree rows, look inside a webview. Selectors are the workbench's stable ARIA roles/labels and
 * class names; each helper fails with what it was looking for.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer shows the workspace once the remote connection is up.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Dismisses notification toasts that would cover what a test wants to click or photograph. */
export async function clearNotifications(page: Page): Promise<void> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  if ((await toasts.count()) > 0) await runCommand(page, 'Notifications: Clear All Notifications');
}

export async function openQuickInput(page: Page, prefix: string): Promise<Locator> {
  const widget = page.locator('.quick-input-widget');
  await page.keyboard.press('F1');
  await widget.waitFor({ state: 'visible', timeout: 10_000 });
  const input = widget.locator('input.input');
  await input.fill(prefix);
  return widget;
}

/** Runs a command by its palette title (e.g. "BNN: Train BNN"), exactly as a user types and picks it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const widget = await openQuickInput(page, `>${title}`);
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const shown = await widget.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    throw new Error(`command "${title}" not in the palette; it shows: ${JSON.stringify(shown.slice(0, 10))}`);
  }
  await row.click();
}

/**
 * Answers the quick input whose title matches `title` (the step a command is at): types `text` if given (filters a
 * pick, or replaces an input box's value) and presses Enter.
 */
export async function pickQuickInput(page: Page, title: RegExp, text?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  try {
    await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
  } catch {
    const shown = (await widget.isVisible()) ? await widget.innerText() : '(no quick input open)';
    throw new Error(`expected a quick input titled ${String(title)}; the screen shows: ${shown.slice(0, 500)}`);
  }
  if (text !== undefined) {
    await widget.locator('input.input').fill(text);
    await page.waitForTimeout(200);
  }
  // On a loaded machine the title can show before a pick's items do; Enter then accepts nothing and the command ends
  // silently. Wait for a row, unless this is an input box (no list) — its list stays hidden.
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  for (let t = 0, hiddenFor = 0; t < 15_000 && (await rows.count()) === 0 && hiddenFor < 1_000; t += 100) {
    hiddenFor = (await widget.locator('.quick-input-list').isVisible()) ? 0 : hiddenFor + 100;
    await page.waitForTimeout(100);
  }
  await page.keyboard.press('Enter');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

/** Opens a file by typing its name into Quick Open (Ctrl+P). */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 10_000 });
  await widget.locator('input.input').fill(fileName);
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[aria-label*="${fileName}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Clicks an activity-bar entry by its title (e.g. "BNN Studio") and waits for its side bar to show. */
export async function openActivity(page: Page, title: string): Promise<void> {
  const item = page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title}"]`).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  const selected = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  if (!selected) await item.click();
  await page.locator('.part.sidebar .composite.title', { hasText: title }).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** The pane of a view inside the side bar, by its visible name (e.g. "Models"). */
export function viewPane(page: Page, name: string): Locator {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${name}$`, 'i') }) });
}

export async function expandViewPane(page: Page, name: string): Promise<Locator> {
  const pane = viewPane(page, name);
  await pane.waitFor({ state: 'visible', timeout: 30_000 });
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane;
}

/** Tree rows of a view, as their visible text (label + description). */
export function treeRows(pane: Locator): Locator {
  return pane.locator('.monaco-list-row');
}

export async function treeRow(pane: Locator, label: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
  const row = pane.locator('.monaco-list-row', { has: pane.page().locator('.label-name', { hasText: label }) }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`no tree row "${String(label)}"; rows: ${JSON.stringify(await treeRows(pane).allInnerTexts())}`);
  }
  return row;
}

export async function expandTreeRow(row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.locator('.monaco-tl-twistie').click();
  }
  await row.page().waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 10_000 });
}

/**
 * The content frame of the webview panel whose tab title contains `title`. Webviews are an outer iframe
 * (`iframe.webview`) hosting an inner `#active-frame` with the extension's HTML.
 */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

export class Screenshots {
  private n = 0;
  constructor(private readonly page: Page, readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Saves `NN-<name>.png` and returns its path. */
  async take(name: string): Promise<string> {
    this.n++;
    const file = path.join(this.dir, `${String(this.n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
