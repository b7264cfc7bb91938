// Extension host costs: activation, and the Models tree refreshing over a workspace of 500 model files.
// Measured in fresh Node processes against a recording `vscode` shim (scripts/bench/vscode-shim.cjs), NOT in VS Code.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const id = 'extension';
export const title = 'Extension: activation and Models tree refresh';

const FILES = 500;
const FOLDERS = 10;

/** 500 models in 10 folders: variations of the bundled examples, with every 50th one broken on purpose. */
function makeWorkspace(ctx) {
  const dir = ctx.scratch('workspace-500');
  const examples = readdirSync(join(ctx.root, 'examples')).filter((f) => f.endsWith('.bnn.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(ctx.root, 'examples', f), 'utf8')));
  for (let i = 0; i < FILES; i++) {
    const m = structuredClone(examples[i % examples.length]);
    m.name = `model_${i}`;
    // Vary the first MAC layer's width so the files (and their estimates) differ.
    const mac = m.layers.find((l) => l.type === 'QuantConv2D' || l.type === 'QuantDense');
    if (mac.filters) mac.filters = 16 + (i % 8) * 8; else mac.units = 64 + (i % 8) * 32;
    if (i % 50 === 49) m.classes = 7; // last layer's units ≠ classes: an invalid model
    const folder = join(dir, `group-${i % FOLDERS}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `model-${i}.bnn.json`), `${JSON.stringify(m, null, 2)}\n`);
  }
  return dir;
}

export async function run(ctx) {
  // Measure the bundle as it ships in the .vsix (minified).
  execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ctx.root, stdio: 'inherit' });
  const host = join(ctx.root, 'scripts', 'bench', '_extension-host.cjs');

  const act = [];
  for (let i = 0; i < 15; i++) act.push(ctx.node(host, ['activate']));
  const s = (k, rows) => ctx.stats(rows.map((r) => r[k]));
  const [req, actv, total] = [s('requireMs', act), s('activateMs', act), s('totalMs', act)];

  const ws = makeWorkspace(ctx);
  const ref = [];
  for (let i = 0; i < 5; i++) ref.push(ctx.node(host, ['refresh', ws]));
  const r0 = ref[0];
  const used = act[0].used;
  const missing = act[0].missing;

  return [
    '### Activation',
    '',
    ctx.table(['Step', 'Median', 'Min', 'p90'], [
      ['`require` of dist/extension.js (minified bundle)', ctx.ms(req.median), ctx.ms(req.min), ctx.ms(req.p90)],
      ['`activate()`', ctx.ms(actv.median), ctx.ms(actv.min), ctx.ms(actv.p90)],
      ['Total, including work activation queued', ctx.ms(total.median), ctx.ms(total.min), ctx.ms(total.p90)],
    ]),
    '',
    `${act.length} fresh Node processes. Activation registers the views, providers, commands and the file watcher only;`,
    'the model loader, its JSON Schema validator (ajv) and the estimator are loaded on first use (`import()` in',
    'src/extension/modelStore.ts), and the workspace is scanned only when the Models view is shown.',
    '',
    `### Models tree over ${r0.files} model files (${r0.invalid} invalid)`,
    '',
    ctx.table(['Refresh', 'Median', 'Min', 'Max'], [
      ['First listing: find, read, parse, validate and estimate every file', ...['coldMs'].flatMap((k) => [ctx.ms(s(k, ref).median), ctx.ms(s(k, ref).min), ctx.ms(s(k, ref).max)])],
      ['Listing again, no file events', ...['unchangedMs'].flatMap((k) => [ctx.ms(s(k, ref).median), ctx.ms(s(k, ref).min), ctx.ms(s(k, ref).max)])],
      ['After a watcher change event on one edited file', ...['oneChangedMs'].flatMap((k) => [ctx.ms(s(k, ref).median), ctx.ms(s(k, ref).min), ctx.ms(s(k, ref).max)])],
      ['After "BNN: Refresh Models" (re-find, stat all; nothing re-parsed)', ...['rescanMs'].flatMap((k) => [ctx.ms(s(k, ref).median), ctx.ms(s(k, ref).min), ctx.ms(s(k, ref).max)])],
    ]),
    '',
    `${ref.length} fresh processes over the same generated workspace (${FOLDERS} folders; files in the OS cache after the`,
    'first run). A listing is `getChildren()` of the root plus `getTreeItem()` of every model node, i.e. the data VS Code',
    'asks for when the view is shown or refreshed.',
    '',
    '**How this is measured.** There is no VS Code here, so dist/extension.js is loaded in plain Node against',
    '`scripts/bench/vscode-shim.cjs`, a minimal stand-in for the `vscode` module that records which API members are',
    'used, keeps the real file system underneath (`workspace.fs`, `findFiles`), and does nothing else. The numbers are',
    "therefore our extension's own cost; the real extension host adds its own (IPC to the renderer, tree rendering).",
    `API members used by activation: ${used.map((u) => `\`${u}\``).join(', ')}.`,
    missing.length ? `API members the shim does not model (no-ops): ${missing.map((u) => `\`${u}\``).join(', ')}.` : 'Every member used is modelled by the shim.',
  ].join('\n');
}
