/**
 * What every data-parallel replica computes for its shard of a batch — loss, gradients, BatchNormalization batch
 * statistics — and the layout of the shared buffers that carry weights and results between threads. Used by the
 * coordinator (its own shard) and by every training thread, so both compute exactly the same thing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../model/spec';
import type { BatchStats, BnnModel } from './model';

export interface ShardResult {
  /** Mean cross-entropy over the shard, times the shard's weight. */
  loss: tf.Scalar;
  correct: tf.Scalar;
  /** Gradient of the shard's weighted mean loss for every trainable parameter, in model.trainableParams order. */
  grads: tf.Tensor[];
  /** Batch mean and variance of every BatchNormalization layer, in layer order. */
  stats: BatchStats;
}

/**
 * Forward and backward pass of one shard; nothing is updated. The loss is scaled by `weight` (the shard's share of
 * the batch) before differentiation, so the batch's gradient is the plain sum of the shards' — one add per thread
 * instead of a scale and an add over every weight. The caller disposes the result (disposeShard).
 */
export function shardGradients(model: BnnModel, vars: tf.Variable[], xs: Float32Array, ys: Int32Array, spec: ModelSpec, weight: number): ShardResult {
  const n = ys.length;
  const size = spec.input.shape.reduce((a, b) => a * b, 1);
  const stats: BatchStats = [];
  let correct: tf.Scalar | undefined;
  const r = tf.tidy(() => {
    const x = tf.tensor(xs.subarray(0, n * size), [n, ...spec.input.shape]);
    const y = tf.tensor1d(ys, 'int32');
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.forward(x, true, undefined, stats);
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))) as tf.Scalar;
      for (const s of stats) { tf.keep(s.mean); tf.keep(s.variance); }
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, spec.classes), logits) as tf.Scalar;
      return weight === 1 ? loss : tf.mul(loss, weight) as tf.Scalar;
    }, vars);
    return { value, grads: model.trainableParams.map((p) => grads[p.variable.name]) };
  });
  return { loss: r.value, correct: correct!, grads: r.grads, stats };
}

export function disposeShard(r: ShardResult): void {
  tf.dispose([r.loss, r.correct, ...r.grads]);
  for (const s of r.stats) tf.dispose([s.mean, s.variance]);
}

/** Offsets (in float32 elements) of each trainable parameter in the weights buffer and of each result part. */
export interface ShardLayout {
  /** [offset, length] of every trainable parameter (weights buffer and the gradient part of a result buffer). */
  params: Array<[number, number]>;
  /** [offset, channels] of every BatchNormalization layer's mean; its variance follows right after. */
  stats: Array<[number, number]>;
  weightFloats: number;
  resultFloats: number;
}

export function shardLayout(model: BnnModel): ShardLayout {
  const params: Array<[number, number]> = [];
  let off = 0;
  for (const p of model.trainableParams) {
    params.push([off, p.variable.size]);
    off += p.variable.size;
  }
  const weightFloats = off;
  const stats: Array<[number, number]> = [];
  for (const p of model.params) {
    if (p.kind !== 'moving_mean') continue;
    const c = p.variable.size;
    stats.push([off, c]);
    off += 2 * c;
  }
  return { params, stats, weightFloats, resultFloats: off };
}

/** Splits a batch's sample indices into `parts` contiguous shards, sizes differing by at most one (larger first). */
export function splitShards(idx: Uint32Array, parts: number): Uint32Array[] {
  const base = Math.floor(idx.length / parts);
  const rem = idx.length % parts;
  const out: Uint32Array[] = [];
  let from = 0;
  for (let i = 0; i < parts; i++) {
    const n = base + (i < rem ? 1 : 0);
    out.push(idx.subarray(from, from + n));
    from += n;
  }
  return out;
}
