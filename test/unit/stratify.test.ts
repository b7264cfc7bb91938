import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { stratifiedCounts, stratifiedSplit, imbalanceWarning, TEST_SPLIT_SALT, VAL_SPLIT_SALT } from '../../src/core/data';
import { splitIndices, validationSplit } from '../../src/core/train/splits';

describe('stratified splits', () => {
  it('hold out the Keras-rounded total, each class within one sample of its exact share', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 0.95, noNaN: true }), (perClass, f) => {
      const n = perClass.reduce((a, b) => a + b, 0);
      const counts = stratifiedCounts(perClass, f);
      // n − floor(n·(1 − f)), worked out here on its own
      const total = n - Math.floor(n * (1 - f) + 1e-9);
      assert.equal(counts.reduce((a, b) => a + b, 0), total);
      counts.forEach((c, k) => {
        assert.ok(c >= 0 && c <= perClass[k]);
        if (n) assert.ok(Math.abs(c - (perClass[k] * total) / n) < 1, `class ${k}: ${c} of ${perClass[k]}, exact ${(perClass[k] * total) / n}`);
      });
    }));
  });

  it('split every sample into exactly one part, by class, the same for the same seed', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.nat(), (ls, f, seed) => {
      const labels = Uint8Array.from(ls);
      const s = stratifiedSplit(labels, f, seed, VAL_SPLIT_SALT);
      assert.deepEqual([...s.keep, ...s.held].sort((a, b) => a - b), ls.map((_, i) => i));
      const per = (ix: Uint32Array) => Array.from({ length: 6 }, (_, c) => [...ix].filter((i) => labels[i] === c).length);
      const perAll = Array.from({ length: 6 }, (_, c) => ls.filter((l) => l === c).length);
      const want = stratifiedCounts(perAll.slice(0, Math.max(...ls) + 1), f);
      assert.deepEqual(per(s.held).slice(0, want.length), want);
      assert.deepEqual(stratifiedSplit(labels, f, seed, VAL_SPLIT_SALT), s);
    }));
  });

  it('the test and validation shuffles are independent, and another seed picks other samples', () => {
    const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 4);
    const a = stratifiedSplit(labels, 0.2, 1, TEST_SPLIT_SALT).held;
    assert.notDeepEqual(stratifiedSplit(labels, 0.2, 1, VAL_SPLIT_SALT).held, a);
    assert.notDeepEqual(stratifiedSplit(labels, 0.2, 2, TEST_SPLIT_SALT).held, a);
  });

  it('the trainer splits user data stratified and keeps the random split of every earlier run otherwise', () => {
    // classes of 90 and 10 samples: a random 10 % can miss the small class; the stratified one takes 9 and 1
    const labels = Uint8Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : 1));
    const s = validationSplit(labels, 100, 0.1, 3, true);
    assert.deepEqual([[...s.val].filter((i) => labels[i] === 0).length, [...s.val].filter((i) => labels[i] === 1).length], [9, 1]);
    assert.deepEqual(validationSplit(labels, 100, 0.1, 3, false), splitIndices(100, 0.1, 3));
    // only the first `count` samples take part (--max-samples)
    assert.ok([...validationSplit(labels, 50, 0.2, 3, true).val].every((i) => i < 50));
  });

  it('warns about an empty or much smaller class, naming both', () => {
    assert.equal(imbalanceWarning([100, 90, 34]), undefined);
    assert.match(imbalanceWarning([100, 90, 33]) ?? '', /class 0 has 100 training samples, class 2 only 33 \(3\.0×\)/);
    assert.match(imbalanceWarning([5, 0], ['idle', 'wave']) ?? '', /class 'wave' has no training samples/);
  });
});
