// Benchmark of the model graph view: the built view (dist/graphView.js, the real HTML and CSP) in headless Chromium,
// fed the view models of residual stacks of growing depth as the host sends them. Reports the time to measure the
// cards, lay the graph out (dagre) and draw it, median of 3 renders each, and the bundle's size.
//
// Module of `npm run bench` (exports id, title, run); also runnable alone: `node scripts/bench/graph-view.mjs`.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

export const id = 'graph-view';
export const title = 'Model graph view (webview in headless Chromium)';

const BLOCKS = [5, 25, 50, 100];
const REPEATS = 3;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`);

async function loadHelpers(root) {
  // The page harness and the view-model builder are TypeScript shared with the browser test: bundled here.
  const out = join(root, '.cache', 'bench', 'graph-view', 'helpers.cjs');
  mkdirSync(dirname(out), { recursive: true });
  await esbuild.build({
    stdin: { contents: "export * from './test/support/panelPage'; export * from './test/support/graphViewModels';", resolveDir: root, loader: 'ts', sourcefile: 'graph-bench.ts' },
    outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['playwright-core'], mainFields: ['module', 'main'],
    define: { __dirname: JSON.stringify(join(root, 'test', 'support')) },
  });
  return createRequire(import.meta.url)(out);
}

export async function run(ctx) {
  const root = ctx?.root ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (!existsSync('/usr/bin/chromium')) return '_Skipped: /usr/bin/chromium is not installed (apt-get install chromium)._';
  const bundle = join(root, 'dist', 'graphView.js');
  if (!existsSync(bundle)) throw new Error('dist/graphView.js is missing: run `npm run build` first');
  const { openPanelPage, graphViewModelOf, residualStackText } = await loadHelpers(root);
  const p = await openPanelPage({ theme: 'dark', width: 1280, height: 900, bundle: 'graphView' });
  const rows = [];
  try {
    let renders = 0;
    for (const blocks of BLOCKS) {
      const model = graphViewModelOf(residualStackText(blocks), `stack-${blocks}.bnn.json`);
      const t = { measure: [], layout: [], draw: [] };
      for (let r = 0; r < REPEATS; r++) {
        // a different URI each time: every render is a first one (its first view included)
        await p.send({ v: 1, type: 'model', model: { ...model, uri: `${model.uri}#${r}` } });
        renders++;
        const s = await p.page.waitForFunction((k) => { const g = window.bnnGraph.stats; return g.renders >= k && g; }, renders, { timeout: 120_000 }).then((h) => h.jsonValue());
        t.measure.push(s.measureMs);
        t.layout.push(s.layoutMs);
        t.draw.push(s.drawMs);
      }
      const total = median(t.measure.map((m, i) => m + t.layout[i] + t.draw[i]));
      rows.push([blocks, model.nodes.length, model.edges.length, ms(median(t.measure)), ms(median(t.layout)), ms(median(t.draw)), ms(total)]);
    }
    const problems = await p.problems();
    if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
  } finally {
    await p.close();
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  return [
    '| residual blocks | nodes | edges | measure cards | layout (dagre) | draw | total |',
    '|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `- Median of ${REPEATS} renders each, inside the page (message → SVG drawn); a model of the size of the bundled examples (under 60 layers) is the second row or less.`,
    `- Bundle: dist/graphView.js ${kb(statSync(bundle).size)} as built here${ctx?.production ? '' : ' (not minified; `npm run package` minifies: 88 kB, of which dagre 48.6 kB)'}.`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then((md) => process.stdout.write(md + '\n'), (err) => { process.stderr.write(String(err?.stack ?? err) + '\n'); process.exitCode = 1; });
}
