/** Train BNN's default recipe fitted to the epochs, and its settings step (train/presets.ts, extension/trainSettings.ts). */
import { strict as assert } from 'node:assert';
import { DEFAULT_RECIPE, fitRecipe, optimizerFromPreset } from '../../src/core/train/presets';
import { resolveEpochSchedules, scheduleValue } from '../../src/core/train/schedules';
import { applySetting, parseSetting, requestSummary, settingItems } from '../../src/extension/trainSettings';
import type { TrainRequest } from '../../src/core/messages';

describe('Train BNN wizard', () => {
  it('the default is the 10-epoch recipe, its decays ending where the recipe ends whatever the epochs', () => {
    assert.equal(DEFAULT_RECIPE, 'bop-10-epochs');
    const spe = 108; // steps per epoch
    const ten = resolveEpochSchedules(optimizerFromPreset(DEFAULT_RECIPE).optimizer, spe);
    // the recipe: γ from 1e-3 to 1e-4 and lr from 0.01 to 1e-4 over 10 epochs
    const end10 = { gamma: scheduleValue(ten.gamma!, 10 * spe), lr: scheduleValue(ten.lr, 10 * spe) };
    assert.ok(Math.abs(end10.gamma - 1e-4) < 1e-12 && Math.abs(end10.lr - 1e-4) < 1e-12, JSON.stringify(end10));
    for (const epochs of [3, 10, 25]) {
      const fitted = fitRecipe(DEFAULT_RECIPE, epochs);
      assert.equal(fitted.stretched, epochs / 10);
      assert.equal(fitted.batchSize, 50);
      const o = resolveEpochSchedules(fitted.optimizer, spe);
      assert.ok(Math.abs(scheduleValue(o.gamma!, epochs * spe) - 1e-4) < 1e-12, `γ at the end of ${epochs} epochs`);
      assert.ok(Math.abs(scheduleValue(o.lr, epochs * spe) - 1e-4) < 1e-12, `lr at the end of ${epochs} epochs`);
      // half-way through the run γ is half-way (geometrically): √(1e-3 · 1e-4)
      assert.ok(Math.abs(scheduleValue(o.gamma!, (epochs * spe) / 2) - Math.sqrt(1e-7)) < 1e-12);
      assert.deepEqual(o.threshold, { kind: 'constant', value: 1e-6 });
    }
    // a preset that is not a recipe is not changed
    assert.deepEqual(fitRecipe('bop', 30).optimizer, optimizerFromPreset('bop').optimizer);
  });

  const req = (): TrainRequest => ({
    modelPath: '/ws/binary-mlp.bnn.json', data: 'bundled', epochs: 10, batchSize: 50, seed: 1, valSplit: 0.1, experimentsDir: '/ws/.bnn/experiments',
    optimizer: fitRecipe(DEFAULT_RECIPE, 10).optimizer,
  });

  it('lists batch size, validation split, γ, τ, learning rate and name with their values', () => {
    const items = settingItems(req());
    assert.deepEqual(items.map((i) => [i.key, i.value]), [
      ['batchSize', '50'], ['valSplit', '0.1'], ['gamma', '1e-3↘×0.1'], ['threshold', '1e-6'], ['lr', '0.01↘×0.01'], ['name', '(none)'],
    ]);
    const latent = settingItems({ ...req(), optimizer: { kind: 'latent', lr: { kind: 'constant', value: 5e-3 } } });
    assert.deepEqual(latent.map((i) => i.key), ['batchSize', 'valSplit', 'lr', 'name']);
  });

  it('checks typed values as bnn train checks its flags', () => {
    assert.deepEqual(parseSetting('batchSize', ' 64 '), { value: 64 });
    assert.match((parseSetting('batchSize', '0') as { error: string }).error, /1 to 65536/);
    assert.match((parseSetting('batchSize', '2.5') as { error: string }).error, /whole number/);
    assert.deepEqual(parseSetting('valSplit', '0'), { value: 0 });
    assert.match((parseSetting('valSplit', '1') as { error: string }).error, /not including/);
    assert.deepEqual(parseSetting('gamma', '2e-4'), { value: 2e-4 });
    assert.match((parseSetting('threshold', '-1') as { error: string }).error, /τ must be > 0/);
    assert.match((parseSetting('lr', 'fast') as { error: string }).error, /not a number/);
    assert.deepEqual(parseSetting('name', '  '), { value: undefined });
    assert.match((parseSetting('name', 'x'.repeat(81)) as { error: string }).error, /at most 80/);
  });

  it('a changed hyperparameter becomes a constant and the preset is marked changed', () => {
    let r = applySetting(req(), 'gamma', 2e-4);
    assert.deepEqual(r.optimizer.gamma, { kind: 'constant', value: 2e-4 });
    assert.equal(r.optimizer.preset, 'bop-10-epochs (changed)');
    r = applySetting(applySetting(r, 'lr', 1e-3), 'batchSize', 128);
    assert.equal(r.optimizer.preset, 'bop-10-epochs (changed)');
    assert.equal(r.batchSize, 128);
    r = applySetting(r, 'name', 'sweep 1');
    assert.equal(requestSummary(r, 'binary-mlp'), '“sweep 1” · binary-mlp · bundled · bop-10-epochs (changed) · 10 epochs · batch 128');
  });
});
