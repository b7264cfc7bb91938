/**
 * The words the Datasets view (and its preview) shows for a dataset summary: one line for the dataset, then its
 * rows — what does not fit the selected model first, then shape, split and one row per class. Plain strings, so the
 * tree stays glue and the wording is tested without VS Code.
 */
import type { FitNote } from './fit';
import type { DatasetSummary, SummaryFormat } from './summary';

// Type-only imports above: the dataset preview's browser bundle uses this module and must not pull in the readers.
export const FORMAT_LABELS: Record<SummaryFormat, string> = {
  idx: 'IDX (MNIST layout)',
  cifar10: 'CIFAR-10 binary batches',
  numpy: 'NumPy',
  csv: 'CSV',
  'image-folder': 'image folder',
};

export interface SummaryRow {
  kind: 'fit-error' | 'fit-warning' | 'shape' | 'split' | 'class' | 'warning' | 'error';
  label: string;
  description?: string;
  tooltip?: string;
}

const n = (x: number): string => x.toLocaleString('en-US');

export function shapeText(shape: readonly number[]): string {
  return shape.join('×');
}

/** "image folder · 9 samples · 6×8×3" (or why it cannot be read). */
export function summaryDescription(s: DatasetSummary): string {
  if (s.error) return s.builtIn && /not found/.test(s.error) ? 'not installed' : 'unreadable';
  const parts = [FORMAT_LABELS[s.format], `${n((s.train ?? 0) + (s.test ?? 0))} samples`];
  if (s.shape) parts.push(shapeText(s.shape));
  return parts.join(' · ');
}

export function splitText(s: DatasetSummary): string {
  const from = !s.testFrom ? '' : 'own' in s.testFrom ? ' (its own test part)' : ` (a stratified ${Math.round(s.testFrom.fraction * 100)}% split, seed 0)`;
  return `train ${n(s.train ?? 0)} · test ${n(s.test ?? 0)}${from}`;
}

export function summaryRows(s: DatasetSummary, fit: readonly FitNote[] = []): SummaryRow[] {
  if (s.error) return [{ kind: 'error', label: s.error.split('\n')[0], tooltip: s.error }];
  const rows: SummaryRow[] = fit.map((f) => ({ kind: f.severity === 'error' ? 'fit-error' : 'fit-warning', label: f.message, description: f.action, tooltip: `${f.message}\n${f.action}` }));
  if (s.shape) {
    rows.push({ kind: 'shape', label: `shape ${shapeText(s.shape)}`, description: `${s.classes} classes`,
      tooltip: s.format === 'image-folder' ? 'The first image\'s size and channels; training brings every image to the model\'s input.' : undefined });
  }
  rows.push({ kind: 'split', label: splitText(s) });
  for (const w of s.warnings) rows.push({ kind: 'warning', label: w });
  for (const c of s.perClass ?? []) rows.push({ kind: 'class', label: c.name, description: `${n(c.train)} train · ${n(c.test)} test` });
  return rows;
}
