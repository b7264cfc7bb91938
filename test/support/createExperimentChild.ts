// Creates one experiment at a fixed time (argv[3], ms since epoch) in argv[2] and prints its id: several of these run
// at once in the id-race test. Each says "ready" and spins until the file argv[4] appears, so all create together.
import { existsSync } from 'node:fs';
import { createExperiment } from '../../src/core/experiments/store';

process.stdout.write('ready\n');
const deadline = Date.now() + 20000;
while (!existsSync(process.argv[4]) && Date.now() < deadline) { /* spin: a timer would add milliseconds of skew */ }

const exp = createExperiment(process.argv[2], {
  modelPath: 'm.bnn.json',
  model: { name: 'race', input: { shape: [4] }, classes: 2, layers: [] },
  dataset: { name: 'bundled', trainSamples: 10, valSamples: 0, normalization: 'x = u8 / 127.5 - 1' },
  optimizer: { kind: 'bop', lr: { kind: 'constant', value: 0.01 } },
  epochs: 1, batchSize: 1, seed: 1, valSplit: 0, backend: 'cpu', engine: 'bnn-studio', versions: {},
}, { now: new Date(Number(process.argv[3])) });
process.stdout.write(`${exp.id}\n`);
