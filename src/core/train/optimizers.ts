/**
 * The update rules, as pure tensor functions (tested against hand-computed values) plus the CaseOptimizer-style
 * dispatcher the trainer uses: binary kernels go to Bop / Bop2ndOrder, every other trainable parameter to Adam —
 * or, for the latent baseline, everything to Adam with the binary latent weights clipped to [−1, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../experiments/types';
import { scheduleValue } from './schedules';

import { ADAM_DEFAULTS, BOP2_DEFAULTS, BOP_DEFAULTS } from './defaults';

export { ADAM_DEFAULTS, BOP2_DEFAULTS, BOP_DEFAULTS, LATENT_DEFAULT_LR } from './defaults';

/**
 * New binary weights as Larq computes them: sign(−sign(w·m − τ)·w) with sign(0) = +1. So a weight flips when
 * w·m > τ, stays when w·m < τ, and at exactly w·m = τ becomes +1 (Larq's quirk, kept for exactness).
 */
export function flipRule(w: tf.Tensor, score: tf.Tensor, threshold: tf.Scalar | number): tf.Tensor {
  // Exactly one of gt (s > 0), lt (s < 0), tie (s = 0) is 1: w' = w·(lt − gt) + tie. tf.step is exact on wasm,
  // unlike tf.sign, which there returns 0 for |x| below ~1e-10 — the very range of Bop's w·m − τ.
  return tf.tidy(() => {
    const s = tf.sub(score, threshold);
    const gt = tf.step(s, 0);
    const lt = tf.step(tf.neg(s), 0);
    const tie = tf.sub(1, tf.add(gt, lt));
    return tf.add(tf.mul(w, tf.sub(lt, gt)), tie);
  });
}

/** Flipped weights between two ±1 tensors: Σ w·w' = same − different, so different = (n − Σ w·w')/2. */
export function countFlipsPm(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sub(a.size, tf.sum(tf.mul(a, b))), 2) as tf.Scalar);
}

/** Bop: m ← m + γ(g − m) ≡ (1−γ)m + γg; then the flip rule on w·m. */
export function bopUpdate(w: tf.Tensor, m: tf.Tensor, g: tf.Tensor, gamma: number, threshold: number): { w: tf.Tensor; m: tf.Tensor } {
  return tf.tidy(() => {
    const mNew = tf.add(m, tf.mul(gamma, tf.sub(g, m)));
    return { w: flipRule(w, tf.mul(w, mNew), threshold), m: mNew };
  });
}

/** Bop2ndOrder: m as Bop, v ← v + σ(g² − v); flip when w·m/(√v + ε) > τ. */
export function bop2Update(
  w: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor,
  gamma: number, threshold: number, sigma: number, epsilon: number,
): { w: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  return tf.tidy(() => {
    const mNew = tf.add(m, tf.mul(gamma, tf.sub(g, m)));
    const vNew = tf.add(v, tf.mul(sigma, tf.sub(tf.square(g), v)));
    const score = tf.mul(w, tf.div(mNew, tf.add(tf.sqrt(vNew), epsilon)));
    return { w: flipRule(w, score, threshold), m: mNew, v: vNew };
  });
}

/** One Adam step (Keras formulation, bias correction folded into the step size). `t` is the 1-based iteration. */
export function adamUpdate(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, lr: number, t: number): { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
  return tf.tidy(() => {
    const mNew = tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, g));
    const vNew = tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(g)));
    const lrT = (lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
    const pNew = tf.sub(p, tf.mul(lrT, tf.div(mNew, tf.add(tf.sqrt(vNew), epsilon))));
    return { p: pNew, m: mNew, v: vNew };
  });
}

/** Number of elements whose sign (sign(0) = +1) differs between a and b, as a float scalar. */
export function countSignChanges(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.notEqual(tf.greaterEqual(a, 0), tf.greaterEqual(b, 0)), 'float32')) as tf.Scalar);
}

export interface TrainableParam {
  /** Keras-style weight name, e.g. "dense1/kernel". */
  name: string;
  variable: tf.Variable;
  /** Binary kernel: Bop-trained (±1) or, for the latent baseline, a latent real weight binarized in the forward. */
  binary: boolean;
  /** Layer name for flip-ratio reporting. */
  layer: string;
}

export interface Hyper {
  gamma?: number;
  threshold?: number;
  sigma?: number;
  lr: number;
}

/** Optimizer slots by name: `<param>/m`, `<param>/v`, and the Adam iteration count. */
export interface OptimizerState {
  iterations: number;
  slots: Record<string, tf.Variable>;
}

export class CaseOptimizer {
  readonly slots: Record<string, tf.Variable> = {};
  /** Completed optimizer steps (Adam's t − 1; the schedules' step). */
  iterations = 0;

  constructor(readonly config: OptimizerConfig, readonly params: TrainableParam[]) {
    for (const p of params) {
      const bopLike = p.binary && config.kind !== 'latent';
      // unnamed: tfjs variable names are global to the engine, and two optimizers may live in one process
      this.slots[`${p.name}/m`] = tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false));
      if (!bopLike || config.kind === 'bop2') this.slots[`${p.name}/v`] = tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false));
    }
  }

  hyper(step = this.iterations): Hyper {
    const c = this.config;
    const h: Hyper = { lr: scheduleValue(c.lr, step) };
    if (c.kind === 'bop' || c.kind === 'bop2') {
      const d = c.kind === 'bop' ? BOP_DEFAULTS : BOP2_DEFAULTS;
      h.gamma = c.gamma ? scheduleValue(c.gamma, step) : d.gamma;
      h.threshold = c.threshold ? scheduleValue(c.threshold, step) : d.threshold;
      if (c.kind === 'bop2') h.sigma = c.sigma ? scheduleValue(c.sigma, step) : BOP2_DEFAULTS.sigma;
    }
    return h;
  }

  /**
   * Applies one step. Returns, for every binary parameter in order, the number of weights whose sign changed (a
   * scalar tensor the caller reads together with the loss, so a step costs one device→host copy). Call inside
   * tf.tidy: the intermediate tensors and the returned counts belong to the caller's scope.
   */
  apply(grads: Record<string, tf.Tensor>): tf.Scalar[] {
    const h = this.hyper();
    const t = this.iterations + 1;
    const flips: tf.Scalar[] = [];
    for (const p of this.params) {
      const g = grads[p.name];
      if (!g) throw new Error(`no gradient for ${p.name}`);
      const m = this.slots[`${p.name}/m`];
      const v = this.slots[`${p.name}/v`];
      if (p.binary && this.config.kind === 'bop') {
        const r = bopUpdate(p.variable, m, g, h.gamma!, h.threshold!);
        flips.push(countFlipsPm(p.variable, r.w));
        m.assign(r.m);
        p.variable.assign(r.w);
      } else if (p.binary && this.config.kind === 'bop2') {
        const eps = this.config.epsilon ?? BOP2_DEFAULTS.epsilon;
        const r = bop2Update(p.variable, m, v, g, h.gamma!, h.threshold!, h.sigma!, eps);
        flips.push(countFlipsPm(p.variable, r.w));
        m.assign(r.m);
        v.assign(r.v);
        p.variable.assign(r.w);
      } else {
        const r = adamUpdate(p.variable, m, v, g, h.lr, t);
        let next = r.p;
        if (p.binary) {
          next = tf.clipByValue(next, -1, 1);
          flips.push(countSignChanges(p.variable, next));
        }
        m.assign(r.m);
        v.assign(r.v);
        p.variable.assign(next);
      }
    }
    this.iterations = t;
    return flips;
  }

  dispose(): void {
    for (const s of Object.values(this.slots)) s.dispose();
  }
}
