/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it stands in for (and hooks) require('vscode'). */
/**
 * BENCHMARK ONLY. Loads dist/extension.js against the recording `vscode` shim (./vscode-shim.cjs) in a fresh Node
 * process and measures one thing, printed as a JSON line:
 *   activate                  require + activate() of the bundle, in an empty workspace
 *   refresh <workspace>       the Models tree over <workspace>: first listing (every file parsed), a listing after a
 *                             watcher change event on one edited file, and after "BNN: Refresh Models" (rescan)
 */
'use strict';
const t0 = performance.now();
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const shim = require('./vscode-shim.cjs');
const { registry, state, used, missing } = shim.__shim;
const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  return request === 'vscode' ? shim : originalLoad.call(this, request, ...rest);
};

function memento() {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => { m.set(k, v); }, keys: () => [...m.keys()], setKeysForSync() {} };
}

function context() {
  const storage = path.join(root, '.cache', 'bench', 'extension', 'storage');
  return {
    subscriptions: [],
    extensionPath: root,
    extensionUri: shim.Uri.file(root),
    asAbsolutePath: (p) => path.join(root, p),
    globalState: memento(),
    workspaceState: memento(),
    storageUri: shim.Uri.file(storage),
    globalStorageUri: shim.Uri.file(storage),
    logUri: shim.Uri.file(storage),
    storagePath: storage,
    globalStoragePath: storage,
    logPath: storage,
    extensionMode: 1,
    extension: { id: 'bnn-studio.bnn-studio', packageJSON: require(path.join(root, 'package.json')) },
    environmentVariableCollection: { replace() {}, append() {}, prepend() {}, get() {}, forEach() {}, delete() {}, clear() {} },
    secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: () => ({ dispose() {} }) },
  };
}

async function activate(workspace) {
  state.workspaceRoot = workspace;
  const tRequire = performance.now();
  const ext = require(path.join(root, 'dist', 'extension.js'));
  const tActivate = performance.now();
  const ctx = context();
  await ext.activate(ctx);
  const tDone = performance.now();
  return { ext, ctx, requireMs: tActivate - tRequire, activateMs: tDone - tActivate, shimLoadMs: tRequire - t0 };
}

async function listTree(provider) {
  const nodes = await provider.getChildren(undefined);
  const items = await Promise.all(nodes.map((n) => provider.getTreeItem(n)));
  return { count: items.length, invalid: items.filter((i) => i.iconPath && i.iconPath.id === 'error').length };
}

async function main() {
  const [mode, workspace] = process.argv.slice(2);
  if (mode === 'activate') {
    const a = await activate(undefined);
    // Let anything activation scheduled run, so deferred work is not hidden from the measurement.
    const tIdle = performance.now();
    await new Promise((r) => setImmediate(r));
    const idleMs = performance.now() - tIdle;
    return { requireMs: a.requireMs, activateMs: a.activateMs, idleMs, totalMs: a.requireMs + a.activateMs + idleMs, used: [...used].sort(), missing: [...missing].sort() };
  }
  if (mode === 'refresh') {
    const a = await activate(workspace);
    const provider = registry.treeProviders.get('bnnModels');
    if (!provider) throw new Error('the extension registered no bnnModels tree');
    let t = performance.now();
    const cold = await listTree(provider);
    const coldMs = performance.now() - t;

    t = performance.now();
    await listTree(provider);
    const unchangedMs = performance.now() - t;

    // Edit one model on disk and deliver the watcher event, as VS Code would.
    const files = fs.readdirSync(workspace, { recursive: true }).filter((f) => String(f).endsWith('.bnn.json')).sort();
    const edited = path.join(workspace, String(files[Math.floor(files.length / 2)]));
    const text = fs.readFileSync(edited, 'utf8');
    fs.writeFileSync(edited, text.replace(/"name": "([^"]+)"/, '"name": "$1_edited"'));
    for (const w of registry.watchers) w.change.fire(shim.Uri.file(edited));
    t = performance.now();
    const afterEdit = await listTree(provider);
    const oneChangedMs = performance.now() - t;
    fs.writeFileSync(edited, text);

    await registry.commands.get('bnn.refreshModels')();
    t = performance.now();
    const afterRescan = await listTree(provider);
    const rescanMs = performance.now() - t;
    if (afterEdit.count !== cold.count || afterRescan.count !== cold.count) throw new Error('model count changed between refreshes');
    return { files: cold.count, invalid: cold.invalid, activateMs: a.requireMs + a.activateMs, coldMs, unchangedMs, oneChangedMs, rescanMs };
  }
  throw new Error(`usage: ${path.basename(__filename)} activate | refresh <workspace>`);
}

main().then((r) => { process.stdout.write(`${JSON.stringify(r)}\n`); process.exit(0); }, (err) => { process.stderr.write(`${err.stack || err}\n`); process.exit(1); });
