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
    const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--epochs', '1', '--max-samples', '500', '--backend', 'cpu', '--batch-size', '50', '--json', '--experiments', 'exp', '--name', ' baseline run '], tmp);
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(events.length >= 2);
    assert.ok(events.every((e) => (e.kind === 'step' || e.kind === 'epoch') && typeof e.experimentId === 'string'));
    assert.equal(events[events.length - 1].kind, 'epoch');
    const id = events[0].experimentId;
    // the name is the run's display name; the folder keeps its readable id
    assert.match(id, /^\d{8}-\d{6}-tiny-bop$/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(tmp, 'exp', id, 'config.json'), 'utf8')).name, 'baseline run');
    const listed = JSON.parse(bnn(['experiments', '--experiments', 'exp', '--json'], tmp).stdout);
    assert.equal(listed.experiments.find((x: { id: string }) => x.id === id).name, 'baseline run');
    const e = bnn(['eval', id, '--experiments', 'exp', '--json', '--max-samples', '200'], tmp);
    assert.equal(e.status, 0, e.stderr);
    const res = JSON.parse(e.stdout);
    assert.equal(res.samples, 200);
    assert.ok(res.accuracy > 0.3, `accuracy ${res.accuracy}`);
  });

  it('piped: plain epoch lines without escape codes, ending with the checkpoint eval and compile will use, worded as they word it', () => {
    const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--epochs', '2', '--max-samples', '300', '--backend', 'cpu', '--batch-size', '50', '--experiments', 'piped'], tmp);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\x1b|\r/, 'no ANSI codes or carriage returns on a pipe');
    assert.match(r.stderr, /^epoch 1\/2: loss /m);
    assert.match(r.stderr, /^epoch 2\/2: loss /m);
    const said = /^checkpoint: (\S+ \(epoch \d+, step \d+, val acc [\d.]+%\)) — what eval, compile, bench and flash use/m.exec(r.stderr);
    assert.ok(said, r.stderr);
    const id = /^experiment (\S+)$/m.exec(r.stderr)![1];
    const e = bnn(['eval', id, '--experiments', 'piped', '--max-samples', '50'], tmp);
    assert.equal(e.status, 0, e.stderr);
    assert.ok(e.stderr.includes(`checkpoint: ${said[1]}\n`), e.stderr);
  });

  it('a preset’s epoch-based decays are recorded in steps of the run; a flag takes a JSON schedule', () => {
    const lr = '{"kind":"linear","initial":0.01,"final":0.001,"steps":2,"unit":"epochs"}';
    const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--epochs', '1', '--max-samples', '400', '--backend', 'cpu', '--preset', 'bop-10-epochs',
      '--batch-size', '50', '--val-split', '0.25', '--lr', lr, '--json', '--experiments', 'exp-sched'], tmp);
    assert.equal(r.status, 0, r.stderr);
    const id = JSON.parse(r.stdout.trim().split('\n')[0]).experimentId;
    const config = JSON.parse(fs.readFileSync(path.join(tmp, 'exp-sched', id, 'config.json'), 'utf8'));
    assert.equal(config.bnRecalibration, 300, 'BatchNorm statistics re-estimated on every training image (fewer than the default 10,000)');
    // 400 samples, 100 held out, batch 50 → 6 steps per epoch
    assert.deepEqual(config.optimizer.gamma, { kind: 'exponential', initial: 1e-3, decayRate: 0.1, decaySteps: 60, staircase: false });
    assert.deepEqual(config.optimizer.lr, { kind: 'linear', initial: 0.01, final: 0.001, steps: 12 });
    assert.equal(config.optimizer.preset, 'bop-10-epochs');
    const bad = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--lr', '{"kind":"exponential","initial":0.01}'], tmp);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--lr: .*decayRate/);
  });

  it('usage and input errors: exit 2 for bad flags, 1 for an invalid model', () => {
    assert.equal(bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--epochs', 'zero'], tmp).status, 2);
    assert.equal(bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--optimizer', 'sgd'], tmp).status, 2);
    for (const t of ['0', '1.5', '65']) {
      const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--threads', t], tmp);
      assert.equal(r.status, 2, `--threads ${t}`);
      assert.match(r.stderr, /--threads must be/);
    }
    for (const name of ['', 'a\nb', 'x'.repeat(81)]) {
      const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--name', name], tmp);
      assert.equal(r.status, 2, `--name ${JSON.stringify(name)}`);
      assert.match(r.stderr, /--name: the run name/);
    }
    for (const n of ['-1', '2.5', 'many']) {
      const r = bnn(['train', 'tiny.bnn.json', '--data', 'bundled', '--bn-recalibration', n], tmp);
      assert.equal(r.status, 2, `--bn-recalibration ${n}`);
      assert.match(r.stderr, /--bn-recalibration must be/);
    }
    fs.writeFileSync(path.join(tmp, 'bad.bnn.json'), '{ "name": "bad", "input": { "shape": [28, 28, 1] }, "classes": 10, "layers": [ { "type": "QuantDense", "units": 10 } ] }');
    const r = bnn(['train', 'bad.bnn.json', '--data', 'bundled'], tmp);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.bnn\.json:1:\d+/);
    assert.match(r.stderr, /nothing was trained/);
  });
});
