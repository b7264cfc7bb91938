/** TensorBoard's smoothing (webview/smoothing.ts), checked against the formula worked by hand. */
import { strict as assert } from 'node:assert';
import { smooth } from '../../webview/smoothing';

const pts = (ys: number[]) => ys.map((y, i) => ({ x: i, y, s: i + 1, t: 1000 * i }));

describe('chart smoothing (TensorBoard’s debiased EMA)', () => {
  it('matches the formula: last = last·w + (1−w)·y, shown last / (1 − wⁿ)', () => {
    const out = smooth(pts([1, 3, 2]), 0.5);
    // n=1: last 0.5 → 0.5/0.5 = 1; n=2: last 0.25 + 1.5 = 1.75 → 1.75/0.75; n=3: 0.875 + 1 = 1.875 → 1.875/0.875
    assert.deepEqual(out.map((p) => p.y), [1, 1.75 / 0.75, 1.875 / 0.875]);
    assert.deepEqual(out.map((p) => p.raw), [1, 3, 2]);
    assert.deepEqual(out.map((p) => [p.x, p.s, p.t]), [[0, 1, 0], [1, 2, 1000], [2, 3, 2000]]);
  });

  it('a constant line stays constant (the debiasing), 0 is off, gaps stay gaps without resetting the average', () => {
    assert.deepEqual(smooth(pts([2, 2, 2, 2]), 0.9).map((p) => Number(p.y.toFixed(12))), [2, 2, 2, 2]);
    assert.deepEqual(smooth(pts([1, 5, 3]), 0).map((p) => p.y), [1, 5, 3]);
    const gap = smooth(pts([1, NaN, 3]), 0.5);
    assert.ok(Number.isNaN(gap[1].y));
    assert.equal(gap[2].y, (0.25 + 1.5) / 0.75, 'the third point is the second one averaged');
  });

  it('reuses the output array as the series grows and shrinks (a resumed run rewinds it)', () => {
    const out = smooth(pts([1, 2, 3, 4]), 0.5);
    const same = smooth(pts([1, 2]), 0.5, out);
    assert.equal(same, out);
    assert.equal(out.length, 2);
  });
});
