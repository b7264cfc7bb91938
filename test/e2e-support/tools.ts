/**
 * Where scripts/setup-e2e.sh put code-server, its Node 24 and the browser. The setup script writes a manifest
 * (`<cache>/tools.json`) so the tests never guess paths; a missing manifest or binary means "run the setup script".
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = process.env.BNN_E2E_CACHE ? path.resolve(process.env.BNN_E2E_CACHE) : path.join(REPO_ROOT, '.cache', 'e2e');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

export interface E2ETools {
  /** Node 24, which code-server requires (the repo's own Node may be older). */
  node: string;
  /** code-server's `out/node/entry.js`, run with `node`. */
  codeServerEntry: string;
  codeServerVersion: string;
  chromium: string;
}

const SETUP_HINT = 'run scripts/setup-e2e.sh (installs code-server 4.139.1 on Node 24 and Debian chromium)';

/** The tools, or a sentence saying what is missing and how to get it. */
export function findE2ETools(): E2ETools | string {
  const manifest = path.join(CACHE_DIR, 'tools.json');
  if (!existsSync(manifest)) return `code-server is not set up (${manifest} missing): ${SETUP_HINT}`;
  let tools: E2ETools;
  try {
    tools = JSON.parse(readFileSync(manifest, 'utf8')) as E2ETools;
  } catch (e) {
    return `${manifest} is not valid JSON (${(e as Error).message}): ${SETUP_HINT}`;
  }
  for (const key of ['node', 'codeServerEntry', 'chromium'] as const) {
    if (typeof tools[key] !== 'string' || !existsSync(tools[key])) return `${key} not found at ${String(tools[key])}: ${SETUP_HINT}`;
  }
  return tools;
}

/**
 * Same contract as requireTool in test/support/tools.ts: skip with a message on a developer machine, fail under
 * CI=true so CI can never pass by skipping.
 */
export function requireE2ETools(ctx: Mocha.Context): E2ETools {
  const found = findE2ETools();
  if (typeof found !== 'string') return found;
  const msg = `skipped: ${found}`;
  if (process.env.CI === 'true') throw new Error(`${msg} — with CI=true a missing tool is a failure`);
  console.log(`      ${msg}`);
  ctx.skip();
}
