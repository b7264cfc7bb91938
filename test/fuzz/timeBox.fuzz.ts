/** The fuzz harness itself: a hang, an exception and a wrong answer are each reported against their case, and the cases after a hang still run. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runTimeBoxed } from './support/timeBox';

describe('fuzz harness (time-boxed worker)', function () {
  this.timeout(60_000);
  it('reports hangs, exceptions and failures by case and carries on after a hang', async () => {
    const inputs = ['a', 'hang', 'b', 'throw', 'c', 'fail', 'hang', 'never', 'async-fail', 'd'];
    const run = await runTimeBoxed(path.join(__dirname, 'support', 'selfTestCheck.ts'), inputs, 500);
    assert.deepEqual(run.failures.map((f) => [f.index, f.input]), [[1, 'hang'], [3, 'throw'], [5, 'fail'], [6, 'hang'], [7, 'never'], [8, 'async-fail']]);
    assert.match(run.failures[4].error, /never settled/);
    assert.match(run.failures[0].error, /no answer within 500 ms/);
    assert.match(run.failures[1].error, /the checker threw: RangeError: Maximum call stack size exceeded/);
    assert.equal(run.stats.ok, 4, 'a, b, c and d ran');
  });
});
