import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { augmentDraw, augmentSample, encodeShard, augmentProblem, type AugmentSetup } from '../../../src/core/train/augment';
import { encodeInputs } from '../../../src/core/train/model';
import type { TrainJob } from '../../../src/core/train/trainer';
import { syntheticData } from '../../support/syntheticData';
import { tinyMlp } from '../../support/models';
import { runJob } from '../../support/runJob';

describe('augmentation (--augment): random crop with zero padding, horizontal flip', function () {
  this.timeout(120000);

  it('shifts with a zero border and flips, exactly (worked out by hand on a 3×3 image)', () => {
    const img = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    const out = new Uint8Array(9);
    augmentSample(img, out, [3, 3, 1], 1, 0, false);
    assert.deepEqual(Array.from(out), [0, 1, 2, 0, 4, 5, 0, 7, 8]);
    augmentSample(img, out, [3, 3, 1], 0, -1, false);
    assert.deepEqual(Array.from(out), [4, 5, 6, 7, 8, 9, 0, 0, 0]);
    augmentSample(img, out, [3, 3, 1], 0, 0, true);
    assert.deepEqual(Array.from(out), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    // shifted, then mirrored
    augmentSample(img, out, [3, 3, 1], 1, 0, true);
    assert.deepEqual(Array.from(out), [2, 1, 0, 5, 4, 0, 8, 7, 0]);
    // channels move together
    const rgb = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const o2 = new Uint8Array(6);
    augmentSample(rgb, o2, [1, 2, 3], 0, 0, true);
    assert.deepEqual(Array.from(o2), [4, 5, 6, 1, 2, 3]);
  });

  it('draws every shift in [−pad, pad] and flips about half, fixed by (seed, step, position)', () => {
    const a: AugmentSetup = { pad: 2, flip: true, shape: [8, 8, 1], seed: 5 };
    const seen = new Set<string>();
    let flips = 0;
    for (let p = 0; p < 2000; p++) {
      const d = augmentDraw(a, 3, p);
      assert.ok(Math.abs(d.dx) <= 2 && Math.abs(d.dy) <= 2);
      seen.add(`${d.dx},${d.dy}`);
      if (d.flip) flips++;
      assert.deepEqual(augmentDraw(a, 3, p), d);
    }
    assert.equal(seen.size, 25);
    assert.ok(flips > 900 && flips < 1100, `${flips} flips of 2000`);
    assert.equal(augmentDraw({ ...a, flip: false }, 3, 1).flip, false);
    assert.deepEqual(augmentProblem({ pad: 1, flip: false }, [128, 1, 3]), 'augmentation padding 1 is not smaller than the 128×1 images');
  });

  it('a thread augmenting its shard (from its offset in the batch) gets exactly the coordinator\'s encoding of it', () => {
    const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 40, test: 0, seed: 1 });
    const a: AugmentSetup = { pad: 2, flip: true, shape: [8, 8, 1], seed: 9 };
    const idx = Uint32Array.from([5, 17, 3, 39, 0, 22, 11]);
    const whole = encodeShard(data.train.images, idx, 64, a, 12, 0);
    const tail = encodeShard(data.train.images, idx.subarray(4), 64, a, 12, 4);
    assert.deepEqual(tail, whole.subarray(4 * 64));
    assert.notDeepEqual(whole, encodeInputs(data.train.images, idx, 64), 'augmented batches differ from the originals');
    assert.deepEqual(encodeShard(data.train.images, idx, 64, undefined, 12, 0), encodeInputs(data.train.images, idx, 64));
  });

  it('the trainer augments on one thread and on two, records it in config.json, and refuses a crop the images cannot take', async () => {
    const data = syntheticData({ shape: [8, 8, 1], classes: 4, train: 600, test: 100, seed: 3 });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-aug-'));
    try {
      const job = (threads: number): TrainJob => ({
        spec: tinyMlp(), modelPath: 'tiny.bnn.json', data, epochs: 2, batchSize: 50, seed: 7, valSplit: 0.1, experimentsDir: tmp, backend: 'cpu',
        optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
        eventsPerSecond: 0, threads, augment: { pad: 1, flip: true },
      });
      for (const threads of [1, 2]) {
        const { status, dir } = await runJob(job(threads), {});
        assert.equal(status.state, 'completed', JSON.stringify(status.error));
        const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
        assert.deepEqual(config.augment, { pad: 1, flip: true });
        assert.equal(config.threads, threads);
        assert.ok(status.final!.testAccuracy! > 0.5, `threads ${threads}: test accuracy ${status.final!.testAccuracy}`);
      }
      await assert.rejects(runJob({ ...job(1), augment: { pad: 8, flip: false } }, {}), /augmentation padding 8 is not smaller than the 8×8 images/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
