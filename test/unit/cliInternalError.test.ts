import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { formatInternalError, exitQuietlyOnEpipe } from '../../src/cli/main';
import { summaryCommand } from '../../src/cli/commands/summary';
import { UsageError, InputError } from '../../src/cli/errors';
import { experimentsCommand } from '../../src/cli/commands/experiments';
import { evalCommand } from '../../src/cli/commands/eval';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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

describe('bnn eval on a damaged config.json', () => {
  for (const text of ['[]', '"x"', '{"formatVersion":1}', '{"formatVersion":1,"model":{"name":"m"},"optimizer":{"kind":"bop"}}']) {
    it(`names the file and the fault for ${text}, not a TypeError`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-badcfg-'));
      try {
        fs.writeFileSync(path.join(dir, 'config.json'), text);
        await assert.rejects(evalCommand.run([dir]), (e: unknown) => e instanceof InputError && (e as Error).message.startsWith(path.join(dir, 'config.json') + ': ') && !/TypeError|undefined/.test((e as Error).message));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
