import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tinyMlp } from '../support/models';
import { requirePythonModule, requireTool } from '../support/tools';

const root = path.join(__dirname, '..', '..');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const bnn = (args: string[], cwd: string) => spawnSync(process.execPath, [path.join(root, 'bin', 'bnn.js'), ...args], { cwd, encoding: 'utf8', timeout: 120000, env: { ...process.env, HOME: cwd, BNN_DATA_DIR: '' } });

describe('bnn datasets / train / eval on an image folder (built CLI)', function () {
  this.timeout(150000);
  let tmp: string;
  before(function () {
    requirePythonModule(this, PYTHON, 'PIL', 'apt-get install python3-pil');
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) || !fs.existsSync(path.join(root, 'dist', 'trainWorker.js'))) throw new Error('dist/ is not built: run npm run build (npm test does)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-cli-img-'));
    fs.writeFileSync(path.join(tmp, 'mlp.bnn.json'), JSON.stringify({ ...tinyMlp([8, 8, 1], 32, 3), name: 'mlp' }));
    // 16×16 camera frames of three colours (red, green, blue, with noise), as a folder per class; the model takes 8×8 grey
    execFileSync(PYTHON, ['-c', `import numpy as np, os
from PIL import Image
rng = np.random.default_rng(2)
for c, rgb in [('red', (200, 30, 30)), ('green', (30, 200, 30)), ('blue', (30, 30, 200))]:
    os.makedirs(f'frames/{c}')
    for i in range(50):
        img = np.clip(np.array(rgb) + rng.normal(0, 12, (16, 16, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(img, 'RGB').save(f'frames/{c}/{i:03d}.' + ('png' if i % 2 else 'jpg'))`], { cwd: tmp });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let trained: { id: string; accuracy: number } | undefined;

  it('trains on the folder brought to the model input, records how, caches the tensors; eval uses the same test split', () => {
    const r = bnn(['train', 'mlp.bnn.json', '--data', 'frames', '--resize', 'area', '--epochs', '10', '--backend', 'cpu', '--batch-size', '10', '--json'], tmp);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /150 images were not 8×8 and were resized \(area\)/);
    const id = JSON.parse(r.stdout.trim().split('\n')[0]).experimentId;
    const config = JSON.parse(fs.readFileSync(path.join(tmp, '.bnn', 'experiments', id, 'config.json'), 'utf8'));
    assert.equal(config.dataset.path, path.join(tmp, 'frames'));
    assert.deepEqual(config.dataset.preprocessing.image.shape, [8, 8, 1]);
    assert.equal(config.dataset.preprocessing.image.resize, 'area');
    assert.match(config.dataset.preprocessing.image.channels, /ITU-R BT\.601/);
    assert.deepEqual(config.dataset.perClass.test, [10, 10, 10]);
    assert.ok(fs.readdirSync(path.join(tmp, '.bnn', 'cache')).some((f) => /^images-[0-9a-f]{16}\.bin$/.test(f)));

    const e = bnn(['eval', id, '--json'], tmp);
    assert.equal(e.status, 0, e.stderr);
    const res = JSON.parse(e.stdout);
    assert.equal(res.samples, 30);
    assert.deepEqual(res.perClass.map((p: { class: string }) => p.class), ['blue', 'green', 'red']);
    assert.ok(res.accuracy > 0.8, `accuracy ${res.accuracy}`);
    trained = { id, accuracy: res.accuracy };

    const d = bnn(['datasets', 'frames', '--json'], tmp);
    assert.equal(d.status, 0, d.stderr);
    const info = JSON.parse(d.stdout);
    // without a model the first image decides: 16×16, colour
    assert.deepEqual(info.shape, [16, 16, 3]);
    assert.deepEqual(info.classNames, ['blue', 'green', 'red']);
    assert.equal(bnn(['train', 'mlp.bnn.json', '--data', 'frames', '--resize', 'nearest'], tmp).status, 2);
    const aug = bnn(['train', 'mlp.bnn.json', '--data', 'frames', '--augment', 'crop=2,flip', '--epochs', '1', '--backend', 'cpu', '--experiments', 'exp-aug'], tmp);
    assert.equal(aug.status, 0, aug.stderr);
    assert.match(aug.stderr, /augment {2}random crop with 2-pixel zero padding \+ horizontal flip \(training batches only\)/);
    const bad = bnn(['train', 'mlp.bnn.json', '--data', 'frames', '--augment', 'rotate'], tmp);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--augment takes crop, crop=P/);
  });

  it('bnn bench runs the emulated board on the same 30 test samples, preprocessed as in training', function () {
    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    if (!trained) throw new Error('needs the experiment the first test trains');
    const r = bnn(['bench', trained.id, '--board', 'qemu-stm32', '--json'], tmp);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.samples, 30);
    assert.equal(j.agreement, 1);
    // the compiled model on the board against eval's float forward pass on the same samples: at most one apart
    assert.ok(Math.abs(j.deviceAccuracy - trained.accuracy) <= 1 / 30 + 1e-9, `board ${j.deviceAccuracy}, eval ${trained.accuracy}`);
  });
});
