// Bundles every entry point with esbuild. One bundle per runtime: the extension host (CJS, `vscode` external),
// the `bnn` CLI, child-process workers, and the browser-only webview.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { editorSchema } from './editor-schema.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
mkdirSync('dist', { recursive: true });

/** Node bundles. Native/optional modules stay external: they are loaded from node_modules at run time. */
const nodeExternals = [
  'vscode',
  'serialport',
  '@serialport/*',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-backend-wasm',
];

/**
 * h5wasm (HDF5 in WebAssembly, 4 MB) is its own ES module bundle, dist/h5wasm.mjs, imported only when a Keras .h5 or
 * .keras file is imported: the extension and the CLI refer to it by that relative path, so neither carries it nor
 * parses it at start. It stays ESM because its Emscripten loader needs import.meta.url.
 */
const lazyH5wasm = { name: 'lazy-h5wasm', setup(b) { b.onResolve({ filter: /^h5wasm\/node$/ }, () => ({ path: './h5wasm.mjs', external: true })); } };

const common = {
  bundle: true,
  plugins: [lazyH5wasm],
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals },
];

builds.push({ ...common, plugins: [], entryPoints: ['node_modules/h5wasm/dist/node/hdf5_hl.js'], outfile: 'dist/h5wasm.mjs', platform: 'node', format: 'esm', target: 'node20', sourcemap: false });

// bnn-layers.js: BNN Studio's TF.js layers for users' own apps, shipped with every "Export as TF.js" (no tfjs inside:
// it takes the caller's `tf`). A UMD-style script: a global `bnnLayers` in browsers, module.exports under CommonJS.
builds.push({
  ...common, sourcemap: false, minify: false, entryPoints: ['src/core/interop/tfjsLayers.ts'], outfile: 'dist/bnn-layers.js', platform: 'neutral',
  format: 'iife', globalName: 'bnnLayers', target: 'es2020',
  banner: { js: '/* BNN Studio layers for TensorFlow.js: registerBnnLayers(tf) defines QuantConv2D and QuantDense for tf.loadLayersModel. */' },
  footer: { js: 'if (typeof module === "object" && module.exports) module.exports = bnnLayers;' },
});

// Optional entry points are added by the features that own them (trainer worker, webview); each is built only if present.
import { existsSync } from 'node:fs';
const noFetch = { name: 'no-fetch', setup(b) {
  b.onResolve({ filter: /^(node-fetch|encoding)$/ }, (a) => ({ path: a.path, namespace: 'no-fetch' }));
  b.onLoad({ filter: /.*/, namespace: 'no-fetch' }, () => ({ contents: 'module.exports = function () { throw new Error("the trainer fetches nothing over the network"); };' }));
} };
const optional = [
  // The trainer bundles the wasm backend with the tfjs-core it registers into (an external copy would register into
  // node_modules' tfjs-core instead) and loads the .wasm binaries copied next to it (below).
  // node-fetch (pulled in by tfjs-core for loading models over http) is never used: the trainer fetches nothing. A
  // stand-in that says so replaces it, and with it whatwg-url/tr46's Unicode tables (~80 KB of the .vsix) and the
  // optional 'encoding' it would require.
  // It is also the data-parallel training threads' code (processEntry.ts): one copy of TensorFlow.js in the .vsix.
  { entry: 'src/core/train/processEntry.ts', out: 'dist/trainWorker.js', platform: 'node', external: nodeExternals.filter((e) => e !== '@tensorflow/tfjs-backend-wasm'),
    plugins: [lazyH5wasm, noFetch] },
  // The data worker (worker_threads): reads datasets off the extension host's thread (src/core/data/workerHost.ts).
  { entry: 'src/core/data/worker.ts', out: 'dist/dataWorker.js', platform: 'node' },
  { entry: 'webview/main.ts', out: 'dist/webview.js', platform: 'browser' },
  // The model graph view: a bundle of its own, so the layout library (dagre) loads only when a graph is opened.
  { entry: 'webview/graph/main.ts', out: 'dist/graphView.js', platform: 'browser' },
  { entry: 'webview/datasets/main.ts', out: 'dist/datasetPreview.js', platform: 'browser' },
];
for (const o of optional) {
  if (!existsSync(o.entry)) continue;
  builds.push(o.platform === 'browser'
    ? { ...common, entryPoints: [o.entry], outfile: o.out, platform: 'browser', format: 'iife', target: 'es2022' }
    : { ...common, entryPoints: [o.entry], outfile: o.out, platform: 'node', format: 'cjs', target: 'node20', external: o.external ?? nodeExternals, ...(o.plugins ? { plugins: o.plugins } : {}) });
}
if (existsSync('src/core/train/worker.ts')) {
  const { copyFileSync, rmSync } = await import('node:fs');
  // the threads' own bundle of before processEntry.ts: a stale copy would ship in the .vsix
  rmSync('dist/trainThread.js', { force: true });
  rmSync('dist/trainThread.js.map', { force: true });
  rmSync('dist/trainThread.js.externals.json', { force: true });
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${f}`, `dist/${f}`);
}

// The webview loads the codicon font from dist/ (its only resource roots are dist/ and media/), not node_modules.
if (existsSync('webview/main.ts')) {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
}

// The JSON service's copy of the model schema: completion and hover without a second, terser validation.
writeFileSync('dist/bnn-model.editor.schema.json', `${JSON.stringify(editorSchema(JSON.parse(readFileSync('media/bnn-model.schema.json', 'utf8'))), null, 2)}\n`);

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, metafile: true })));
  // The modules each bundle leaves to run time (scripts/package.mjs ships them in the .vsix).
  results.forEach((r, i) => writeFileSync(`${builds[i].outfile}.externals.json`, `${JSON.stringify(externalImports(r.metafile), null, 2)}\n`));
  // the release's h5wasm keeps its WebAssembly Brotli-compressed beside it (scripts/h5wasm-pack.mjs says why)
  const { rmSync } = await import('node:fs');
  rmSync('dist/h5wasm.wasm.br', { force: true });
  if (production) (await import('./h5wasm-pack.mjs')).packH5wasm();
}

function externalImports(meta) {
  const names = new Set();
  for (const out of Object.values(meta.outputs)) for (const imp of out.imports) if (imp.external) names.add(imp.path);
  return [...names].sort();
}
