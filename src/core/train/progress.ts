/** One-line progress texts shared by the CLI and the extension's notification. */
import type { MetricsEvent } from '../experiments/types';
import { fmtInt } from '../format';

type StepEvent = Extract<MetricsEvent, { kind: 'step' }>;
type EpochEvent = Extract<MetricsEvent, { kind: 'epoch' }>;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Remaining time from the average pace so far. */
export function eta(e: { step: number; time: number }, totalSteps: number, startStep = 0): number {
  const done = e.step - startStep;
  if (done <= 0 || !totalSteps) return NaN;
  return ((totalSteps - e.step) * e.time) / Math.max(e.step, 1);
}

export function formatStep(e: StepEvent, totalSteps: number, totalEpochs: number): string {
  const flips = Object.entries(e.flipRatio).map(([k, v]) => `${k} ${(v * 100).toFixed(3)}%`).join(', ');
  return `epoch ${e.epoch}/${totalEpochs}  step ${e.step}/${totalSteps || '?'}  loss ${e.loss.toFixed(4)}  acc ${(e.accuracy * 100).toFixed(2)}%  ${Math.round(e.samplesPerSec)} samples/s  ETA ${formatDuration(eta(e, totalSteps))}${flips ? `  flips: ${flips}` : ''}`;
}

/**
 * The run's total steps as far as known: the trainer's status says it; before the first status arrives (or for a run
 * whose status lacks it), steps per epoch × epochs from the config. Never 0, which read as `step 38/0`.
 */
export function knownTotalSteps(status: { totalSteps?: number } | undefined, config: { epochs: number; batchSize: number; dataset?: { trainSamples?: number } } | undefined): number | undefined {
  if (status?.totalSteps) return status.totalSteps;
  const n = config?.dataset?.trainSamples;
  return n && config?.batchSize && config.epochs ? Math.ceil(n / config.batchSize) * config.epochs : undefined;
}

/** The progress notification's line: `epoch 2/10 · step 38/540 · loss 0.412 · 1,234 samples/s · ETA 1m05s`. */
export function notificationText(e: MetricsEvent, totalSteps: number | undefined, totalEpochs: number): string {
  if (e.kind === 'epoch') return `epoch ${e.epoch}/${totalEpochs} done · val acc ${e.valAccuracy !== undefined ? (e.valAccuracy * 100).toFixed(1) + '%' : '—'}`;
  const steps = totalSteps ? `step ${fmtInt(e.step)}/${fmtInt(totalSteps)}` : `step ${fmtInt(e.step)}`;
  const left = totalSteps ? ` · ETA ${formatDuration(eta(e, totalSteps))}` : '';
  return `epoch ${e.epoch}/${totalEpochs} · ${steps} · loss ${e.loss.toFixed(3)} · ${fmtInt(e.samplesPerSec)} samples/s${left}`;
}

export function formatEpoch(e: EpochEvent, totalEpochs: number): string {
  const val = e.valAccuracy !== undefined ? `  val_loss ${e.valLoss!.toFixed(4)}  val_acc ${(e.valAccuracy * 100).toFixed(2)}%` : '';
  return `epoch ${e.epoch}/${totalEpochs}: loss ${e.loss.toFixed(4)}  acc ${(e.accuracy * 100).toFixed(2)}%${val}  (${formatDuration(e.time)})`;
}
