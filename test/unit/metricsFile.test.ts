import * as assert from 'node:assert/strict';
import { toMetricsEvent } from '../../src/core/experiments/metricsFile';
import { parseMetricsText } from '../../src/core/experiments/metrics';
import type { MetricsEvent } from '../../src/core/experiments/types';

const step = (n: number): MetricsEvent => ({ kind: 'step', step: n, epoch: 0, time: n * 10, loss: 2 / (n + 1), accuracy: 0.1 + n / 1000, flipRatio: { dense: 1e-3, 'dense_1': 0 }, gamma: 1e-4, threshold: 1e-8, lr: 0.01, samplesPerSec: 3000 });
const serializeMetricsEvent = (e: MetricsEvent): string => `${JSON.stringify(e)}\n`;
const epoch = (n: number, s: number): MetricsEvent => ({ kind: 'epoch', step: s, epoch: n, time: s * 10, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.78 });

describe('metrics.jsonl (de)serialisation', () => {
  it('round-trips step and epoch events exactly', () => {
    const evs = [step(1), step(2), epoch(0, 2), step(3)];
    const text = evs.map(serializeMetricsEvent).join('');
    const r = parseMetricsText(text);
    assert.deepEqual(r.events, evs);
    assert.deepEqual(r.issues, []);
    assert.equal(r.truncatedTail, false);
  });

  it('ignores a truncated last line (a killed run) and keeps everything before it', () => {
    const full = [step(1), step(2)].map(serializeMetricsEvent).join('') + serializeMetricsEvent(step(3)).slice(0, 37);
    const r = parseMetricsText(full);
    assert.equal(r.events.length, 2);
    assert.equal(r.truncatedTail, true);
    assert.equal(r.skipped, 1);
    assert.deepEqual(r.issues, []);
  });

  it('keeps a complete last line that lacks its newline', () => {
    const text = serializeMetricsEvent(step(1)) + JSON.stringify(step(2));
    assert.equal(parseMetricsText(text).events.length, 2);
  });

  it('skips malformed lines in the middle and names their line numbers', () => {
    const text = [serializeMetricsEvent(step(1)), '{oops\n', '\n', JSON.stringify({ kind: 'step', step: 'x' }) + '\n', JSON.stringify({ kind: 'batch' }) + '\n', serializeMetricsEvent(step(2))].join('');
    const r = parseMetricsText(text);
    assert.equal(r.events.length, 2);
    assert.deepEqual(r.issues.map((i) => i.line), [2, 4, 5]);
    assert.match(r.issues[0].message, /not valid JSON/);
    assert.match(r.issues[1].message, /"step" must be a number/);
    assert.match(r.issues[2].message, /unknown kind "batch"/);
  });

  it('checks flipRatio values and CRLF line ends', () => {
    assert.match(String(toMetricsEvent({ ...step(1), flipRatio: { a: 'x' } })), /flipRatio of layer "a"/);
    assert.match(String(toMetricsEvent({ ...step(1), flipRatio: [1] })), /flipRatio/);
    assert.equal(parseMetricsText(JSON.stringify(step(1)) + '\r\n').events.length, 1);
  });
});
