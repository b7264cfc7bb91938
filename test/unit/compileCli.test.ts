import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileModel } from '../../src/core/compile/compile';
import { parseTrainedModel, serializeTrainedModel } from '../../src/core/compile/trainedJson';
import { ARCHITECTURES } from '../support/compileArchitectures';
import { syntheticModel } from '../support/syntheticModel';
import { requireTool } from '../support/tools';

const root = join(__dirname, '..', '..');
const bnn = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('bnn compile (built bundle)', () => {
  let dir: string;
  let modelFile: string;
  const trained = syntheticModel(ARCHITECTURES[2], 3);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bnn-compile-cli-'));
    modelFile = join(dir, 'cnn.trained.json');
    writeFileSync(modelFile, serializeTrainedModel(trained));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes bnn_model.h/.c/.json and a copy of the C runtime for a board and reports flash, RAM and hash', () => {
    const out = join(dir, 'out');
    const r = bnn('compile', modelFile, '--board', 'nucleo-f401re', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const expected = compileModel(trained, { board: 'nucleo-f401re' });
    const runtimeDir = join(__dirname, '..', '..', 'firmware', 'runtime');
    const runtime = readdirSync(runtimeDir);
    assert.ok(runtime.includes('bnn_runtime.h'));
    assert.deepEqual(readdirSync(out).sort(), ['bnn_model.c', 'bnn_model.h', 'bnn_model.json', ...runtime].sort());
    for (const f of runtime) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(runtimeDir, f), 'utf8'), f);
    assert.equal(readFileSync(join(out, 'bnn_model.c'), 'utf8'), expected.files['bnn_model.c']);
    assert.match(r.stdout, new RegExp(`hash\\s+${expected.hash}`));
    assert.match(r.stdout, new RegExp(`flash\\s+${expected.plan.flashBytes} B`));
    const manifest = JSON.parse(readFileSync(join(out, 'bnn_model.json'), 'utf8'));
    assert.equal(manifest.hash, expected.hash);
    assert.equal(manifest.board, 'nucleo-f401re');
  });

  it('writes a folder that builds on its own (no include path into BNN Studio)', function () {
    const gcc = requireTool(this, 'gcc', 'apt-get install gcc');
    const out = join(dir, 'alone');
    assert.equal(bnn('compile', modelFile, '--out', out).status, 0);
    execFileSync(gcc, ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-O2', '-c', '-o', join(dir, 'alone.o'), 'bnn_model.c'], { cwd: out, stdio: 'pipe' });
    assert.ok(existsSync(join(dir, 'alone.o')));
  });

  it('--json prints the manifest', () => {
    const r = bnn('compile', modelFile, '--out', join(dir, 'json'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.board, 'qemu-stm32');
    assert.equal(j.flashBytes, compileModel(trained).plan.flashBytes);
    assert.deepEqual(j.warnings, []);
  });

  it('bad inputs: clear messages, exit 1 (2 for usage), nothing written', () => {
    const out = join(dir, 'never');
    const unknown = bnn('compile', modelFile, '--board', 'esp32', '--out', out);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown board 'esp32' \(known: qemu-stm32, /);
    const missing = bnn('compile', join(dir, 'nope.json'), '--out', out);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.json: no such file or directory/);
    const notBinary = JSON.parse(serializeTrainedModel(trained));
    notBinary.weights.c2.kernel[0] = 0.5;
    const badFile = join(dir, 'bad.trained.json');
    writeFileSync(badFile, JSON.stringify(notBinary));
    const bad = bnn('compile', badFile, '--out', out);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /layer 'c2' \(QuantConv2D\): the kernel is quantized but value 0 is 0\.5, not ±1/);
    writeFileSync(badFile, '{"format": "something-else"}');
    assert.match(bnn('compile', badFile, '--out', out).stderr, /not a trained model \(expected "format": "bnn-trained-model"\)/);
    writeFileSync(badFile, '{"format": "bnn-trained-model", "version": 1, "model": {"name": "m", "input": {"shape": [4]}, "classes": 3, "layers": [{"type": "QuantDense", "units": 2}]}, "weights": {}}');
    assert.match(bnn('compile', badFile, '--out', out).stderr, /invalid "model": .*outputs 2 values but "classes" is 3/);
    assert.equal(bnn('compile').status, 2);
    assert.equal(bnn('compile', modelFile, '--frobnicate').status, 2);
    assert.equal(existsSync(out), false);
  });

  it('the trained-model JSON round-trips exactly', () => {
    for (const spec of ARCHITECTURES) {
      const t = syntheticModel(spec, 9);
      assert.equal(compileModel(parseTrainedModel(serializeTrainedModel(t), 'x.json')).hash, compileModel(t).hash, spec.name);
    }
  });
});
