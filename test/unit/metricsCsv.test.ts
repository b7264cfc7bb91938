import * as assert from 'node:assert/strict';
import { csvField, metricsToCsv } from '../../src/core/experiments/metricsCsv';

describe('metrics CSV export', () => {
  it('writes one row per event with a column per binary layer, across runs', () => {
    const csv = metricsToCsv([
      { id: 'run-a', events: [
        { kind: 'step', step: 10, epoch: 0, time: 100, loss: 1.5, accuracy: 0.25, flipRatio: { dense: 0.001 }, gamma: 1e-4, threshold: 1e-8, lr: 0.01, samplesPerSec: 3000 },
        { kind: 'epoch', step: 20, epoch: 0, time: 200, loss: 1.2, accuracy: 0.5, valLoss: 1.3, valAccuracy: 0.45 },
      ] },
      { id: 'run-b', events: [{ kind: 'step', step: 5, epoch: 0, time: 50, loss: 2, accuracy: 0.1, flipRatio: { conv: 0.5 }, lr: 0.005, samplesPerSec: 10 }] },
    ]);
    const rows = csv.trimEnd().split('\r\n').map((r) => r.split(','));
    assert.deepEqual(rows[0], ['experiment', 'kind', 'step', 'epoch', 'time_ms', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'gamma', 'threshold', 'lr', 'samples_per_sec', 'flip_ratio/dense', 'flip_ratio/conv']);
    assert.deepEqual(rows[1], ['run-a', 'step', '10', '0', '100', '1.5', '0.25', '', '', '0.0001', '1e-8', '0.01', '3000', '0.001', '']);
    assert.deepEqual(rows[2], ['run-a', 'epoch', '20', '0', '200', '1.2', '0.5', '1.3', '0.45', '', '', '', '', '', '']);
    assert.deepEqual(rows[3], ['run-b', 'step', '5', '0', '50', '2', '0.1', '', '', '', '', '0.005', '10', '', '0.5']);
    assert.ok(rows.every((r) => r.length === rows[0].length));
  });

  it('quotes fields with commas, quotes and newlines (RFC 4180)', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('x\ny'), '"x\ny"');
    assert.equal(csvField(undefined), '');
    const csv = metricsToCsv([{ id: 'r', events: [{ kind: 'step', step: 1, epoch: 0, time: 0, loss: 1, accuracy: 0, flipRatio: { 'conv,1': 0 }, lr: 1, samplesPerSec: 1 }] }]);
    assert.match(csv.split('\r\n')[0], /"flip_ratio\/conv,1"$/);
  });

  it('writes only the header for no events', () => {
    assert.equal(metricsToCsv([]).split('\r\n').length, 2);
  });
});
