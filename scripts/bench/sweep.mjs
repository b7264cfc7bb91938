// A 3 × 3 γ × τ sweep of the binary MLP, 2 epochs each on Fashion-MNIST, by the real `bnn sweep` CLI (issue 17): its
// wall time and the heatmaps it reports, as tables here and as PNGs under docs/sweep-heatmaps/ (γ down, τ across; a
// lighter cell is a larger value, flip ratios on a log scale). Nine real trainings, minutes of CPU: it runs only when
// asked for — `npm run bench -- sweep`, or BNN_BENCH_SWEEP=1 with the whole bench.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PNG } from 'pngjs';

export const id = 'sweep';
export const title = 'Sweep: γ × τ of the binary MLP (2 epochs each, Fashion-MNIST)';
export const optIn = { env: 'BNN_BENCH_SWEEP', alsoWith: 'sweep' };

const GAMMAS = '1e-5,1e-4,1e-3';
const THRESHOLDS = '1e-8,1e-7,1e-6';
const CELL = 48;

/** Viridis-like ramp from dark blue (0) to yellow (1), four stops interpolated. */
function colour(t) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  return stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
}

function heatmapPng(map, file) {
  const log = !map.title.startsWith('final');
  const vals = map.values.flat().filter((v) => v !== undefined && (!log || v > 0));
  const tr = (v) => (log ? Math.log10(v) : v);
  const lo = Math.min(...vals.map(tr));
  const hi = Math.max(...vals.map(tr));
  const png = new PNG({ width: CELL * map.thresholds.length, height: CELL * map.gammas.length });
  map.values.forEach((row, i) => row.forEach((v, j) => {
    const rgb = v === undefined ? [200, 200, 200] : log && v <= 0 ? [0, 0, 0] : colour(hi > lo ? (tr(v) - lo) / (hi - lo) : 0.5);
    for (let y = i * CELL; y < (i + 1) * CELL; y++) for (let x = j * CELL; x < (j + 1) * CELL; x++) {
      const o = (y * png.width + x) * 4;
      const edge = x % CELL === 0 || y % CELL === 0;
      png.data[o] = edge ? 255 : rgb[0]; png.data[o + 1] = edge ? 255 : rgb[1]; png.data[o + 2] = edge ? 255 : rgb[2]; png.data[o + 3] = 255;
    }
  }));
  writeFileSync(file, PNG.sync.write(png));
}

export async function run(ctx) {
  const scratch = ctx.scratch('run');
  const experiments = join(scratch, 'experiments');
  const load = [loadavg()[0]];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ctx.root, 'bin', 'bnn.js'), 'sweep', 'examples/binary-mlp.bnn.json', '--data', 'fashion-mnist',
    '--gamma', GAMMAS, '--threshold', THRESHOLDS, '--epochs', '2', '--experiments', experiments], { cwd: ctx.root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - t0) / 1000;
  load.push(loadavg()[0]);
  if (r.status !== 0) throw new Error(`bnn sweep exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-4).join(' / ')}`);
  const sweepDir = join(scratch, 'sweeps', readdirSync(join(scratch, 'sweeps'))[0]);
  const maps = JSON.parse(readFileSync(join(sweepDir, 'heatmaps.json'), 'utf8'));
  const sweep = JSON.parse(readFileSync(join(sweepDir, 'sweep.json'), 'utf8'));
  const out = join(ctx.root, 'docs', 'sweep-heatmaps');
  mkdirSync(out, { recursive: true });
  const lines = [];
  for (const m of maps) {
    const name = m.title.startsWith('final') ? 'accuracy' : `flip-ratio-${m.title.split(': ').pop()}`;
    heatmapPng(m, join(out, `${name}.png`));
    const fmt = (v) => (v === undefined ? '—' : m.title.startsWith('final') ? `${(v * 100).toFixed(2)}%` : v.toExponential(2));
    lines.push(`**${m.title}** (docs/sweep-heatmaps/${name}.png)`, '', ctx.table(['γ \\ τ', ...m.thresholds.map(String)], m.values.map((row, i) => [String(m.gammas[i]), ...row.map(fmt)])), '');
  }
  const parallel = /(\d+) at a time/.exec(r.stderr)?.[1] ?? '?';
  return [
    `\`bnn sweep examples/binary-mlp.bnn.json --data fashion-mnist --gamma ${GAMMAS} --threshold ${THRESHOLDS} --epochs 2\` (preset ${sweep.preset}: γ and τ constant; validation split 0.1; accuracy is the test accuracy on the 10,000 test images after the last epoch): **${wall.toFixed(0)} s** wall for 9 runs, ${parallel} at a time on ${availableParallelism()} cores (1 thread each), load average ${load.map((l) => l.toFixed(1)).join(' → ')}.`,
    '',
    ...lines,
  ].join('\n');
}
