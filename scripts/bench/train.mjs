// Training throughput: samples/s of one optimizer step (forward, backward, Bop/Adam update, flip counting, the one
// readback per step) for the binary MLP and CNN examples next to full-precision networks of the same shapes, in the
// same process and backend, alternating binary and float runs so machine load hits both alike. Reported twice: wall
// clock, and per CPU-second of the process (process.cpuUsage), which stays meaningful on a shared, loaded machine.
// With BNN_BENCH_FMNIST=1 it also trains both examples on the full Fashion-MNIST (Debian's dataset-fashion-mnist) for
// 10 epochs with Bop and with the latent-weight baseline and reports test accuracy (long: tens of minutes).
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export const id = 'train';
export const title = 'Training (Bop on TensorFlow.js)';

const ENTRY = `
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './src/core/train/backend';
import { BnnModel, encodeInputs } from './src/core/train/model';
import { CaseOptimizer } from './src/core/train/optimizers';
import { trainStep } from './src/core/train/trainer';
import { loadModelText } from './src/core/model/load';

function floatTwin(spec) {
  return { ...spec, name: spec.name + '_float', layers: spec.layers.map((l) => (l.type === 'QuantDense' || l.type === 'QuantConv2D') ? { ...l, inputQuantizer: null, kernelQuantizer: null } : l) };
}

async function main() {
  const [file, backend, batchArg, stepsArg, roundsArg] = process.argv.slice(2);
  const info = await initBackend(backend);
  const spec = loadModelText(readFileSync(file, 'utf8'), file).spec;
  const batch = Number(batchArg), steps = Number(stepsArg), rounds = Number(roundsArg);
  const size = spec.input.shape.reduce((a, b) => a * b, 1);
  const u8 = Uint8Array.from({ length: batch * size }, (_, i) => (i * 2654435761) >>> 24);
  const xs = encodeInputs(u8, Uint32Array.from({ length: batch }, (_, i) => i), size);
  const ys = Int32Array.from({ length: batch }, (_, i) => i % spec.classes);
  const nets = [['binary', spec], ['float', floatTwin(spec)]].map(([kind, s]) => {
    const model = new BnnModel(s, { latent: false, seed: 1 });
    const opt = new CaseOptimizer({ kind: 'bop', lr: { kind: 'constant', value: 0.01 } }, model.trainableParams);
    const vars = model.trainableParams.map((p) => p.variable);
    const step = () => { const o = trainStep(model, opt, vars, xs, ys, s); o.dataSync(); o.dispose(); };
    for (let i = 0; i < 3; i++) step();
    return { kind, step, wall: [], cpu: [] };
  });
  for (let r = 0; r < rounds; r++) for (const n of nets) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    for (let i = 0; i < steps; i++) n.step();
    const cu = process.cpuUsage(c0);
    n.wall.push((performance.now() - t0) / steps); n.cpu.push((cu.user + cu.system) / 1000 / steps);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const out = { backend: info.description, tensors: tf.memory().numTensors };
  for (const n of nets) out[n.kind] = { wallMs: med(n.wall), cpuMs: med(n.cpu) };
  console.log(JSON.stringify(out));
}
main();
`;

function fmnistAccuracy(ctx) {
  const rows = [];
  for (const model of ['binary-mlp', 'binary-cnn']) {
    for (const opt of ['bop', 'latent']) {
      const exp = ctx.scratch(`fmnist-${model}-${opt}`);
      const r = spawnSync(process.execPath, [join(ctx.root, 'bin', 'bnn.js'), 'train', join(ctx.root, 'examples', `${model}.bnn.json`), '--data', 'fashion-mnist', '--epochs', '10', '--optimizer', opt, '--experiments', exp, '--json'], { cwd: ctx.root, encoding: 'utf8', maxBuffer: 1 << 30 });
      const last = r.stderr.trim().split('\n').pop();
      let st;
      try { st = JSON.parse(last).status; } catch { throw new Error(`${model} ${opt}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`); }
      const goal = model === 'binary-mlp' ? 0.87 : 0.9;
      rows.push([`examples/${model}.bnn.json`, opt, `${(st.final.testAccuracy * 100).toFixed(2)}%`, `${(st.final.valAccuracy * 100).toFixed(2)}%`, `≥ ${goal * 100}%`]);
    }
  }
  return ctx.table(['model', 'optimizer (defaults)', 'test accuracy', 'val accuracy', 'goal'], rows);
}

export async function run(ctx) {
  const script = await ctx.bundle('train-throughput', ENTRY);
  // the bundle loads the .wasm files from node_modules (the product loads them from dist/)
  const rows = [];
  const notes = [];
  for (const [file, goal] of [['examples/binary-mlp.bnn.json', 3000], ['examples/binary-cnn.bnn.json', 500]]) {
    // plain-JS cpu takes seconds per CNN step: it is only shown for the MLP, for scale
    for (const backend of file.includes('mlp') ? ['wasm', 'cpu'] : ['wasm']) {
      const r = ctx.node(script, [join(ctx.root, file), backend, '100', file.includes('mlp') ? '20' : '4', '3']);
      const sps = (ms) => Math.round(100 / ms * 1000);
      rows.push([file, r.backend, sps(r.binary.wallMs), sps(r.float.wallMs), (r.float.wallMs / r.binary.wallMs).toFixed(2),
        sps(r.binary.cpuMs), sps(r.float.cpuMs), backend === 'wasm' ? `≥ ${goal} (2 cores)` : '—']);
    }
  }
  notes.push('Batch 100, one trainer process (one core: tfjs-wasm starts no threads in Node, and data-parallel worker threads are not implemented), Bop for binary kernels, Adam for the rest. "per CPU-s" divides by the CPU time the process actually got, which is the fair number on a loaded machine; wall clock is what a user waits.');
  let acc = '_Fashion-MNIST accuracy: not run (set BNN_BENCH_FMNIST=1; it trains 4 runs of 10 epochs on the full 60,000 images)._';
  if (process.env.BNN_BENCH_FMNIST === '1') acc = fmnistAccuracy(ctx);
  return [
    ctx.table(['model', 'backend', 'binary samples/s (wall)', 'float samples/s (wall)', 'binary/float', 'binary samples/CPU-s', 'float samples/CPU-s', 'goal (binary, wasm)'], rows),
    '',
    notes.join('\n'),
    '',
    '### Fashion-MNIST, 10 epochs',
    '',
    acc,
  ].join('\n');
}
