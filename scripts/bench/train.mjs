// Training throughput: samples/s of one optimizer step (forward, backward, Bop/Adam update, flip counting, the one
// readback per step) for the binary MLP and CNN examples next to full-precision networks of the same shapes, in the
// same process and backend, on the trainer's single-thread path and on its data-parallel path with 2 threads
// (src/core/train/parallel.ts), alternating all four configurations so machine load hits them alike. Reported
// twice: wall clock, and per CPU-second of the process (process.cpuUsage, all its threads), which stays meaningful on
// a shared, loaded machine. When Debian's python3 has torch, PyTorch trains the same binary networks (python/bnn_torch,
// scripts/bench/torch-train.py) with the same batch and thread counts, its step blocks interleaved with the others.
// Fashion-MNIST accuracy after 10 epochs is its own section, scripts/bench/train-accuracy.mjs (with BNN_BENCH_FMNIST=1,
// `npm run bench -- train` runs it too).
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

// Debian's interpreter: python3-torch installs there (a pyenv python3 without torch may come first on PATH)
const PYTHON = '/usr/bin/python3';

/** PyTorch's version when Debian's python3 has it, else why the comparison is skipped. */
function torchAvailable() {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) return { missing: `${PYTHON} not found (${r.error.code})` };
  if (r.status !== 0) return { missing: `${PYTHON} has no torch (apt-get install python3-torch)` };
  return { version: r.stdout.trim() };
}

export const id = 'train';
export const title = 'Training (Bop on TensorFlow.js)';

const ENTRY = `
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { readFileSync as readText } from 'node:fs';
import { initBackend } from './src/core/train/backend';
import { BnnModel, encodeInputs } from './src/core/train/model';
import { CaseOptimizer } from './src/core/train/optimizers';
import { DataParallel } from './src/core/train/parallel';
import { trainStep } from './src/core/train/trainer';
import { loadModelText } from './src/core/model/load';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// PyTorch's side (scripts/bench/torch-train.py): one process per thread count, idle until sent a block of steps
async function startTorch(python, script, spec, batch, threads) {
  const specFile = join(tmpdir(), 'bnn-bench-torch-' + process.pid + '-' + threads + '.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const child = spawn(python, [script, specFile, String(batch), String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  child.on('exit', (code) => { for (const w of waiting.splice(0)) w.reject(new Error('PyTorch bench process exited with ' + code + ': ' + stderr.trim().split('\\n').slice(-3).join(' / '))); });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = await next();
  return {
    version: ready.torch,
    block: async (steps) => { const r = next(); child.stdin.write(steps + '\\n'); return r; },
    close: () => { child.stdin.end(); },
  };
}

// How many cores this process can get right now: two threads spin the same loop; CPU time ÷ wall time. (With the
// kernel's sched_autogroup, nice does not lower another session's share: one busy session elsewhere leaves one core.)
async function coresAvailable() {
  const { Worker } = await import('node:worker_threads');
  const spin = 'let x = 0; for (let i = 0; i < 2e8; i++) x += i * 1e-9;';
  const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", () => { ' + spin + ' parentPort.postMessage(0); }); parentPort.postMessage(0);', { eval: true });
  await new Promise((r) => w.once('message', r));
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const done = new Promise((r) => w.once('message', r));
  w.postMessage(0);
  new Function(spin)();
  await done;
  const cu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  await w.terminate();
  return (cu.user + cu.system) / 1000 / wall;
}

function floatTwin(spec) {
  return { ...spec, name: spec.name + '_float', layers: spec.layers.map((l) => (l.type === 'QuantDense' || l.type === 'QuantConv2D') ? { ...l, inputQuantizer: null, kernelQuantizer: null } : l) };
}

async function main() {
  const [file, backend, batchArg, stepsArg, roundsArg, threadsArg, python, torchScript] = process.argv.slice(2);
  const info = await initBackend(backend);
  const spec = loadModelText(readText(file, 'utf8'), file).spec;
  const batch = Number(batchArg), steps = Number(stepsArg), rounds = Number(roundsArg);
  const threadCounts = threadsArg.split(',').map(Number);
  const size = spec.input.shape.reduce((a, b) => a * b, 1);
  const images = Uint8Array.from({ length: batch * size }, (_, i) => (i * 2654435761) >>> 24);
  const labels = Uint8Array.from({ length: batch }, (_, i) => i % spec.classes);
  const idx = Uint32Array.from({ length: batch }, (_, i) => i);
  const xs = encodeInputs(images, idx, size);
  const ys = Int32Array.from(labels);
  const runs = [];
  for (const threads of threadCounts) {
    for (const [kind, s] of [['binary', spec], ['float', floatTwin(spec)]]) {
      const model = new BnnModel(s, { latent: false, seed: 1 });
      const opt = new CaseOptimizer({ kind: 'bop', lr: { kind: 'constant', value: 0.01 } }, model.trainableParams);
      const vars = model.trainableParams.map((p) => p.variable);
      // threads = 1 is the trainer's single-thread path (trainStep); more is the trainer's data-parallel path
      const dp = threads > 1 ? await DataParallel.start({ threads, model, optimizer: opt, backend: info.name, images, labels, latent: false, seed: 1 }) : undefined;
      const step = dp ? () => dp.step(idx) : async () => { const o = trainStep(model, opt, vars, xs, ys, s); o.dataSync(); o.dispose(); };
      for (let i = 0; i < 3; i++) await step();
      runs.push({ kind, threads, step, dp, wall: [], cpu: [] });
    }
    if (torchScript) {
      const torch = await startTorch(python, torchScript, spec, batch, threads);
      runs.push({ kind: 'torch', threads, torch, wall: [], cpu: [] });
    }
  }
  const load = [loadavg()[0]];
  const cores = [await coresAvailable()];
  // interleaved rounds, each starting one configuration later: machine load (and whatever a configuration leaves
  // behind, e.g. a thread's garbage collection) hits every configuration alike and in every position
  for (let r = 0; r < rounds; r++) for (let k = 0; k < runs.length; k++) {
    const n = runs[(r + k) % runs.length];
    if (n.torch) {
      const b = await n.torch.block(steps);
      n.wall.push(b.wallMs); n.cpu.push(b.cpuMs);
      continue;
    }
    const c0 = process.cpuUsage(); const t0 = performance.now();
    for (let i = 0; i < steps; i++) await n.step();
    const cu = process.cpuUsage(c0);
    n.wall.push((performance.now() - t0) / steps); n.cpu.push((cu.user + cu.system) / 1000 / steps);
  }
  load.push(loadavg()[0]);
  cores.push(await coresAvailable());
  for (const n of runs) { await n.dp?.close(); n.torch?.close(); }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const out = { backend: info.description, torch: runs.find((n) => n.torch)?.torch.version, load, cores, tensors: tf.memory().numTensors, runs: runs.map((n) => ({ kind: n.kind, threads: n.threads, wallMs: med(n.wall), cpuMs: med(n.cpu) })) };
  console.log(JSON.stringify(out));
}
main().catch((e) => { console.error(e.stack); process.exit(1); });
`;

export async function run(ctx) {
  const script = await ctx.bundle('train-throughput', ENTRY);
  // the data-parallel threads' code, found by the trainer next to the bundle that starts them
  await ctx.bundle('trainThread', `import './src/core/train/thread';`);
  // the bundles load the .wasm files from node_modules (the product loads them from dist/)
  const rows = [];
  const speedRows = [];
  const goals = [];
  const notes = [];
  const sps = (ms) => Math.round(100 / ms * 1000);
  const loads = [];
  const cores = [];
  const torch = torchAvailable();
  const torchRows = [];
  const torchGoals = [];
  for (const [file, goal] of [['examples/binary-mlp.bnn.json', 3000], ['examples/binary-cnn.bnn.json', 500]]) {
    const mlp = file.includes('mlp');
    // plain-JS cpu takes seconds per CNN step: it is only shown for the MLP on one thread, for scale
    for (const backend of mlp ? ['wasm', 'cpu'] : ['wasm']) {
      const threads = backend === 'wasm' ? '1,2' : '1';
      const withTorch = backend === 'wasm' && torch.version;
      const r = ctx.node(script, [join(ctx.root, file), backend, '100', backend === 'cpu' ? '3' : mlp ? '20' : '4', backend === 'cpu' ? '3' : '8', threads,
        ...(withTorch ? [PYTHON, join(ctx.root, 'scripts', 'bench', 'torch-train.py')] : [])]);
      loads.push(...r.load);
      if (backend === 'wasm') cores.push(...r.cores);
      const get = (kind, t) => r.runs.find((x) => x.kind === kind && x.threads === t);
      for (const t of threads.split(',').map(Number)) {
        const b = get('binary', t);
        const f = get('float', t);
        rows.push([file, r.backend, t, sps(b.wallMs), sps(f.wallMs), (f.wallMs / b.wallMs).toFixed(2), sps(b.cpuMs), sps(f.cpuMs), (f.cpuMs / b.cpuMs).toFixed(2)]);
      }
      if (backend !== 'wasm') continue;
      if (withTorch) {
        for (const t of threads.split(',').map(Number)) {
          const b = get('binary', t);
          const p = get('torch', t);
          torchRows.push([file, t, sps(b.wallMs), sps(p.wallMs), `${(p.wallMs / b.wallMs).toFixed(2)}×`, sps(b.cpuMs), sps(p.cpuMs), `**${(p.cpuMs / b.cpuMs).toFixed(2)}×**`]);
          torchGoals.push({ file, t, ratio: p.cpuMs / b.cpuMs });
        }
      }
      for (const kind of ['binary', 'float']) {
        const one = get(kind, 1);
        const two = get(kind, 2);
        speedRows.push([file, kind, sps(one.wallMs), sps(two.wallMs), `${(one.wallMs / two.wallMs).toFixed(2)}×`, (two.cpuMs / two.wallMs).toFixed(2),
          `${(one.cpuMs / two.cpuMs * 100).toFixed(0)}%`, `${(2 * one.cpuMs / two.cpuMs).toFixed(2)}×`]);
      }
      const b2 = get('binary', 2);
      const f2 = get('float', 2);
      const b1 = get('binary', 1);
      const f1 = get('float', 1);
      const verdict = (v, min, digits) => `${v >= min ? 'met' : 'not met'} (${v.toFixed(digits)})`;
      const wallRatio = Math.min(f1.wallMs / b1.wallMs, f2.wallMs / b2.wallMs);
      const cpuRatio = Math.min(f1.cpuMs / b1.cpuMs, f2.cpuMs / b2.cpuMs);
      goals.push([file, `≥ ${goal}`, verdict(sps(b2.wallMs), goal, 0), verdict(2 * sps(b2.cpuMs), goal, 0),
        '≥ 0.90', verdict(wallRatio, 0.9, 3), verdict(cpuRatio, 0.9, 3)]);
    }
  }
  notes.push(`Batch 100; Bop for binary kernels, Adam for the rest; "float" is the same network with every quantizer removed, trained in the same process, backend and run. Configurations alternate step blocks (median of 8 rounds, rotating the order), so load hits them alike. Load average during the measurements: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (2 cores shared with other jobs; benchmark processes at normal priority). Cores a process could get (two threads spinning, CPU-s per s, probed before and after each wasm measurement): ${cores.map((c) => c.toFixed(2)).join(', ')}. "threads = 1" is the trainer's single-thread path; "threads = 2" its data-parallel path (worker_threads, one model replica and wasm instance per thread, averaged gradients, one optimizer step). "per CPU-s" divides by the CPU time all of the process's threads got, the fair number on a loaded machine; wall clock is what a user waits. Parallel efficiency = CPU time per step on 1 thread ÷ on 2 (100%: threads add no work); a 2-thread step can only be faster in wall clock when the process gets more than one core, which the "cores … got" column shows. The 2-idle-core figures are projections from the measured CPU time per step (2 × efficiency), not measurements. A step of each thread ends in a barrier (the averaged gradient), so on a loaded machine a descheduled thread stalls the other.`);
  const torchSection = torch.version
    ? ['### Against PyTorch on the same CPU (same run)', '',
      ctx.table(['model', 'threads', 'BNN Studio samples/s (wall)', 'PyTorch samples/s (wall)', 'BNN Studio ÷ PyTorch (wall)', 'BNN Studio samples/CPU-s', 'PyTorch samples/CPU-s', 'BNN Studio ÷ PyTorch (per CPU-s)'], torchRows),
      '',
      `PyTorch ${torch.version} (Debian's python3-torch, CPU) trains the same binary network — python/bnn_torch, the exported PyTorch project's modules: BNN Studio's semantics, +1 padding of binarized inputs, Bop on the binary kernels and Adam on the rest, flip counts read back every step — on the same synthetic batch of 100, with torch.set_num_threads equal to the thread count (BNN Studio: its data-parallel threads). Its step blocks are interleaved with the TensorFlow.js configurations above (scripts/bench/torch-train.py; the process idles between its blocks), CPU time from time.process_time (all its threads). Goal (binary-cnn): at least PyTorch's samples per CPU-second — ${torchGoals.filter((g) => g.file.includes('cnn')).map((g) => `${g.t} thread${g.t > 1 ? 's' : ''}: ${g.ratio >= 1 ? 'met' : 'not met'} (${g.ratio.toFixed(2)}×)`).join(', ')}.`, '']
    : [`PyTorch comparison skipped: ${torch.missing}.`, ''];
  return [
    ctx.table(['model', 'backend', 'threads', 'binary samples/s (wall)', 'float samples/s (wall)', 'binary/float (wall)', 'binary samples/CPU-s', 'float samples/CPU-s', 'binary/float (CPU)'], rows),
    '',
    '### Data-parallel speed-up (wasm, same run)',
    '',
    ctx.table(['model', 'network', '1 thread samples/s (wall)', '2 threads samples/s (wall)', 'speed-up (wall, this load)', 'cores the 2 threads got (CPU-s per s)', 'parallel efficiency (CPU)', 'speed-up on 2 idle cores at this efficiency'], speedRows),
    '',
    '### Goals (wasm, 2 threads, binary)',
    '',
    ctx.table(['model', 'goal samples/s', 'measured (wall, this load)', '2 × samples/CPU-s (2 idle cores at this efficiency)', 'goal binary/float', 'measured, wall (lower of 1 and 2 threads)', 'measured, per CPU-s (lower of 1 and 2 threads)'], goals),
    '',
    notes.join('\n'),
    '',
    ...torchSection,
    'Fashion-MNIST accuracy after 10 epochs: the next section (`npm run bench -- train-accuracy`).',
  ].join('\n');
}
