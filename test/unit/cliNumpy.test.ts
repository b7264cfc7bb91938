import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tinyMlp } from '../support/models';
import { requirePythonModule } from '../support/tools';

const root = path.join(__dirname, '..', '..');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const bnn = (args: string[], cwd: string) => spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8', timeout: 120000, env: { ...process.env, HOME: cwd, BNN_DATA_DIR: '' } });

describe('bnn datasets / train / eval on a NumPy .npz and a CSV (built CLI)', function () {
  this.timeout(150000);
  let tmp: string;
  before(function () {
    requirePythonModule(this, PYTHON, 'numpy', 'apt-get install python3-numpy');
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) || !fs.existsSync(path.join(root, 'dist', 'trainWorker.js'))) throw new Error('dist/ is not built: run npm run build (npm test does)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-cli-npz-'));
    fs.writeFileSync(path.join(tmp, 'mlp.bnn.json'), JSON.stringify({ ...tinyMlp([12], 32, 3), name: 'mlp' }));
    // three well-separated classes of float features (x / y only, no test part), as a notebook would save them
    execFileSync(PYTHON, ['-c', `import numpy as np
rng = np.random.default_rng(3)
y = rng.integers(0, 3, 400)
centers = rng.normal(0, 1, (3, 12))
x = (centers[y] * 3 + rng.normal(0, 1, (400, 12))).astype(np.float32)
np.savez_compressed('gestures.npz', x=x, y=y)
np.savez('names.npz', a=x, b=y)
np.savez('skewed.npz', x=x[:220], y=np.r_[np.zeros(200, int), np.ones(20, int) * 2])
names = np.array(['idle', 'circle', 'wave'])
with open('gestures.csv', 'w') as f:
    f.write(','.join([f'f{i}' for i in range(12)] + ['gesture']) + '\\n')
    for row, label in zip(x, y): f.write(','.join(f'{v:.6f}' for v in row) + ',' + names[label] + '\\n')`], { cwd: tmp });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('shows the dataset, trains on it with a stratified test split recorded in config.json, and eval tests on that split', () => {
    const d = bnn(['datasets', 'gestures.npz', '--json'], tmp);
    assert.equal(d.status, 0, d.stderr);
    const info = JSON.parse(d.stdout);
    assert.deepEqual(info.shape, [12, 1, 1]);
    assert.equal(info.classes, 3);
    assert.equal(info.train.samples + info.test.samples, 400);
    assert.equal(info.test.samples, 80);
    // stratified: each class's test share is within one sample of 20 %
    info.test.perClass.forEach((n: number, c: number) => assert.ok(Math.abs(n - 0.2 * (n + info.train.perClass[c])) <= 1, `class ${c}: ${n}`));

    const r = bnn(['train', 'mlp.bnn.json', '--data', 'gestures.npz', '--epochs', '4', '--backend', 'cpu', '--batch-size', '32', '--json', '--experiments', 'exp'], tmp);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warn: data: x holds values that are not bytes; mapped to the model's 8-bit inputs by u8 = clamp/);
    const id = JSON.parse(r.stdout.trim().split('\n')[0]).experimentId;
    const config = JSON.parse(fs.readFileSync(path.join(tmp, 'exp', id, 'config.json'), 'utf8'));
    assert.equal(config.dataset.path, path.join(tmp, 'gestures.npz'));
    assert.equal(config.dataset.testSamples, 80);
    assert.deepEqual(config.dataset.preprocessing.testSplit, { fraction: 0.2, seed: 0, stratified: true });
    assert.deepEqual([config.dataset.preprocessing.toBytes.lo, config.dataset.preprocessing.toBytes.hi], [info.preprocessing.toBytes.lo, info.preprocessing.toBytes.hi]);
    // the validation split is stratified too: 10 % of each class's training samples (within one), recorded per class
    assert.equal(config.dataset.preprocessing.stratifiedValidation, true);
    const { train, val, test } = config.dataset.perClass;
    assert.deepEqual(test, info.test.perClass);
    assert.deepEqual(train.map((n: number, c: number) => n + val[c]), info.train.perClass);
    val.forEach((n: number, c: number) => assert.ok(Math.abs(n - 0.1 * info.train.perClass[c]) <= 1, `class ${c}: ${n} of ${info.train.perClass[c]}`));

    const e = bnn(['eval', id, '--experiments', 'exp', '--json'], tmp);
    assert.equal(e.status, 0, e.stderr);
    const res = JSON.parse(e.stdout);
    assert.equal(res.samples, 80);
    assert.deepEqual(res.perClass.map((p: { samples: number }) => p.samples), info.test.perClass);
    assert.ok(res.accuracy > 0.6, `accuracy ${res.accuracy}`);
  });

  it('says the samples per class and warns about imbalance before training; --test-split on IDX data is ignored, said so', () => {
    const r = bnn(['train', 'mlp.bnn.json', '--data', 'skewed.npz', '--epochs', '1', '--backend', 'cpu', '--experiments', 'exp-skew'], tmp);
    assert.equal(r.status, 0, r.stderr);
    // 200 / 0 / 20 samples: 20 % test (40, 0, 4), then 10 % of the rest validation (16, 0, 2)
    assert.match(r.stderr, /classes {2}3: train 0–144, validation 0–16, test 0–40 samples per class/);
    assert.match(r.stderr, /warn: data: class 1 has no training samples: the model cannot learn it/);
    fs.writeFileSync(path.join(tmp, 'mlp784.bnn.json'), JSON.stringify({ ...tinyMlp([784], 16, 10), name: 'mlp784' }));
    const b = bnn(['train', 'mlp784.bnn.json', '--data', 'bundled', '--test-split', '0.3', '--epochs', '1', '--max-samples', '200', '--backend', 'cpu', '--experiments', 'exp-b'], tmp);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /warn: data: 'bundled' has its own test split; the test split of 0\.3 is not used/);
    assert.match(b.stderr, /classes {2}10: train/);
  });

  it('a CSV with a named label column of class names: trained, recorded, evaluated per class name', () => {
    const r = bnn(['train', 'mlp.bnn.json', '--data', 'gestures.csv', '--label-column', 'gesture', '--epochs', '4', '--backend', 'cpu', '--batch-size', '32', '--json', '--experiments', 'exp-csv'], tmp);
    assert.equal(r.status, 0, r.stderr);
    const id = JSON.parse(r.stdout.trim().split('\n')[0]).experimentId;
    const config = JSON.parse(fs.readFileSync(path.join(tmp, 'exp-csv', id, 'config.json'), 'utf8'));
    assert.equal(config.dataset.preprocessing.format, 'csv');
    assert.equal(config.dataset.preprocessing.labelColumn, 'gesture');
    const e = bnn(['eval', id, '--experiments', 'exp-csv', '--json'], tmp);
    assert.equal(e.status, 0, e.stderr);
    const res = JSON.parse(e.stdout);
    assert.equal(res.samples, 80);
    assert.deepEqual(res.perClass.map((p: { class: string }) => p.class), ['circle', 'idle', 'wave']);
    assert.ok(res.accuracy > 0.6, `accuracy ${res.accuracy}`);
    const bad = bnn(['datasets', 'gestures.csv', '--label-column', 'label'], tmp);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /gestures\.csv: no column named 'label'/);
  });

  it('an .npz without the expected arrays: exit 1 and one message naming the file, no stack trace', () => {
    for (const args of [['datasets', 'names.npz'], ['train', 'mlp.bnn.json', '--data', 'names.npz', '--experiments', 'exp2']]) {
      const r = bnn(args, tmp);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /names\.npz: names\.npz has no x_train\/y_train or x\/y arrays \(it holds 'a', 'b'\)/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(bnn(['train', 'mlp.bnn.json', '--data', 'gestures.npz', '--test-split', '1.5'], tmp).status, 2);
  });
});
