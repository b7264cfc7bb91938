import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseMetricsJsonl, serializeMetricsEvent, splitCompleteLines, toMetricsEvent } from '../../src/core/experiments/metricsFile';
import { readMetrics, followMetrics, listExperiments } from '../../src/core/experiments/interimStore';
import type { MetricsEvent } from '../../src/core/experiments/types';

const step = (n: number): MetricsEvent => ({ kind: 'step', step: n, epoch: 0, time: n * 10, loss: 2 / (n + 1), accuracy: 0.1 + n / 1000, flipRatio: { dense: 1e-3, 'dense_1': 0 }, gamma: 1e-4, threshold: 1e-8, lr: 0.01, samplesPerSec: 3000 });
const epoch = (n: number, s: number): MetricsEvent => ({ kind: 'epoch', step: s, epoch: n, time: s * 10, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.78 });

describe('metrics.jsonl (de)serialisation', () => {
  it('round-trips step and epoch events exactly', () => {
    const evs = [step(1), step(2), epoch(0, 2), step(3)];
    const text = evs.map(serializeMetricsEvent).join('');
    const r = parseMetricsJsonl(text);
    assert.deepEqual(r.events, evs);
    assert.deepEqual(r.issues, []);
    assert.equal(r.truncatedTail, false);
  });

  it('ignores a truncated last line (a killed run) and keeps everything before it', () => {
    const full = [step(1), step(2)].map(serializeMetricsEvent).join('') + serializeMetricsEvent(step(3)).slice(0, 37);
    const r = parseMetricsJsonl(full);
    assert.equal(r.events.length, 2);
    assert.equal(r.truncatedTail, true);
    assert.deepEqual(r.issues, []);
  });

  it('keeps a complete last line that lacks its newline', () => {
    const text = serializeMetricsEvent(step(1)) + JSON.stringify(step(2));
    assert.equal(parseMetricsJsonl(text).events.length, 2);
  });

  it('skips malformed lines in the middle and names their line numbers', () => {
    const text = [serializeMetricsEvent(step(1)), '{oops\n', '\n', JSON.stringify({ kind: 'step', step: 'x' }) + '\n', JSON.stringify({ kind: 'batch' }) + '\n', serializeMetricsEvent(step(2))].join('');
    const r = parseMetricsJsonl(text);
    assert.equal(r.events.length, 2);
    assert.deepEqual(r.issues.map((i) => i.line), [2, 4, 5]);
    assert.match(r.issues[0].message, /not valid JSON/);
    assert.match(r.issues[1].message, /"step" must be a number/);
    assert.match(r.issues[2].message, /unknown kind "batch"/);
  });

  it('checks flipRatio values and CRLF line ends', () => {
    assert.match(String(toMetricsEvent({ ...step(1), flipRatio: { a: 'x' } })), /flipRatio of layer "a"/);
    assert.match(String(toMetricsEvent({ ...step(1), flipRatio: [1] })), /flipRatio/);
    assert.equal(parseMetricsJsonl(JSON.stringify(step(1)) + '\r\n').events.length, 1);
  });

  it('splits appended text at the last newline', () => {
    assert.deepEqual(splitCompleteLines('a\nb\nc'), { complete: 'a\nb\n', rest: 'c' });
    assert.deepEqual(splitCompleteLines('abc'), { complete: '', rest: 'abc' });
  });
});

describe('experiment folders (interim reader)', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(path.join(tmpdir(), 'bnn-exp-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads a killed run: truncated metrics, running status of a dead pid → interrupted', async () => {
    const dir = path.join(root, '20261126-140000-mlp-bop');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'metrics.jsonl'), serializeMetricsEvent(step(1)) + serializeMetricsEvent(step(2)) + '{"kind":"st');
    writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ state: 'running', pid: 2 ** 22 + 12345, startedAt: 'x', updatedAt: 'x', epoch: 0, step: 2 }));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ id: '20261126-140000-mlp-bop', createdAt: '2026-11-26T14:00:00Z' }));
    const m = await readMetrics(dir);
    assert.equal(m.events.length, 2);
    assert.equal(m.truncatedTail, true);
    const [info] = await listExperiments(root);
    assert.equal(info.status?.state, 'interrupted');
  });

  it('lists newest first and tolerates a folder without config', async () => {
    for (const [id, t] of [['a', '2026-01-01T00:00:00Z'], ['b', '2026-03-01T00:00:00Z'], ['c', '2026-02-01T00:00:00Z']]) {
      mkdirSync(path.join(root, id));
      writeFileSync(path.join(root, id, 'config.json'), JSON.stringify({ id, createdAt: t }));
    }
    mkdirSync(path.join(root, 'broken'));
    writeFileSync(path.join(root, 'broken', 'config.json'), '{');
    const list = await listExperiments(root);
    assert.deepEqual(list.filter((e) => !e.problem).map((e) => e.id), ['b', 'c', 'a']);
    assert.match(list.find((e) => e.id === 'broken')!.problem!, /cannot read broken/);
    assert.deepEqual(await listExperiments(path.join(root, 'missing')), []);
  });

  it('follows a growing file, holding back an incomplete line until it is finished', async () => {
    const file = path.join(root, 'metrics.jsonl');
    writeFileSync(file, serializeMetricsEvent(step(1)));
    const got: MetricsEvent[] = [];
    const f = followMetrics(file, (await readMetrics(root)).offset, (evs) => got.push(...evs), 10);
    try {
      const line = serializeMetricsEvent(step(2));
      appendFileSync(file, line.slice(0, 20));
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(got.length, 0);
      appendFileSync(file, line.slice(20) + serializeMetricsEvent(step(3)));
      for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got.map((e) => e.step), [2, 3]);
    } finally {
      f.dispose();
    }
  });
});
