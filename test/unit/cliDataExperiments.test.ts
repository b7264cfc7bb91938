import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../../src/core/data';
import { createExperiment, updateStatus, type ExperimentInit } from '../../src/core/experiments/store';

const root = join(__dirname, '..', '..');
const bnn = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, HOME: cwd, BNN_DATA_DIR: '' } });

function init(model: string, kind: 'bop' | 'latent'): ExperimentInit {
  return {
    modelPath: `${model}.bnn.json`, model: { name: model, input: { shape: [784] }, classes: 10, layers: [] },
    dataset: { name: 'bundled', trainSamples: 5400, valSamples: 600, normalization: 'x = u8 / 127.5 - 1' },
    optimizer: { kind, lr: { kind: 'constant', value: 0.01 } }, epochs: 3, batchSize: 100, seed: 1, valSplit: 0.1,
    backend: 'cpu', engine: 'bnn-studio', versions: {},
  };
}

describe('bnn experiments / bnn datasets (built bundle)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bnn-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists experiments newest first with status and validation accuracy, as a table and as JSON', () => {
    const exps = join(dir, '.bnn', 'experiments');
    const a = createExperiment(exps, init('mlp', 'bop'), { now: new Date(2026, 10, 1, 9, 0, 0), pid: 999999 });
    updateStatus(a.dir, { state: 'completed', epoch: 3, final: { valAccuracy: 0.8512 } });
    const b = createExperiment(exps, init('mlp', 'latent'), { now: new Date(2026, 10, 2, 9, 0, 0), pid: 999999 });
    writeFileSync(join(b.dir, 'status.json'), '{ broken');
    let r = bnn(dir, 'experiments');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^ID\s+MODEL\s+OPTIMIZER\s+STATUS\s+PROGRESS\s+VAL ACC\s+DATE$/);
    assert.match(lines[1], /^20261102-090000-mlp-latent\s+mlp\s+latent\s+unreadable\s+—\s+2026-11-02 09:00$/);
    assert.match(lines[2], /^20261101-090000-mlp-bop\s+mlp\s+bop\s+completed\s+epoch 3\/3\s+85\.12%\s+2026-11-01 09:00$/);
    assert.match(r.stdout, /20261102-090000-mlp-latent: status\.json is not valid JSON/);
    r = bnn(dir, 'experiments', '--json', '--dir', exps);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.experiments.map((e: { id: string; state: string }) => [e.id, e.state]), [[b.id, 'unreadable'], [a.id, 'completed']]);
    assert.equal(j.experiments[1].valAccuracy, 0.8512);
    r = bnn(dir, 'experiments', '--dir', join(dir, 'none'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /none: no such folder/);
    assert.equal(bnn(dir, 'experiments', '--bogus').status, 2);
  });

  it('shows where named datasets are found, and validates them with --check', () => {
    const mnist = join(dir, 'data', 'mnist');
    mkdirSync(mnist, { recursive: true });
    const n = 20;
    writeFileSync(join(mnist, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([n, 28, 28], new Uint8Array(n * 784))));
    writeFileSync(join(mnist, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % 10))));
    writeFileSync(join(mnist, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx([n, 28, 28], new Uint8Array(n * 784))));
    writeFileSync(join(mnist, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([n - 1], new Uint8Array(n - 1))));
    let r = bnn(dir, 'datasets', '--data-dir', 'data', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { name: string; found: boolean; dir: string | null; origin: string | null }[];
    assert.deepEqual(j.map((d) => d.name), ['fashion-mnist', 'mnist', 'cifar10', 'bundled']);
    assert.deepEqual([j[1].found, j[1].dir, j[1].origin], [true, mnist, 'data dir']);
    assert.equal(j[2].found, false);
    assert.equal(j[3].found, true);
    r = bnn(dir, 'datasets', '--data-dir', 'data', '--check');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /mnist .*\n  found: .*data\/mnist \(data dir\)\n  INVALID: .*t10k-labels-idx1-ubyte\.gz: label count 19 ≠ image count 20/);
    assert.match(r.stdout, /cifar10 .*\n  not found\n  to add it, put data_batch_1\.\.5\.bin and test_batch\.bin into .*data\/cifar10/);
  });
});
