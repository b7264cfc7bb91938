/**
 * "Does not fit" is said by the CLI before anything is built: validate and summary report it (with the firmware's
 * share), train warns before training, and compile refuses without writing files. BinaryNet for CIFAR-10 (1.69 MB of
 * deployed weights) fits none of the boards; the binary MLP fits all of them.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeTrainedModel } from '../../src/core/compile/trainedJson';
import { loadModelText } from '../../src/core/model/load';
import { syntheticModel } from '../support/syntheticModel';

const root = join(__dirname, '..', '..');
const bnn = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const BINARYNET = 'examples/binarynet-cifar10.bnn.json';
const text = readFileSync(join(root, BINARYNET), 'utf8');
// The layer holding most of the flash: quant_dense, 8192 × 1024 one-bit weights. Its object's line:col, found by hand.
const lines = text.split('\n');
let at = lines.findIndex((l) => l.includes('"QuantDense"')); // the first dense layer (unnamed: Keras calls it quant_dense)
while (!lines[at].trimStart().startsWith('{')) at--;
const denseAt = `${at + 1}:${lines[at].indexOf('{') + 1}`;
// 1768752 B of model (the summary's flash total) + the STM32 firmware: 32 KB on the F401RE = 1801520 B = 1.72 MB,
// 36 KB on the F411RE = 1805616 B = 1.72 MB; either board has 512 KB.
const NEEDS = 'needs 1.72 MB flash (model 1.69 MB + firmware 32 KB), the board has';
/** The 36 KB reserve: the emulated F405 and the F411RE. */
const NEEDS_F411 = 'needs 1.72 MB flash (model 1.69 MB + firmware 36 KB), the board has';

describe('bnn: a model that does not fit is reported before anything is built', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'bnn-fit-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validate warns that BinaryNet fits no board (exit 0: the file itself is valid), at its largest layer', () => {
    const r = bnn('validate', BINARYNET);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${BINARYNET}: ok\n`);
    assert.equal(r.stderr, `${BINARYNET}:${denseAt}: warning: the model fits none of the supported boards: even on the roomiest, Emulated STM32F405 (QEMU netduinoplus2), it ${NEEDS_F411} 1.00 MB\n`);
    const mlp = bnn('validate', 'examples/binary-mlp.bnn.json');
    assert.equal(mlp.status, 0);
    assert.equal(mlp.stderr, '');
  });

  it('validate --board makes it an error for that board, and names an unknown board', () => {
    const r = bnn('validate', '--board', 'nucleo-f401re', BINARYNET, 'examples/binary-mlp.bnn.json');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, 'examples/binary-mlp.bnn.json: ok (fits nucleo-f401re)\n');
    assert.match(r.stderr, new RegExp(`^${BINARYNET.replace(/\./g, '\\.')}:${denseAt}: error: Does not fit STM32 Nucleo-F401RE: it ${NEEDS.replace(/[().+]/g, '\\$&')} 512 KB\\. Layer 'quant_dense' holds 1\\.00 MB of it\\.`));
    const bad = bnn('validate', '--board', 'uno', BINARYNET);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown board 'uno' \(known: qemu-stm32, nano33ble/);
  });

  it('summary shows model + firmware against every board (and --json carries the numbers)', () => {
    const r = bnn('summary', BINARYNET);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Model \+ firmware on each board:\nBoard\s+Flash\s+RAM\n/);
    assert.match(r.stdout, /\nnucleo-f401re\s+1\.72 MB of 512 KB \(344%\)\s+\S+ KB of 96 KB \(\d+%\)\s+does not fit\n/);
    const j = JSON.parse(bnn('summary', BINARYNET, '--json', '--board', 'qemu-stm32').stdout);
    assert.deepEqual(j.boards.map((b: { id: string }) => b.id), ['qemu-stm32']);
    assert.deepEqual(j.boards[0].flash, { model: 1768752, firmware: 36 * 1024, used: 1768752 + 36 * 1024, available: 1024 * 1024 });
    assert.equal(j.boards[0].fits, false);
    const mlp = JSON.parse(bnn('summary', 'examples/binary-mlp.bnn.json', '--json').stdout);
    assert.ok(mlp.boards.every((b: { fits: boolean }) => b.fits));
  });

  it('train warns before it starts', () => {
    const r = bnn('train', BINARYNET, '--data', join(dir, 'no-such-data'), '--experiments', join(dir, 'exp'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /warning: the model fits none of the supported boards/);
    assert.match(r.stderr, /bnn train: training anyway; the trained model can be exported, but compile, bench and flash will refuse it/);
  });

  it('compile refuses for that board with the numbers, and writes nothing', () => {
    const spec = loadModelText(text, BINARYNET).spec!;
    const file = join(dir, 'binarynet.trained.json');
    writeFileSync(file, serializeTrainedModel(syntheticModel(spec, 1)));
    const out = join(dir, 'out');
    const r = bnn('compile', file, '--board', 'nucleo-f411re', '--out', out);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `bnn compile: 'binarynet_cifar10' does not fit STM32 Nucleo-F411RE (nucleo-f411re): it ${NEEDS_F411} 512 KB\n`);
    assert.equal(existsSync(out), false);
  });
});
