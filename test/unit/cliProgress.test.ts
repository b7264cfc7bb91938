/** `bnn train` and `bnn bench` progress: a cli-progress bar on a terminal, plain lines (no escape codes) on a pipe. */
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { createProgress, isInteractive } from '../../src/cli/progress';

function fakeStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({ write(chunk: Buffer, _enc, cb) { out += chunk.toString(); cb(); } }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: tty, columns: 100, rows: 30, cursorTo: (_x: number, _y?: unknown, cb?: () => void) => { out += '\x1b[G'; cb?.(); return true; },
    moveCursor: (_dx: number, _dy: number, cb?: () => void) => { cb?.(); return true; }, clearLine: (_d: number, cb?: () => void) => { out += '\x1b[2K'; cb?.(); return true; },
    clearScreenDown: (cb?: () => void) => { cb?.(); return true; } });
  return { stream: w, text: () => out };
}

describe('CLI progress', () => {
  it('on a pipe: plain lines at each quarter, log lines as they come, no carriage return or escape code', () => {
    const { stream, text } = fakeStream(false);
    const p = createProgress({ stream });
    p.log('checkpoint: best');
    for (let i = 1; i <= 200; i++) p.update(i, 200, `${i}/200 samples`);
    p.stop();
    assert.equal(text(), 'checkpoint: best\n50/200 samples\n100/200 samples\n150/200 samples\n200/200 samples\n');
  });

  it('on a pipe with plainEvery 0 (train: the epoch lines only): updates print nothing', () => {
    const { stream, text } = fakeStream(false);
    const p = createProgress({ stream, plainEvery: 0 });
    for (let i = 1; i <= 10; i++) p.update(i, 10, `step ${i}`);
    p.log('epoch 1/1: loss 0.5');
    assert.equal(text(), 'epoch 1/1: loss 0.5\n');
  });

  it('on a terminal: a bar with the percentage and text, and log lines printed above it', () => {
    const { stream, text } = fakeStream(true);
    const p = createProgress({ stream });
    p.update(1, 4, 'step 1/4');
    p.log('epoch 1/2: loss 0.9');
    p.update(2, 4, 'step 2/4');
    p.stop();
    const out = text();
    assert.match(out, /█+░+ +25% \| step 1\/4/);
    assert.match(out, /epoch 1\/2: loss 0\.9\n/);
    assert.match(out, /\x1b\[/, 'a terminal gets cursor control');
  });

  it('TERM=dumb or a stream that is no TTY is not interactive', () => {
    assert.equal(isInteractive({ isTTY: true } as NodeJS.WriteStream, { TERM: 'dumb' }), false);
    assert.equal(isInteractive({ isTTY: false } as NodeJS.WriteStream, {}), false);
    assert.equal(isInteractive({ isTTY: true } as NodeJS.WriteStream, { TERM: 'xterm' }), true);
  });
});
