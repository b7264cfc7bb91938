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
import { requireTool } from '../support/tools';

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
    assert.match(id, /-torch_cnn-import$/);
    assert.match(bnn(dir, 'experiments').stdout, new RegExp(`${id} +torch_cnn +— +imported +from keras-h5 `));
    assert.equal(bnn(dir, 'validate', 'cnn.bnn.json').status, 0);
    const c = bnn(dir, 'compile', id, '--out', 'c');
    assert.equal(c.status, 0, c.stderr);
    assert.ok(existsSync(join(dir, 'c', 'bnn_model.c')));
    const e = bnn(dir, 'eval', id, '--data', 'bundled', '--json');
    assert.equal(e.status, 0, e.stderr);
    assert.equal((JSON.parse(e.stdout).accuracy * 100).toFixed(2), acc![1]);
  });

  it('imports PyTorch\'s ONNX export with its input encoding given, agrees with PyTorch on 1,000 of 1,000, and the host-built C is bit-exact', function () {
    requireTool(this, 'gcc', 'apt-get install gcc');
    const dir = mkdtempSync(join(tmpdir(), 'bnn-cli-import-'));
    const r = bnn(dir, 'import', join(FIX, 'cnn.onnx'), '--input-mean', '0', '--input-std', '1', '--data', 'bundled', '--reference', join(FIX, 'reference.npy'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^ {2}input encoding: the given --input-mean\/--input-std \(x = \(u8\/255 − mean\)\/std\): x = 0\.00392157·u8 \+ 0$/m);
    assert.match(r.stdout, /^ {2}agreement with reference\.npy: 1000\/1000 \(100\.00%\)/m);
    const id = readdirSync(join(dir, '.bnn', 'experiments'))[0];
    const host = bnn(dir, 'bench', id, '--host');
    assert.equal(host.status, 0, host.stderr);
    assert.match(host.stdout, /bit-exact +1000\/1000 samples/);
  });

  it('a Keras 3 .keras import on the emulated board (bnn bench): the firmware predicts as the host reference', function () {
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    const dir = mkdtempSync(join(tmpdir(), 'bnn-cli-import-'));
    const bare = bnn(dir, 'import', join(FIX, 'cnn.keras'));
    assert.equal(bare.status, 0, bare.stderr);
    const bareId = readdirSync(join(dir, '.bnn', 'experiments'))[0];
    // imported without --data: no test samples to run, and it says how to get them
    assert.match(bnn(dir, 'bench', bareId, '--board', 'qemu-stm32').stderr, /was imported without a dataset, so there are no test samples to run: import it again with --data/);
    const r = bnn(dir, 'import', join(FIX, 'cnn.keras'), '--data', 'bundled');
    assert.equal(r.status, 0, r.stderr);
    const id = readdirSync(join(dir, '.bnn', 'experiments')).find((e) => e !== bareId)!;
    const b = bnn(dir, 'bench', id, '--board', 'qemu-stm32', '--samples', '50', '--json');
    assert.equal(b.status, 0, b.stderr);
    const j = JSON.parse(b.stdout) as { samples: number; agreement: number; deviceAccuracy: number };
    assert.equal(j.samples, 50);
    assert.equal(j.agreement, 1);
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
