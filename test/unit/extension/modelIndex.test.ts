import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { analyzeModelText } from '../../../src/extension/analyzeModel';
import { AnalysisCache, firstProblem, hasErrors } from '../../../src/extension/modelAnalysis';
import { isIgnoredModelPath, mapLimit, ModelIndex, type ModelFileSource } from '../../../src/extension/modelIndex';

const root = join(__dirname, '..', '..', '..');
const cnn = readFileSync(join(root, 'examples', 'binary-cnn.bnn.json'), 'utf8');
const mlp = readFileSync(join(root, 'examples', 'binary-mlp.bnn.json'), 'utf8');

/** An in-memory workspace that counts what the index asks of it. */
class FakeSource implements ModelFileSource {
  files = new Map<string, { text: string; mtime: number }>();
  docs = new Map<string, { version: number; text: string }>();
  calls = { find: 0, stat: 0, read: 0 };
  inFlight = 0;
  maxInFlight = 0;
  unreadable = new Set<string>();

  write(id: string, text: string): void {
    const prev = this.files.get(id);
    this.files.set(id, { text, mtime: (prev?.mtime ?? 0) + 1 });
  }
  touch(id: string): void {
    this.files.get(id)!.mtime++;
  }
  async findModelFiles(): Promise<string[]> {
    this.calls.find++;
    return [...this.files.keys()];
  }
  async stat(id: string): Promise<{ mtime: number; size: number }> {
    this.calls.stat++;
    const f = this.files.get(id);
    if (!f) throw new Error('ENOENT: no such file');
    return { mtime: f.mtime, size: f.text.length };
  }
  async read(id: string): Promise<string> {
    this.calls.read++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    if (this.unreadable.has(id)) throw new Error('EACCES: permission denied');
    return this.files.get(id)!.text;
  }
  openDocument(id: string): { version: number; text: string } | undefined {
    return this.docs.get(id);
  }
  displayPath(id: string): string {
    return id.replace('file:///w/', '');
  }
}

function setup(n = 3): { src: FakeSource; index: ModelIndex; cache: AnalysisCache } {
  const src = new FakeSource();
  for (let i = 0; i < n; i++) src.write(`file:///w/m${i}.bnn.json`, i % 2 ? mlp : cnn);
  const cache = new AnalysisCache(analyzeModelText);
  return { src, index: new ModelIndex(src, cache), cache };
}

describe('model analysis cache', () => {
  it('analyses a valid model into a summary and an invalid one into positioned problems, never throwing', () => {
    const ok = analyzeModelText(cnn, 'cnn.bnn.json');
    assert.ok(ok.summary);
    assert.equal(hasErrors(ok), false);
    assert.equal(firstProblem(ok), undefined);
    const bad = analyzeModelText('{ "name": "x", "input": { "shape": [28, 28, 1] }, "classes": 10, "layers": [ { "type": "QuantDense", "units": 0 } ] }', 'bad.bnn.json');
    assert.equal(bad.summary, undefined);
    assert.ok(hasErrors(bad));
    assert.equal(firstProblem(bad)!.severity, 'error');
    assert.equal(firstProblem(bad)!.range.start.line, 0);
  });

  it('never throws on arbitrary text, and gives no summary with errors', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      const a = analyzeModelText(text, 'fuzz.bnn.json');
      assert.ok(a.summary === undefined || !hasErrors(a));
      if (!a.summary) assert.ok(a.problems.length > 0);
    }), { numRuns: 300 });
  });

  it('re-parses only when the content changes', () => {
    const cache = new AnalysisCache(analyzeModelText);
    const a1 = cache.analyze('u', 'v1', cnn, 'f');
    assert.equal(cache.parses, 1);
    assert.equal(cache.analyze('u', 'v1', 'ignored: same stamp', 'f'), a1);
    assert.equal(cache.analyze('u', 'v2', cnn, 'f'), a1, 'new stamp, same content');
    assert.equal(cache.parses, 1);
    assert.equal(cache.peek('u', 'v2'), a1);
    assert.equal(cache.peek('u', 'v1'), undefined);
    const a3 = cache.analyze('u', 'v3', mlp, 'f');
    assert.notEqual(a3, a1);
    assert.equal(cache.parses, 2);
    assert.equal(a3.text, mlp);
    cache.delete('u');
    assert.equal(cache.latest('u'), undefined);
  });
});

describe('model index (Models tree data)', () => {
  it('lists every model sorted by path and parses each once', async () => {
    const { src, index, cache } = setup(3);
    const list = await index.list();
    assert.deepEqual(list.map((e) => e.id), ['file:///w/m0.bnn.json', 'file:///w/m1.bnn.json', 'file:///w/m2.bnn.json']);
    assert.ok(list.every((e) => e.analysis.summary));
    assert.equal(cache.parses, 3);
    assert.deepEqual(src.calls, { find: 1, stat: 3, read: 3 });
    // A second listing with no file events touches nothing.
    await index.list();
    assert.deepEqual(src.calls, { find: 1, stat: 3, read: 3 });
    assert.equal(cache.parses, 3);
  });

  it('on a change event stats that file, and re-parses it only if its content changed', async () => {
    const { src, index, cache } = setup(3);
    await index.list();
    src.touch('file:///w/m1.bnn.json');
    index.changed('file:///w/m1.bnn.json');
    await index.list();
    assert.deepEqual(src.calls, { find: 1, stat: 4, read: 4 });
    assert.equal(cache.parses, 3, 'touched but unchanged: no parse');
    src.write('file:///w/m1.bnn.json', mlp.replace('"binary_mlp"', '"renamed"'));
    index.changed('file:///w/m1.bnn.json');
    const list = await index.list();
    assert.equal(cache.parses, 4);
    assert.equal(list[1].analysis.load.spec?.name, 'renamed');
  });

  it('follows creations and deletions, and a rescan re-parses nothing unchanged', async () => {
    const { src, index, cache } = setup(2);
    await index.list();
    src.write('file:///w/new.bnn.json', cnn);
    index.created('file:///w/new.bnn.json');
    assert.equal((await index.list()).length, 3);
    src.files.delete('file:///w/m0.bnn.json');
    index.deleted('file:///w/m0.bnn.json');
    assert.deepEqual((await index.list()).map((e) => e.id), ['file:///w/m1.bnn.json', 'file:///w/new.bnn.json']);
    assert.equal(cache.parses, 3);
    index.rescan();
    await index.list();
    assert.equal(src.calls.find, 2);
    assert.equal(cache.parses, 3);
    assert.equal(cache.size, 2, 'the deleted file left the cache');
  });

  it('prefers an open document (unsaved edits) over the disk', async () => {
    const { src, index } = setup(1);
    src.docs.set('file:///w/m0.bnn.json', { version: 7, text: '{ "broken": ' });
    const [e] = await index.list();
    assert.equal(e.analysis.summary, undefined);
    assert.match(firstProblem(e.analysis)!.message, /JSON/i);
    assert.equal(src.calls.read, 0);
  });

  it('turns an unreadable file into a problem and retries it next time', async () => {
    const { src, index } = setup(2);
    src.unreadable.add('file:///w/m1.bnn.json');
    const list = await index.list();
    assert.match(firstProblem(list[1].analysis)!.message, /cannot read m1\.bnn\.json: EACCES/);
    src.unreadable.clear();
    const again = await index.list();
    assert.ok(again[1].analysis.summary);
  });

  it('reads a big workspace with bounded concurrency', async () => {
    const { src, index } = setup(100);
    await index.list();
    assert.equal(src.calls.read, 100);
    assert.ok(src.maxInFlight <= 16 && src.maxInFlight > 1, `max in flight ${src.maxInFlight}`);
  });

  it('ignores models inside node_modules, .git and the experiment store, from the scan and from watcher events', async () => {
    const { src, index } = setup(1);
    src.write('file:///w/node_modules/pkg/x.bnn.json', cnn);
    src.write('file:///w/.bnn/experiments/20260101-000000-x-bop/model.bnn.json', cnn);
    assert.deepEqual((await index.list()).map((e) => e.id), ['file:///w/m0.bnn.json']);
    src.write('file:///w/.git/y.bnn.json', cnn);
    index.created('file:///w/.git/y.bnn.json');
    index.changed('file:///w/node_modules/pkg/x.bnn.json');
    assert.deepEqual((await index.list()).map((e) => e.id), ['file:///w/m0.bnn.json']);
    assert.equal(isIgnoredModelPath('C:\\w\\node_modules\\a.bnn.json'), true);
    assert.equal(isIgnoredModelPath('file:///w/my.bnn/a.bnn.json'), false, 'only whole folder names');
  });

  it('mapLimit keeps order', async () => {
    assert.deepEqual(await mapLimit([3, 1, 2], 2, async (x) => { await new Promise((r) => setTimeout(r, x)); return x * 10; }), [30, 10, 20]);
    assert.deepEqual(await mapLimit([], 4, async (x) => x), []);
  });
});
