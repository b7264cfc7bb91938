// Where one training step of a model spends its time, kernel by kernel (docs/training.md, "Profile of a training
// step"):
//
//   npx tsx scripts/profile-train.ts [model.bnn.json] [--backend wasm] [--batch 100] [--repeats 5]
//
// Method. tf.profile() records every kernel of one step with its shapes and time (on wasm and cpu a kernel runs
// synchronously; its time is taken as the CPU time the process spent in it — process.cpuUsage, via the backend's
// kernel timer — so the profile means the same on a loaded, shared machine as on an idle one). The step is the trainer's single-thread
// trainStep. Kernels are given a phase by position: the same model's forward pass alone (with the loss) runs the first
// F kernels of a step, and its variableGrads the first G, so [0, F) is forward, [F, G) backward and [G, end) the
// optimizer step. Within forward and backward they are given a layer by counting the kernels of the model's prefixes
// (layers 1…k): forward runs layer after layer, backward in reverse. Optimizer kernels are Bop's when a tensor of a
// binary kernel's shape goes in, else Adam's. A kernel's median over the repeats is reported. Separately: encoding a
// batch of u8 samples (data), and one data-parallel step on 2 threads next to the coordinator's own shard, whose
// difference is the threads' barrier (waiting for the other shard), the gradient sum and the weight publication.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { initBackend, type BackendName } from '../src/core/train/backend';
import { BnnModel, encodeInputs } from '../src/core/train/model';
import { CaseOptimizer } from '../src/core/train/optimizers';
import { DataParallel } from '../src/core/train/parallel';
import { disposeShard, shardGradients } from '../src/core/train/shard';
import { trainStep } from '../src/core/train/trainer';
import { loadModelText } from '../src/core/model/load';
import type { ModelSpec } from '../src/core/model/spec';

interface Args { file: string; backend: BackendName; batch: number; repeats: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { file: 'examples/binary-cnn.bnn.json', backend: 'wasm', batch: 100, repeats: 5 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--backend') a.backend = argv[++i] as BackendName;
    else if (v === '--batch') a.batch = Number(argv[++i]);
    else if (v === '--repeats') a.repeats = Number(argv[++i]);
    else if (v.startsWith('--')) throw new Error(`unknown option ${v}`);
    else a.file = v;
  }
  if (!(a.batch >= 2 && Number.isInteger(a.batch))) throw new Error(`--batch must be a whole number ≥ 2 (got ${a.batch})`);
  if (!(a.repeats >= 1 && Number.isInteger(a.repeats))) throw new Error(`--repeats must be a whole number ≥ 1 (got ${a.repeats})`);
  return a;
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

interface Setup { model: BnnModel; opt: CaseOptimizer; vars: tf.Variable[]; spec: ModelSpec }

function setup(spec: ModelSpec): Setup {
  const model = new BnnModel(spec, { latent: false, seed: 1 });
  const opt = new CaseOptimizer({ kind: 'bop', lr: { kind: 'constant', value: 0.01 } }, model.trainableParams);
  return { model, opt, vars: model.trainableParams.map((p) => p.variable), spec };
}

/** The kernels (name, shapes, ms) of f, run under tf.profile. */
async function kernelsOf(f: () => void): Promise<Array<{ name: string; shapes: string; ms: number; inputShapes: number[][] }>> {
  const info = await tf.profile(f);
  return info.kernels.map((k) => ({
    name: k.name,
    shapes: `${k.inputShapes.map((s) => `[${s.join(',')}]`).join(' ')} → ${k.outputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}`,
    ms: typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0,
    inputShapes: k.inputShapes.map((s) => s ?? []),
  }));
}

function batchOf(spec: ModelSpec, n: number): { xs: Float32Array; ys: Int32Array; images: Uint8Array; labels: Uint8Array } {
  const size = spec.input.shape.reduce((a, b) => a * b, 1);
  const images = Uint8Array.from({ length: n * size }, (_, i) => (i * 2654435761) >>> 24);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % spec.classes);
  const xs = encodeInputs(images, Uint32Array.from({ length: n }, (_, i) => i), size);
  return { xs, ys: Int32Array.from(labels), images, labels };
}

/** Kernels recorded so far by the running tf.profile: the forward pass under a gradient tape runs extra kernels (the
 * customGrad ops' identities), so the forward/backward boundary is read inside the tape, where the forward returns. */
function kernelsSoFar(): number {
  return (tf.engine() as unknown as { state: { activeProfile: { kernels: unknown[] } } }).state.activeProfile.kernels.length;
}

type Kernel = Awaited<ReturnType<typeof kernelsOf>>[number];
const sig = (k: Kernel): string => `${k.name} ${k.shapes}`;

/** The forward and the backward kernels of the first k layers' model, a fixed full-precision head (Flatten,
 * QuantDense) after them so it is a valid model. */
async function prefixKernels(spec: ModelSpec, k: number, xs: Float32Array, ys: Int32Array): Promise<{ fwd: string[]; bwd: string[] }> {
  const head: ModelSpec['layers'] = [
    { type: 'Flatten', name: 'profile_flatten' },
    { type: 'QuantDense', name: 'profile_head', units: spec.classes, inputQuantizer: null, kernelQuantizer: null, useBias: false },
  ];
  const s = setup({ ...spec, layers: [...spec.layers.slice(0, k), ...head] });
  const x = tf.tensor(xs, [ys.length, ...spec.input.shape]);
  let f = 0;
  const all = (await kernelsOf(() => {
    tf.tidy(() => { tf.variableGrads(() => { const l = tf.sum(s.model.forward(x, true, [])) as tf.Scalar; f = kernelsSoFar(); return l; }, s.vars); });
  })).map(sig);
  x.dispose();
  s.model.dispose();
  s.opt.dispose();
  return { fwd: all.slice(0, f), bwd: all.slice(f) };
}

const commonPrefix = (a: string[], b: string[]): number => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return i; };
const commonSuffix = (a: string[], b: string[]): number => { let i = 0; while (i < a.length && i < b.length && a[a.length - 1 - i] === b[b.length - 1 - i]) i++; return i; };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backend = await initBackend(args.backend);
  // kernel times in CPU time, not wall time: on a shared machine a descheduled kernel would count its wait
  const be = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
  be.time = async (f) => { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return { kernelMs: (c.user + c.system) / 1000 }; };
  const loaded = loadModelText(readFileSync(args.file, 'utf8'), args.file);
  const spec = loaded.spec;
  if (!spec) {
    const d = loaded.diagnostics.find((x) => x.severity === 'error');
    throw new Error(`${args.file}:${(d?.range.start.line ?? 0) + 1}: ${d?.message ?? 'not a valid model'}`);
  }
  const { xs, ys, images, labels } = batchOf(spec, args.batch);
  const s = setup(spec);
  const step = (): void => { const o = trainStep(s.model, s.opt, s.vars, xs, ys, spec); o.dataSync(); o.dispose(); };
  for (let i = 0; i < 3; i++) step();

  // phase boundaries: the forward closure of trainStep alone, and its variableGrads
  const n = ys.length;
  const x = tf.tensor(xs, [n, ...spec.input.shape]);
  const y = tf.tensor1d(ys, 'int32');
  const forwardAndLoss = (): tf.Scalar => {
    const logits = s.model.forward(x, true, []);
    tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, spec.classes), logits) as tf.Scalar;
  };
  let F = 0;
  const G = (await kernelsOf(() => { tf.tidy(() => { tf.variableGrads(() => { const l = forwardAndLoss(); F = kernelsSoFar(); return l; }, s.vars); }); })).length;
  x.dispose();
  y.dispose();

  // layer of every forward/backward kernel position: the forward kernels of layers 1…k are the ones the model and its
  // k-layer prefix share at the start; the backward kernels of layers 1…k the ones their backward passes share at the end
  const L = spec.layers.length;
  const full = (await kernelsOf(step)).map(sig);
  const fullFwd = full.slice(0, F);
  const fullBwd = full.slice(F, G);
  const fwdEnd: number[] = [];
  const bwdFrom: number[] = [];
  for (let k = 1; k <= L; k++) {
    // the final softmax is folded into the loss: no kernels, and no valid prefix ends with it
    if (spec.layers[k - 1].type === 'Activation') { fwdEnd.push(fwdEnd[k - 2] ?? 0); bwdFrom.push(bwdFrom[k - 2] ?? fullBwd.length); continue; }
    const p = await prefixKernels(spec, k, xs, ys);
    fwdEnd.push(Math.max(commonPrefix(fullFwd, p.fwd), fwdEnd[k - 2] ?? 0));
    bwdFrom.push(Math.min(fullBwd.length - commonSuffix(fullBwd, p.bwd), bwdFrom[k - 2] ?? fullBwd.length));
  }
  const layerName = (i: number): string => `${i + 1} ${spec.layers[i].name} (${spec.layers[i].type})`;
  const fwdLayer = (j: number): string => { const i = fwdEnd.findIndex((e) => j < e); return i < 0 ? 'loss' : layerName(i); };
  // backward runs the loss's gradient first, then layer L's … layer 1's: layer i's kernels are [bwdFrom[i], bwdFrom[i − 1])
  const bwdLayer = (j: number): string => { const i = bwdFrom.findIndex((from) => j - F >= from); return i < 0 ? 'loss' : layerName(i); };
  const binaryShapes = new Set(s.model.binaryParams.map((p) => p.shape.join(',')));

  const times = new Map<string, number[]>();
  const meta = new Map<string, { phase: string; layer: string; name: string; shapes: string }>();
  const totals: number[] = [];
  const stepWall: number[] = [];
  const stepCpu: number[] = [];
  for (let r = 0; r < args.repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    step();
    const c = process.cpuUsage(c0);
    stepWall.push(performance.now() - t0);
    stepCpu.push((c.user + c.system) / 1000);
    const ks = await kernelsOf(step);
    const sums = new Map<string, number>();
    let total = 0;
    ks.forEach((k, j) => {
      // a customGrad's scope ('forward', 'unnamed scope') is listed after the kernels it ran, with their time: skip it
      if (!tf.getKernel(k.name, tf.getBackend())) return;
      const phase = j < F ? 'forward' : j < G ? 'backward' : 'optimizer';
      const layer = phase === 'forward' ? fwdLayer(j) : phase === 'backward' ? bwdLayer(j)
        : k.inputShapes.some((sh) => binaryShapes.has(sh.join(','))) ? 'Bop (binary kernels)' : 'Adam, BatchNorm moving averages, readback';
      const key = `${phase}|${layer}|${k.name}|${k.shapes}`;
      meta.set(key, { phase, layer, name: k.name, shapes: k.shapes });
      sums.set(key, (sums.get(key) ?? 0) + k.ms);
      total += k.ms;
    });
    for (const [key, ms] of sums) (times.get(key) ?? times.set(key, []).get(key)!).push(ms);
    totals.push(total);
  }

  const rows = [...times].map(([key, t]) => ({ ...meta.get(key)!, ms: median(t) }));
  const sum = (f: (r: (typeof rows)[number]) => boolean): number => rows.filter(f).reduce((a, r) => a + r.ms, 0);
  const total = median(totals);
  const pct = (ms: number): string => `${(ms / total * 100).toFixed(1)}%`;
  const out: string[] = [];
  out.push(`# ${args.file}: one training step, batch ${args.batch}, ${backend.description}, median of ${args.repeats}`);
  out.push(`step (unprofiled) ${median(stepCpu).toFixed(1)} ms CPU, ${median(stepWall).toFixed(1)} ms wall (${(args.batch / median(stepCpu) * 1000).toFixed(0)} samples/CPU-s); ` +
    `its kernels ${total.toFixed(1)} ms CPU; load average ${loadavg()[0].toFixed(1)}`);
  out.push('');
  out.push('| phase | layer | ms | share |');
  out.push('|:--|:--|--:|--:|');
  const groups = new Map<string, number>();
  for (const r of rows) groups.set(`${r.phase}|${r.layer}`, (groups.get(`${r.phase}|${r.layer}`) ?? 0) + r.ms);
  for (const [g, ms] of groups) { const [p, l] = g.split('|'); out.push(`| ${p} | ${l} | ${ms.toFixed(2)} | ${pct(ms)} |`); }
  for (const p of ['forward', 'backward', 'optimizer']) { const ms = sum((r) => r.phase === p); out.push(`| **${p}** | all | **${ms.toFixed(2)}** | ${pct(ms)} |`); }
  out.push('');
  out.push('| phase | layer | kernel | shapes | ms |');
  out.push('|:--|:--|:--|:--|--:|');
  for (const r of [...rows].sort((a, b) => b.ms - a.ms).filter((r) => r.ms >= total * 0.003)) out.push(`| ${r.phase} | ${r.layer} | ${r.name} | ${r.shapes} | ${r.ms.toFixed(2)} |`);
  const small = rows.filter((r) => r.ms < total * 0.003);
  out.push(`| | | ${small.length} smaller kernels | | ${small.reduce((a, r) => a + r.ms, 0).toFixed(2)} |`);

  // data: encoding a batch (the trainer's per-step host work before the upload)
  const size = spec.input.shape.reduce((a, b) => a * b, 1);
  const idx = Uint32Array.from({ length: args.batch }, (_, i) => i);
  const enc: number[] = [];
  for (let r = 0; r < 20; r++) { const t0 = performance.now(); encodeInputs(images, idx, size); enc.push(performance.now() - t0); }
  out.push('');
  out.push(`data: encoding ${args.batch} samples ${median(enc).toFixed(2)} ms`);

  // threads: a 2-thread data-parallel step against the coordinator's own half-batch shard on its own
  if (args.backend !== 'tensorflow') {
    const dp = await DataParallel.start({ threads: 2, model: s.model, optimizer: s.opt, backend: backend.name, images, labels, latent: false, seed: 1 });
    try {
      for (let i = 0; i < 3; i++) await dp.step(idx);
      const half = Math.ceil(args.batch / 2);
      const wall: number[] = [];
      const cpu: number[] = [];
      const own: number[] = [];
      for (let r = 0; r < args.repeats * 2; r++) {
        let t0 = performance.now();
        const c0 = process.cpuUsage();
        await dp.step(idx);
        const c = process.cpuUsage(c0);
        wall.push(performance.now() - t0);
        cpu.push((c.user + c.system) / 1000);
        t0 = performance.now();
        const sh = shardGradients(s.model, s.vars, xs.subarray(0, half * size), ys.subarray(0, half), spec, 0.5);
        sh.loss.dataSync();
        disposeShard(sh);
        own.push(performance.now() - t0);
      }
      const w = median(wall);
      const o = median(own);
      out.push(`threads: a 2-thread step ${w.toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU (both threads; one thread: ${median(stepCpu).toFixed(1)}); ` +
        `the coordinator's own ${half}-sample shard alone ${o.toFixed(1)} ms wall; the rest of the step's wall time — waiting at the barrier for the other ` +
        `shard, the gradient sum, the optimizer and publishing the weights — ${(w - o).toFixed(1)} ms (${(100 * (w - o) / w).toFixed(0)}%)`);
    } finally {
      await dp.close();
    }
  }
  console.log(out.join('\n'));
}

main().catch((e: unknown) => {
  console.error(`profile-train: ${(e as Error).message}`);
  process.exit(1);
});
