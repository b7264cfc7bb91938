import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DataError, Mulberry32, loadDataset, checkDatasetForModel, classCounts, readOptionsFrom, stratifiedCounts, MAX_DATA_FILE_BYTES,
} from '../../src/core/data';
import { requirePythonModule } from '../support/tools';

/** Debian's python (the one python3-numpy installs into), else python3 on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Runs a numpy script in `dir`; the fixtures are written by numpy itself, in its exact file layouts. */
function py(dir: string, script: string): void {
  execFileSync(PYTHON, ['-c', `import numpy as np, os\nos.chdir(${JSON.stringify(dir)})\n${script}`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function bytes(n: number, seed: number): Uint8Array {
  const rng = new Mulberry32(seed);
  return Uint8Array.from({ length: n }, () => rng.nextInt(256));
}

function throwsData(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('NumPy datasets (.npz, .npy) written by numpy', function () {
  this.timeout(60000);
  let dir: string;
  // 30 training and 10 test images of 6×5, labels 0..2; numpy reads these raw bytes and saves them
  const xTrain = bytes(30 * 6 * 5, 1);
  const yTrain = Uint8Array.from({ length: 30 }, (_, i) => (i * 7) % 3);
  const xTest = bytes(10 * 6 * 5, 2);
  const yTest = Uint8Array.from({ length: 10 }, (_, i) => i % 3);
  const model = (classes: number, shape = [6, 5, 1]) => ({ name: 'm', input: { shape }, classes });

  before(function () {
    requirePythonModule(this, PYTHON, 'numpy', 'apt-get install python3-numpy');
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bnn-npy-'));
    writeFileSync(path.join(dir, 'xtr.bin'), xTrain);
    writeFileSync(path.join(dir, 'ytr.bin'), yTrain);
    writeFileSync(path.join(dir, 'xte.bin'), xTest);
    writeFileSync(path.join(dir, 'yte.bin'), yTest);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = `xtr = np.fromfile('xtr.bin', np.uint8).reshape(30, 6, 5)
ytr = np.fromfile('ytr.bin', np.uint8)
xte = np.fromfile('xte.bin', np.uint8).reshape(10, 6, 5)
yte = np.fromfile('yte.bin', np.uint8)
`;

  it('reads an .npz in Keras mnist.npz layout, stored (np.savez) and deflated (np.savez_compressed), uint8 as is', () => {
    py(dir, `${load}np.savez('stored.npz', x_train=xtr, y_train=ytr.astype(np.int64), x_test=xte, y_test=yte.astype(np.int64))
np.savez_compressed('deflated.npz', x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)`);
    // zip method 0 (stored) vs 8 (deflate) at offset 8 of the first local header: the fixtures really differ
    assert.equal(readFileSync(path.join(dir, 'stored.npz')).readUInt16LE(8), 0);
    assert.equal(readFileSync(path.join(dir, 'deflated.npz')).readUInt16LE(8), 8);
    for (const f of ['stored.npz', 'deflated.npz']) {
      const ds = loadDataset(path.join(dir, f));
      assert.deepEqual(ds.shape, [6, 5, 1]);
      assert.equal(ds.classes, 3);
      assert.deepEqual(ds.train.images, xTrain);
      assert.deepEqual(ds.train.labels, yTrain);
      assert.deepEqual(ds.test.images, xTest);
      assert.deepEqual(ds.test.labels, yTest);
      assert.deepEqual(ds.warnings, []);
      assert.equal(ds.dir, path.join(dir, f));
      assert.equal(ds.preprocessing?.format, 'numpy');
      assert.equal(ds.preprocessing?.toBytes, undefined);
      checkDatasetForModel(ds, model(3));
    }
  });

  it('reads .npy pairs with header version 1.0 and 2.0 (given as a folder or as one of its files)', () => {
    py(dir, `${load}from numpy.lib import format as F
os.mkdir('v1'); os.mkdir('v2')
for name, a in [('x_train', xtr), ('y_train', ytr), ('x_test', xte), ('y_test', yte)]:
    with open(f'v1/{name}.npy', 'wb') as f: F.write_array(f, a, version=(1, 0))
    with open(f'v2/{name}.npy', 'wb') as f: F.write_array(f, a, version=(2, 0))`);
    assert.equal(readFileSync(path.join(dir, 'v1', 'x_train.npy'))[6], 1);
    assert.equal(readFileSync(path.join(dir, 'v2', 'x_train.npy'))[6], 2);
    for (const p of [path.join(dir, 'v1'), path.join(dir, 'v2'), path.join(dir, 'v2', 'y_test.npy')]) {
      const ds = loadDataset(p);
      assert.deepEqual(ds.train.images, xTrain);
      assert.deepEqual(ds.test.labels, yTest);
      assert.deepEqual(ds.shape, [6, 5, 1]);
    }
  });

  it('maps float samples to bytes by the stated rule, with a warning, and repeats a recorded rule', () => {
    py(dir, `${load}np.savez('unit.npz', x_train=(xtr / 255).astype(np.float32), y_train=ytr, x_test=(xte / 255).astype(np.float32), y_test=yte)
rng = np.random.default_rng(5)
a = rng.uniform(-3, 5, (30, 4)).astype(np.float32); b = rng.uniform(-4, 6, (10, 4)).astype(np.float32)
lo, hi = float(a.min()), float(a.max())
q = lambda v: np.clip(np.floor((v.astype(np.float64) - lo) * 255 / (hi - lo) + 0.5), 0, 255).astype(np.uint8)
np.savez('wide.npz', x_train=a, y_train=ytr, x_test=b, y_test=yte)
q(a).tofile('wide_train.u8'); q(b).tofile('wide_test.u8')
np.array([lo, hi]).tofile('wide_range.f64')`);
    // x / 255 as float32 comes back as the very bytes it was made from
    const unit = loadDataset(path.join(dir, 'unit.npz'));
    assert.deepEqual(unit.train.images, xTrain);
    assert.deepEqual(unit.test.images, xTest);
    assert.deepEqual({ lo: unit.preprocessing?.toBytes?.lo, hi: unit.preprocessing?.toBytes?.hi }, { lo: 0, hi: 1 });
    assert.match(unit.warnings?.[0] ?? '', /x_train holds values that are not bytes.*\[lo, hi\] = \[0, 1\]/);

    // values in [−3, 5]: the training split's own [min, max], applied to the test split too (clamping its outliers)
    const wide = loadDataset(path.join(dir, 'wide.npz'));
    const [lo, hi] = new Float64Array(Uint8Array.from(readFileSync(path.join(dir, 'wide_range.f64'))).buffer);
    assert.deepEqual([wide.preprocessing?.toBytes?.lo, wide.preprocessing?.toBytes?.hi], [lo, hi]);
    assert.deepEqual(wide.shape, [4, 1, 1]);
    assert.deepEqual(wide.train.images, new Uint8Array(readFileSync(path.join(dir, 'wide_train.u8'))));
    assert.deepEqual(wide.test.images, new Uint8Array(readFileSync(path.join(dir, 'wide_test.u8'))));
    assert.ok(wide.warnings?.some((w) => /x_test: \d+ values lie outside/.test(w)), String(wide.warnings));
    // a run's recorded rule is used as it is (eval/bench on other data repeat training's mapping)
    const again = loadDataset(path.join(dir, 'unit.npz'), {}, readOptionsFrom(wide.preprocessing));
    assert.deepEqual(again.preprocessing?.toBytes?.lo, wide.preprocessing?.toBytes?.lo);
    assert.deepEqual(again.warnings, []);
  });

  it('takes one-hot labels and integer labels of any width alike', () => {
    py(dir, `${load}eye = np.eye(3, dtype=np.float32)
np.savez('onehot.npz', x_train=xtr, y_train=eye[ytr], x_test=xte, y_test=eye[yte])
np.savez('int32.npz', x_train=xtr, y_train=ytr.astype(np.int32).reshape(-1, 1), x_test=xte, y_test=yte.astype(np.uint16))
bad = eye[ytr].copy(); bad[4] = [0, 1, 1]
np.savez('notonehot.npz', x_train=xtr, y_train=bad)`);
    for (const f of ['onehot.npz', 'int32.npz']) {
      const ds = loadDataset(path.join(dir, f));
      assert.deepEqual(ds.train.labels, yTrain, f);
      assert.deepEqual(ds.test.labels, yTest, f);
      assert.equal(ds.classes, 3);
    }
    throwsData(() => loadDataset(path.join(dir, 'notonehot.npz')), /notonehot\.npz: y_train row 4 \(counting from 0\) is not one-hot: \[0, 1, 1\]/);
  });

  it('x/y only: holds out a seeded, stratified test split, recorded so eval and bench repeat it', () => {
    // 3 classes of 20, 12 and 8 samples: [N, F] features
    const labels = [...Array(20).fill(0), ...Array(12).fill(1), ...Array(8).fill(2)];
    writeFileSync(path.join(dir, 'y.bin'), Uint8Array.from(labels));
    py(dir, `x = np.arange(40 * 3, dtype=np.uint8).reshape(40, 3)
np.savez('xy.npz', x=x, y=np.fromfile('y.bin', np.uint8))`);
    const ds = loadDataset(path.join(dir, 'xy.npz'));
    // 0.2 of 40 = 8 held out, shared 4 / 2.4 / 1.6 → 4, 2, 2 by largest remainder
    assert.deepEqual(classCounts(ds.test.labels, 3), [4, 2, 2]);
    assert.deepEqual(classCounts(ds.train.labels, 3), [16, 10, 6]);
    assert.deepEqual(ds.preprocessing?.testSplit, { fraction: 0.2, seed: 0, stratified: true });
    // every sample is in exactly one part, with its own label (row r is r*3, r*3+1, r*3+2)
    const rows = (s: typeof ds.train) => Array.from({ length: s.count }, (_, i) => s.images[i * 3] / 3);
    const all = [...rows(ds.train), ...rows(ds.test)].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => i));
    rows(ds.test).forEach((r, i) => assert.equal(ds.test.labels[i], labels[r]));
    // same split from the record; another seed holds out other samples
    assert.deepEqual(loadDataset(path.join(dir, 'xy.npz'), {}, readOptionsFrom(ds.preprocessing)).test.images, ds.test.images);
    const other = loadDataset(path.join(dir, 'xy.npz'), {}, { testSplit: 0.25, splitSeed: 7 });
    assert.equal(other.test.count, 10);
    assert.notDeepEqual(rows(other.test), rows(ds.test));
    // [N, F] rows are features in the model's input order: any model of that many inputs
    checkDatasetForModel(ds, model(3, [3]));
    checkDatasetForModel(ds, model(3, [3, 1, 1]));
    assert.deepEqual(stratifiedCounts([20, 12, 8], 0.5), [10, 6, 4]);
  });

  it('sensor windows [N, T, C] feed a [T, 1, C] model', () => {
    py(dir, `np.savez('imu.npz', x=np.zeros((12, 16, 3), np.uint8), y=np.arange(12) % 2)`);
    const ds = loadDataset(path.join(dir, 'imu.npz'));
    assert.deepEqual(ds.shape, [16, 3, 1]);
    checkDatasetForModel(ds, model(2, [16, 1, 3]));
    throwsData(() => checkDatasetForModel(ds, model(2, [3, 1, 16])), /shape \[16, 3, 1\].*expects input shape \[3, 1, 16\]/);
  });

  it('bad input: a clear DataError naming the file (and array, sample or row)', () => {
    py(dir, `${load}x = xtr.astype(np.float32); x[7, 2, 3] = np.nan
np.savez('nan.npz', x_train=x, y_train=ytr)
x = xtr.astype(np.float64); x[3, 0, 0] = np.inf
np.savez('inf.npz', x=x, y=ytr)
np.savez('names.npz', images=xtr, labels=ytr)
np.savez('nolabels.npz', x_train=xtr)
np.savez('count.npz', x_train=xtr, y_train=ytr[:29])
np.savez('oneclass.npz', x=xtr, y=np.zeros(30, np.uint8))
np.savez('neg.npz', x=xtr, y=ytr.astype(np.int8) - 1)
np.savez('shape.npz', x_train=xtr, y_train=ytr, x_test=xte[:, :5, :], y_test=yte)
np.savez('good.npz', x_train=xtr, y_train=ytr)`);
    const f = (n: string) => path.join(dir, n);
    throwsData(() => loadDataset(f('nan.npz')), /nan\.npz: x_train holds NaN in sample 7 \(value 13 of 30/);
    throwsData(() => loadDataset(f('inf.npz')), /inf\.npz: x holds Infinity in sample 3/);
    throwsData(() => loadDataset(f('names.npz')), /names\.npz: names\.npz has no x_train\/y_train or x\/y arrays \(it holds 'images', 'labels'\)/);
    throwsData(() => loadDataset(f('nolabels.npz')), /nolabels\.npz has 'x_train' but no 'y_train'/);
    throwsData(() => loadDataset(f('count.npz')), /y_train has 29 labels but x_train .* has 30 samples/);
    throwsData(() => loadDataset(f('oneclass.npz')), /every label is 0: a classifier needs at least two classes/);
    throwsData(() => loadDataset(f('neg.npz')), /neg\.npz: y\[0\] is -1: labels must be whole class indices/);
    throwsData(() => loadDataset(f('shape.npz')), /x_test has samples of shape \[5, 5, 1\] but x_train .* has \[6, 5, 1\]/);
    // three classes in the data, a model of ten outputs: an error, not a warning
    throwsData(() => checkDatasetForModel(loadDataset(f('good.npz')), model(10)), /dataset 'good' has 3 classes but model 'm' has 10 outputs/);
  });

  it('bad files: truncated .npy and .npz, Fortran order, unknown files, files too large to read', () => {
    py(dir, `${load}os.mkdir('t'); np.save('t/x_train.npy', xtr); np.save('t/y_train.npy', ytr)
np.savez_compressed('z.npz', x_train=xtr, y_train=ytr)
os.mkdir('f'); np.save('f/x.npy', np.asfortranarray(xtr.reshape(30, 30))); np.save('f/y.npy', ytr)`);
    const t = path.join(dir, 't', 'x_train.npy');
    writeFileSync(t, readFileSync(t).subarray(0, 128 + 500));
    throwsData(() => loadDataset(path.join(dir, 't')), /x_train\.npy: x_train\.npy: the header's shape \(30, 6, 5\) needs 900 values, the data has 500 \(truncated file\)/);
    const z = path.join(dir, 'z.npz');
    writeFileSync(z, readFileSync(z).subarray(0, 300));
    throwsData(() => loadDataset(z), /z\.npz: not a readable \.npz \(zip\) archive/);
    throwsData(() => loadDataset(path.join(dir, 'f')), /x\.npy: x\.npy is stored in Fortran \(column-major\) order/);
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    throwsData(() => loadDataset(path.join(dir, 'notes.txt')), /notes\.txt: not a dataset file/);
    writeFileSync(path.join(dir, 'fake.npz'), 'not a zip at all');
    throwsData(() => loadDataset(path.join(dir, 'fake.npz')), /fake\.npz: not a readable \.npz/);
    // a sparse file just over the limit: refused from its size, never read into memory
    const big = path.join(dir, 'big.npz');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_DATA_FILE_BYTES + 1);
    closeSync(fd);
    throwsData(() => loadDataset(big), /big\.npz: file is 1\.0 GiB; BNN Studio reads data files of at most 1 GiB/);
  });
});
