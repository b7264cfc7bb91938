import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/train/backend';
import { bopUpdate, bop2Update, adamUpdate, countSignChanges, flipRule, CaseOptimizer } from '../../../src/core/train/optimizers';
import { resolveEpochSchedules, resolveSchedule, scheduleValue, stepsPerEpochFor } from '../../../src/core/train/schedules';
import { BOP_PRESETS, optimizerFromPreset } from '../../../src/core/train/presets';

const f = Math.fround;

describe('train/optimizers', () => {
  before(async () => { await initBackend('cpu'); });

  it('Bop: m ← (1−γ)m + γg and flips exactly where w·m > τ (hand-computed)', () => {
    const w = tf.tensor1d([1, -1, 1, -1, 1]);
    const m = tf.tensor1d([0, 0.5, -0.2, 0, 2]);
    const g = tf.tensor1d([1, 2, -3, -1, 0]);
    const gamma = 0.1;
    const tau = 0.05;
    const r = bopUpdate(w, m, g, gamma, tau);
    // m' = m + γ(g − m)
    const mExp = [f(0 + f(0.1 * 1)), f(0.5 + f(0.1 * f(2 - 0.5))), f(-0.2 + f(0.1 * f(-3 + 0.2))), f(0.1 * -1), f(2 + f(0.1 * -2))];
    const mGot = Array.from(r.m.dataSync());
    mGot.forEach((v, i) => assert.ok(Math.abs(v - mExp[i]) < 1e-6, `m[${i}] = ${v}, expected ${mExp[i]}`));
    // w·m' = 0.1 (>τ flip), −0.65 (stay), −0.48 (stay), 0.1 (flip), 1.8 (flip)
    assert.deepEqual(Array.from(r.w.dataSync()), [-1, -1, 1, 1, -1]);
  });

  it('Bop: a weight exactly at the threshold becomes +1 (Larq: sign(−sign(0)·w), sign(0) = +1)', () => {
    const w = tf.tensor1d([1, -1, 1, -1]);
    const score = tf.tensor1d([0.25, 0.1, 0.25, 0.25]); // w·m
    // τ = 0.25: entries 0, 2, 3 are exactly at τ → +1 (so −1 flips, +1 stays); entry 1 is below τ (stays −1)
    assert.deepEqual(Array.from(flipRule(w, score, 0.25).dataSync()), [1, -1, 1, 1]);
    // via the full update: γ = 1 makes m' = g exactly, so w·m' = τ = 0.5 exactly
    const r = bopUpdate(tf.tensor1d([1, -1]), tf.tensor1d([0, 0]), tf.tensor1d([0.5, -0.5]), 1, 0.5);
    assert.deepEqual(Array.from(r.w.dataSync()), [1, 1]);
    const below = bopUpdate(tf.tensor1d([1, -1]), tf.tensor1d([0, 0]), tf.tensor1d([0.5, -0.5]), 1, 0.5000001);
    assert.deepEqual(Array.from(below.w.dataSync()), [1, -1]);
  });

  it('Bop2ndOrder: v ← v + σ(g² − v); flips when w·m/(√v+ε) > τ', () => {
    const w = tf.tensor1d([1, 1, -1]);
    const r = bop2Update(w, tf.tensor1d([0, 0, 0]), tf.tensor1d([0, 0, 0]), tf.tensor1d([4, -4, -2]), 0.5, 0.9, 0.25, 0);
    // m' = 2, −2, −1; v' = 4, 4, 1; m'/√v' = 1, −1, −1; w·… = 1 (> 0.9 flip), −1, 1 (flip)
    assert.deepEqual(Array.from(r.m.dataSync()), [2, -2, -1]);
    assert.deepEqual(Array.from(r.v.dataSync()), [4, 4, 1]);
    assert.deepEqual(Array.from(r.w.dataSync()), [-1, 1, 1]);
  });

  it('Adam: first step moves each parameter by lr against the gradient sign', () => {
    const r = adamUpdate(tf.tensor1d([0.5, 0.5]), tf.zeros([2]), tf.zeros([2]), tf.tensor1d([3, -0.001]), 0.01, 1);
    const p = Array.from(r.p.dataSync());
    assert.ok(Math.abs(p[0] - 0.49) < 1e-5 && Math.abs(p[1] - 0.51) < 1e-4, `got ${p}`);
  });

  it('counts sign changes with sign(0) = +1', () => {
    const n = countSignChanges(tf.tensor1d([1, -1, 0, 0.5, -0.1]), tf.tensor1d([-1, -1, 0.2, -0.5, 0]));
    assert.equal(n.dataSync()[0], 3);
  });

  it('CaseOptimizer: Bop on binary kernels, Adam elsewhere; latent clips to [−1, 1] and counts sign flips', () => {
    const kernel = tf.variable(tf.tensor1d([1, -1, 1, -1]));
    const beta = tf.variable(tf.tensor1d([0, 0]));
    const params = [{ name: 'd/kernel', variable: kernel, binary: true, layer: 'd' }, { name: 'bn/beta', variable: beta, binary: false, layer: 'bn' }];
    const opt = new CaseOptimizer({ kind: 'bop', gamma: { kind: 'constant', value: 1 }, threshold: { kind: 'constant', value: 0 }, lr: { kind: 'constant', value: 0.1 } }, params);
    const flips = tf.tidy(() => opt.apply({ 'd/kernel': tf.tensor1d([1, 1, -1, -1]), 'bn/beta': tf.tensor1d([1, -1]) })[0].dataSync()[0]);
    assert.equal(flips, 2);
    assert.deepEqual(Array.from(kernel.dataSync()), [-1, -1, 1, 1]);
    const b = Array.from(beta.dataSync());
    assert.ok(Math.abs(b[0] + 0.1) < 1e-5 && Math.abs(b[1] - 0.1) < 1e-5);
    opt.dispose();

    const latentK = tf.variable(tf.tensor1d([0.999, -0.001, 0.5]));
    const lat = new CaseOptimizer({ kind: 'latent', lr: { kind: 'constant', value: 0.01 } }, [{ name: 'k', variable: latentK, binary: true, layer: 'd' }]);
    const lf = tf.tidy(() => lat.apply({ k: tf.tensor1d([-1, -1, 1]) })[0].dataSync()[0]);
    assert.equal(lf, 1); // −0.001 → +0.009 changes sign; 0.999 → 1 (clipped), 0.5 → 0.49 keep theirs
    const lk = Array.from(latentK.dataSync());
    assert.equal(lk[0], 1);
    assert.ok(lk[1] > 0 && lk[2] < 0.5);
    lat.dispose();
  });

  it('schedules: constant, exponential (staircase and smooth), linear', () => {
    assert.equal(scheduleValue({ kind: 'constant', value: 3 }, 1000), 3);
    const st = { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 100, staircase: true } as const;
    assert.equal(scheduleValue(st, 99), 1e-4);
    assert.ok(Math.abs(scheduleValue(st, 100) - 1e-5) < 1e-18);
    assert.ok(Math.abs(scheduleValue(st, 250) - 1e-6) < 1e-18);
    assert.ok(Math.abs(scheduleValue({ ...st, staircase: false }, 50) - 1e-4 * Math.pow(0.1, 0.5)) < 1e-15);
    const lin = { kind: 'linear', initial: 1, final: 0, steps: 10 } as const;
    assert.equal(scheduleValue(lin, 0), 1);
    assert.equal(scheduleValue(lin, 5), 0.5);
    assert.equal(scheduleValue(lin, 20), 0);
  });

  it('presets: the paper’s §5.1 and §5.2 settings', () => {
    const p51 = optimizerFromPreset('bop-paper-5.1', { stepsPerEpoch: 500 });
    assert.equal(p51.batchSize, 100);
    assert.deepEqual(p51.optimizer.threshold, { kind: 'constant', value: 1e-6 });
    assert.deepEqual(p51.optimizer.gamma, { kind: 'constant', value: 1e-3 });
    const p52 = optimizerFromPreset('bop-paper-5.2', { stepsPerEpoch: 1000 });
    assert.equal(p52.batchSize, 50);
    assert.deepEqual(p52.optimizer.gamma, { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 100 * 1000, staircase: true });
    assert.ok(BOP_PRESETS.length >= 4);
  });

  it('presets count decays in epochs; the job resolves them to steps for the run’s data, split and batch', () => {
    const raw = optimizerFromPreset('bop-paper-5.2').optimizer.gamma;
    assert.deepEqual(raw, { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 100, staircase: true, unit: 'epochs' });
    assert.throws(() => scheduleValue(raw!, 0), /resolved to steps/);
    // 60,000 samples, 10% validation, batch 50 → 54,000 / 50 = 1,080 steps per epoch
    const spe = stepsPerEpochFor(60000, 0.1, 50);
    assert.equal(spe, 1080);
    assert.equal(stepsPerEpochFor(60000, 0, 100), 600);
    assert.equal(stepsPerEpochFor(1001, 0, 100), 11);
    const resolved = resolveEpochSchedules(optimizerFromPreset('bop-paper-5.2').optimizer, spe);
    assert.deepEqual(resolved.gamma, { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 108000, staircase: true });
    assert.deepEqual(resolved.threshold, { kind: 'constant', value: 1e-8 });
    const lin = resolveSchedule({ kind: 'linear', initial: 1, final: 0, steps: 2, unit: 'epochs' }, 300);
    assert.deepEqual(lin, { kind: 'linear', initial: 1, final: 0, steps: 600 });
    assert.equal(scheduleValue(lin, 300), 0.5);
  });
});

describe('train/optimizers on wasm', () => {
  it('Bop flips on tiny w·m − τ exactly as on cpu (wasm tf.sign would round |x| < 1e-10 to 0)', async () => {
    for (const b of ['wasm', 'cpu']) {
      await initBackend(b);
      const w = tf.tensor1d([1, 1, -1, -1, 1]);
      const score = tf.tensor1d([1e-8 + 1e-12, 1e-8 - 1e-12, 1e-8, 3e-8, -1]);
      assert.deepEqual(Array.from(flipRule(w, score, 1e-8).dataSync()), [-1, 1, 1, 1, 1], b);
    }
    await initBackend('cpu');
  });
});
