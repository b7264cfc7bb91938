/** The Train BNN progress notification's text (train/progress.ts): it read `step 38/0 · ETA —` on a first run. */
import { strict as assert } from 'node:assert';
import { knownTotalSteps, notificationText } from '../../src/core/train/progress';
import type { MetricsEvent } from '../../src/core/experiments/types';

const step: MetricsEvent = { kind: 'step', step: 38, epoch: 1, time: 19_000, loss: 0.4123, accuracy: 0.8, flipRatio: {}, lr: 0.01, samplesPerSec: 1234.4 };

describe('training progress notification', () => {
  it('takes the total from the status, else from the config, never 0', () => {
    assert.equal(knownTotalSteps({ totalSteps: 540 }, undefined), 540);
    // 5,400 samples at batch 100 → 54 steps per epoch, 10 epochs
    const config = { epochs: 10, batchSize: 100, dataset: { trainSamples: 5400 } };
    assert.equal(knownTotalSteps({ totalSteps: 0 }, config), 540);
    assert.equal(knownTotalSteps(undefined, config), 540);
    assert.equal(knownTotalSteps(undefined, undefined), undefined);
  });

  it('shows step n/total and an ETA from the pace so far; without a total no “/0” and no ETA', () => {
    // 38 steps in 19 s → 0.5 s a step; 540 − 38 = 502 steps left → 251 s = 4m11s
    assert.equal(notificationText(step, 540, 10), 'epoch 1/10 · step 38/540 · loss 0.412 · 1,234 samples/s · ETA 4m11s');
    assert.equal(notificationText(step, undefined, 10), 'epoch 1/10 · step 38 · loss 0.412 · 1,234 samples/s');
    assert.equal(notificationText({ kind: 'epoch', step: 54, epoch: 1, time: 1, loss: 1, accuracy: 1, valAccuracy: 0.8123 }, 540, 10), 'epoch 1/10 done · val acc 81.2%');
  });
});
