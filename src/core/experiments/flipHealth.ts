/**
 * Flip-ratio health: a binary layer whose flip ratio has stayed at 0 for a long stretch is frozen (Bop: γ too small
 * for the gradient average to reach τ, or τ too large), one whose flip ratio stays above 0.1 flips on noise (τ too
 * small or γ too large); for latent weights the learning rate plays both parts. Judged on the newest stretch of the
 * run, so a run that recovers loses its warning. One rule for the panel (fed event by event) and the Experiments tree
 * (which reads the tail of metrics.jsonl, flipHealthFile.ts). No Node import: the webview bundles it.
 */
import type { ExperimentConfig, MetricsEvent, OptimizerKind } from './types';
import { fmtInt, fmtSci } from '../format';

/** Above this mean flip ratio over the stretch a layer flips on noise (Helwegen et al. run at ~1e-3 … 1e-2). */
export const NOISY_FLIP_RATIO = 0.1;

export interface FlipWarning {
  layer: string;
  kind: 'frozen' | 'noisy';
  /** The stretch judged, in optimizer steps. */
  fromStep: number;
  toStep: number;
  /** Mean flip ratio over the stretch (0 when frozen). */
  meanRatio: number;
  /** What to change. */
  advice: string;
  /** One line for a notice or a tree row. */
  text: string;
}

/**
 * Steps that make "a long stretch": one epoch, kept between 100 and 1,000 steps (a 10-step epoch is too short to
 * judge, a 5,000-step one too long to wait for).
 */
export function healthWindow(stepsPerEpoch: number | undefined): number {
  return Math.max(100, Math.min(1000, stepsPerEpoch ?? 200));
}

function advice(kind: FlipWarning['kind'], optimizer: OptimizerKind): string {
  if (optimizer === 'latent') return kind === 'frozen' ? 'try a larger learning rate (×10)' : 'try a smaller learning rate (×0.1)';
  return kind === 'frozen' ? 'γ is too small or τ too large: try τ ×0.1 or γ ×10' : 'try a larger τ (×10) or a smaller γ (×0.1)';
}

interface LayerState {
  zeroSince?: number;
  window: { step: number; r: number }[];
  sum: number;
}

export class FlipHealth {
  private readonly layers = new Map<string, LayerState>();
  private firstStep?: number;
  private lastStep = 0;

  constructor(private readonly optimizer: OptimizerKind, private readonly window: number) {}

  add(ev: MetricsEvent): void {
    if (ev.kind !== 'step') return;
    // a resumed run re-sends steps after its checkpoint: start over from there
    if (ev.step < this.lastStep) this.layers.clear();
    this.firstStep ??= ev.step;
    this.lastStep = ev.step;
    for (const [layer, r] of Object.entries(ev.flipRatio)) {
      let s = this.layers.get(layer);
      if (!s) {
        s = { window: [], sum: 0 };
        this.layers.set(layer, s);
      }
      if (r > 0) s.zeroSince = undefined;
      else s.zeroSince ??= ev.step;
      s.window.push({ step: ev.step, r });
      s.sum += r;
      while (s.window.length > 1 && s.window[0].step < ev.step - this.window) s.sum -= s.window.shift()!.r;
    }
  }

  warnings(): FlipWarning[] {
    const out: FlipWarning[] = [];
    for (const [layer, s] of this.layers) {
      if (s.zeroSince !== undefined && this.lastStep - s.zeroSince >= this.window) {
        const adv = advice('frozen', this.optimizer);
        out.push({ layer, kind: 'frozen', fromStep: s.zeroSince, toStep: this.lastStep, meanRatio: 0, advice: adv,
          text: `${layer}: no weight flipped in ${fmtInt(this.lastStep - s.zeroSince)} steps (frozen) — ${adv}` });
        continue;
      }
      const from = s.window[0]?.step ?? this.lastStep;
      const mean = s.window.length ? s.sum / s.window.length : 0;
      if (this.lastStep - from >= this.window * 0.9 && mean > NOISY_FLIP_RATIO) {
        const adv = advice('noisy', this.optimizer);
        out.push({ layer, kind: 'noisy', fromStep: from, toStep: this.lastStep, meanRatio: mean, advice: adv,
          text: `${layer}: flip ratio ${fmtSci(mean)} on average over the last ${fmtInt(this.lastStep - from)} steps (above ${NOISY_FLIP_RATIO}: flipping on noise) — ${adv}` });
      }
    }
    return out;
  }
}

/** A tracker for a run with this config. */
export function flipHealthFor(config: Pick<ExperimentConfig, 'optimizer' | 'batchSize' | 'dataset'>): FlipHealth {
  const n = config.dataset?.trainSamples;
  return new FlipHealth(config.optimizer.kind, healthWindow(n && config.batchSize ? Math.ceil(n / config.batchSize) : undefined));
}
