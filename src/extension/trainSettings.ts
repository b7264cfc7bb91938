/**
 * The last step of Train BNN: the run's settings before it starts — batch size, validation split, γ, τ, learning rate
 * and a name — each shown with its value and changeable, checked with the same rules as `bnn train`'s flags. No
 * `vscode` import: the unit tests check the rules directly.
 */
import type { TrainRequest } from '../core/messages';
import type { Schedule } from '../core/experiments/types';
import { runNameProblem, scheduleShort } from '../core/experiments/labels';
import { fmtSci } from '../core/format';
import { withOverrides } from '../core/train/presets';

export type SettingKey = 'batchSize' | 'valSplit' | 'gamma' | 'threshold' | 'lr' | 'name';

export interface SettingItem {
  key: SettingKey;
  label: string;
  value: string;
  /** What the input box says. */
  prompt: string;
}

function scheduleText(s: Schedule | undefined): string {
  return scheduleShort(s) ?? '–';
}

/** The settings a user can change, with their current values; γ and τ only for Bop and Bop2ndOrder. */
export function settingItems(req: TrainRequest): SettingItem[] {
  const o = req.optimizer;
  const items: SettingItem[] = [
    { key: 'batchSize', label: 'Batch size', value: String(req.batchSize), prompt: 'Samples per optimizer step (a whole number from 1 to 65536)' },
    { key: 'valSplit', label: 'Validation split', value: String(req.valSplit), prompt: 'Share of the training data held out for validation (0 ≤ split < 1; 0: none)' },
  ];
  if (o.kind !== 'latent') {
    items.push({ key: 'gamma', label: 'γ (adaptivity rate)', value: scheduleText(o.gamma), prompt: 'Bop’s γ as a constant (e.g. 1e-4); replaces the preset’s schedule' });
    items.push({ key: 'threshold', label: 'τ (flip threshold)', value: scheduleText(o.threshold), prompt: 'Bop’s τ as a constant (e.g. 1e-8); replaces the preset’s schedule' });
  }
  items.push({ key: 'lr', label: o.kind === 'latent' ? 'Learning rate' : 'Adam learning rate (BatchNorm, real weights)', value: scheduleText(o.lr), prompt: 'The learning rate as a constant (e.g. 0.01); replaces the preset’s schedule' });
  items.push({ key: 'name', label: 'Run name', value: req.name ?? '(none)', prompt: 'A name shown in the tree, the charts and Compare (empty: none)' });
  return items;
}

export type Parsed = { value: number | string | undefined } | { error: string };

/** The typed text as the setting's value, or why it is not one (shown under the input box). */
export function parseSetting(key: SettingKey, text: string): Parsed {
  const t = text.trim();
  if (key === 'name') {
    if (t === '') return { value: undefined };
    const p = runNameProblem(t);
    return p ? { error: p } : { value: t };
  }
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) return { error: `not a number: '${text}'` };
  if (key === 'batchSize') return Number.isInteger(v) && v >= 1 && v <= 65536 ? { value: v } : { error: 'a whole number from 1 to 65536' };
  if (key === 'valSplit') return v >= 0 && v < 1 ? { value: v } : { error: 'a share from 0 up to (not including) 1' };
  return v > 0 ? { value: v } : { error: `${key === 'lr' ? 'the learning rate' : key === 'gamma' ? 'γ' : 'τ'} must be > 0` };
}

/** The request with one setting changed (a hyperparameter becomes a constant; the preset name says it was changed). */
export function applySetting(req: TrainRequest, key: SettingKey, value: number | string | undefined): TrainRequest {
  switch (key) {
    case 'batchSize': return { ...req, batchSize: value as number };
    case 'valSplit': return { ...req, valSplit: value as number };
    case 'name': return { ...req, name: value as string | undefined };
    default: {
      const optimizer = withOverrides(req.optimizer, { [key]: value as number });
      if (optimizer.preset && !optimizer.preset.endsWith(' (changed)')) optimizer.preset = `${optimizer.preset} (changed)`;
      return { ...req, optimizer };
    }
  }
}

/** One line for the "re-run last" item: `binary_mlp · bundled · bop-10-epochs · 10 epochs · batch 50`. */
export function requestSummary(req: TrainRequest, modelName: string): string {
  const o = req.optimizer;
  const what = o.preset ?? `${o.kind}${o.kind !== 'latent' && o.gamma?.kind === 'constant' ? ` γ=${fmtSci(o.gamma.value)}` : ''}`;
  return [req.name ? `“${req.name}”` : undefined, modelName, dataName(req.data), what, `${req.epochs} epoch${req.epochs === 1 ? '' : 's'}`, `batch ${req.batchSize}`].filter(Boolean).join(' · ');
}

function dataName(data: string): string {
  const parts = data.split(/[\\/]/);
  return parts[parts.length - 1] || data;
}
