/**
 * Every command that takes an experiment finds it the same way and says the same thing when it is not there: an id
 * (or a folder) with `--experiments DIR` — `--dir` is accepted as the same flag, as `bnn experiments` spells it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const bnn = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('bnn: one way to name an experiment', function () {
  this.timeout(120_000);
  let dir: string;
  let experiments: string;
  let id: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bnn-exp-args-'));
    experiments = join(dir, 'runs');
    const model = join(dir, 'tiny.bnn.json');
    writeFileSync(model, JSON.stringify({ name: 'tiny', input: { shape: [28, 28, 1] }, classes: 10, layers: [{ type: 'Flatten' }, { type: 'QuantDense', units: 10, kernelQuantizer: 'ste_sign', useBias: false }, { type: 'BatchNormalization' }] }));
    const r = bnn('train', model, '--data', 'bundled', '--epochs', '1', '--max-samples', '200', '--experiments', experiments);
    assert.equal(r.status, 0, r.stderr);
    id = readdirSync(experiments)[0];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('compile takes an experiment id, like eval, bench and flash', () => {
    const out = join(dir, 'out');
    const r = bnn('compile', id, '--experiments', experiments, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    // The model's files and, next to them, every runtime header the repository ships (firmware/runtime/).
    assert.deepEqual(readdirSync(out).sort(), ['bnn_model.c', 'bnn_model.h', 'bnn_model.json', ...readdirSync(join(__dirname, '..', '..', 'firmware', 'runtime'))].sort());
  });

  it('--experiments and --dir are the same flag in eval, compile, bench, flash, export and experiments', () => {
    for (const flag of ['--experiments', '--dir']) {
      assert.equal(bnn('eval', id, flag, experiments, '--max-samples', '10').status, 0, `eval ${flag}`);
      assert.equal(bnn('compile', id, flag, experiments, '--out', join(dir, `o${flag}`)).status, 0, `compile ${flag}`);
      const list = bnn('experiments', flag, experiments, '--json');
      assert.equal(list.status, 0, `experiments ${flag}`);
      assert.deepEqual(JSON.parse(list.stdout).experiments.map((e: { id: string }) => e.id), [id]);
      const exp = bnn('export', id, flag, experiments, '--format', 'tfjs', '--out', join(dir, `tfjs${flag}`));
      assert.equal(exp.status, 0, `export ${flag}: ${exp.stderr}`);
    }
  });

  it('a missing experiment is worded the same by every command', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const want = `no experiment 'nosuch' (looked in ${join(empty, 'nosuch')} and ${join(root, 'nosuch')})`;
    for (const args of [['eval', 'nosuch'], ['compile', 'nosuch'], ['bench', 'nosuch', '--board', 'qemu-stm32'], ['flash', 'nosuch', '--board', 'nucleo-f401re'], ['export', 'nosuch', '--format', 'tfjs', '--out', join(dir, 'x')]]) {
      const r = bnn(...args, '--experiments', empty);
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stderr, `bnn ${args[0]}: ${want}\n`, args.join(' '));
    }
  });
});
