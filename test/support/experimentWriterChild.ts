// A stand-in trainer for the SIGKILL test: creates an experiment, then appends metrics and updates status.json as fast
// as it can until it is killed. Prints the experiment folder on stdout once it exists.
import { createExperiment, updateStatus } from '../../src/core/experiments/store';
import { MetricsWriter } from '../../src/core/experiments/metrics';

const root = process.argv[2];
const exp = createExperiment(root, {
  modelPath: 'm.bnn.json',
  model: { name: 'killme', input: { shape: [4] }, classes: 2, layers: [] },
  dataset: { name: 'bundled', trainSamples: 10, valSamples: 0, normalization: 'x = u8 / 127.5 - 1' },
  optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } },
  epochs: 1000, batchSize: 1, seed: 1, valSplit: 0, backend: 'cpu', engine: 'bnn-studio', versions: {},
});
const w = new MetricsWriter(exp.dir);
process.stdout.write(`${exp.dir}\n`);
let step = 0;
for (;;) {
  step++;
  w.append({ kind: 'step', step, epoch: 0, time: step, loss: 1 / step, accuracy: 0.5, flipRatio: { d1: 0.01 }, lr: 0.01, samplesPerSec: 1000 });
  if (step % 50 === 0) updateStatus(exp.dir, { step, epoch: Math.floor(step / 500) });
}
