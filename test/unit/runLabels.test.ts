/**
 * Run labels (experiments/labels.ts): what the tree, the Compare legend and table and the panel's tab call a run.
 * Expectations are written out by hand from the configs below.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { optimizerSummary, runLabels, runNameProblem, runTitle, type LabelledRun } from '../../src/core/experiments/labels';
import { createExperiment, readExperiment, renameExperiment, validateConfig, type ExperimentInit } from '../../src/core/experiments/store';
import type { ExperimentConfig, OptimizerConfig } from '../../src/core/experiments/types';
import { fmtAxisTicks, fmtInt, fmtSci } from '../../src/core/format';

const bop = (gamma: number, threshold: number): OptimizerConfig => ({ kind: 'bop', gamma: { kind: 'constant', value: gamma }, threshold: { kind: 'constant', value: threshold }, lr: { kind: 'constant', value: 0.01 } });

function run(id: string, model: string, optimizer: OptimizerConfig, extra: Partial<ExperimentConfig> = {}): LabelledRun {
  const config = {
    formatVersion: 1, id, createdAt: '2026-11-26T14:05:09.000Z', modelPath: `${model}.bnn.json`,
    model: { name: model, input: { shape: [28, 28, 1] }, classes: 10, layers: [] },
    dataset: { name: 'bundled', trainSamples: 5400, valSamples: 600, normalization: 'x' },
    optimizer, epochs: 10, batchSize: 50, seed: 1, valSplit: 0.1, backend: 'cpu', engine: 'bnn-studio', versions: {}, ...extra,
  } as ExperimentConfig;
  return { id, config };
}

const localTime = (iso: string) => {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

describe('run labels', () => {
  it('two runs of different models with the same optimizer read apart by their model (the issue’s legend)', () => {
    const labels = runLabels([run('a', 'binary_mlp', bop(1e-4, 1e-8)), run('b', 'binary_cnn', bop(1e-4, 1e-8))]);
    assert.deepEqual(labels, ['binary_mlp · Bop', 'binary_cnn · Bop']);
  });

  it('runs of one model show only what differs between them', () => {
    const labels = runLabels([
      run('a', 'mlp', bop(1e-4, 1e-8)),
      run('b', 'mlp', bop(1e-3, 1e-8)),
      run('c', 'mlp', bop(1e-3, 1e-8), { batchSize: 100 }),
    ]);
    assert.deepEqual(labels, ['mlp · Bop · γ=1e-4 · batch 50', 'mlp · Bop · γ=1e-3 · batch 50', 'mlp · Bop · γ=1e-3 · batch 100']);
  });

  it('a single run shows its optimizer’s defining hyperparameters; a latent run its learning rate', () => {
    assert.deepEqual(runLabels([run('a', 'mlp', bop(1e-4, 1e-8))]), ['mlp · Bop · γ=1e-4 · τ=1e-8']);
    assert.deepEqual(runLabels([run('a', 'mlp', { kind: 'latent', lr: { kind: 'constant', value: 5e-3 } })], { omitModel: true }), ['Latent (Adam) · lr=5e-3']);
    assert.equal(optimizerSummary(run('a', 'mlp', bop(1e-4, 1e-8)).config!), 'Bop · γ=1e-4 · τ=1e-8');
  });

  it('a decaying schedule reads start↘end over the run', () => {
    // 5400 samples, batch 50 → 108 steps per epoch, 1080 steps; smooth decay ×0.1 every 1080 steps → 1e-3 to 1e-4
    const o: OptimizerConfig = { kind: 'bop', gamma: { kind: 'exponential', initial: 1e-3, decayRate: 0.1, decaySteps: 1080, staircase: false }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } };
    assert.deepEqual(runLabels([run('a', 'mlp', o)], { omitModel: true }), ['Bop · γ=1e-3↘1e-4 · τ=1e-6']);
  });

  it('identical settings get the creation time, then the id; a named run reads its name', () => {
    const a = run('20261126-140509-mlp-bop', 'mlp', bop(1e-4, 1e-8));
    const b = run('20261126-150000-mlp-bop', 'mlp', bop(1e-4, 1e-8), { createdAt: '2026-11-26T15:00:00.000Z' });
    const c = run('20261126-150000-mlp-bop-2', 'mlp', bop(1e-4, 1e-8), { createdAt: '2026-11-26T15:00:00.000Z' });
    const named = run('x', 'mlp', bop(1e-4, 1e-8), { name: 'my baseline' });
    const t1 = localTime('2026-11-26T14:05:09.000Z');
    const t2 = localTime('2026-11-26T15:00:00.000Z');
    assert.deepEqual(runLabels([a, b, c, named]), [`mlp · Bop · ${t1}`, `mlp · Bop · ${t2} · 20261126-150000-mlp-bop`, `mlp · Bop · ${t2} · 20261126-150000-mlp-bop-2`, 'my baseline']);
    assert.equal(runTitle(a), `mlp · Bop · ${t1}`);
    assert.equal(runTitle(named), 'my baseline');
    assert.equal(runTitle({ id: 'broken' }), 'broken');
  });

  it('a run name must be short, non-empty text without control characters', () => {
    assert.equal(runNameProblem('ok name'), undefined);
    assert.match(runNameProblem('')!, /empty/);
    assert.match(runNameProblem('a\tb')!, /control character/);
    assert.match(runNameProblem('x'.repeat(81))!, /81 characters long \(at most 80\)/);
    assert.match(runNameProblem(3)!, /text/);
  });
});

describe('renaming an experiment', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(path.join(tmpdir(), 'bnn-rename-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const init = (): ExperimentInit => ({
    modelPath: 'mlp.bnn.json', model: { name: 'mlp', input: { shape: [784] }, classes: 10, layers: [] },
    dataset: { name: 'bundled', trainSamples: 5400, valSamples: 600, normalization: 'x' },
    optimizer: bop(1e-4, 1e-8), epochs: 1, batchSize: 100, seed: 1, valSplit: 0.1, backend: 'cpu', engine: 'bnn-studio', versions: {},
  });

  it('keeps the name in config.json and the folder id; an empty name removes it', async () => {
    const e = createExperiment(root, init());
    renameExperiment(e.dir, '  wide lr sweep  ');
    const cfg = JSON.parse(readFileSync(path.join(e.dir, 'config.json'), 'utf8'));
    assert.equal(cfg.name, 'wide lr sweep');
    assert.equal(cfg.id, e.id);
    const info = await readExperiment(e.dir);
    assert.deepEqual(info.problems, []);
    assert.equal(info.id, e.id);
    assert.equal(runLabels([info])[0], 'wide lr sweep');
    renameExperiment(e.dir, undefined);
    assert.equal(JSON.parse(readFileSync(path.join(e.dir, 'config.json'), 'utf8')).name, undefined);
  });

  it('refuses a bad name and leaves the file as it was; a hand-edited bad name is reported by the reader', async () => {
    const e = createExperiment(root, init());
    const before = readFileSync(path.join(e.dir, 'config.json'), 'utf8');
    assert.throws(() => renameExperiment(e.dir, 'line\nbreak'), /control character/);
    assert.equal(readFileSync(path.join(e.dir, 'config.json'), 'utf8'), before);
    assert.match(validateConfig({ ...JSON.parse(before), name: 'x'.repeat(200) })!, /config\.json: name .*at most 80/);
    assert.throws(() => renameExperiment(path.join(root, 'nope'), 'x'), /config\.json/);
  });
});

describe('number formatting shared by tree, panel and CLI', () => {
  it('counts carry thousands separators; hyperparameters one compact notation', () => {
    assert.equal(fmtInt(164246), '164,246');
    assert.equal(fmtSci(0.05), '0.05');
    assert.equal(fmtSci(5e-3), '5e-3');
    assert.equal(fmtSci(1e-8), '1e-8');
  });

  it('one log axis uses one notation for all its ticks', () => {
    assert.deepEqual(fmtAxisTicks([0.1, 0.05, 0.01, 0.005, 0.001]), ['1e-1', '5e-2', '1e-2', '5e-3', '1e-3']);
    assert.deepEqual(fmtAxisTicks([1, 0.5, 0.1, 0.05]), ['1', '0.5', '0.1', '0.05']);
  });
});
