import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const bnn = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('bnn CLI (built bundle)', () => {
  it('summary --json has the documented shape', () => {
    const r = bnn('summary', 'examples/binary-mlp.bnn.json', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j.totals).slice(0, 5), ['flashBytes', 'ramBytes', 'float32Bytes', 'binaryMacs', 'floatMacs']);
    assert.deepEqual(Object.keys(j.layers[1]).slice(0, 9), ['name', 'type', 'outputShape', 'binaryParams', 'int8Params', 'floatParams', 'flashBytes', 'binaryMacs', 'floatMacs']);
    assert.equal(j.totals.flashBytes, 36304);
  });

  it('summary prints the Larq-style table', () => {
    const r = bnn('summary', 'examples/binary-cnn.bnn.json');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Input prec\. \(bit\)/);
    assert.match(r.stdout, /quant_conv2d_1 \(QuantConv2D\)/);
    // 27,588 B with a ±1 first kernel (32 rows of one word); its 288 float32 weights add 1,152 − 128 B
    assert.match(r.stdout, /Flash \(deployed bytes\)\s+28612 B/);
  });

  it('validate reports file:line:col and exits 1 on invalid input', () => {
    const r = bnn('validate', 'test/fixtures/malformed/filters-zero.bnn.json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^test\/fixtures\/malformed\/filters-zero\.bnn\.json:14:18: error: layer 0 \(QuantConv2D\) "filters": must be >= 1, got 0$/m);
  });

  it('exits 1 with a message for a missing file, 2 for usage errors', () => {
    const missing = bnn('summary', 'nope.bnn.json');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.bnn\.json: no such file/);
    assert.equal(bnn('summary').status, 2);
    assert.equal(bnn('frobnicate').status, 2);
    assert.equal(bnn('summary', 'examples/binary-mlp.bnn.json', '--bogus').status, 2);
    assert.equal(bnn().status, 2);
  });

  it('prints a command\'s usage for --help and -h and exits 0, whatever else is on the line', () => {
    for (const cmd of ['train', 'summary', 'bench', 'eval', 'compile', 'flash']) {
      const r = bnn(cmd, '--help');
      assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: bnn ${cmd} `));
      assert.equal(r.stderr, '');
    }
    const short = bnn('train', 'examples/binary-mlp.bnn.json', '-h');
    assert.equal(short.status, 0, short.stderr);
    assert.match(short.stdout, /--threads N/);
  });

  it('lists boards', () => {
    const r = bnn('boards');
    assert.equal(r.status, 0);
    for (const id of ['qemu-stm32', 'nano33ble', 'nucleo-f401re', 'nucleo-f411re', 'nucleo-f446re']) assert.match(r.stdout, new RegExp(id));
  });
});
