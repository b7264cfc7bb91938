import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tinyMlp } from '../../support/models';

const root = path.join(__dirname, '..', '..', '..');
const bnn = (args: string[], cwd: string) => spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8', timeout: 120000 });

describe('bnn train / bnn eval (built CLI)', function () {
  this.timeout(150000);
  let tmp: string;
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) || !fs.existsSync(path.join(root, 'dist', 'trainWorker.js'))) throw new Error('dist/ is not built: run npm run build (npm test does)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-cli-'));
    fs.writeFileSync(path.join(tmp, 'tiny.bnn.json'), JSON.stringify({ ...tinyMlp([28, 28, 1], 32, 10), name: 'tiny' }));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--json prints one metrics event per line; eval reports the test accuracy of the checkpoint', () => {
    const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--epochs', '1', '--max-samples', '500', '--backend', 'cpu', '--batch-size', '50', '--json', '--experiments', 'exp'], tmp);
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(events.length >= 2);
    assert.ok(events.every((e) => (e.kind === 'step' || e.kind === 'epoch') && typeof e.experimentId === 'string'));
    assert.equal(events[events.length - 1].kind, 'epoch');
    const id = events[0].experimentId;
    const e = bnn(['eval', id, '--experiments', 'exp', '--json', '--max-samples', '200'], tmp);
    assert.equal(e.status, 0, e.stderr);
    const res = JSON.parse(e.stdout);
    assert.equal(res.samples, 200);
    assert.ok(res.accuracy > 0.3, `accuracy ${res.accuracy}`);
  });

  it('usage and input errors: exit 2 for bad flags, 1 for an invalid model', () => {
    assert.equal(bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--epochs', 'zero'], tmp).status, 2);
    assert.equal(bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--optimizer', 'sgd'], tmp).status, 2);
    for (const t of ['0', '1.5', '65']) {
      const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--threads', t], tmp);
      assert.equal(r.status, 2, `--threads ${t}`);
      assert.match(r.stderr, /--threads must be/);
    }
    fs.writeFileSync(path.join(tmp, 'bad.bnn.json'), '{ "name": "bad", "input": { "shape": [28, 28, 1] }, "classes": 10, "layers": [ { "type": "QuantDense", "units": 10 } ] }');
    const r = bnn(['train', 'bad.bnn.json', '--data', 'bundled'], tmp);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.bnn\.json:1:\d+/);
    assert.match(r.stderr, /nothing was trained/);
  });
});
