import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cellOptimizer, parseValueList, sweepConcurrency, sweepGrid, startingAt } from '../../src/core/sweep/plan';
import { planQueue, readSweep, writeSweep, type SweepFile } from '../../src/core/sweep/state';
import { finalAccuracy, lastEpochFlipRatios, sweepHeatmaps } from '../../src/core/sweep/heatmap';
import { runState } from '../../src/core/experiments/read';
import type { ExperimentStatus, MetricsEvent } from '../../src/core/experiments/types';
import type { TrainJob } from '../../src/core/train/trainer';
import { readMetrics } from '../support/metricsOf';
import { syntheticData } from '../support/syntheticData';
import { tinyMlp } from '../support/models';
import { runJob } from '../support/runJob';

const step = (s: number, epoch: number, flipRatio: Record<string, number>): MetricsEvent =>
  ({ kind: 'step', step: s, epoch, time: 0, loss: 1, accuracy: 0.5, flipRatio, lr: 0.01, samplesPerSec: 1 });

describe('sweep: γ × τ grids, their queue and their heatmaps', () => {
  it('parses value lists and names the flag and the bad item', () => {
    assert.deepEqual(parseValueList('1e-5, 1e-4,1e-3', '--gamma'), [1e-5, 1e-4, 1e-3]);
    assert.throws(() => parseValueList('1e-5,,1e-3', '--gamma'), /--gamma: '' is not a positive number/);
    assert.throws(() => parseValueList('1e-8,-1', '--threshold'), /--threshold: '-1' is not a positive number/);
    assert.throws(() => parseValueList('1e-4,0.0001', '--gamma'), /--gamma: 0.0001 is listed twice/);
  });

  it('plans the grid γ-major, and γ/τ are the starting values of the preset’s schedules', () => {
    assert.deepEqual(sweepGrid([1, 2], [3, 4, 5]).map((c) => [c.gamma, c.threshold]), [[1, 3], [1, 4], [1, 5], [2, 3], [2, 4], [2, 5]]);
    // a recipe: γ decays ×0.1 over the run from each start, the schedule fitted to 2 epochs (10-epoch recipe × 0.2)
    const r = cellOptimizer('bop-10-epochs', 2, { gamma: 1e-4, threshold: 1e-7 });
    assert.deepEqual(r.optimizer.gamma, { kind: 'exponential', initial: 1e-4, decayRate: 0.1, decaySteps: 2, staircase: false, unit: 'epochs' });
    assert.deepEqual(r.optimizer.threshold, { kind: 'constant', value: 1e-7 });
    assert.equal(r.batchSize, 50);
    assert.deepEqual(cellOptimizer('bop', 3, { gamma: 1e-5, threshold: 1e-8 }).optimizer.gamma, { kind: 'constant', value: 1e-5 });
    assert.throws(() => cellOptimizer('latent', 3, { gamma: 1, threshold: 1 }), /latent weights: it has no γ or τ/);
    assert.throws(() => cellOptimizer('nope', 3, { gamma: 1, threshold: 1 }), /unknown optimizer preset 'nope'/);
    assert.deepEqual(startingAt({ kind: 'linear', initial: 1, final: 0, steps: 5 }, 7), { kind: 'linear', initial: 7, final: 0, steps: 5 });
    assert.equal(sweepConcurrency(2, 1, 9), 2);
    assert.equal(sweepConcurrency(2, 2, 9), 1);
    assert.equal(sweepConcurrency(8, 3, 9), 2);
    assert.equal(sweepConcurrency(16, 1, 3), 3);
  });

  it('weights each step event’s flip ratio by its steps, over the last epoch only', () => {
    const ev = [step(10, 1, { a: 0.9 }), step(20, 2, { a: 0.1, b: 0 }), step(50, 2, { a: 0.5, b: 0.2 }), { kind: 'epoch', step: 50, epoch: 2, time: 0, loss: 1, accuracy: 0.6, valAccuracy: 0.7 } as MetricsEvent];
    const f = lastEpochFlipRatios(ev);
    assert.ok(Math.abs(f.a - (0.1 * 10 + 0.5 * 30) / 40) < 1e-12);
    assert.ok(Math.abs(f.b - (0.2 * 30) / 40) < 1e-12);
    assert.equal(finalAccuracy({ gamma: 1, threshold: 1, events: ev }), 0.7);
    assert.equal(finalAccuracy({ gamma: 1, threshold: 1, events: ev, testAccuracy: 0.65 }), 0.65);
  });

  describe('with real runs', function () {
    this.timeout(120000);
    let tmp: string;
    beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-sweep-')); });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 600, test: 100, seed: 5 });
    const job = (gamma: number, threshold: number): TrainJob => ({
      spec: tinyMlp(), modelPath: 'tiny.bnn.json', data, epochs: 2, batchSize: 50, seed: 7, valSplit: 0.1, experimentsDir: tmp, backend: 'cpu',
      optimizer: { kind: 'bop', gamma: { kind: 'constant', value: gamma }, threshold: { kind: 'constant', value: threshold }, lr: { kind: 'constant', value: 0.01 } },
      eventsPerSecond: 0, threads: 1,
    });

    it('heatmaps come from the runs’ metrics: accuracy as the run reported it, and no flips where τ is out of reach', async () => {
      const cells = [{ gamma: 1e-3, threshold: 1e-8 }, { gamma: 1e-3, threshold: 1 }];
      const runs = [];
      for (const c of cells) {
        const r = await runJob(job(c.gamma, c.threshold));
        assert.equal(r.status.state, 'completed');
        runs.push({ ...c, events: (await readMetrics(r.dir)), status: r.status });
      }
      const maps = sweepHeatmaps([1e-3], [1e-8, 1], runs);
      assert.equal(maps[0].title, 'final accuracy');
      assert.deepEqual(maps[0].values, [[runs[0].status.final!.valAccuracy, runs[1].status.final!.valAccuracy]]);
      const flipMaps = maps.slice(1);
      assert.deepEqual(flipMaps.map((m) => m.title).sort(), tinyMlp().layers.filter((l) => l.type === 'QuantDense' && l.kernelQuantizer).map((l) => `mean flip ratio over the last epoch: ${l.name}`).sort());
      for (const m of flipMaps) {
        // |w·m| ≤ max |g| ≪ 1: with τ = 1 no weight can ever flip; with τ = 1e-8 at γ = 1e-3 weights do flip
        assert.equal(m.values[0][1], 0, m.title);
        assert.ok(m.values[0][0]! > 0 && m.values[0][0]! < 1, `${m.title}: ${m.values[0][0]}`);
      }
    });

    it('a restarted sweep keeps finished cells, resumes the interrupted one and starts the rest', async () => {
      const done = await runJob(job(1e-3, 1e-6));
      assert.equal(done.status.state, 'completed');
      const stopped = await runJob(job(1e-4, 1e-6), { cancelAt: 1 });
      assert.equal(stopped.status.state, 'cancelled');
      const failedId = 'does-not-exist';
      const sweep: SweepFile = {
        formatVersion: 1, id: 's1', createdAt: new Date().toISOString(), model: 'tiny.bnn.json', data: 'x', preset: 'bop', epochs: 2, threads: 1,
        gammas: [1e-3, 1e-4, 1e-5], thresholds: [1e-6],
        cells: [
          { gamma: 1e-3, threshold: 1e-6, state: 'running', experimentId: path.basename(done.dir) },
          { gamma: 1e-4, threshold: 1e-6, state: 'running', experimentId: path.basename(stopped.dir) },
          { gamma: 1e-5, threshold: 1e-6, state: 'running', experimentId: failedId },
        ],
      };
      const dir = path.join(tmp, 'sweeps', 's1');
      writeSweep(dir, sweep);
      const again = readSweep(dir);
      assert.deepEqual(again, sweep);
      const stateOf = (id: string) => {
        const f = path.join(tmp, id, 'status.json');
        return fs.existsSync(f) ? runState(path.join(tmp, id), JSON.parse(fs.readFileSync(f, 'utf8')) as ExperimentStatus) : undefined;
      };
      assert.deepEqual(planQueue(again, stateOf), [
        { index: 1, action: 'resume', experimentId: path.basename(stopped.dir) },
        { index: 2, action: 'new' },
      ]);
      // a status left 'running' by a killed process (no live lock, dead pid) reads interrupted and is resumed too
      const st = JSON.parse(fs.readFileSync(path.join(stopped.dir, 'status.json'), 'utf8')) as ExperimentStatus;
      fs.writeFileSync(path.join(stopped.dir, 'status.json'), JSON.stringify({ ...st, state: 'running', pid: 2 ** 22 + 12345 }));
      assert.deepEqual(planQueue(again, stateOf)[0], { index: 1, action: 'resume', experimentId: path.basename(stopped.dir) });
    });

    it('refuses a damaged sweep file, naming the file and the field', () => {
      const dir = path.join(tmp, 'bad');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ formatVersion: 1, id: 'x', model: 'm', data: 'd', preset: 'bop', epochs: 2, threads: 1, cells: [{ gamma: 1, threshold: 1, state: 'weird' }] }));
      assert.throws(() => readSweep(dir), /sweep\.json: "cells\[0\]\.state" is "weird"/);
      fs.writeFileSync(path.join(dir, 'sweep.json'), '{');
      assert.throws(() => readSweep(dir), /sweep\.json: not valid JSON/);
      assert.throws(() => readSweep(path.join(tmp, 'none')), /no such sweep/);
    });
  });
});
