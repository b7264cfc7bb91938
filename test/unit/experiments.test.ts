import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/core/experiments/atomic';
import { makeExperimentId, dateFromId } from '../../src/core/experiments/id';
import { MetricsWriter, truncateMetrics, describeSkipped, followMetrics, parseMetricsText, readMetrics, readLastEpochEvent } from '../../src/core/experiments/metrics';
import {
  cleanupStaleEntries, createExperiment, deleteExperiment, findExperimentDir, groupByModel, listCheckpoints, listDeviceResults, listExperiments,
  readExperiment, resolveExperimentsDir, updateStatus, writeCheckpoint, writeDeviceResult, writeStatus, type ExperimentInit,
} from '../../src/core/experiments/store';
import type { MetricsEvent } from '../../src/core/experiments/types';
import { readRunSummary } from '../../src/core/experiments/runSummary';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'bnn-exp-'));
}

function init(model = 'mlp', optimizer: 'bop' | 'latent' = 'bop'): ExperimentInit {
  return {
    modelPath: `${model}.bnn.json`,
    model: { name: model, input: { shape: [784] }, classes: 10, layers: [] },
    dataset: { name: 'bundled', trainSamples: 5400, valSamples: 600, normalization: 'x = u8 / 127.5 - 1' },
    optimizer: { kind: optimizer, lr: { kind: 'constant', value: 0.01 } },
    epochs: 1, batchSize: 100, seed: 1, valSplit: 0.1, backend: 'cpu', engine: 'bnn-studio', versions: { 'bnn-studio': '0.1.0' },
  };
}

const step = (n: number): MetricsEvent => ({ kind: 'step', step: n, epoch: 0, time: n, loss: 1, accuracy: 0.5, flipRatio: { d1: 0.001 }, lr: 0.01, samplesPerSec: 100 });
const epoch = (n: number, valAccuracy: number): MetricsEvent => ({ kind: 'epoch', step: n * 10, epoch: n, time: n, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy });
const deadPid = () => false;

describe('experiment store', () => {
  let root: string;
  beforeEach(() => { root = tmp(); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('resolves the experiments folder', () => {
    assert.equal(resolveExperimentsDir({ workspace: '/ws' }), path.resolve('/ws/.bnn/experiments'));
    assert.equal(resolveExperimentsDir({ dir: 'runs', cwd: '/x' }), path.resolve('/x/runs'));
  });

  it('creates readable ids and suffixes clashes', () => {
    const now = new Date(2026, 10, 26, 14, 5, 9);
    assert.equal(makeExperimentId(now, 'My model/v2', 'bop'), '20261126-140509-My-model-v2-bop');
    assert.equal(dateFromId('20261126-140509-x-bop')?.getTime(), now.getTime());
    const a = createExperiment(root, init(), { now });
    const b = createExperiment(root, init(), { now });
    const c = createExperiment(root, init(), { now });
    assert.deepEqual([a.id, b.id, c.id], ['20261126-140509-mlp-bop', '20261126-140509-mlp-bop-2', '20261126-140509-mlp-bop-3']);
    // Complete from the first instant: config and status exist, no staging leftovers.
    for (const e of [a, b, c]) {
      assert.equal(JSON.parse(readFileSync(path.join(e.dir, 'config.json'), 'utf8')).id, e.id);
      assert.equal(JSON.parse(readFileSync(path.join(e.dir, 'status.json'), 'utf8')).state, 'running');
    }
    assert.deepEqual(readdirSync(root).sort(), [a.id, b.id, c.id]);
  });

  it('gives processes creating experiments in the same second distinct, complete folders', async function () {
    this.timeout(30000);
    const now = String(new Date(2026, 10, 26, 15, 0, 0).getTime());
    const go = path.join(root, '..', `${path.basename(root)}.go`);
    let ready = 0;
    let allReady: () => void = () => {};
    const readyP = new Promise<void>((r) => { allReady = r; });
    const runs = Array.from({ length: 5 }, () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '..', 'support', 'createExperimentChild.ts'), root, now, go], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d) => { out += d; if (out === 'ready\n' && ++ready === 5) allReady(); });
      child.stderr.on('data', (d) => { err += d; });
      child.on('exit', (code) => (code === 0 ? resolve(out.replace('ready\n', '').trim()) : reject(new Error(`exit ${code}: ${err}`))));
    }));
    await readyP;
    // All five are spinning on this file: they create at the same instant and must collide on the rename.
    writeFileSync(go, '');
    let ids: string[];
    try {
      ids = (await Promise.all(runs)).sort();
    } finally {
      rmSync(go, { force: true });
    }
    const base = '20261126-150000-race-bop';
    assert.deepEqual(ids, [base, `${base}-2`, `${base}-3`, `${base}-4`, `${base}-5`].sort());
    const list = await listExperiments(root);
    assert.equal(list.length, 5);
    for (const e of list) {
      assert.deepEqual(e.problems, []);
      assert.equal(e.config?.id, e.id);
    }
    assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), []);
  });

  it('writes atomically: no temp files left, the old content survives a failed write', () => {
    const f = path.join(root, 'x.json');
    writeFileAtomic(f, '{"v":1}\n');
    writeFileAtomic(f, '{"v":2}\n');
    assert.equal(readFileSync(f, 'utf8'), '{"v":2}\n');
    assert.deepEqual(readdirSync(root), ['x.json']);
    // Writing into a folder that vanished fails without touching anything else.
    assert.throws(() => writeFileAtomic(path.join(root, 'nope', 'y.json'), 'z'), /ENOENT/);
    const exp = createExperiment(root, init());
    const s = updateStatus(exp.dir, { state: 'completed', final: { valAccuracy: 0.8 } });
    assert.equal(s.state, 'completed');
    assert.equal(s.startedAt, exp.status.startedAt);
    assert.equal(readdirSync(exp.dir).filter((n) => n.startsWith('.')).length, 0);
  });

  it('lists newest first, grouped by model, with final or last-epoch validation accuracy', async () => {
    const e1 = createExperiment(root, init('mlp', 'bop'), { now: new Date(2026, 0, 1, 10) });
    const e2 = createExperiment(root, init('cnn', 'bop'), { now: new Date(2026, 0, 2, 10) });
    const e3 = createExperiment(root, init('mlp', 'latent'), { now: new Date(2026, 0, 3, 10) });
    updateStatus(e1.dir, { state: 'completed', final: { valAccuracy: 0.85 } });
    const w = new MetricsWriter(e3.dir);
    w.append([step(1), epoch(0, 0.61), step(2)]);
    w.close();
    const list = await listExperiments(root, { isAlive: (pid) => pid === process.pid });
    assert.deepEqual(list.map((e) => e.id), [e3.id, e2.id, e1.id]);
    assert.equal(list[0].valAccuracy, 0.61);
    assert.equal(list[2].valAccuracy, 0.85);
    assert.equal(list[0].state, 'running');
    assert.deepEqual(groupByModel(list).map((g) => [g.model, g.experiments.length]), [['mlp', 2], ['cnn', 1]]);
    assert.equal(findExperimentDir(root, e2.id), e2.dir);
    assert.throws(() => findExperimentDir(root, 'nope'), /no experiment 'nope'/);
  });

  it('reads a running status with a dead pid as interrupted', async () => {
    const e = createExperiment(root, init(), { pid: 999999 });
    assert.equal((await readExperiment(e.dir, { isAlive: deadPid })).state, 'interrupted');
    assert.equal((await readExperiment(e.dir, { isAlive: () => true })).state, 'running');
  });

  it('gives a clear error state for corrupt or missing files instead of throwing', async () => {
    const good = createExperiment(root, init('good'));
    const bad = createExperiment(root, init('bad'), { now: new Date(2026, 5, 1) });
    writeFileSync(path.join(bad.dir, 'status.json'), '{"state": "runn');
    const noCfg = createExperiment(root, init('nocfg'), { now: new Date(2026, 5, 2) });
    rmSync(path.join(noCfg.dir, 'config.json'));
    const weird = createExperiment(root, init('weird'), { now: new Date(2026, 5, 3) });
    // the writer refuses to write it (the readers' rule), so a damaged file is what it stands for
    assert.throws(() => writeStatus(weird.dir, { ...weird.status, state: 'exploded' as never }), /would write an invalid status\.json: .*unknown state "exploded"/);
    writeFileSync(path.join(weird.dir, 'status.json'), JSON.stringify({ ...weird.status, state: 'exploded' }));
    mkdirSync(path.join(root, 'empty-folder'));
    const list = await listExperiments(root);
    const by = (id: string) => list.find((e) => e.id === id)!;
    assert.equal(list.length, 5);
    assert.equal(by(bad.id).state, 'unreadable');
    assert.match(by(bad.id).problems[0], /^status\.json is not valid JSON/);
    assert.equal(by(bad.id).model, 'bad');
    assert.equal(by(noCfg.id).model, '(unknown model)');
    assert.deepEqual(by(noCfg.id).problems, ['config.json is missing']);
    assert.equal(by(noCfg.id).createdAt, new Date(2026, 5, 2).toISOString());
    assert.match(by(weird.id).problems[0], /unknown state "exploded"/);
    assert.deepEqual(by('empty-folder').problems, ['config.json is missing', 'status.json is missing']);
    assert.deepEqual(by(good.id).problems, []);
  });

  it('opens a metrics file whose last line is truncated, and reports what it skipped', async () => {
    const e = createExperiment(root, init());
    const file = path.join(e.dir, 'metrics.jsonl');
    writeFileSync(file, `${JSON.stringify(step(1))}\n${JSON.stringify(epoch(0, 0.7))}\ngarbage\n${JSON.stringify(step(2)).slice(0, 30)}`);
    const m = await readMetrics(file);
    assert.deepEqual(m.events.map((ev) => ev.step), [1, 0]);
    assert.equal(m.skipped, 2);
    assert.deepEqual(m.issues.map((i) => i.line), [3]);
    assert.match(m.issues[0].message, /not valid JSON/);
    assert.equal(m.truncatedTail, true);
    assert.match(describeSkipped(m), /^skipped 2 lines: line 3: not valid JSON .*; an incomplete last line/);
    assert.equal((await readLastEpochEvent(file))?.valAccuracy, 0.7);
    // Python's json.dumps puts spaces after colons (the exported Larq script's writer).
    const py = path.join(root, 'py.jsonl');
    writeFileSync(py, `{"kind": "epoch", "step": 10, "epoch": 0, "time": 1, "loss": 0.5, "accuracy": 0.8, "valAccuracy": 0.66}\n${JSON.stringify(step(11))}\n`);
    assert.equal((await readLastEpochEvent(py))?.valAccuracy, 0.66);
    // A complete last line without its newline is kept.
    assert.equal(parseMetricsText(JSON.stringify(step(5))).events.length, 1);
    // A resumed writer starts on a fresh line: only the cut line is lost.
    const w = new MetricsWriter(e.dir);
    w.append(step(3));
    w.close();
    const after = await readMetrics(file);
    assert.deepEqual(after.events.map((ev) => ev.step), [1, 0, 3]);
    assert.equal(after.skipped, 2);
    assert.deepEqual((await readMetrics(e.dir)).events.map((ev) => ev.step), [1, 0, 3]); // the folder works too
    // Resuming from a checkpoint at step 1 drops later points and the garbage.
    assert.equal(await truncateMetrics(e.dir, 1), 3);
    assert.deepEqual(await readMetrics(e.dir), { events: [step(1), epoch(0, 0.7)], skipped: 0, issues: [], truncatedTail: false, offset: readFileSync(file).length });
    assert.deepEqual(await readMetrics(path.join(root, 'none.jsonl')), { events: [], skipped: 0, issues: [], truncatedTail: false, offset: 0 });
  });

  it('a SIGKILLed writer leaves an experiment that reads and shows interrupted', async function () {
    this.timeout(30000);
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '..', 'support', 'experimentWriterChild.ts'), root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const dir = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.trim()); });
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    // Let it write for a while, including many status.json replacements.
    const file = path.join(dir, 'metrics.jsonl');
    for (let i = 0; i < 200 && (!existsSync(file) || readFileSync(file).length < 200_000); i++) await new Promise((r) => setTimeout(r, 25));
    const exited = new Promise((r) => child.on('exit', r));
    assert.ok(child.pid);
    process.kill(child.pid, 'SIGKILL');
    await exited;
    const info = await readExperiment(dir);
    assert.equal(info.state, 'interrupted');
    assert.deepEqual(info.problems, []);
    assert.equal(info.status?.pid, child.pid);
    const m = await readMetrics(file);
    assert.ok(m.events.length > 1000, `only ${m.events.length} events`);
    assert.ok(m.skipped <= 1);
    // Steps are contiguous: no line was lost or torn in the middle.
    m.events.forEach((ev, i) => assert.equal(ev.step, i + 1));
    assert.ok(info.status!.step <= m.events.length);
    // At most the temp file of a status write cut short: hidden from readers, and reclaimed once the writer is gone.
    assert.ok(readdirSync(dir).filter((n) => n.startsWith('.')).every((n) => /^\.status\.json\.tmp-\d+-[0-9a-f]{8}$/.test(n)));
    cleanupStaleEntries(root);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.')), []);
  });

  it('follows a growing metrics file, line by line, and notices truncation', async () => {
    const e = createExperiment(root, init());
    const file = path.join(e.dir, 'metrics.jsonl');
    const seen: number[] = [];
    let resets = 0;
    const f = followMetrics(file, (evs, info) => { if (info.reset) { resets++; seen.length = 0; } seen.push(...evs.map((x) => x.step)); }, { pollMs: 20 });
    try {
      await f.flush();
      assert.deepEqual(seen, []); // no file yet
      appendFileSync(file, `${JSON.stringify(step(1))}\n${JSON.stringify(step(2)).slice(0, 20)}`);
      await f.flush();
      assert.deepEqual(seen, [1]); // the incomplete line waits
      appendFileSync(file, `${JSON.stringify(step(2)).slice(20)}\n${JSON.stringify(step(3))}\n`);
      await f.flush();
      assert.deepEqual(seen, [1, 2, 3]);
      // Without explicit flushes: the poll/watch picks up new lines by itself.
      appendFileSync(file, `${JSON.stringify(step(4))}\n`);
      for (let i = 0; i < 100 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(seen, [1, 2, 3, 4]);
      writeFileSync(file, `${JSON.stringify(step(9))}\n`);
      await f.flush();
      assert.equal(resets, 1);
      assert.deepEqual(seen, [9]);
    } finally {
      f.stop();
    }
  });

  it('continues from the offset of a history read without duplicates', async () => {
    const e = createExperiment(root, init());
    const file = path.join(e.dir, 'metrics.jsonl');
    writeFileSync(file, `${JSON.stringify(step(1))}\n${JSON.stringify(step(2))}`);
    const hist = await readMetrics(file);
    const seen: number[] = hist.events.map((x) => x.step);
    const f = followMetrics(file, (evs) => seen.push(...evs.map((x) => x.step)), { fromOffset: hist.offset, pollMs: 20 });
    try {
      appendFileSync(file, `\n${JSON.stringify(step(3))}\n`);
      await f.flush();
      assert.deepEqual(seen, [1, 2, 3]);
    } finally {
      f.stop();
    }
  });

  it('lists checkpoints and device results, tolerating bad files', async () => {
    const e = createExperiment(root, init());
    writeCheckpoint(e.dir, 'epoch-0001', { 'model.json': '{}', 'weights.bin': new Uint8Array(8), 'binary-weights.json': '{}' });
    writeCheckpoint(e.dir, 'epoch-0001', { 'model.json': '{"v":2}' });
    mkdirSync(path.join(e.dir, 'checkpoints', '.staging-x'));
    const st = updateStatus(e.dir, { lastCheckpoint: 'epoch-0001' });
    const cps = await listCheckpoints(e.dir, st);
    assert.equal(cps.length, 1);
    assert.equal(cps[0].isLast, true);
    assert.equal(cps[0].hasBinaryWeights, false); // replaced as a whole
    assert.equal(readFileSync(path.join(cps[0].dir, 'model.json'), 'utf8'), '{"v":2}');
    assert.throws(() => writeCheckpoint(e.dir, '../evil', {}), /invalid checkpoint name/);
    const result = { board: 'bluepill-f103', time: '2026-11-26T14:00:00.000Z', samples: 100, deviceAccuracy: 0.8, hostAccuracy: 0.8, agreement: 1, latency: { median: 1, p90: 2, unit: 'cycles' as const }, flash: { modelArrays: 1, modelEstimate: 1, firmwareTotal: 9 }, ram: { modelArrays: 1, modelEstimate: 1, firmwareTotal: 9 }, modelHash: '0123456789abcdef' };
    const f = writeDeviceResult(e.dir, result);
    assert.match(path.basename(f), /^bluepill-f103-\d{8}-\d{6}\.json$/);
    writeFileSync(path.join(e.dir, 'device', 'broken.json'), '{');
    const dev = await listDeviceResults(e.dir);
    assert.equal(dev.length, 2);
    // the writer stamps the folder's schema version on the result
    assert.deepEqual(dev[0].result, { formatVersion: 1, ...result });
    assert.match(dev[1].error!, /broken\.json is not valid JSON/);
    const summary = await readRunSummary(e.dir, { isAlive: deadPid });
    assert.equal(summary?.status.state, 'interrupted');
    assert.deepEqual(summary?.devices, [{ formatVersion: 1, ...result }]);
  });

  it('deletes only experiment folders, never a running one unless forced', () => {
    const e = createExperiment(root, init());
    assert.throws(() => deleteExperiment(e.dir, { root, isAlive: () => true }), /still running/);
    const other = path.join(root, 'notes');
    mkdirSync(other);
    writeFileSync(path.join(other, 'a.txt'), 'keep');
    assert.throws(() => deleteExperiment(other, { root }), /not an experiment/);
    const outside = tmp();
    try {
      writeFileSync(path.join(outside, 'config.json'), '{}');
      assert.throws(() => deleteExperiment(outside, { root }), /not directly inside/);
      symlinkSync(outside, path.join(root, 'link'));
      // a symlinked run is deleted by removing the link: its files elsewhere are not destroyed through it
      assert.deepEqual(deleteExperiment(path.join(root, 'link'), { root }), { removed: 'link', target: realpathSync(outside) });
      assert.ok(existsSync(path.join(outside, 'config.json')));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    assert.deepEqual(deleteExperiment(e.dir, { root, isAlive: deadPid }), { removed: 'folder' });
    assert.ok(!existsSync(e.dir));
    assert.deepEqual(readdirSync(root).sort(), ['notes']);
  });

  it('follows symlinked experiment folders the same way in the listing and for commands, and refuses loops and dangling links', async () => {
    const elsewhere = tmp();
    try {
      const real = createExperiment(elsewhere, init('kept-elsewhere'));
      const local = createExperiment(root, init('local'));
      symlinkSync(real.dir, path.join(root, 'linked-run'));
      symlinkSync(root, path.join(root, 'loop'));
      symlinkSync(path.dirname(root), path.join(root, 'up'));
      symlinkSync(path.join(elsewhere, 'gone'), path.join(root, 'dangling'));
      symlinkSync(path.join(root, 'cycle-b'), path.join(root, 'cycle-a'));
      symlinkSync(path.join(root, 'cycle-a'), path.join(root, 'cycle-b'));
      writeFileSync(path.join(elsewhere, 'notes.txt'), 'x');
      symlinkSync(path.join(elsewhere, 'notes.txt'), path.join(root, 'file-link'));
      const list = await listExperiments(root, { isAlive: deadPid });
      const by = (id: string) => list.find((x) => x.id === id);
      assert.deepEqual(list.map((x) => x.id).sort(), ['cycle-a', 'cycle-b', 'dangling', 'linked-run', local.id, 'loop', 'up'].sort(), 'a link to a plain file is ignored like a file');
      assert.equal(by('linked-run')!.model, 'kept-elsewhere');
      assert.deepEqual(by('linked-run')!.problems, []);
      assert.match(by('loop')!.problems[0], /holds the experiments folder itself \(a loop\); not followed/);
      assert.match(by('up')!.problems[0], /holds the experiments folder itself \(a loop\)/);
      assert.match(by('dangling')!.problems[0], /is a symlink to .*gone, which does not exist/);
      assert.match(by('cycle-a')!.problems[0], /is a symlink loop/);
      for (const x of ['loop', 'dangling', 'cycle-a']) assert.equal(by(x)!.state, 'unreadable');
      // commands resolve an argument by the same rule the listing shows
      assert.equal(findExperimentDir(root, 'linked-run'), path.join(root, 'linked-run'));
      assert.throws(() => findExperimentDir(root, 'loop'), /\(a loop\); not followed/);
      assert.throws(() => findExperimentDir(root, 'dangling'), /which does not exist/);
      assert.throws(() => findExperimentDir(root, 'cycle-a'), /symlink loop/);
      // and a refused link can be removed without touching what it points at
      assert.deepEqual(deleteExperiment(path.join(root, 'loop'), { root }), { removed: 'link' });
      assert.ok(existsSync(local.dir));
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
