import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSweep, type SweepFile } from '../../src/core/sweep/state';
import type { Heatmap } from '../../src/core/sweep/heatmap';

const root = path.join(__dirname, '..', '..');
const bnn = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });

describe('bnn sweep (CLI; needs npm run build)', function () {
  this.timeout(180000);
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-sweep-cli-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('trains the grid, writes the sweep and its heatmaps, and a resumed finished sweep runs nothing', () => {
    const exp = path.join(tmp, 'experiments');
    const r = bnn('sweep', 'examples/binary-mlp.bnn.json', '--data', 'bundled', '--gamma', '1e-3', '--threshold', '1e-8,1', '--epochs', '1', '--max-samples', '300', '--backend-free-typo-check', 'x');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /unknown|--backend-free-typo-check/);
    const ok = bnn('sweep', 'examples/binary-mlp.bnn.json', '--data', 'bundled', '--gamma', '1e-3', '--threshold', '1e-8,1', '--epochs', '1', '--max-samples', '300', '--experiments', exp);
    assert.equal(ok.status, 0, ok.stderr);
    const sweeps = path.join(tmp, 'sweeps');
    const [id] = fs.readdirSync(sweeps);
    const sweep: SweepFile = readSweep(path.join(sweeps, id));
    assert.deepEqual(sweep.cells.map((c) => [c.gamma, c.threshold, c.state]), [[1e-3, 1e-8, 'completed'], [1e-3, 1, 'completed']]);
    for (const c of sweep.cells) {
      const cfg = JSON.parse(fs.readFileSync(path.join(exp, c.experimentId!, 'config.json'), 'utf8'));
      assert.deepEqual([cfg.optimizer.gamma, cfg.optimizer.threshold], [{ kind: 'constant', value: c.gamma }, { kind: 'constant', value: c.threshold }]);
    }
    const maps = JSON.parse(fs.readFileSync(path.join(sweeps, id, 'heatmaps.json'), 'utf8')) as Heatmap[];
    assert.equal(maps[0].title, 'final accuracy');
    // τ = 1 is out of reach of |w·m|: not one flip in any binary layer
    for (const m of maps.slice(1)) assert.equal(m.values[0][1], 0, m.title);
    assert.match(ok.stdout, /final accuracy\n {2}γ \\ τ/);
    const again = bnn('sweep', '--resume', path.join(sweeps, id), '--experiments', exp);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /2 done, 0 to run/);
  });

  it('refuses bad lists and latent presets with usage errors naming the flag', () => {
    const bad = bnn('sweep', 'examples/binary-mlp.bnn.json', '--data', 'bundled', '--gamma', '1e-3,abc', '--threshold', '1e-8');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--gamma: 'abc' is not a positive number/);
    const latent = bnn('sweep', 'examples/binary-mlp.bnn.json', '--data', 'bundled', '--gamma', '1e-3', '--threshold', '1e-8', '--preset', 'latent');
    assert.equal(latent.status, 2);
    assert.match(latent.stderr, /latent weights: it has no γ or τ/);
    const missing = bnn('sweep', '--resume', path.join(tmp, 'nowhere'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no such sweep/);
  });
});
