import { strict as assert } from 'node:assert';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataError, Mulberry32, loadDataset, checkDatasetForModel, classCounts, readOptionsFrom, MAX_CSV_BYTES, type Dataset } from '../../src/core/data';

function throwsData(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

/** Rows of every sample, train and test together, in file order (test samples are held out of the same file). */
function allRows(ds: Dataset, f: number): number[][] {
  const rows = (s: Dataset['train']) => Array.from({ length: s.count }, (_, i) => [s.labels[i], ...s.images.subarray(i * f, (i + 1) * f)]);
  return [...rows(ds.train), ...rows(ds.test)].sort((a, b) => a[1] - b[1] || a[2] - b[2]);
}

describe('CSV datasets (one sample per row)', () => {
  let dir: string;
  const rng = new Mulberry32(9);
  // 40 rows: label 0..3, then 5 features 0..255; feature 0 is the row number so rows can be traced through the split
  const rows = Array.from({ length: 40 }, (_, r) => [r % 4, r, ...Array.from({ length: 4 }, () => rng.nextInt(256))]);
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'bnn-csv-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a CSV with a header (label column by name, default `label`) and without one (default: the first column)', () => {
    const withHeader = file('h.csv', `f0,f1,label,f2,f3,f4\r\n${rows.map(([l, ...x]) => [x[0], x[1], l, ...x.slice(2)].join(',')).join('\r\n')}\r\n`);
    const noHeader = file('n.csv', `${rows.map((r) => r.join(',')).join('\n')}\n\n`);
    for (const p of [withHeader, noHeader]) {
      const ds = loadDataset(p);
      assert.deepEqual(ds.shape, [5, 1, 1]);
      assert.equal(ds.classes, 4);
      assert.deepEqual(allRows(ds, 5), sorted, p);
      assert.equal(ds.preprocessing?.format, 'csv');
      assert.equal(ds.preprocessing?.labelColumn, p === withHeader ? 'label' : 0);
      assert.equal(ds.preprocessing?.toBytes, undefined);
      // no test part: a stratified 20 % held out (10 rows per class → 2 each)
      assert.deepEqual(classCounts(ds.test.labels, 4), [2, 2, 2, 2]);
      checkDatasetForModel(ds, { name: 'm', input: { shape: [5] }, classes: 4 });
      // the recorded label column and split read the same samples again
      assert.deepEqual(loadDataset(p, {}, readOptionsFrom(ds.preprocessing)).test.images, ds.test.images);
    }
  });

  it('label column by name or index; class names are ordered as Keras orders class folders; quoted fields', () => {
    const names = ['wave', 'idle', 'circle', 'punch'];
    const p = file('g.csv', `"t0","t1","t2","t3","t4","gesture"\n${rows.map(([l, ...x]) => [...x, `"${names[l]}"`].join(',')).join('\n')}\n`);
    const ds = loadDataset(p, {}, { labelColumn: 'gesture', testSplit: 0 });
    assert.deepEqual(ds.classNames, ['circle', 'idle', 'punch', 'wave']);
    const index = (l: number) => ds.classNames?.indexOf(names[l]);
    assert.deepEqual(Array.from(ds.train.labels), rows.map(([l]) => index(l)));
    assert.equal(ds.test.count, 0);
    assert.ok(ds.warnings?.some((w) => /no test split/.test(w)));
    // the same column by index, without the header's help
    const q = file('g2.csv', rows.map(([l, ...x]) => [...x, l].join(',')).join('\n'));
    assert.deepEqual(Array.from(loadDataset(q, {}, { labelColumn: 5, testSplit: 0 }).train.labels), rows.map(([l]) => l));
    throwsData(() => loadDataset(p, {}, { labelColumn: 'label' }), /g\.csv: no column named 'label' \(the header has 't0', 't1', 't2', 't3', 't4', 'gesture'\)/);
    throwsData(() => loadDataset(q, {}, { labelColumn: 'gesture' }), /g2\.csv: no header row, so there is no column named 'gesture'/);
    throwsData(() => loadDataset(q, {}, { labelColumn: 9 }), /label column 9 does not exist: the rows have 6 columns/);
  });

  it('floats are mapped to bytes by the stated rule (k/255 comes back as k)', () => {
    const p = file('f.csv', `label,a,b\n${rows.map(([l, a, b]) => `${l},${a / 255},${b / 255}`).join('\n')}\n`);
    const ds = loadDataset(p, {}, { testSplit: 0 });
    assert.deepEqual(Array.from(ds.train.images), rows.flatMap(([, a, b]) => [a, b]));
    assert.deepEqual([ds.preprocessing?.toBytes?.lo, ds.preprocessing?.toBytes?.hi], [0, 1]);
    assert.match(ds.warnings?.[0] ?? '', /not bytes/);
  });

  it('bad rows are errors at file:line', () => {
    const good = rows.slice(0, 8).map((r) => r.join(','));
    const at = (lines: string[], i: number, bad: string) => [...lines.slice(0, i), bad, ...lines.slice(i)].join('\n');
    const header = 'label,a,b,c,d,e';
    throwsData(() => loadDataset(file('cols.csv', `${header}\n${at(good, 3, '1,2,3')}`)), /cols\.csv:5: 3 columns, but the header has 6/);
    throwsData(() => loadDataset(file('cols2.csv', at(good, 6, '1,2,3,4,5,6,7'))), /cols2\.csv:7: 7 columns, but the first row has 6/);
    throwsData(() => loadDataset(file('nan.csv', `${header}\n${at(good, 2, '1,2,abc,4,5,6')}`)), /nan\.csv:4: column 3 \('b'\) is 'abc', not a number/);
    throwsData(() => loadDataset(file('inf.csv', at(good, 1, '1,2,3,Infinity,5,6'))), /inf\.csv:2: column 4 is 'Infinity', not a number/);
    throwsData(() => loadDataset(file('frac.csv', `${header}\n${at(good, 4, '1.5,2,3,4,5,6')}`)), /frac\.csv:6: label '1\.5' \(column 'label'\) is not a class index/);
    throwsData(() => loadDataset(file('neg.csv', at(good, 0, '-1,2,3,4,5,6'))), /neg\.csv:1: label '-1' \(column 1\) is not a class index/);
    throwsData(() => loadDataset(file('quote.csv', `${header}\n1,2,"3,4,5,6\n`)), /quote\.csv(:\d+)?: not readable as CSV: .*quote/i);
    throwsData(() => loadDataset(file('empty.csv', `${header}\n`)), /empty\.csv: a header but no rows/);
    throwsData(() => loadDataset(file('one.csv', 'label\n1\n2\n')), /one\.csv:1: the first row has 1 column/);
    // a sparse file just over the CSV limit: refused from its size, never parsed
    const big = path.join(dir, 'big.csv');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_CSV_BYTES + 1);
    closeSync(fd);
    throwsData(() => loadDataset(big), /big\.csv: CSV file of 256 MiB; BNN Studio parses CSV files of at most 256 MiB/);
    throwsData(() => loadDataset(file('single.csv', good.map((l) => `0${l.slice(1)}`).join('\n'))), /single\.csv: every label is 0: a classifier needs at least two classes/);
  });
});
