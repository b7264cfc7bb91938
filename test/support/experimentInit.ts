import type { ExperimentInit } from '../../src/core/experiments/store';

/** The config of a small Bop run on the bundled data, for tests that need an experiment folder but no training. */
export const sampleInit = (): ExperimentInit => ({
  modelPath: 'mlp.bnn.json',
  model: { name: 'mlp', input: { shape: [784] }, classes: 10, layers: [] } as unknown as ExperimentInit['model'],
  dataset: { name: 'bundled', trainSamples: 5400, valSamples: 600, normalization: 'x = u8 / 127.5 - 1' },
  optimizer: { kind: 'bop', gamma: { kind: 'constant', value: 1e-4 }, threshold: { kind: 'constant', value: 1e-8 }, lr: { kind: 'constant', value: 0.01 } },
  epochs: 1, batchSize: 100, seed: 1, valSplit: 0.1, backend: 'cpu', engine: 'bnn-studio', versions: { 'bnn-studio': '0.1.0' },
});
