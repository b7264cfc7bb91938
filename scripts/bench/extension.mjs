// Extension host costs: activation, and the Models tree refreshing over a workspace of 500 model files.
// Measured in fresh Node processes against a recording `vscode` shim (scripts/bench/vscode-shim.cjs), NOT in VS Code.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';

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

/** What activation evaluates: modules statically reachable from extension.ts (dynamic imports load on use). */
async function eagerComposition(root) {
  const r = await esbuild.build({
    entryPoints: [join(root, 'src/extension/extension.ts')], absWorkingDir: root, bundle: true, write: false, metafile: true,
    platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile: 'out.js', logLevel: 'silent',
    external: ['vscode', 'serialport', '@serialport/*', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'],
  });
  const inputs = r.metafile.inputs;
  const entry = Object.keys(inputs).find((f) => f.endsWith('src/extension/extension.ts'));
  const via = new Map([[entry, [entry]]]);
  const seen = new Set([entry]);
  const queue = [entry];
  /** Run-time packages (not bundled, e.g. native addons) required during activation, with the import chain. */
  const externals = new Map();
  while (queue.length) {
    const from = queue.shift();
    for (const imp of inputs[from]?.imports ?? []) {
      if (imp.kind === 'dynamic-import' || seen.has(imp.path)) continue;
      if (imp.external) {
        if (!/^(node:|vscode$)/.test(imp.path) && !builtinModules.includes(imp.path) && !externals.has(imp.path)) externals.set(imp.path, [...via.get(from), imp.path]);
        continue;
      }
      seen.add(imp.path);
      via.set(imp.path, [...via.get(from), imp.path]);
      queue.push(imp.path);
    }
  }
  const group = (f) => f.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? f.split('/').slice(0, 3).join('/');
  const eager = new Map();
  let eagerBytes = 0;
  let allBytes = 0;
  for (const [f, v] of Object.entries(inputs)) {
    allBytes += v.bytes;
    if (!seen.has(f)) continue;
    eagerBytes += v.bytes;
    eager.set(group(f), (eager.get(group(f)) ?? 0) + v.bytes);
  }
  return { eagerBytes, allBytes, top: [...eager.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8), externals };
}

export async function run(ctx) {
  // Measure the bundle as it ships in the .vsix (minified).
  execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ctx.root, stdio: 'inherit' });
  const host = join(ctx.root, 'scripts', 'bench', '_extension-host.cjs');

  const act = [];
  for (let i = 0; i < 15; i++) act.push(ctx.node(host, ['activate']));
  const s = (k, rows) => ctx.stats(rows.map((r) => r[k]));
  const [req, actv, total] = [s('requireMs', act), s('activateMs', act), s('totalMs', act)];

  const comp = await eagerComposition(ctx.root);
  const kb = (b) => `${(b / 1024).toFixed(0)} KB`;

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
    `${act.length} fresh Node processes. The Models features register views, providers, commands and the file watcher`,
    'only: their model loader and estimator load on first use (`import()` in src/extension/modelStore.ts), and the',
    'workspace is scanned only when the Models view is shown.',
    '',
    `Source evaluated at activation (statically reachable from extension.ts, unminified): ${kb(comp.eagerBytes)} of`,
    `${kb(comp.allBytes)} bundled; the rest loads on use. Largest parts: ${comp.top.map(([k, b]) => `${k} ${kb(b)}`).join(', ')}.`,
    'Unit tests (test/unit/extension/activationWeight.test.ts) fail if TensorFlow.js, serialport or ajv become reachable at activation.',
    ...(comp.externals.size ? ['', `Run-time packages required during activation (loaded from node_modules, outside the bundle): ${[...comp.externals.entries()].map(([name, chain]) => `\`${name}\` via ${chain.slice(1, -1).map((c) => `\`${c}\``).join(' → ')}`).join('; ')}. Loading them with \`await import()\` where they are used would take them off the activation path.`] : []),
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
