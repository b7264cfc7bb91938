import { strict as assert } from 'node:assert';
import { debounceByKey } from '../../../src/extension/debounce';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('debounceByKey', () => {
  it('calls once per key after the calls stop', async () => {
    const calls: string[] = [];
    const d = debounceByKey<string>(20, (k) => calls.push(k));
    d('a'); d('b'); d('a'); d('a');
    await sleep(5);
    d('a');
    assert.deepEqual(calls, []);
    await sleep(60);
    assert.deepEqual(calls.sort(), ['a', 'b']);
  });

  it('dispose cancels pending calls', async () => {
    const calls: string[] = [];
    const d = debounceByKey<string>(10, (k) => calls.push(k));
    d('a');
    d.dispose();
    await sleep(30);
    assert.deepEqual(calls, []);
  });
});
