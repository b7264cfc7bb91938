/** Flip-ratio health warnings (experiments/flipHealth.ts): frozen layers, layers flipping on noise, recovery. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FlipHealth, healthWindow, NOISY_FLIP_RATIO } from '../../src/core/experiments/flipHealth';
import { readFlipHealth } from '../../src/core/experiments/flipHealthFile';
import { MetricsWriter } from '../../src/core/experiments/metrics';
import { createExperiment } from '../../src/core/experiments/store';
import type { MetricsEvent } from '../../src/core/experiments/types';
import { sampleInit } from '../support/experimentInit';

const ev = (step: number, flipRatio: Record<string, number>): MetricsEvent => ({ kind: 'step', step, epoch: 1, time: step, loss: 1, accuracy: 0.5, flipRatio, lr: 0.01, samplesPerSec: 100 });

describe('flip-ratio health', () => {
  it('a long stretch is one epoch, between 100 and 1,000 steps', () => {
    assert.equal(healthWindow(54), 100);
    assert.equal(healthWindow(540), 540);
    assert.equal(healthWindow(5400), 1000);
    assert.equal(healthWindow(undefined), 200);
  });

  it('warns of a layer frozen at 0 for the window, with Bop’s change to try; a healthy layer beside it is not named', () => {
    const h = new FlipHealth('bop', 100);
    for (let s = 1; s <= 60; s++) h.add(ev(s, { d1: s <= 20 ? 1e-3 : 0, d2: 2e-3 }));
    assert.deepEqual(h.warnings(), [], 'zero since step 21: 39 steps, under the window');
    for (let s = 61; s <= 121; s++) h.add(ev(s, { d1: 0, d2: 2e-3 }));
    const w = h.warnings();
    assert.equal(w.length, 1);
    assert.deepEqual([w[0].layer, w[0].kind, w[0].fromStep, w[0].toStep], ['d1', 'frozen', 21, 121]);
    assert.match(w[0].text, /^d1: no weight flipped in 100 steps \(frozen\) — γ is too small or τ too large: try τ ×0\.1 or γ ×10$/);
    h.add(ev(122, { d1: 1e-4, d2: 2e-3 }));
    assert.deepEqual(h.warnings(), [], 'one flip ends the frozen stretch');
  });

  it('warns of a layer whose mean flip ratio over the window stays above 0.1; the latent baseline is told about its learning rate', () => {
    const h = new FlipHealth('latent', 100);
    // logged every 5 steps, ratios alternating 0.08 / 0.2; the window holds steps 100…200: 11 at 0.2 and 10 at 0.08
    for (let s = 5; s <= 200; s += 5) h.add(ev(s, { conv: s % 10 === 0 ? 0.2 : 0.08 }));
    const [w] = h.warnings();
    assert.equal(w.kind, 'noisy');
    assert.ok(Math.abs(w.meanRatio - (11 * 0.2 + 10 * 0.08) / 21) < 1e-12, String(w.meanRatio));
    assert.ok(w.meanRatio > NOISY_FLIP_RATIO);
    assert.equal(w.advice, 'try a smaller learning rate (×0.1)');
    // the same layer calming down: the window's mean falls under 0.1 and the warning goes
    for (let s = 205; s <= 400; s += 5) h.add(ev(s, { conv: 0.01 }));
    assert.deepEqual(h.warnings(), []);
  });

  it('a resumed run’s repeated steps start the judgement over', () => {
    const h = new FlipHealth('bop', 100);
    for (let s = 1; s <= 150; s++) h.add(ev(s, { d1: 0 }));
    assert.equal(h.warnings().length, 1);
    h.add(ev(100, { d1: 0 }));
    assert.deepEqual(h.warnings(), []);
  });

  it('reads a run’s warnings from the tail of its metrics.jsonl', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bnn-flips-'));
    try {
      const exp = createExperiment(root, sampleInit());
      const w = new MetricsWriter(exp.dir);
      w.append(Array.from({ length: 3000 }, (_, i) => ev(i + 1, { d1: i < 100 ? 0.01 : 0 })));
      w.close();
      const got = await readFlipHealth(exp.dir, exp.config, 64 * 1024);
      assert.equal(got.length, 1);
      assert.equal(got[0].kind, 'frozen');
      assert.equal(got[0].toStep, 3000);
      // only the tail was read: the stretch starts where the read began, not at step 101
      assert.ok(got[0].fromStep > 101, String(got[0].fromStep));
      assert.deepEqual(await readFlipHealth(path.join(root, 'missing'), exp.config), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
