import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const bnn = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('bnn CLI (built bundle)', () => {
  it('summary --json gives the binary MLP\'s numbers, worked out by hand', () => {
    const r = bnn('summary', 'examples/binary-mlp.bnn.json', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { totals: Record<string, number>; layers: Record<string, unknown>[] };
    assert.deepEqual(j.layers.map((l) => l.name), ['flatten', 'quant_dense', 'batch_normalization', 'quant_dense_1', 'batch_normalization_1', 'quant_dense_2', 'batch_normalization_2', 'activation']);
    const pick = (l: Record<string, unknown>): unknown[] => [l.type, l.outputShape, l.binaryParams, l.int8Params, l.floatParams, l.flashBytes, l.binaryMacs, l.floatMacs];
    // 784 → 256 on the 8-bit input: ±1 weights but real-valued MACs; 256 rows of ceil(784 / 32) = 25 words.
    assert.deepEqual(pick(j.layers[1]), ['QuantDense', [256], 784 * 256, 0, 0, 256 * 25 * 4, 0, 784 * 256]);
    // BatchNorm before a sign: Larq's 2 parameters a channel; deployed as an int32 threshold each plus 8 flip words.
    assert.deepEqual(pick(j.layers[2]), ['BatchNormalization', [256], 0, 0, 2 * 256, 256 * 4 + 8 * 4, 0, 0]);
    // 256 → 256 XNOR: 8 words a row.
    assert.deepEqual(pick(j.layers[3]), ['QuantDense', [256], 256 * 256, 0, 0, 256 * 8 * 4, 256 * 256, 0]);
    // The last BatchNorm feeds the softmax: float32 scale and shift per class.
    assert.deepEqual(pick(j.layers[6]), ['BatchNormalization', [10], 0, 0, 2 * 10, 10 * 8, 0, 0]);
    const params = 784 * 256 + 256 * 256 + 256 * 10 + 2 * (256 + 256 + 10);
    assert.deepEqual([j.totals.flashBytes, j.totals.binaryMacs, j.totals.floatMacs, j.totals.params, j.totals.float32Bytes],
      [25_600 + 1056 + 8192 + 1056 + 320 + 80, 256 * 256 + 256 * 10, 784 * 256, params, 4 * params]);
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
    assert.match(r.stderr, /^test\/fixtures\/malformed\/filters-zero\.bnn\.json:14:18: error: layer 1 \(QuantConv2D 'quant_conv2d'\) "filters": must be >= 1, got 0$/m);
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
