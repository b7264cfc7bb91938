import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  DataError, encodeIdx, parseIdxImages, parseIdxLabels, readIdxImages, readIdxLabels, parseCifarBatch, CIFAR_RECORD,
  loadDataset, locateDataset, checkDatasetForModel, datasetModelMismatch, splitValidation, batches, batchCount, permutation,
  Mulberry32, deriveSeed, classCounts, normalizeInputs, bundledDataDir, probeNamedDataset, validationCount, datasetConfigEntry, type DataSplit,
} from '../../src/core/data';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'bnn-data-'));
}

function images(n: number, h: number, w: number, seed = 1): Uint8Array {
  const rng = new Mulberry32(seed);
  return Uint8Array.from({ length: n * h * w }, () => rng.nextInt(256));
}

/** Writes a tiny IDX dataset (train n, test m) into dir, gzip'd or raw. */
function writeIdxSet(dir: string, n: number, m: number, gz: boolean, labelsOf = (i: number) => i % 10): void {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, bytes: Uint8Array) => writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  put('train-images-idx3-ubyte', encodeIdx([n, 28, 28], images(n, 28, 28)));
  put('train-labels-idx1-ubyte', encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => labelsOf(i))));
  put('t10k-images-idx3-ubyte', encodeIdx([m, 28, 28], images(m, 28, 28, 2)));
  put('t10k-labels-idx1-ubyte', encodeIdx([m], Uint8Array.from({ length: m }, (_, i) => labelsOf(i))));
}

function throwsData(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('IDX parsing', () => {
  it('parses images and labels, raw and gzip (by magic, not by name)', () => {
    const dir = tmp();
    try {
      const px = images(5, 28, 28);
      writeFileSync(path.join(dir, 'raw'), encodeIdx([5, 28, 28], px));
      writeFileSync(path.join(dir, 'packed.gz'), gzipSync(encodeIdx([5, 28, 28], px)));
      writeFileSync(path.join(dir, 'labels'), gzipSync(encodeIdx([5], Uint8Array.of(0, 1, 2, 9, 3))));
      for (const f of ['raw', 'packed.gz']) {
        const img = readIdxImages(path.join(dir, f));
        assert.deepEqual([img.count, img.height, img.width, img.channels], [5, 28, 28, 1]);
        assert.deepEqual(Array.from(img.data), Array.from(px));
      }
      assert.deepEqual(Array.from(readIdxLabels(path.join(dir, 'labels'), 10)), [0, 1, 2, 9, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts rank-4 images as channels', () => {
    const img = parseIdxImages(encodeIdx([2, 4, 4, 3], new Uint8Array(96)), 'x');
    assert.deepEqual([img.count, img.height, img.width, img.channels], [2, 4, 4, 3]);
  });

  it('rejects a truncated file, naming the file and the sizes', () => {
    const good = encodeIdx([3, 28, 28], images(3, 28, 28));
    throwsData(() => parseIdxImages(good.subarray(0, good.length - 1), '/d/train-images-idx3-ubyte'), /^\/d\/train-images-idx3-ubyte: truncated IDX file: dimensions 3×28×28 need 2352 data bytes after the 16-byte header, the file has 2351/);
    throwsData(() => parseIdxImages(good.subarray(0, 10), 'f'), /truncated IDX header/);
    throwsData(() => parseIdxImages(good.subarray(0, 2), 'f'), /truncated IDX file: 2 bytes/);
  });

  it('rejects a truncated gzip stream', () => {
    const dir = tmp();
    try {
      const gz = gzipSync(encodeIdx([50, 28, 28], images(50, 28, 28)));
      const f = path.join(dir, 'cut.gz');
      writeFileSync(f, gz.subarray(0, gz.length >> 1));
      throwsData(() => readIdxImages(f), /cut\.gz: corrupt or truncated gzip data/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a wrong magic number, a wrong data type and a wrong rank', () => {
    const bad = encodeIdx([2, 2, 2], new Uint8Array(8));
    bad[0] = 0x50; // e.g. a PNG or text file
    throwsData(() => parseIdxImages(bad, 'f'), /not an IDX file: wrong magic number 50 00 08 03/);
    const f32 = encodeIdx([2, 2, 2], new Uint8Array(8));
    f32[2] = 0x0d;
    throwsData(() => parseIdxImages(f32, 'f'), /float32.*not supported/);
    throwsData(() => parseIdxLabels(encodeIdx([2, 2, 2], new Uint8Array(8)), 'labels'), /IDX rank 3.*expected 1 dimension/);
    throwsData(() => parseIdxImages(encodeIdx([8], new Uint8Array(8)), 'img'), /IDX rank 1.*expected 3 or 4 dimensions/);
  });

  it('rejects trailing bytes and labels out of range', () => {
    const extra = new Uint8Array([...encodeIdx([2], Uint8Array.of(1, 2)), 7]);
    throwsData(() => parseIdxLabels(extra, 'f'), /1 unexpected bytes after the 2 data/);
    throwsData(() => parseIdxLabels(encodeIdx([3], Uint8Array.of(1, 12, 2)), 'lab', 10), /lab: label 12 at index 1 is out of range/);
  });
});

describe('CIFAR-10 batches', () => {
  it('parses records and converts planar RGB to HWC', () => {
    const rec = new Uint8Array(2 * CIFAR_RECORD);
    rec[0] = 3;
    rec[1] = 10; rec[1 + 1024] = 20; rec[1 + 2048] = 30; // pixel (0,0) R,G,B
    rec[1 + 33] = 11; rec[1 + 1024 + 33] = 21; rec[1 + 2048 + 33] = 31; // pixel (1,1)
    rec[CIFAR_RECORD] = 9;
    const b = parseCifarBatch(rec, 'data_batch_1.bin');
    assert.equal(b.count, 2);
    assert.deepEqual(Array.from(b.labels), [3, 9]);
    assert.deepEqual(Array.from(b.images.subarray(0, 3)), [10, 20, 30]);
    assert.deepEqual(Array.from(b.images.subarray(33 * 3, 33 * 3 + 3)), [11, 21, 31]);
  });

  it('rejects partial records and bad labels', () => {
    throwsData(() => parseCifarBatch(new Uint8Array(CIFAR_RECORD + 5), 'b.bin'), /b\.bin: not a whole number of CIFAR-10 records: 3078 bytes = 1 records of 3073 bytes \+ 5 left over/);
    const rec = new Uint8Array(CIFAR_RECORD);
    rec[0] = 10;
    throwsData(() => parseCifarBatch(rec, 'b.bin'), /record 0: label 10 is out of range/);
  });

  it('loads a CIFAR-10 folder (also nested cifar-10-batches-bin)', () => {
    const root = tmp();
    try {
      const dir = path.join(root, 'cifar-10-batches-bin');
      mkdirSync(dir);
      const batch = (n: number, label: number) => { const b = new Uint8Array(n * CIFAR_RECORD); for (let i = 0; i < n; i++) b[i * CIFAR_RECORD] = (label + i) % 10; return b; };
      for (let i = 1; i <= 5; i++) writeFileSync(path.join(dir, `data_batch_${i}.bin`), batch(3, i));
      writeFileSync(path.join(dir, 'test_batch.bin'), batch(4, 0));
      const ds = loadDataset(root);
      assert.deepEqual(ds.shape, [32, 32, 3]);
      assert.equal(ds.train.count, 15);
      assert.equal(ds.test.count, 4);
      assert.equal(ds.train.images.length, 15 * 3072);
      assert.deepEqual(Array.from(ds.train.labels.subarray(0, 4)), [1, 2, 3, 2]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('dataset lookup and loading', () => {
  it('loads an IDX folder by path, gz or raw, and records its sources', () => {
    const root = tmp();
    try {
      writeIdxSet(path.join(root, 'gz'), 30, 10, true);
      writeIdxSet(path.join(root, 'raw'), 30, 10, false);
      for (const sub of ['gz', 'raw']) {
        const ds = loadDataset(path.join(root, sub));
        assert.equal(ds.name, sub);
        assert.deepEqual(ds.shape, [28, 28, 1]);
        assert.equal(ds.classes, 10);
        assert.equal(ds.train.count, 30);
        assert.equal(ds.test.count, 10);
        assert.equal(ds.sources.length, 4);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rejects label count ≠ image count, naming both files', () => {
    const root = tmp();
    try {
      writeIdxSet(root, 30, 10, true);
      writeFileSync(path.join(root, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([29], new Uint8Array(29))));
      throwsData(() => loadDataset(root), /train-labels-idx1-ubyte\.gz: label count 29 ≠ image count 30 in .*train-images-idx3-ubyte\.gz/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds a named dataset in the data dir and says where to put missing files', () => {
    const root = tmp();
    try {
      const opts = { dataDir: root, includeSystem: false, env: {} };
      throwsData(() => locateDataset('mnist', opts), new RegExp(`dataset 'mnist' not found[^]*${root}/mnist \\(data dir\\) — no such folder[^]*t10k-labels-idx1-ubyte\\.gz[^]*into\\n  ${root}/mnist/`));
      writeIdxSet(path.join(root, 'mnist'), 20, 10, true);
      rmSync(path.join(root, 'mnist', 't10k-labels-idx1-ubyte.gz'));
      throwsData(() => locateDataset('mnist', opts), /\/mnist \(data dir\) — missing t10k-labels-idx1-ubyte\.gz/);
      writeIdxSet(path.join(root, 'mnist'), 20, 10, false);
      const loc = locateDataset('mnist', opts);
      assert.equal(loc.dir, path.join(root, 'mnist'));
      assert.equal(loc.named, 'mnist');
      // BNN_DATA_DIR is honoured after the configured dir.
      const viaEnv = locateDataset('mnist', { includeSystem: false, env: { BNN_DATA_DIR: root } });
      assert.equal(viaEnv.origin, 'BNN_DATA_DIR');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rejects images of the wrong size for a named dataset, and a data root given as a dataset path', () => {
    const root = tmp();
    try {
      const dir = path.join(root, 'mnist');
      mkdirSync(dir);
      const put = (name: string, bytes: Uint8Array) => writeFileSync(path.join(dir, name), bytes);
      put('train-images-idx3-ubyte', encodeIdx([2, 32, 32], new Uint8Array(2 * 1024)));
      put('train-labels-idx1-ubyte', encodeIdx([2], new Uint8Array(2)));
      put('t10k-images-idx3-ubyte', encodeIdx([2, 32, 32], new Uint8Array(2 * 1024)));
      put('t10k-labels-idx1-ubyte', encodeIdx([2], new Uint8Array(2)));
      throwsData(() => loadDataset('mnist', { dataDir: root, includeSystem: false, env: {} }), /train-images-idx3-ubyte: 'mnist' images must be 28×28×1, this file holds 32×32×1 images/);
      throwsData(() => loadDataset(root), /looks like a data folder holding mnist, not a dataset\nUse the dataset name with this data folder, e\.g\. --data mnist --data-dir /);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names the Debian package for Fashion-MNIST and rejects unknown names', () => {
    const root = tmp();
    try {
      const probes = probeNamedDataset('fashion-mnist', { dataDir: root, env: { HOME: root } });
      assert.ok(probes.some((p) => p.origin === 'Debian package' && p.dir === '/usr/share/datasets/fashion-mnist'));
      if (!existsSync('/usr/share/datasets/fashion-mnist')) {
        throwsData(() => locateDataset('fashion-mnist', { dataDir: root, env: { HOME: root } }), /apt-get install dataset-fashion-mnist/);
      }
      throwsData(() => locateDataset('imagenet', { cwd: root }), /unknown dataset 'imagenet': not one of fashion-mnist, mnist, cifar10, bundled/);
      throwsData(() => locateDataset('./nope', { cwd: root }), /nope: no such folder/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('loads the bundled dataset: 6,000 + 1,000 real Fashion-MNIST images, class-balanced', () => {
    assert.ok(bundledDataDir(), 'examples/data/fashion-mnist-small not found');
    const ds = loadDataset('bundled');
    assert.equal(ds.name, 'bundled');
    assert.deepEqual(ds.shape, [28, 28, 1]);
    assert.equal(ds.train.count, 6000);
    assert.equal(ds.test.count, 1000);
    assert.deepEqual(classCounts(ds.train.labels, 10), new Array(10).fill(600));
    assert.deepEqual(classCounts(ds.test.labels, 10), new Array(10).fill(100));
    // Real images, not noise or blanks: Fashion-MNIST has a black background and a bright object in the centre.
    let border = 0, centre = 0;
    for (let i = 0; i < 100; i++) {
      border += ds.train.images[i * 784];
      centre += ds.train.images[i * 784 + 14 * 28 + 14];
    }
    assert.ok(border / 100 < 5 && centre / 100 > 60, `border ${border / 100}, centre ${centre / 100}`);
    assert.deepEqual(datasetConfigEntry(ds, { trainSamples: 5400, valSamples: 600 }), { name: 'bundled', path: ds.dir, trainSamples: 5400, valSamples: 600, testSamples: 1000, normalization: 'x = u8 / 127.5 - 1' });
  });

  it('checks a dataset against a model input and classes', () => {
    const ds = { name: 'fashion-mnist', shape: [28, 28, 1] as [number, number, number], classes: 10 };
    assert.deepEqual(datasetModelMismatch(ds, { name: 'm', input: { shape: [28, 28, 1] }, classes: 10 }), []);
    assert.deepEqual(datasetModelMismatch(ds, { name: 'm', input: { shape: [784] }, classes: 10 }), []);
    assert.deepEqual(datasetModelMismatch(ds, { name: 'm', input: { shape: [28, 28] }, classes: 10 }), []);
    assert.throws(() => checkDatasetForModel(ds, { name: 'cnn', input: { shape: [32, 32, 3] }, classes: 10 }),
      /dataset 'fashion-mnist' has images of shape \[28, 28, 1\] \(784 values\) but model 'cnn' expects input shape \[32, 32, 3\]/);
    assert.throws(() => checkDatasetForModel(ds, { name: 'm', input: { shape: [784] }, classes: 5 }), /10 classes but model 'm' has 5 outputs/);
  });

  it('traces a label outside the model\'s classes to its labels file and record', () => {
    const dir = tmp();
    try {
      // a custom folder whose labels run 0..10: 11 classes, the only 10 at training record 7 and test record 3
      writeIdxSet(dir, 20, 6, false, (i) => (i === 7 ? 10 : i % 10));
      writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([6], Uint8Array.of(0, 1, 2, 10, 4, 5)));
      const ds = loadDataset(dir);
      assert.equal(ds.classes, 11);
      const expected = `dataset '${path.basename(dir)}' has 11 classes but model 'm' has 10 outputs: label 10 in ${path.join(dir, 'train-labels-idx1-ubyte')}, record 7 (counting from 0) is not one of the model's classes 0..9`;
      assert.throws(() => checkDatasetForModel(ds, { name: 'm', input: { shape: [28, 28, 1] }, classes: 10 }), (e: unknown) => e instanceof DataError && e.message === expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // a split joined from several files (CIFAR's five batches): the record counts within its own file
    const labels = Uint8Array.of(0, 1, 0, 1, 0, 1, 0, 3, 1, 0);
    const joined = {
      name: 'two-batches', shape: [2, 2, 1] as [number, number, number], classes: 4,
      train: { images: new Uint8Array(40), labels, count: 10 }, test: { images: new Uint8Array(4), labels: Uint8Array.of(0), count: 1 },
      labelSources: { train: [{ file: 'data_batch_1.bin', count: 5 }, { file: 'data_batch_2.bin', count: 5 }], test: [{ file: 'test_batch.bin', count: 1 }] },
    };
    assert.deepEqual(datasetModelMismatch(joined, { name: 'm', input: { shape: [2, 2, 1] }, classes: 2 }),
      ["dataset 'two-batches' has 4 classes but model 'm' has 2 outputs: label 3 in data_batch_2.bin, record 2 (counting from 0) is not one of the model's classes 0..1"]);
  });
});

describe('shuffling, splits and batches', () => {
  const shape = [2, 2, 1];
  const split = { images: Uint8Array.from({ length: 4 * 103 }, (_, i) => i >> 2), labels: Uint8Array.from({ length: 103 }, (_, i) => i % 10), count: 103 };

  it('mulberry32 is deterministic and seed-sensitive', () => {
    const a = new Mulberry32(42), b = new Mulberry32(42), c = new Mulberry32(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    assert.deepEqual(sa, Array.from({ length: 5 }, () => b.nextUint32()));
    assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.nextUint32()));
    // Pinned values: a change to the generator would silently change every experiment's sample order.
    assert.deepEqual(Array.from(permutation(8, 1)), [6, 0, 2, 7, 1, 5, 4, 3]);
    assert.deepEqual(Array.from(permutation(10, 7)).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
    assert.equal(new Mulberry32(0).nextUint32(), 1144304738);
  });

  it('splits with exact sizes, deterministically, without overlap', () => {
    assert.equal(validationCount(6000, 0.1), 600);
    assert.equal(validationCount(103, 0.2), 21);
    assert.equal(validationCount(10, 0), 0);
    const s1 = splitValidation(split, shape, 0.2, 5);
    const s2 = splitValidation(split, shape, 0.2, 5);
    const s3 = splitValidation(split, shape, 0.2, 6);
    assert.equal(s1.train.count, 82);
    assert.equal(s1.val.count, 21);
    assert.deepEqual(s1.val.images, s2.val.images);
    assert.notDeepEqual(s1.val.images, s3.val.images);
    const ids = (s: DataSplit) => Array.from({ length: s.count }, (_, i) => s.images[i * 4]);
    const all = [...ids(s1.train), ...ids(s1.val)].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 103 }, (_, i) => i));
    assert.throws(() => splitValidation(split, shape, 1, 1), /validation split must be in \[0, 1\)/);
  });

  it('batches cover every sample once per epoch, in an order fixed by (seed, epoch)', () => {
    const order = (seed: number | undefined, epoch: number) => [...batches(split, shape, { batchSize: 10, seed, epoch })].flatMap((b) => Array.from(b.indices));
    assert.equal([...batches(split, shape, { batchSize: 10 })].length, batchCount(103, 10));
    assert.equal([...batches(split, shape, { batchSize: 10, dropRemainder: true })].length, 10);
    const e0 = order(3, 0);
    assert.deepEqual([...e0].sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
    assert.deepEqual(order(3, 0), e0);
    assert.notDeepEqual(order(3, 1), e0);
    assert.deepEqual(order(undefined, 0), Array.from({ length: 103 }, (_, i) => i));
    // Resume mid-epoch: the remaining batches are exactly those of the full epoch.
    const resumed = [...batches(split, shape, { batchSize: 10, seed: 3, epoch: 0, startBatch: 4 })].flatMap((b) => Array.from(b.indices));
    assert.deepEqual(resumed, e0.slice(40));
    const first = batches(split, shape, { batchSize: 10, seed: 3, epoch: 0 }).next().value!;
    for (let i = 0; i < first.size; i++) {
      assert.equal(first.labels[i], split.labels[first.indices[i]]);
      assert.equal(first.images[i * 4], first.indices[i]);
    }
  });

  it('normalises as INPUT_ENCODING says (x = u8/127.5 − 1)', () => {
    const x = normalizeInputs(Uint8Array.of(0, 255, 127));
    assert.equal(x[0], -1);
    assert.equal(x[1], 1);
    assert.ok(Math.abs(x[2] - (127 / 127.5 - 1)) < 1e-7);
  });
});
