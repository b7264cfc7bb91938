/**
 * The sensor-window example end to end: scripts/make-gesture-data.ts writes accelerometer windows as an .npz (read
 * back by numpy itself), examples/imu-gestures.bnn.json ([128, 1, 3] input, [5, 1] kernels) trains on it to well
 * above chance, and the compiled model runs on the emulated board on the run's test split.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gestureNpz, GESTURES, WINDOW } from '../../scripts/make-gesture-data';
import { loadDataset } from '../../src/core/data';
import { benchExperiment } from '../../src/core/device/benchExperiment';
import { optimizerFromFlags } from '../../src/core/train/presets';
import { prepareJob } from '../../src/core/train/job';
import { runTraining } from '../../src/core/train/trainer';
import { requirePythonModule, requireTool } from '../support/tools';

const root = path.join(__dirname, '..', '..');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

describe('sensor-window example: synthetic accelerometer gestures on a [128, 1, 3] binary CNN', function () {
  this.timeout(300_000);
  let tmp: string;
  let npz: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-imu-'));
    npz = path.join(tmp, 'gestures.npz');
    fs.writeFileSync(npz, gestureNpz(300, 1));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes an .npz numpy reads: x float32 [1200, 128, 3] in m/s² around gravity, y int32 with four balanced classes', function () {
    requirePythonModule(this, PYTHON, 'numpy', 'apt-get install python3-numpy');
    const out = execFileSync(PYTHON, ['-c', `import numpy as np, json
d = np.load(${JSON.stringify(npz)})
x, y = d['x'], d['y']
print(json.dumps({'x': [list(x.shape), str(x.dtype)], 'y': [list(y.shape), str(y.dtype)], 'counts': np.bincount(y).tolist(),
  'g': float(np.linalg.norm(x.mean(axis=1), axis=1).mean())}))`], { encoding: 'utf8' });
    const j = JSON.parse(out);
    assert.deepEqual(j.x, [[1200, WINDOW, 3], 'float32']);
    assert.deepEqual(j.y, [[1200], 'int32']);
    assert.deepEqual(j.counts, GESTURES.map(() => 300));
    // the mean acceleration over a window is gravity (9.81 m/s²), give or take the gestures' motion and drift
    assert.ok(Math.abs(j.g - 9.81) < 1, `|mean a| = ${j.g}`);
  });

  it('trains to well above chance and runs on the emulated board on the run’s test split', async function () {
    const experimentsDir = path.join(tmp, '.bnn', 'experiments');
    const job = prepareJob({
      modelPath: path.join(root, 'examples', 'imu-gestures.bnn.json'), data: npz, epochs: 8, batchSize: 100, seed: 1, valSplit: 0.1,
      optimizer: optimizerFromFlags('bop', {}), experimentsDir, eventsPerSecond: 0,
    });
    assert.ok(job.data.warnings?.some((w) => /x holds values that are not bytes/.test(w)));
    const messages: string[] = [];
    const status = await runTraining(job, { emit: (m) => { if (m.type === 'started') messages.push(m.experimentDir); }, cancelled: () => false });
    assert.equal(status.state, 'completed', status.error?.message);
    // four classes: chance is 25 %
    assert.ok((status.final?.testAccuracy ?? 0) > 0.6, `test accuracy ${status.final?.testAccuracy}`);
    const config = JSON.parse(fs.readFileSync(path.join(messages[0], 'config.json'), 'utf8'));
    assert.deepEqual(config.dataset.perClass.test, [60, 60, 60, 60]);

    requireTool(this, 'qemu-system-arm', 'apt-get install qemu-system-arm');
    requireTool(this, 'arm-none-eabi-gcc', 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
    const bench = await benchExperiment({ experimentDir: messages[0], board: 'qemu-stm32', samples: 60 });
    const r = bench.report.result;
    assert.equal(r.samples, 60);
    assert.equal(r.agreement, 1);
    // the board's labels are the recorded test split's first 60, read again the same way
    const test = loadDataset(npz, {}, { testSplit: 0.2, splitSeed: 0 }).test;
    const correct = bench.report.hostClasses.slice(0, 60).filter((c, i) => c === test.labels[i]).length;
    assert.equal(r.deviceAccuracy, correct / 60);
    assert.ok(r.deviceAccuracy > 0.6, `device accuracy ${r.deviceAccuracy}`);
  });
});
