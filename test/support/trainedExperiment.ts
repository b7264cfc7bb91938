/**
 * A really trained experiment for device tests: a small binary CNN trained with Bop for one epoch on the bundled
 * Fashion-MNIST subset (real data, real checkpoint files), created once per test process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../src/core/data/load';
import type { WorkerToHost } from '../../src/core/messages';
import { runTraining } from '../../src/core/train/trainer';
import { tinyMlp } from './models';

let cached: Promise<{ root: string; dir: string; id: string }> | undefined;

export async function trainedExperiment(): Promise<{ root: string; dir: string; id: string }> {
  // A suite that cleans up after itself deletes the shared experiment: train it again for the next one.
  if (cached && !fs.existsSync((await cached).dir)) cached = undefined;
  cached ??= (async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-device-exp-'));
    const ds = loadDataset('bundled');
    const spec = { ...tinyMlp([28, 28, 1], 64, 10), name: 'device-mlp' };
    let started: Extract<WorkerToHost, { type: 'started' }> | undefined;
    const status = await runTraining({
      spec, modelPath: 'device-mlp.bnn.json',
      data: { name: 'bundled', path: ds.dir, shape: ds.shape, classes: ds.classes, train: ds.train, test: ds.test },
      optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-3 }, threshold: { kind: 'constant', value: 1e-6 }, lr: { kind: 'constant', value: 0.01 } },
      epochs: 1, batchSize: 50, seed: 5, valSplit: 0.1, experimentsDir: root, backend: 'cpu', maxSamples: 600, eventsPerSecond: 0,
    }, { emit: (m) => { if (m.type === 'started') started = m; }, cancelled: () => false });
    if (status.state !== 'completed' || !started) throw new Error(`training the device test model failed: ${JSON.stringify(status.error)}`);
    return { root, dir: started.experimentDir, id: started.experimentId };
  })();
  return cached;
}
