// Training throughput: samples/s of one optimizer step (forward, backward, Bop/Adam update, flip counting, the one
// readback per step) for the binary MLP and CNN examples next to full-precision networks of the same shapes, in the
// same process and backend, alternating binary and float runs so machine load hits both alike. Reported twice: wall
// clock, and per CPU-second of the process (process.cpuUsage), which stays meaningful on a shared, loaded machine.
// Fashion-MNIST accuracy after 10 epochs is its own section, scripts/bench/train-accuracy.mjs (with BNN_BENCH_FMNIST=1,
// `npm run bench -- train` runs it too).
import { join } from 'node:path';

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
  return [
    ctx.table(['model', 'backend', 'binary samples/s (wall)', 'float samples/s (wall)', 'binary/float', 'binary samples/CPU-s', 'float samples/CPU-s', 'goal (binary, wasm)'], rows),
    '',
    notes.join('\n'),
    '',
    'Fashion-MNIST accuracy after 10 epochs: the next section (`npm run bench -- train-accuracy`).',
  ].join('\n');
}
