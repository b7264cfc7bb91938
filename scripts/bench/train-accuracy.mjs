// Fashion-MNIST test accuracy after 10 epochs (issue 3's accuracy goals): the binary MLP and CNN examples, each with
// Bop and with the latent-weight baseline, trained by the real `bnn train` CLI on Debian's dataset-fashion-mnist and
// tested by the trainer's own inference pass over the 10,000 test images after the last epoch. With
// BNN_BENCH_FMNIST_EVAL=1 it also runs `bnn eval` (the plain-TypeScript reference forward the compiled C reproduces)
// on the last checkpoint (it took minutes per model when this bench was written; main's faster reference forward
// has since made it seconds, so it could become the default).
// Four real trainings: about 70 minutes of CPU (45 of wall clock on two cores), so it runs only when asked for — `npm run bench --
// train-accuracy`, or BNN_BENCH_FMNIST=1 with the whole bench or its `train` section — and otherwise keeps its section.
// BNN_BENCH_FMNIST_EPOCHS / BNN_BENCH_FMNIST_MAX_SAMPLES shorten the runs to try the bench itself; the table then says
// so (such a table does not measure the goals).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export const id = 'train-accuracy';
export const title = 'Training: Fashion-MNIST test accuracy after 10 epochs';
/** Opt-in (see scripts/bench.mjs): the env var, or naming this section or the `train` section with the env var set. */
export const optIn = { env: 'BNN_BENCH_FMNIST', alsoWith: 'train' };

// Every run trains on all 60,000 training images (--val-split 0, as the Bop paper and Larq's guides do) and is tested on
// the 10,000 test images. The recipes are the named presets of src/core/train/presets.ts, as "Train BNN" offers them.
// The long CNN-with-Bop run first, then the short MLP runs, the CNN's baseline last: on a busy machine an interrupted
// bench has then measured the most (each finished run is written at once, marked partial).
const RUNS = [
  { model: 'binary-cnn', preset: 'bop-10-epochs', goal: 0.9 },
  { model: 'binary-mlp', preset: 'bop-10-epochs', goal: 0.87 },
  { model: 'binary-mlp', preset: 'latent-10-epochs', goal: 0.87 },
  { model: 'binary-cnn', preset: 'latent-10-epochs', goal: 0.9 },
];

/** CPU seconds used by this process's waited-for children (Linux /proc; fields 16 and 17, cutime and cstime). */
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks;
function clockTicks() {
  if (ticks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticks = Number(r.stdout?.trim()) || 100;
  }
  return ticks;
}

function describe(s) {
  if (!s) return 'default';
  if (s.kind === 'constant') return String(s.value);
  if (s.kind === 'exponential') return `${s.initial}·${s.decayRate}^(step/${s.decaySteps}${s.staircase ? ', staircase' : ''})`;
  return `${s.initial} → ${s.final} over ${s.steps} steps`;
}

function hyper(config) {
  const o = config.optimizer;
  const parts = o.kind === 'latent'
    ? [`latent + Adam lr ${describe(o.lr)}`]
    : [`γ ${describe(o.gamma)}`, `τ ${describe(o.threshold)}`, `Adam lr ${describe(o.lr)}`];
  const bn = config.bnRecalibration ? `; BatchNorm statistics re-estimated on ${config.bnRecalibration.toLocaleString('en-US')} training images after every epoch` : '; BatchNorm moving averages kept';
  return `${parts.join('; ')}; batch ${config.batchSize}; seed ${config.seed}${bn}`;
}

const pct = (v) => (v === undefined || v === null ? '—' : `${(v * 100).toFixed(2)}%`);
const dur = (s) => (s === undefined ? '—' : s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

export async function run(ctx) {
  const epochs = process.env.BNN_BENCH_FMNIST_EPOCHS ?? '10';
  const maxSamples = process.env.BNN_BENCH_FMNIST_MAX_SAMPLES;
  const bnn = join(ctx.root, 'bin', 'bnn.js');
  const rows = [];
  const detail = [];
  for (const r of RUNS) {
    const exp = ctx.scratch(`${r.model}-${r.preset}`);
    const args = [bnn, 'train', join(ctx.root, 'examples', `${r.model}.bnn.json`), '--data', 'fashion-mnist', '--epochs', epochs, '--preset', r.preset,
      '--val-split', '0', '--experiments', exp, '--json'];
    if (maxSamples) args.push('--max-samples', maxSamples);
    process.stdout.write(`bench: train-accuracy: ${r.model} ${r.preset} (${epochs} epochs) …\n`);
    const load0 = loadavg()[0];
    const cpu0 = childCpuSeconds();
    const t0 = performance.now();
    const t = spawnSync(process.execPath, args, { cwd: ctx.root, encoding: 'utf8', maxBuffer: 1 << 30 });
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = childCpuSeconds();
    const load1 = loadavg()[0];
    let status;
    try {
      status = JSON.parse(t.stderr.trim().split('\n').pop()).status;
    } catch {
      throw new Error(`${r.model} ${r.preset}: bnn train exited with ${t.status}: ${t.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    }
    if (status.state !== 'completed') throw new Error(`${r.model} ${r.preset}: ${status.state}${status.error ? `: ${status.error.message}` : ''}`);
    const dirs = readdirSync(exp).filter((d) => existsSync(join(exp, d, 'config.json')));
    if (dirs.length !== 1) throw new Error(`${r.model} ${r.preset}: expected one experiment in ${exp}, found ${dirs.length}`);
    const config = JSON.parse(readFileSync(join(exp, dirs[0], 'config.json'), 'utf8'));
    const test = status.final?.testAccuracy;
    if (test === undefined) throw new Error(`${r.model} ${r.preset}: the run reported no test accuracy`);
    let evalNote = '';
    if (process.env.BNN_BENCH_FMNIST_EVAL === '1') {
      const evalArgs = [bnn, 'eval', join(exp, dirs[0]), '--data', 'fashion-mnist', '--json'];
      if (maxSamples) evalArgs.push('--max-samples', String(config.dataset.testSamples));
      const e = spawnSync(process.execPath, evalArgs, { cwd: ctx.root, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (e.status !== 0) throw new Error(`${r.model} ${r.preset}: bnn eval exited with ${e.status}: ${e.stderr.trim()}`);
      const ev = JSON.parse(e.stdout);
      evalNote = ` \`bnn eval\` (reference forward, ${ev.checkpoint} checkpoint) on ${ev.samples.toLocaleString('en-US')} test images: ${pct(ev.accuracy)}.`;
    }
    const cpu = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
    const samples = config.dataset.trainSamples * config.epochs;
    const met = test >= r.goal ? 'met' : `not met (${((r.goal - test) * 100).toFixed(2)} points short)`;
    rows.push([`examples/${r.model}.bnn.json`, `${config.optimizer.kind === 'latent' ? 'latent baseline' : 'Bop'} (\`${r.preset}\`)`, `**${pct(test)}**`,
      pct(status.final?.trainAccuracy), dur(wall), dur(cpu), cpu ? Math.round(samples / cpu).toLocaleString('en-US') : '—',
      `${load0.toFixed(1)} → ${load1.toFixed(1)}`, `≥ ${r.goal * 100}%: ${met}`]);
    detail.push(`- ${r.model}, \`${r.preset}\`: ${hyper(config)}; ${config.epochs} epoch${config.epochs === 1 ? '' : 's'} on ${config.dataset.trainSamples.toLocaleString('en-US')} training images, `
      + `tested on ${(config.dataset.testSamples ?? 0).toLocaleString('en-US')}; backend ${config.backend}.${evalNote}`);
    if (ctx.partial && rows.length < RUNS.length) ctx.partial(body(ctx, epochs, maxSamples, rows, detail));
  }
  return body(ctx, epochs, maxSamples, rows, detail);
}

function body(ctx, epochs, maxSamples, rows, detail) {
  const short = epochs !== '10' || maxSamples;
  return [
    short ? `**Shortened run (${epochs} epochs${maxSamples ? `, ${maxSamples} training images` : ''}): this does not measure the goals.**\n` : '',
    ctx.table(['model', 'optimizer (preset)', 'test accuracy', 'last-epoch train accuracy', 'wall', 'CPU', 'samples/CPU-s', 'load average', 'goal'], rows),
    '',
    `Each run is \`bnn train <model> --data fashion-mnist --epochs ${epochs} --preset <preset> --val-split 0\` (the whole training set, no validation`,
    'split, as the Bop paper and Larq\'s guides train); test accuracy is the trainer\'s inference pass over the whole test set after the last epoch',
    '(BatchNorm statistics as the run saved them, i.e. of the last checkpoint). One run at a time, one trainer process; CPU is the',
    'CPU time of the trainer processes, which stays meaningful on a loaded machine, wall is what a user waits. Hyperparameters as the experiments recorded them:',
    '',
    ...detail,
  ].join('\n');
}
