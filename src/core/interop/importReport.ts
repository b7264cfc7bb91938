/**
 * What an import brought over and what it left behind, in words the CLI and the extension both show: the architecture
 * is imported, trained weights never are (BNN Studio trains its own), and saying so is what keeps the loss from being
 * silent.
 */
import type { ImportResult } from './keras';
import type { DeclaredWeights } from './tfjsWeights';

export interface ImportReport {
  imported: string;
  notImported?: string;
  /** What the import changed on purpose, and why (ImportResult.notes). */
  notes: string[];
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** `train` is how to train it where the report is shown (a CLI command line, or the extension's command name). */
export function describeImport(r: ImportResult, weights: DeclaredWeights | undefined, train: string): ImportReport {
  const spec = r.spec;
  const imported = spec
    ? `the architecture — ${plural(spec.layers.length, 'layer')}, input [${spec.input.shape.join(', ')}], ${spec.classes} classes`
    : 'nothing';
  const notes = r.notes;
  if (r.format === 'keras') {
    return { imported, notes, notImported: `weights — a Keras model JSON (model.to_json()) holds none; Keras keeps them in its .h5/.weights.h5 file, which BNN Studio does not read: ${train}` };
  }
  if (!weights) return { imported, notes };
  if (weights.tensors === 0 && weights.files.length === 0) return { imported, notes };
  const files = weights.files.length ? ` in ${weights.files.join(', ')}` : '';
  return { imported, notes, notImported: `the trained weights — ${plural(weights.tensors, 'tensor')}, ${weights.bytes} bytes${files}; BNN Studio imports the architecture only: ${train}` };
}
