/**
 * Data-parallel training on worker threads (tfjs-wasm starts no threads of its own in Node, so this is how a run uses
 * more than one core). The coordinator — the trainer's own thread, holding the master model and the optimizer —
 * splits each batch into one contiguous shard per thread, computes shard 0 itself while threads 1…N−1 compute theirs
 * on their own model replicas, then:
 * - averages the gradients weighted by shard size (= the gradient of the batch's mean loss) and applies ONE optimizer
 *   step: Bop acts on the averaged gradient, Adam on the non-binary parameters likewise, so the update is the
 *   single-thread one given the gradient;
 * - BatchNormalization: each shard normalises with its own batch statistics, as tf.distribute.MirroredStrategy does by
 *   default (not synchronised BatchNorm), so gradients differ slightly from one thread on the whole batch. The moving
 *   mean and variance are updated once, from the shards' statistics pooled exactly (mean of the means; within-shard
 *   variances plus the spread of the shard means), i.e. with the whole batch's mean and (biased) variance — the value
 *   one thread would have used;
 * - the new weights go to the threads through a shared buffer before the next step.
 * Bulk data never crosses as messages: images, labels, weights and each thread's gradients live in
 * SharedArrayBuffers. Reductions run in a fixed order, so a seed, backend and thread count give identical runs.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../model/spec';
import { PROTOCOL_VERSION, type CoordinatorToThread, type ThreadToCoordinator } from '../messages';
import type { BnnModel } from './model';
import type { CaseOptimizer } from './optimizers';
import { disposeShard, shardGradients, shardLayout, splitShards, type ShardLayout } from './shard';
import { threadEntry } from './threads';
import { encodeShard, type AugmentSetup } from './augment';

export interface DataParallelOptions {
  threads: number;
  model: BnnModel;
  optimizer: CaseOptimizer;
  /** Forced backend name for the threads: the coordinator's own. */
  backend: string;
  images: Uint8Array;
  labels: Uint8Array;
  latent: boolean;
  seed: number;
  augment?: AugmentSetup;
}

/** [mean loss, correct, flips per binary parameter…] — what trainStep's readback holds. */
export type StepOutcome = Float64Array;

type StepDone = Extract<ThreadToCoordinator, { type: 'stepDone' }>;

interface Thread {
  index: number;
  worker: Worker;
  result: Float32Array;
  waiting?: { seq: number; resolve: (m: StepDone) => void; reject: (e: Error) => void };
  tensors: number;
}

function toShared(a: Uint8Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(Math.max(a.byteLength, 1));
  new Uint8Array(sab).set(a);
  return sab;
}

export class DataParallel {
  private readonly threads: Thread[] = [];
  private readonly layout: ShardLayout;
  private readonly weights: Float32Array;
  private readonly vars: tf.Variable[];
  private readonly spec: ModelSpec;
  private readonly size: number;
  private readonly bn: Array<{ mean: tf.Variable; variance: tf.Variable; momentum: number }> = [];
  private weightsStale = true;
  private seq = 0;
  private broken?: Error;
  private closing = false;

  private constructor(private readonly o: DataParallelOptions) {
    this.spec = o.model.spec;
    this.layout = shardLayout(o.model);
    this.weights = new Float32Array(new SharedArrayBuffer(this.layout.weightFloats * 4));
    this.vars = o.model.trainableParams.map((p) => p.variable);
    this.size = this.spec.input.shape.reduce((a, b) => a * b, 1);
    for (const l of o.model.batchNormLayers) {
      const get = (k: string): tf.Variable => o.model.byName.get(`${l.name}/${k}`)!.variable;
      this.bn.push({ mean: get('moving_mean'), variance: get('moving_variance'), momentum: l.momentum });
    }
  }

  /** Starts threads 1…threads−1 and waits until each has its backend and replica. */
  static async start(o: DataParallelOptions): Promise<DataParallel> {
    const dp = new DataParallel(o);
    try {
      await dp.spawn();
    } catch (err) {
      await dp.close();
      throw err;
    }
    return dp;
  }

  get threadCount(): number {
    return this.o.threads;
  }

  /** The worker_threads of threads 2…N (fault tests terminate one). */
  workers(): Worker[] {
    return this.threads.map((t) => t.worker);
  }

  /** Live tensor count of every thread after its last step (the coordinator's is tf.memory()). */
  threadTensorCounts(): number[] {
    return this.threads.map((t) => t.tensors);
  }

  private async spawn(): Promise<void> {
    const entry = threadEntry();
    const images = toShared(this.o.images);
    const labels = toShared(this.o.labels);
    const ready: Array<Promise<unknown>> = [];
    for (let index = 1; index < this.o.threads; index++) {
      const worker = entry.kind === 'file' ? new Worker(entry.file) : new Worker(entry.code, { eval: true });
      const resultSab = new SharedArrayBuffer(this.layout.resultFloats * 4);
      const t: Thread = { index, worker, result: new Float32Array(resultSab), tensors: 0 };
      this.threads.push(t);
      ready.push(new Promise<void>((resolve, reject) => {
        t.waiting = { seq: -1, resolve: () => resolve(), reject };
      }));
      worker.on('message', (m: ThreadToCoordinator) => this.onMessage(t, m));
      worker.on('error', (err) => this.fail(t, err.stack ?? err.message));
      worker.on('messageerror', (err) => this.fail(t, `unreadable message: ${err.message}`));
      worker.on('exit', (code) => { if (!this.closing) this.fail(t, `exited with code ${code}`); });
      const init: CoordinatorToThread = {
        v: PROTOCOL_VERSION, type: 'init',
        init: { thread: index, spec: this.spec, latent: this.o.latent, seed: this.o.seed, backend: this.o.backend, images, labels, weights: this.weights.buffer as SharedArrayBuffer, result: resultSab, augment: this.o.augment },
      };
      worker.postMessage(init);
    }
    await Promise.all(ready);
  }

  private onMessage(t: Thread, m: ThreadToCoordinator): void {
    if (!m || m.v !== PROTOCOL_VERSION) return this.fail(t, `sent a message of protocol version ${(m as { v?: unknown })?.v} (expected ${PROTOCOL_VERSION})`);
    if (m.type === 'error') return this.fail(t, m.message);
    const w = t.waiting;
    if (m.type === 'ready' && w?.seq === -1) {
      t.waiting = undefined;
      w.resolve(undefined as unknown as StepDone);
    } else if (m.type === 'stepDone' && w?.seq === m.seq) {
      t.waiting = undefined;
      t.tensors = m.tensors;
      w.resolve(m);
    } else {
      this.fail(t, `unexpected '${m.type}' message`);
    }
  }

  /** A thread died or misbehaved: the pool is unusable; every pending and later step fails with the reason. */
  private fail(t: Thread, reason: string): void {
    if (this.closing && !t.waiting) return;
    const err = new Error(`training thread ${t.index + 1} of ${this.o.threads} failed: ${reason.split('\n').slice(0, 6).join('\n')}`);
    this.broken ??= err;
    for (const th of this.threads) {
      const w = th.waiting;
      th.waiting = undefined;
      w?.reject(this.broken);
    }
  }

  private run(t: Thread, seq: number, indices: Uint32Array, weight: number, step: number, offset: number): Promise<StepDone> {
    return new Promise<StepDone>((resolve, reject) => {
      t.waiting = { seq, resolve, reject };
      t.worker.postMessage({ v: PROTOCOL_VERSION, type: 'step', seq, indices, weight, step, offset } satisfies CoordinatorToThread);
    });
  }

  private publishWeights(): void {
    this.o.model.trainableParams.forEach((p, j) => this.weights.set(p.variable.dataSync() as Float32Array, this.layout.params[j][0]));
    this.weightsStale = false;
  }

  /** One optimizer step on the batch of these training-sample indices (`step`: the run's step, for augmentation). */
  async step(idx: Uint32Array, step = 0): Promise<StepOutcome> {
    if (this.broken) throw this.broken;
    const n = idx.length;
    const shards = splitShards(idx, this.o.threads);
    if (this.weightsStale) this.publishWeights();
    const seq = ++this.seq;
    const pending: Array<Promise<StepDone>> = [];
    const busy: Thread[] = [];
    const offsets = shards.map((_, i) => shards.slice(0, i).reduce((a, s) => a + s.length, 0));
    for (const t of this.threads) {
      if (shards[t.index].length === 0) continue;
      pending.push(this.run(t, seq, shards[t.index], shards[t.index].length / n, step, offsets[t.index]));
      busy.push(t);
    }
    // a rejection must not go unhandled while the coordinator computes its own shard
    const all = Promise.all(pending);
    all.catch(() => undefined);

    const own = shards[0];
    const xs = encodeShard(this.o.images, own, this.size, this.o.augment, step, 0);
    const ys = new Int32Array(own.length);
    for (let i = 0; i < own.length; i++) ys[i] = this.o.labels[own[i]];
    const w0 = own.length / n;
    const mine = shardGradients(this.o.model, this.vars, xs, ys, this.spec, w0);
    try {
      const done = await all;
      const wt = busy.map((t) => shards[t.index].length / n);
      const pooled = this.poolStats(mine.stats.map((s) => [s.mean.dataSync() as Float32Array, s.variance.dataSync() as Float32Array]), w0, busy, wt);
      const out = tf.tidy(() => {
        const byName: Record<string, tf.Tensor> = {};
        this.o.model.trainableParams.forEach((p, j) => {
          const [off, len] = this.layout.params[j];
          // gradients of the weighted losses: the batch's gradient is their sum. A view of the shared buffer
          // suffices: the tensor is consumed here, and the thread writes again only in its next step.
          let g = mine.grads[j];
          for (const t of busy) g = tf.add(g, tf.tensor(t.result.subarray(off, off + len), p.shape));
          byName[p.name] = g;
        });
        const flips = this.o.optimizer.apply(byName);
        this.bn.forEach((b, l) => {
          const k = b.momentum;
          b.mean.assign(tf.add(tf.mul(b.mean, k), tf.mul(tf.tensor(pooled[l][0], b.mean.shape), 1 - k)));
          b.variance.assign(tf.add(tf.mul(b.variance, k), tf.mul(tf.tensor(pooled[l][1], b.variance.shape), 1 - k)));
        });
        return tf.stack([mine.loss, mine.correct, ...flips]);
      });
      const r = Float64Array.from(out.dataSync());
      out.dispose();
      this.weightsStale = true;
      done.forEach((d) => { r[0] += d.loss; r[1] += d.correct; });
      return r;
    } finally {
      disposeShard(mine);
    }
  }

  /** The batch's mean and biased variance per BatchNormalization layer from the shards' (exact pooling). */
  private poolStats(own: Array<[Float32Array, Float32Array]>, w0: number, busy: Thread[], wt: number[]): Array<[Float32Array, Float32Array]> {
    return own.map(([m0, v0], l) => {
      const [off, c] = this.layout.stats[l];
      const parts = [{ m: m0, v: v0, w: w0 }, ...busy.map((t, k) => ({ m: t.result.subarray(off, off + c), v: t.result.subarray(off + c, off + 2 * c), w: wt[k] }))];
      const mean = new Float32Array(c);
      const variance = new Float32Array(c);
      for (let i = 0; i < c; i++) {
        let mu = 0;
        for (const p of parts) mu += p.w * p.m[i];
        let v = 0;
        for (const p of parts) v += p.w * (p.v[i] + (p.m[i] - mu) * (p.m[i] - mu));
        mean[i] = mu;
        variance[i] = v;
      }
      return [mean, variance];
    });
  }

  /** Stops every thread (waits for them to exit). */
  async close(): Promise<void> {
    this.closing = true;
    this.broken ??= new Error('the training threads were closed');
    for (const t of this.threads) {
      const w = t.waiting;
      t.waiting = undefined;
      w?.reject(this.broken);
    }
    await Promise.all(this.threads.map((t) => t.worker.terminate().catch(() => undefined)));
  }
}
