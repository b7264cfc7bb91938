/**
 * A plausible Bop run for rendering tests and the chart benchmark: loss falling, accuracy rising, per-layer flip
 * ratios decaying with noise (the shape the Bop paper shows), epoch events with validation every `stepsPerEpoch`.
 * Seeded so screenshots are stable.
 */
import type { ExperimentConfig, ExperimentStatus, MetricsEvent } from '../../src/core/experiments/types';
import type { RunSummary } from '../../src/core/messages';
import { mulberry32 } from './syntheticModel';

export const LAYERS = ['quant_dense', 'quant_dense_1', 'quant_dense_2'];

export function syntheticConfig(id: string, opts: { gamma?: number; threshold?: number; optimizer?: 'bop' | 'latent'; trainSamples?: number; batchSize?: number; epochs?: number } = {}): ExperimentConfig {
  const optimizer = opts.optimizer ?? 'bop';
  return {
    formatVersion: 1,
    id,
    createdAt: '2026-11-26T14:00:00.000Z',
    modelPath: 'examples/mlp.bnn.json',
    model: { name: 'binary-mlp' } as ExperimentConfig['model'],
    dataset: { name: 'fashion-mnist', trainSamples: opts.trainSamples ?? 54_000, valSamples: 6_000, normalization: 'x = u8/127.5 − 1' },
    optimizer: optimizer === 'bop'
      ? { kind: 'bop', gamma: { kind: 'constant', value: opts.gamma ?? 1e-4 }, threshold: { kind: 'constant', value: opts.threshold ?? 1e-8 }, lr: { kind: 'constant', value: 0.01 } }
      : { kind: 'latent', lr: { kind: 'constant', value: 5e-3 } },
    epochs: opts.epochs ?? 100,
    batchSize: opts.batchSize ?? 100,
    seed: 1,
    valSplit: 0.1,
    backend: 'wasm',
    engine: 'bnn-studio',
    versions: { 'bnn-studio': '0.1.0' },
  };
}

export function syntheticStatus(state: ExperimentStatus['state'] = 'running', step = 0): ExperimentStatus {
  return { state, startedAt: '2026-11-26T14:00:00.000Z', updatedAt: '2026-11-26T14:10:00.000Z', epoch: 0, step, lastCheckpoint: step > 0 ? 'last' : undefined };
}

export function syntheticSummary(id: string, opts: Parameters<typeof syntheticConfig>[1] = {}, state: ExperimentStatus['state'] = 'running'): RunSummary {
  return { id, config: syntheticConfig(id, opts), status: syntheticStatus(state), devices: [] };
}

export function syntheticEvents(n: number, opts: { seed?: number; stepsPerEpoch?: number; firstStep?: number; layers?: string[]; speed?: number } = {}): MetricsEvent[] {
  const r = mulberry32(opts.seed ?? 1);
  const spe = opts.stepsPerEpoch ?? 540;
  const layers = opts.layers ?? LAYERS;
  const speed = opts.speed ?? 1;
  const out: MetricsEvent[] = [];
  const first = opts.firstStep ?? 1;
  for (let i = 0; i < n; i++) {
    const step = first + i;
    const t = step / spe;
    const loss = 0.35 + 1.9 * Math.exp(-t * 0.9 * speed) + 0.08 * (r() - 0.5);
    const accuracy = Math.min(0.99, 0.9 - 0.8 * Math.exp(-t * 1.1 * speed) + 0.03 * (r() - 0.5));
    const flipRatio: Record<string, number> = {};
    layers.forEach((l, k) => {
      const base = 3e-3 * Math.pow(0.5, k) * Math.exp(-t * 0.15) + 2e-5;
      flipRatio[l] = r() < 0.02 ? 0 : base * (0.5 + r());
    });
    out.push({ kind: 'step', step, epoch: Math.floor((step - 1) / spe), time: step * 30, loss, accuracy, flipRatio, gamma: 1e-4, threshold: 1e-8, lr: 0.01 * Math.pow(0.5, Math.floor(t / 20)), samplesPerSec: 3200 + 200 * r() });
    if (step % spe === 0) out.push({ kind: 'epoch', step, epoch: step / spe - 1, time: step * 30, loss, accuracy, valLoss: loss + 0.05, valAccuracy: accuracy - 0.015 });
  }
  return out;
}
