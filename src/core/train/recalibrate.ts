/**
 * Re-estimating BatchNormalization's moving statistics with the weights a run ends an epoch with.
 *
 * Why: the moving mean and variance are averages (momentum 0.99: the last ~100 steps) over batches computed with
 * *earlier* weights. Bop keeps flipping a share of the binary weights every step — most in a small first conv (a
 * flip of one of 9 weights changes that filter's output a lot) — so at the end of an epoch the averages describe
 * kernels the model no longer has, and inference (which uses them, as the compiled C does) tests well below training
 * accuracy. Measured on the binary-cnn template after 10 epochs: latent 82.7% → 89.0%, Bop 87.2% → 88.8% on the
 * Fashion-MNIST test set with nothing but these statistics changed (docs/training.md).
 *
 * How: training-mode forward passes (each BN layer normalises with its batch's statistics, exactly as in training, so
 * every later layer sees what it was trained on) over a fixed share of the *training* images, batch by batch; each
 * layer's statistics are pooled exactly over all of them (mean of the batch means; mean of the within-batch variances
 * plus the spread of the batch means = the variance over every position of every image). No weight changes, so the
 * training trajectory is the same with or without it; only the moving statistics, and hence validation, test and the
 * saved checkpoints, differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { encodeInputs, type BatchStats, type BnnModel } from './model';

/**
 * Sets every BatchNormalization layer's moving mean and variance to the statistics of `indices`' images, in batches
 * of `batchSize`. Batches are taken in the order given; batch sizes only change how much of one earlier BN layer's
 * batch noise a later layer sees, as in training. Between batches it yields to the event loop and asks `cancelled`
 * (a trainer's Cancel must not wait for the whole pass); a cancelled pass changes nothing and resolves false.
 */
export async function recalibrateBatchNorm(model: BnnModel, images: Uint8Array, indices: Uint32Array, sampleSize: number, batchSize: number, cancelled: () => boolean = () => false): Promise<boolean> {
  const bn = model.batchNormLayers;
  if (bn.length === 0 || indices.length === 0) return true;
  // per layer: Σ n·mean, Σ n·(var + mean²) over batches — the first two moments of all positions (in float64)
  const sum1: Float64Array[] = [];
  const sum2: Float64Array[] = [];
  let total = 0;
  const shape = model.spec.input.shape;
  for (let from = 0; from < indices.length; from += batchSize) {
    if (from > 0) await new Promise<void>((res) => setImmediate(res));
    if (cancelled()) return false;
    const idx = indices.subarray(from, Math.min(from + batchSize, indices.length));
    const xs = encodeInputs(images, idx, sampleSize);
    const stats: BatchStats = [];
    const packed = tf.tidy(() => {
      model.forward(tf.tensor(xs, [idx.length, ...shape]), true, undefined, stats);
      return tf.concat(stats.flatMap((s) => [tf.reshape(s.mean, [-1]), tf.reshape(s.variance, [-1])]));
    });
    const flat = packed.dataSync();
    packed.dispose();
    let at = 0;
    const n = idx.length;
    bn.forEach((_, l) => {
      const c = stats[l].mean.size;
      sum1[l] ??= new Float64Array(c);
      sum2[l] ??= new Float64Array(c);
      for (let i = 0; i < c; i++) {
        const m = flat[at + i];
        const v = flat[at + c + i];
        sum1[l][i] += n * m;
        sum2[l][i] += n * (v + m * m);
      }
      at += 2 * c;
    });
    total += n;
  }
  bn.forEach((layer, l) => {
    const mean = new Float32Array(sum1[l].length);
    const variance = new Float32Array(sum1[l].length);
    for (let i = 0; i < mean.length; i++) {
      const m = sum1[l][i] / total;
      mean[i] = m;
      variance[i] = Math.max(sum2[l][i] / total - m * m, 0);
    }
    const mm = model.byName.get(`${layer.name}/moving_mean`)!.variable;
    const mv = model.byName.get(`${layer.name}/moving_variance`)!.variable;
    tf.tidy(() => {
      mm.assign(tf.tensor(mean, mm.shape));
      mv.assign(tf.tensor(variance, mv.shape));
    });
  });
  return true;
}
