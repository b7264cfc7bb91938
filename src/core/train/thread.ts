/**
 * A data-parallel training thread (worker_threads; run from dist/trainWorker.js, see processEntry.ts). It holds its own TensorFlow.js
 * engine and backend instance — module state is per thread — and a replica of the model. For every `step` it loads
 * the coordinator's current weights from the shared weights buffer, computes the loss and gradients of its shard and
 * writes them (and its BatchNormalization batch statistics) into its own shared result buffer. It never updates
 * weights: the coordinator applies the one optimizer step.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { PROTOCOL_VERSION, type CoordinatorToThread, type ThreadInit, type ThreadToCoordinator } from '../messages';
import { initBackend } from './backend';
import { BnnModel } from './model';
import { encodeShard } from './augment';
import { disposeShard, shardGradients, shardLayout, type ShardLayout } from './shard';

interface Replica {
  init: ThreadInit;
  model: BnnModel;
  vars: tf.Variable[];
  layout: ShardLayout;
  images: Uint8Array;
  labels: Uint8Array;
  weights: Float32Array;
  result: Float32Array;
  size: number;
}

let replica: Replica | undefined;

function post(m: ThreadToCoordinator): void {
  parentPort!.postMessage(m);
}

async function init(i: ThreadInit): Promise<void> {
  const backend = await initBackend(i.backend);
  const model = new BnnModel(i.spec, { latent: i.latent, seed: i.seed });
  const layout = shardLayout(model);
  const weights = new Float32Array(i.weights);
  const result = new Float32Array(i.result);
  if (weights.length !== layout.weightFloats || result.length !== layout.resultFloats) {
    throw new Error(`thread ${i.thread}: shared buffers do not match the model (${weights.length}/${layout.weightFloats} weights, ${result.length}/${layout.resultFloats} results)`);
  }
  replica = {
    init: i, model, vars: model.trainableParams.map((p) => p.variable), layout, images: new Uint8Array(i.images), labels: new Uint8Array(i.labels),
    weights, result, size: i.spec.input.shape.reduce((a, b) => a * b, 1),
  };
  post({ v: PROTOCOL_VERSION, type: 'ready', thread: i.thread, backend: backend.description });
}

function step(seq: number, indices: Uint32Array, weight: number, stepNo: number, offset: number): void {
  const r = replica;
  if (!r) throw new Error('step before init');
  const { model, layout } = r;
  // Views of the shared buffer, no copy: the coordinator writes weights only while no thread is in a step (the cpu
  // backend may keep the view as the variable's storage until the next step's assign replaces it).
  tf.tidy(() => model.trainableParams.forEach((p, j) => {
    const [off, len] = layout.params[j];
    p.variable.assign(tf.tensor(r.weights.subarray(off, off + len), p.shape));
  }));
  const xs = encodeShard(r.images, indices, r.size, r.init.augment, stepNo, offset);
  const ys = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) ys[i] = r.labels[indices[i]];
  const out = shardGradients(model, r.vars, xs, ys, r.init.spec, weight);
  try {
    // each readback outside any tidy (a large dataSync() returned out of tidy is slow)
    out.grads.forEach((g, j) => r.result.set(g.dataSync() as Float32Array, layout.params[j][0]));
    out.stats.forEach((s, l) => {
      const [off, c] = layout.stats[l];
      r.result.set(s.mean.dataSync() as Float32Array, off);
      r.result.set(s.variance.dataSync() as Float32Array, off + c);
    });
    const loss = out.loss.dataSync()[0];
    const correct = out.correct.dataSync()[0];
    disposeShard(out);
    post({ v: PROTOCOL_VERSION, type: 'stepDone', seq, loss, correct, tensors: tf.memory().numTensors });
  } catch (err) {
    disposeShard(out);
    throw err;
  }
}

function fail(err: unknown): void {
  const e = err as Error;
  post({ v: PROTOCOL_VERSION, type: 'error', message: e?.stack ?? String(err) });
}

if (parentPort) {
  parentPort.on('message', (m: CoordinatorToThread) => {
    if (!m || m.v !== PROTOCOL_VERSION) {
      fail(new Error(`dropped a message of protocol version ${(m as { v?: unknown })?.v} (expected ${PROTOCOL_VERSION})`));
      return;
    }
    try {
      if (m.type === 'init') init(m.init).catch(fail);
      else if (m.type === 'step') step(m.seq, m.indices, m.weight, m.step, m.offset);
    } catch (err) {
      fail(err);
    }
  });
}
