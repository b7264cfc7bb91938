// Benchmark of the live training charts: the built panel (dist/webview.js, the real panel HTML and CSP) in headless
// Chromium, first loaded with a 100,000-step history, then fed live at 20 events/s like a running trainer. Reports
// event-to-pixel latency (message posted → chart updated on the canvas, and → the next frame), frame times and the
// panel's own work per frame, and the points it keeps (memory stays bounded whatever the run length).
//
// Module of `npm run bench` (exports id, title, run); also runnable alone: `node scripts/bench/charts.mjs`.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

export const id = 'charts';
export const title = 'Live training charts (webview in headless Chromium)';

const HISTORY = 100_000;
const RATE = 20;
const LIVE_SECONDS = 15;

const pct = (s, q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: pct(s, 0.5), p90: pct(s, 0.9), p99: pct(s, 0.99), max: s[s.length - 1] };
};
const f = (x) => (x >= 100 ? `${Math.round(x)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);

async function loadHelpers(root) {
  // The page harness is TypeScript shared with the browser tests: bundle it so the benchmark runs the same code.
  const out = join(root, '.cache', 'bench', 'charts', 'panelPage.cjs');
  mkdirSync(dirname(out), { recursive: true });
  await esbuild.build({
    stdin: { contents: "export * from './test/support/panelPage'; export * from './test/support/syntheticRun';", resolveDir: root, loader: 'ts', sourcefile: 'charts-bench.ts' },
    outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['playwright-core'],
    // __dirname inside the bundle must still point at test/support (the harness serves dist/ relative to it).
    define: { __dirname: JSON.stringify(join(root, 'test', 'support')) },
  });
  return createRequire(import.meta.url)(out);
}

export async function run(ctx) {
  const root = ctx?.root ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (!existsSync('/usr/bin/chromium')) return '_Skipped: /usr/bin/chromium is not installed (apt-get install chromium)._';
  if (!existsSync(join(root, 'dist', 'webview.js'))) throw new Error('dist/webview.js is missing: run `npm run build` first');
  const { openPanelPage, syntheticEvents, syntheticSummary } = await loadHelpers(root);
  const p = await openPanelPage({ theme: 'dark', width: 1280, height: 900 });
  try {
    const ID = 'bench-run';
    await p.send({ v: 1, type: 'init', runs: [syntheticSummary(ID)], history: {} });
    // 1. History: 100,000 steps (plus epoch events) in the 5,000-event chunks the host sends.
    const history = syntheticEvents(HISTORY, { stepsPerEpoch: 540 });
    const load = await p.page.evaluate(async ([id, evs]) => {
      const w = window;
      const t0 = performance.now();
      for (let i = 0; i < evs.length; i += 5000) w.postMessage({ v: 1, type: 'metrics', experimentId: id, events: evs.slice(i, i + 5000) }, '*');
      await new Promise((resolve) => { const check = () => (w.bnnCharts.stats.events >= evs.length ? resolve() : requestAnimationFrame(check)); check(); });
      await new Promise((r) => requestAnimationFrame(r));
      return { ms: performance.now() - t0, points: w.bnnCharts.pointCount() };
    }, [ID, history]);
    // 2. Live: one event every 50 ms; latency from postMessage to the flush that drew it, and to the next frame.
    const first = HISTORY + 1;
    const live = syntheticEvents(RATE * LIVE_SECONDS, { stepsPerEpoch: 540, firstStep: first }).filter((e) => e.kind === 'step');
    const r = await p.page.evaluate(async ([id, evs, rate]) => {
      const w = window;
      const sent = new Map();
      const drawn = [];
      const nextFrame = [];
      const flushMs = [];
      const frames = [];
      let lastFrame = performance.now();
      let stop = false;
      const tick = (t) => { frames.push(t - lastFrame); lastFrame = t; if (!stop) requestAnimationFrame(tick); };
      requestAnimationFrame((t) => { lastFrame = t; requestAnimationFrame(tick); });
      w.bnnCharts.onFlush((info) => {
        if (info.events === 0) return;
        flushMs.push(info.ms);
        const done = [...sent.entries()];
        sent.clear();
        for (const [, t0] of done) drawn.push(info.at - t0);
        requestAnimationFrame(() => { const t = performance.now(); for (const [, t0] of done) nextFrame.push(t - t0); });
      });
      for (const ev of evs) {
        sent.set(ev.step, performance.now());
        w.postMessage({ v: 1, type: 'metrics', experimentId: id, events: [ev] }, '*');
        await new Promise((res) => setTimeout(res, 1000 / rate));
      }
      await new Promise((res) => setTimeout(res, 300));
      stop = true;
      return { drawn, nextFrame, flushMs, frames, points: w.bnnCharts.pointCount() };
    }, [ID, live, RATE]);
    const problems = await p.problems();
    if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
    const d = summary(r.drawn);
    const n = summary(r.nextFrame);
    const fl = summary(r.flushMs);
    const fr = summary(r.frames);
    const long = r.frames.filter((x) => x > 50).length;
    const rows = [
      ['Event → drawn on canvas (20 events/s, on a 100k-step run)', f(d.median), f(d.p90), f(d.p99), f(d.max), '≤ 100 ms'],
      ['Event → next frame presented (upper bound)', f(n.median), f(n.p90), f(n.p99), f(n.max), '≤ 100 ms'],
      ['Panel work per updating frame (fold events + chart.update)', f(fl.median), f(fl.p90), f(fl.p99), f(fl.max), '< 16 ms'],
      ['Frame interval while live', f(fr.median), f(fr.p90), f(fr.p99), f(fr.max), '~16.7 ms'],
    ];
    return [
      '| Measure | median | p90 | p99 | max | goal |',
      '|:--|--:|--:|--:|--:|--:|',
      ...rows.map((x) => `| ${x.join(' | ')} |`),
      '',
      `- History of ${HISTORY.toLocaleString('en-US')} steps (${history.length.toLocaleString('en-US')} events, 3 binary layers → 8 lines) loaded and drawn in ${f(load.ms)}.`,
      `- Points kept by the panel: ${load.points.toLocaleString('en-US')} after the history, ${r.points.toLocaleString('en-US')} after ${r.drawn.length} more live events (bounded: at most 2,500 per line, whatever the run length).`,
      `- ${r.frames.length} frames observed over ${LIVE_SECONDS} s of live updates, ${long} longer than 50 ms.`,
      '- Measured inside the page (message event → canvas); inside VS Code the host → webview postMessage adds its own hop.',
    ].join('\n');
  } finally {
    await p.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then((md) => process.stdout.write(md + '\n'), (err) => { process.stderr.write(String(err?.stack ?? err) + '\n'); process.exitCode = 1; });
}
