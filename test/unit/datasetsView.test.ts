// The core of the Datasets view: finding datasets in a workspace, summarising them (counts per class exactly as
// training will split them), the fit with a model, the preview samples, and the data worker that runs it all off
// the extension host's thread.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import {
  DataError, classCounts, datasetFit, loadDataset, previewDataset, readTestSamples, scanForDatasets, summarizeDataset, THUMBNAIL_SIZE,
} from '../../src/core/data';
import { runDataTask } from '../../src/core/data/tasks';
import { summaryDescription, summaryRows } from '../../src/core/data/summaryText';
import { guardDatasetPreviewMessage } from '../../src/core/webviewMessageGuard';
import { runInDataWorker } from '../../src/core/data/workerHost';

const REPO = path.resolve(__dirname, '..', '..');

/** A PNG of w×h RGB pixels, every pixel (r, g, b). */
function png(file: string, w: number, h: number, rgb: [number, number, number]): void {
  const img = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) img.data.set([...rgb, 255], 4 * i);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, PNG.sync.write(img));
}

describe('Datasets view core', function () {
  this.timeout(60000);
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnn-dsview-'));
    // an image folder: 5 cats, 3 dogs, 8×6 RGB, and one big image
    for (let i = 0; i < 5; i++) png(path.join(ws, 'pets', 'cat', `${i}.png`), 8, 6, [200, 10, 10]);
    for (let i = 0; i < 3; i++) png(path.join(ws, 'pets', 'dog', `${i}.png`), 8, 6, [10, 10, 200]);
    png(path.join(ws, 'pets', 'dog', 'z_big.png'), 128, 32, [0, 255, 0]);
    // a CSV dataset and a CSV that is some other table (a metrics export)
    writeFileSync(path.join(ws, 'sensors.csv'), `label,a,b,c\n${Array.from({ length: 20 }, (_, r) => `${r % 2},${r},${2 * r},${3 * r}`).join('\n')}\n`);
    writeFileSync(path.join(ws, 'metrics.csv'), 'step,loss\n1,0.5\n2,oops\n');
    // not datasets: one folder of screenshots, and anything under node_modules or .bnn
    png(path.join(ws, 'docs', 'images', 'shot.png'), 4, 4, [1, 2, 3]);
    writeFileSync(path.join(ws, 'docs', 'readme.txt'), 'x');
    mkdirSync(path.join(ws, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(ws, 'node_modules', 'pkg', 'data.csv'), 'label,a\n0,1\n1,2\n');
    for (const c of ['a', 'b']) png(path.join(ws, '.bnn', 'cache', c, '0.png'), 2, 2, [0, 0, 0]);
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('finds the image folder and the CSVs, and nothing under node_modules, .bnn or a docs folder', () => {
    const { found, truncated } = scanForDatasets([ws]);
    assert.equal(truncated, false);
    assert.deepEqual(found.map((f) => path.relative(ws, f)).sort(), ['metrics.csv', 'pets', 'sensors.csv']);
    assert.equal(scanForDatasets([ws], { maxFolders: 1 }).truncated, true);
  });

  it('summarises an image folder from its listing: per-class counts equal the split training makes', () => {
    const s = summarizeDataset(path.join(ws, 'pets'));
    assert.equal(s.error, undefined);
    assert.equal(s.format, 'image-folder');
    assert.deepEqual(s.shape, [6, 8, 3]);
    assert.equal(s.classes, 2);
    assert.deepEqual(s.testFrom, { fraction: 0.2 });
    // what training really holds out (decoding every image, stratified split, seed 0)
    const ds = loadDataset(path.join(ws, 'pets'), {}, { imageShape: [6, 8, 3] });
    const train = classCounts(ds.train.labels, 2);
    const test = classCounts(ds.test.labels, 2);
    assert.deepEqual(s.perClass, [{ name: 'cat', train: train[0], test: test[0] }, { name: 'dog', train: train[1], test: test[1] }]);
    assert.equal(s.train, ds.train.count);
    assert.equal(s.test, ds.test.count);
    assert.equal((s.train ?? 0) + (s.test ?? 0), 9);
  });

  it('summarises array data by reading it, and says why a dataset cannot be read', () => {
    const csv = summarizeDataset(path.join(ws, 'sensors.csv'));
    assert.deepEqual(csv.shape, [3, 1, 1]);
    assert.deepEqual(csv.perClass?.map((c) => c.train + c.test), [10, 10]);
    assert.match(summarizeDataset(path.join(ws, 'metrics.csv')).error ?? '', /metrics\.csv/);
    const bundled = summarizeDataset('bundled');
    assert.equal(bundled.builtIn, true);
    assert.deepEqual([bundled.train, bundled.test], [6000, 1000]);
    assert.deepEqual(bundled.testFrom, { own: true });
    const missing = summarizeDataset('cifar10', { includeSystem: false, dataDir: ws });
    assert.equal(missing.builtIn, true);
    assert.match(missing.error ?? '', /dataset 'cifar10' not found/);
    assert.deepEqual(missing.shape, [32, 32, 3], 'a named dataset keeps its known shape');
  });

  it('the scan task lists the named datasets once and the workspace datasets that parse', () => {
    const { datasets } = runDataTask({ kind: 'scan', roots: [ws, path.join(REPO, 'examples', 'data')], lookup: { includeSystem: false } });
    const names = datasets.map((d) => (d.builtIn ? d.name : path.relative(ws, d.location)));
    assert.deepEqual(names, ['fashion-mnist', 'mnist', 'cifar10', 'bundled', 'sensors.csv', 'pets'], 'bundled is not listed again as examples/data/fashion-mnist-small; metrics.csv is no dataset');
    const again = runDataTask({ kind: 'scan', roots: [ws], lookup: { includeSystem: false }, workspaceOnly: true });
    assert.deepEqual(again.datasets.map((d) => path.relative(ws, d.location)), ['sensors.csv', 'pets'], 'a rescan may leave the named datasets out');
  });

  it('says what training does about a mismatch (resize, convert) and what to change when it cannot', () => {
    const pets = summarizeDataset(path.join(ws, 'pets'));
    const mlp = { name: 'mlp', input: { shape: [28, 28, 1] }, classes: 2 };
    const notes = datasetFit(pets, mlp);
    assert.deepEqual(notes.map((n) => n.severity), ['warning', 'warning']);
    assert.match(notes[0].message, /images are 8×6 .* takes 28×28/);
    assert.match(notes[0].action, /resized to 28×28 by 'bilinear'/);
    assert.match(notes[1].action, /grey by ITU-R BT\.601 luma/);
    assert.deepEqual(datasetFit(pets, { ...mlp, input: { shape: [6, 8, 3] } }), []);
    const ten = datasetFit(pets, { ...mlp, input: { shape: [6, 8, 3] }, classes: 10 });
    assert.deepEqual(ten.map((n) => [n.severity, n.action]), [['error', 'set "classes": 2 in the model file, or train it on a dataset of 10 classes']]);
    const csv = summarizeDataset(path.join(ws, 'sensors.csv'));
    assert.deepEqual(datasetFit(csv, { name: 'm', input: { shape: [3] }, classes: 2 }), []);
    const bad = datasetFit(csv, { name: 'm', input: { shape: [4, 1, 1] }, classes: 2 });
    assert.equal(bad[0].severity, 'error');
    assert.match(bad[0].action, /reshape the samples to \[4, 1, 1\]/);
  });

  it('previews the first images of each class as thumbnails, and array windows as series', () => {
    const p = previewDataset(path.join(ws, 'pets'), {}, {}, 4);
    assert.equal(p.kind, 'image');
    assert.deepEqual(p.classes.map((c) => [c.name, c.samples.length]), [['cat', 4], ['dog', 4]]);
    const cat = p.classes[0].samples[0];
    assert.deepEqual(cat.shape, [6, 8, 3]);
    assert.deepEqual([...Buffer.from(cat.data, 'base64').subarray(0, 3)], [200, 10, 10]);
    const big = p.classes[1].samples[3];
    assert.deepEqual(big.shape, [THUMBNAIL_SIZE / 4, THUMBNAIL_SIZE, 3], 'a 128×32 image is shrunk to 64×16');
    assert.deepEqual([...Buffer.from(big.data, 'base64').subarray(0, 3)], [0, 255, 0]);
    assert.match(p.notes[0], /shrunk to at most 64 px/);
    const series = previewDataset(path.join(ws, 'sensors.csv'), {}, {}, 3);
    assert.equal(series.kind, 'series');
    assert.deepEqual(series.classes.map((c) => c.samples.length), [3, 3]);
    // class 1's first training sample is one of the odd rows r, 2r, 3r
    const [a, b, c] = Buffer.from(series.classes[1].samples[0].data, 'base64');
    assert.ok(a % 2 === 1 && b === 2 * a && c === 3 * a, `${a},${b},${c}`);
  });

  it('the data worker returns what the in-process read does, transfers the bytes, and stops when aborted', async () => {
    const request = { data: 'bundled', inputShape: [28, 28, 1], requested: 300 };
    const inProcess = readTestSamples(request);
    const viaWorker = await runInDataWorker({ kind: 'testSamples', request });
    assert.equal(viaWorker.count, 300);
    assert.ok(viaWorker.images instanceof Uint8Array);
    assert.deepEqual(viaWorker.images, inProcess.images);
    assert.deepEqual(viaWorker.labels, inProcess.labels);
    const summary = await runInDataWorker({ kind: 'summary', data: path.join(ws, 'pets'), lookup: {} });
    assert.deepEqual(summary, summarizeDataset(path.join(ws, 'pets')));
    // a problem with the data comes back as a DataError naming the path
    await assert.rejects(runInDataWorker({ kind: 'preview', data: path.join(ws, 'nope'), lookup: {} }), (e: unknown) => e instanceof DataError && /nope: no such folder/.test(e.message));
    // abort: the promise rejects at once with an AbortError (the worker is terminated)
    const ac = new AbortController();
    const slow = runInDataWorker({ kind: 'scan', roots: [ws], lookup: {} }, { signal: ac.signal });
    ac.abort();
    await assert.rejects(slow, (e: unknown) => (e as Error).name === 'AbortError');
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(runInDataWorker({ kind: 'summary', data: 'bundled', lookup: {} }, { signal: pre.signal }), (e: unknown) => (e as Error).name === 'AbortError');
  });

  it('words the tree rows: misfits first, then shape, split, warnings and one row per class', () => {
    const pets = summarizeDataset(path.join(ws, 'pets'));
    assert.equal(summaryDescription(pets), 'image folder · 9 samples · 6×8×3');
    const fit = datasetFit(pets, { name: 'm', input: { shape: [6, 8, 3] }, classes: 3 });
    const rows = summaryRows(pets, fit);
    assert.deepEqual(rows.map((r) => [r.kind, r.label, r.description]), [
      ['fit-error', "the dataset has 2 classes but model 'm' has 3 outputs", 'set "classes": 2 in the model file, or train it on a dataset of 3 classes'],
      ['shape', 'shape 6×8×3', '2 classes'],
      ['split', 'train 7 · test 2 (a stratified 20% split, seed 0)', undefined],
      ['class', 'cat', '4 train · 1 test'],
      ['class', 'dog', '3 train · 1 test'],
    ]);
    const missing = summarizeDataset('mnist', { includeSystem: false, dataDir: ws });
    assert.equal(summaryDescription(missing), 'not installed');
    assert.deepEqual(summaryRows(missing).map((r) => r.kind), ['error']);
  });

  it('the preview page may only open the files of the samples it shows', () => {
    const shown = new Set([path.join(ws, 'pets', 'cat', '0.png')]);
    assert.deepEqual(guardDatasetPreviewMessage({ v: 1, type: 'reveal', file: path.join(ws, 'pets', 'cat', '0.png') }, shown), { ok: true, message: { v: 1, type: 'reveal', file: path.join(ws, 'pets', 'cat', '0.png') } });
    for (const bad of [{ v: 1, type: 'reveal', file: '/etc/passwd' }, { v: 1, type: 'reveal', file: 7 }, { v: 2, type: 'ready' }, { v: 1, type: 'train' }, null, 'ready']) {
      assert.equal(guardDatasetPreviewMessage(bad, shown).ok, false, JSON.stringify(bad));
    }
    assert.equal(guardDatasetPreviewMessage({ v: 1, type: 'ready' }, shown).ok, true);
  });

  it('reports progress while decoding an image folder', () => {
    for (let i = 0; i < 450; i++) png(path.join(ws, 'many', i % 2 ? 'odd' : 'even', `${i}.png`), 4, 4, [i % 256, 0, 0]);
    const calls: [number, number, string][] = [];
    loadDataset(path.join(ws, 'many'), {}, { imageShape: [4, 4, 3] }, (done, total, message) => calls.push([done, total, message]));
    assert.deepEqual(calls.filter((c) => c[2].startsWith('decoding')).map((c) => [c[0], c[1]]), [[0, 450], [200, 450], [400, 450]]);
  });
});
