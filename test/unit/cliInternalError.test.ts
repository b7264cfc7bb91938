import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { formatInternalError, exitQuietlyOnEpipe } from '../../src/cli/main';
import { summaryCommand } from '../../src/cli/commands/summary';
import { UsageError, InputError } from '../../src/cli/errors';
import { experimentsCommand } from '../../src/cli/commands/experiments';

describe('bnn internal errors', () => {
  it('prints one line without a stack trace unless BNN_DEBUG is set', () => {
    const err = new TypeError('Cannot read properties of undefined');
    const plain = formatInternalError(err, {});
    assert.equal(plain.trimEnd().split('\n').length, 1, plain);
    assert.match(plain, /^bnn: internal error: TypeError: Cannot read properties of undefined \(set BNN_DEBUG=1 for a stack trace\)\n$/);
    assert.doesNotMatch(plain, /\s+at /);
    const debug = formatInternalError(err, { BNN_DEBUG: '1' });
    assert.match(debug, /\n\s+at /);
  });
});

describe('bnn output to a closed pipe', () => {
  it('exits 0 quietly on EPIPE', () => {
    const s = new EventEmitter();
    let code: number | undefined;
    exitQuietlyOnEpipe(s, (c) => { code = c; });
    s.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.equal(code, 0);
  });
});

describe('bnn summary arguments', () => {
  it('rejects a second model file instead of silently ignoring it', async () => {
    await assert.rejects(summaryCommand.run(['examples/binary-mlp.bnn.json', 'missing.bnn.json']), (e: unknown) => e instanceof UsageError && /one model file, got 2/.test((e as Error).message));
  });
});

describe('bnn experiments --dir', () => {
  it('says a missing folder does not exist instead of "no experiments"', async () => {
    await assert.rejects(experimentsCommand.run(['--dir', '/nonexistent-bnn-dir']), (e: unknown) => e instanceof InputError && /nonexistent-bnn-dir: no such folder/.test((e as Error).message));
  });
});
