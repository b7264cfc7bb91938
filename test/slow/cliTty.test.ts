/**
 * `bnn train` on a real terminal (a pty from util-linux's `script`): a cli-progress bar that moves, the epoch lines
 * printed above it, and the cursor given back at the end (issue 16 item 14). The piped case is in test/unit/train/cli.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireTool } from '../support/tools';

const root = path.join(__dirname, '..', '..');

describe('bnn train on a terminal', function () {
  this.timeout(180_000);
  let tmp: string;
  before(function () {
    requireTool(this, 'script', 'apt-get install util-linux');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-tty-'));
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it('draws a progress bar, keeps the epoch lines above it, and restores the cursor', () => {
    const cmd = [process.execPath, path.join(root, 'bin', 'bnn.js'), 'train', path.join(root, 'examples', 'binary-mlp.bnn.json'),
      '--data', 'bundled', '--epochs', '2', '--max-samples', '600', '--batch-size', '50', '--backend', 'cpu', '--experiments', 'exp'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: tmp, encoding: 'utf8', timeout: 170_000, env: { ...process.env, TERM: 'xterm' } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = r.stdout;
    const percents = [...out.matchAll(/[█░]+ +(\d+)% \| epoch \d\/2 {2}step (\d+)\/22/g)].map((m) => Number(m[1]));
    assert.ok(percents.length >= 2, 'the bar is drawn more than once');
    assert.ok(percents[percents.length - 1] > percents[0], `the bar moves: ${percents.join(', ')}`);
    assert.match(out, /\x1b\[2Kepoch 1\/2: loss /, 'an epoch line clears the bar\'s line and prints above it');
    assert.match(out, /epoch 2\/2: loss /);
    assert.match(out, /\x1b\[\?25h/, 'the cursor is shown again');
    assert.match(out, /checkpoint: best \(epoch \d, step \d+, val acc [\d.]+%\)/);
  });
});
