/**
 * `bnn import` of a trained model end to end: the PyTorch-trained CNN of test/fixtures/import as a Keras .h5 becomes
 * an experiment (state 'imported', a checkpoint in the trainer's format) whose predictions agree with PyTorch's on all
 * 1,000 bundled test images (--reference), which lists, compiles and evaluates like a run trained here.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const FIX = join(root, 'test', 'fixtures', 'import');
const bnn = (cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('bnn import <trained model>: an experiment that compiles', function () {
  this.timeout(120000);

  it('imports a Keras .h5 with its weights, agrees with PyTorch on 1,000 of 1,000 test images, compiles and evaluates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-cli-import-'));
    const r = bnn(dir, 'import', join(FIX, 'cnn.h5'), '--data', 'bundled', '--reference', join(FIX, 'reference.npy'), '--out', 'cnn.bnn.json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const id = readdirSync(join(dir, '.bnn', 'experiments'))[0];
    assert.match(r.stdout, new RegExp(`^.*cnn\\.h5 \\(keras-h5\\) → experiment ${id} and cnn\\.bnn\\.json$`, 'm'));
    assert.match(r.stdout, /^ {2}imported: 10 layers with their trained weights, input \[28, 28, 1\], 10 classes$/m);
    assert.match(r.stdout, /^ {2}agreement with reference\.npy: 1000\/1000 \(100\.00%\) of the first 1000 test samples give the same class$/m);
    const acc = /accuracy on bundled \(test, 1000 samples\): ([\d.]+)%/.exec(r.stdout);
    assert.ok(acc && Number(acc[1]) > 60, r.stdout);
    const status = JSON.parse(readFileSync(join(dir, '.bnn', 'experiments', id, 'status.json'), 'utf8'));
    assert.equal(status.state, 'imported');
    assert.equal(status.lastCheckpoint, 'last');
    const config = JSON.parse(readFileSync(join(dir, '.bnn', 'experiments', id, 'config.json'), 'utf8'));
    assert.equal(config.engine, 'import');
    assert.equal(config.imported.format, 'keras-h5');
    assert.match(bnn(dir, 'experiments').stdout, new RegExp(`${id} +torch_cnn .* imported`));
    assert.equal(bnn(dir, 'validate', 'cnn.bnn.json').status, 0);
    const c = bnn(dir, 'compile', id, '--out', 'c');
    assert.equal(c.status, 0, c.stderr);
    assert.ok(existsSync(join(dir, 'c', 'bnn_model.c')));
    const e = bnn(dir, 'eval', id, '--data', 'bundled', '--json');
    assert.equal(e.status, 0, e.stderr);
    assert.equal((JSON.parse(e.stdout).accuracy * 100).toFixed(2), acc![1]);
  });

  it('imports PyTorch\'s ONNX export with its input encoding given, agrees with PyTorch on 1,000 of 1,000, and the host-built C is bit-exact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-cli-import-'));
    const r = bnn(dir, 'import', join(FIX, 'cnn.onnx'), '--input-mean', '0', '--input-std', '1', '--data', 'bundled', '--reference', join(FIX, 'reference.npy'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^ {2}input encoding: the given --input-mean\/--input-std \(x = \(u8\/255 − mean\)\/std\): x = 0\.00392157·u8 \+ 0$/m);
    assert.match(r.stdout, /^ {2}agreement with reference\.npy: 1000\/1000 \(100\.00%\)/m);
    const id = readdirSync(join(dir, '.bnn', 'experiments'))[0];
    const host = bnn(dir, 'bench', id, '--host');
    if (host.status !== 0 && /gcc/.test(host.stderr) && process.env.CI !== 'true') return void console.log(`      skipped the host build: ${host.stderr.trim().split('\n')[0]}`);
    assert.equal(host.status, 0, host.stderr);
    assert.match(host.stdout, /bit-exact +1000\/1000 samples/);
  });

  it('refuses an architecture-only .h5 unless --untrained, then writes the *.bnn.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bnn-cli-import-'));
    const r = bnn(dir, 'import', join(FIX, 'cnn-arch-only.h5'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /holds the architecture only, no trained weights .*--untrained/);
    assert.match(r.stderr, /not imported; nothing was written/);
    const u = bnn(dir, 'import', join(FIX, 'cnn-arch-only.h5'), '--untrained');
    assert.equal(u.status, 0, u.stderr);
    assert.match(u.stdout, /architecture only\) → torch_cnn\.bnn\.json/);
    assert.equal(bnn(dir, 'validate', 'torch_cnn.bnn.json').status, 0);
  });
});
