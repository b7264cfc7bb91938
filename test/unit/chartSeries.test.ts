import { strict as assert } from 'node:assert';
import { Series } from '../../webview/series';

describe('chart series (bounded, resumable)', () => {
  it('stays within its cap over a long run, evenly thinned, always ending at the newest point', () => {
    const s = new Series(1000);
    for (let i = 1; i <= 100_000; i++) s.push(i, Math.sin(i / 50), i);
    assert.ok(s.points.length <= 1000, `${s.points.length}`);
    assert.ok(s.points.length > 400);
    assert.equal(s.points.at(-1)!.s, 100_000);
    const gaps = s.points.slice(1, -1).map((p, i) => p.s - s.points[i].s);
    assert.ok(Math.max(...gaps) <= 2 * s.strideNow, 'no hole larger than two strides');
    for (let i = 1; i < s.points.length; i++) assert.ok(s.points[i].x > s.points[i - 1].x, 'x sorted (chart.js decimation needs it)');
  });

  it('keeps a flat stretch as its two ends', () => {
    const s = new Series(1000);
    for (let i = 1; i <= 500; i++) s.push(i, 1e-4, i);
    s.push(501, 1e-5, 501);
    assert.deepEqual(s.points.map((p) => [p.s, p.y]), [[1, 1e-4], [500, 1e-4], [501, 1e-5]]);
  });

  it('replaces the steps a resumed run sends again', () => {
    const s = new Series(1000);
    for (let i = 1; i <= 10; i++) s.push(i, i, i);
    s.push(7, 70, 7);
    s.push(8, 80, 8);
    assert.deepEqual(s.points.map((p) => p.y), [1, 2, 3, 4, 5, 6, 70, 80]);
  });

  it('rewrites x in place for the epoch axis', () => {
    const s = new Series(10);
    for (let i = 1; i <= 4; i++) s.push(i * 100, i, i * 100);
    s.setX((st) => st / 200);
    assert.deepEqual(s.points.map((p) => p.x), [0.5, 1, 1.5, 2]);
  });
});
