import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chooseCheckpoint, CheckpointChoiceError } from '../../src/core/experiments/checkpoints';
import { loadExperimentModel } from '../../src/core/train/experimentModel';
import { loadDataset } from '../../src/core/data/load';
import type { MetricsEvent } from '../../src/core/experiments/types';
import { runTraining } from '../../src/core/train/trainer';
import { compileCommand } from '../../src/cli/commands/compile';
import { evalCommand } from '../../src/cli/commands/eval';
import { exportCommand } from '../../src/cli/commands/export';
import { InputError } from '../../src/cli/errors';
import { tinyMlp } from '../support/models';
import { readMetrics } from '../support/metricsOf';

/** Runs a CLI command in-process, returning what it wrote to stderr. */
async function stderrOf(run: () => Promise<number>): Promise<{ code: number; err: string }> {
  let err = '';
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { code: await run(), err };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
  }
}

describe('which checkpoint (one default for eval, compile, bench, flash and export)', function () {
  this.timeout(120000);
  let root: string;
  let dir: string;
  let epochs: Array<Extract<MetricsEvent, { kind: 'epoch' }>>;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-ckpt-'));
    const ds = loadDataset('bundled');
    let started: string | undefined;
    const status = await runTraining({
      spec: { ...tinyMlp([28, 28, 1], 32, 10), name: 'ckpt-mlp' }, modelPath: 'ckpt-mlp.bnn.json',
      data: { name: 'bundled', path: ds.dir, shape: ds.shape, classes: ds.classes, train: ds.train, test: ds.test },
      optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
      epochs: 3, batchSize: 50, seed: 5, valSplit: 0.2, experimentsDir: root, backend: 'cpu', maxSamples: 500, eventsPerSecond: 0, threads: 1,
    }, { emit: (m) => { if (m.type === 'started') started = m.experimentDir; }, cancelled: () => false });
    assert.equal(status.state, 'completed', JSON.stringify(status.error));
    dir = started!;
    epochs = readMetrics(dir).filter((e): e is Extract<MetricsEvent, { kind: 'epoch' }> => e.kind === 'epoch');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** The epoch with the highest validation accuracy (the first of equals), from the metrics log, not the store. */
  const bestEpoch = () => epochs.reduce((b, e) => (e.valAccuracy! > b.valAccuracy! ? e : b));

  it('defaults to best, and names it with its epoch, step and validation accuracy', () => {
    const m = loadExperimentModel(dir);
    const b = bestEpoch();
    assert.equal(m.checkpoint, 'best');
    assert.equal(m.trained.meta.epoch, b.epoch);
    assert.equal(m.label, `best (epoch ${b.epoch}, step ${b.step}, val acc ${(b.valAccuracy! * 100).toFixed(2)}%)`);
    const last = loadExperimentModel(dir, 'last');
    assert.equal(last.label, `last (epoch 3, step ${epochs[2].step}, val acc ${(epochs[2].valAccuracy! * 100).toFixed(2)}%)`);
  });

  it('every command prints the checkpoint it used', async () => {
    const b = bestEpoch();
    const line = `checkpoint: best (epoch ${b.epoch}, step ${b.step}, val acc ${(b.valAccuracy! * 100).toFixed(2)}%)\n`;
    const compiled = await stderrOf(() => compileCommand.run([dir, '--out', path.join(root, 'out-c')]));
    assert.equal(compiled.code, 0);
    assert.ok(compiled.err.includes(line), compiled.err);
    const evaluated = await stderrOf(() => evalCommand.run([dir, '--max-samples', '20']));
    assert.ok(evaluated.err.includes(line), evaluated.err);
    const exported = await stderrOf(() => exportCommand.run([dir, '--format', 'keras', '--out', path.join(root, 'out-k')]));
    assert.ok(exported.err.includes(line), exported.err);
    const lastEval = await stderrOf(() => evalCommand.run([dir, '--checkpoint', 'last', '--max-samples', '20']));
    assert.match(lastEval.err, /checkpoint: last \(epoch 3,/);
  });

  it('a damaged chosen checkpoint is reported with its file, never replaced by another', async () => {
    const copy = path.join(root, 'damaged');
    fs.cpSync(dir, copy, { recursive: true });
    const modelJson = path.join(copy, 'checkpoints', 'best', 'model.json');
    fs.writeFileSync(modelJson, fs.readFileSync(modelJson, 'utf8').slice(0, 100));
    assert.throws(() => loadExperimentModel(copy), (e: Error) => e.message.startsWith(`${modelJson}: `));
    await assert.rejects(compileCommand.run([copy, '--out', path.join(root, 'out-d')]), (e: Error) => e instanceof InputError && e.message.includes(modelJson));
    await assert.rejects(evalCommand.run([copy]), (e: Error) => e instanceof InputError && e.message.includes(modelJson));
    assert.equal(loadExperimentModel(copy, 'last').checkpoint, 'last', 'the other one is still there when asked for');
  });

  it('without a best checkpoint it is last; a best that status.json names but is gone is an error, not last', () => {
    const copy = path.join(root, 'nobest');
    fs.cpSync(dir, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'checkpoints', 'best'), { recursive: true });
    assert.throws(() => chooseCheckpoint(copy), (e: Error) => e instanceof CheckpointChoiceError && /names 'best' as its best checkpoint but .*missing/.test(e.message));
    const st = JSON.parse(fs.readFileSync(path.join(copy, 'status.json'), 'utf8'));
    delete st.bestCheckpoint;
    fs.writeFileSync(path.join(copy, 'status.json'), JSON.stringify(st));
    assert.deepEqual({ ...chooseCheckpoint(copy), dir: '' }, { name: 'last', dir: '', defaulted: true });
    fs.rmSync(path.join(copy, 'checkpoints', 'last'), { recursive: true });
    assert.throws(() => chooseCheckpoint(copy), /has no checkpoint yet/);
    assert.throws(() => chooseCheckpoint(dir, '../x'), /invalid checkpoint name/);
    assert.throws(() => chooseCheckpoint(dir, 'epoch-9'), /has no checkpoint 'epoch-9'/);
  });
});
