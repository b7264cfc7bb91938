// Bundles the extension-host test suites (test/integration/suite/*.ts) into out/integration/, one file per suite.
// `vscode` is provided by the extension host and mocha is loaded from node_modules at run time (its reporters are
// required dynamically, which bundling would break).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const srcDir = 'test/integration/suite';
const outdir = 'out/integration';
rmSync(outdir, { recursive: true, force: true });
const entryPoints = readdirSync(srcDir)
  .filter((f) => f.endsWith('.ts') && (f === 'index.ts' || f.endsWith('.test.ts')))
  .map((f) => `${srcDir}/${f}`);
await esbuild.build({
  entryPoints,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  // Same as scripts/build.mjs: jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
