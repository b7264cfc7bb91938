/**
 * The pure part of "BNN: New Model": checking the name the user types and naming the file.
 */
import { MODEL_NAME_MAX_LENGTH, MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '../core/model/names';

/** Why `name` cannot name a model (and its file), or undefined when it can: the loader's rule, in the loader's words. */
export function validateModelName(name: string): string | undefined {
  const n = stripModelExtension(name);
  if (!n) return 'Enter a name for the model.';
  if (n.length > MODEL_NAME_MAX_LENGTH || !MODEL_NAME_PATTERN.test(n)) return `A model name is ${MODEL_NAME_RULE}.`;
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(n)) return `"${n}" is a reserved file name on Windows.`;
  return undefined;
}

/** "My Net.bnn.json" → "My Net": accept a name typed with the extension too. */
export function stripModelExtension(name: string): string {
  return name.trim().replace(/\.bnn\.json$/i, '').replace(/\.json$/i, '');
}

export function modelFileName(name: string): string {
  return `${stripModelExtension(name)}.bnn.json`;
}

/** A default name that does not clash with existing files: "binary-cnn", "binary-cnn-2", … */
export function uniqueModelName(base: string, exists: (fileName: string) => boolean): string {
  if (!exists(modelFileName(base))) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!exists(modelFileName(candidate))) return candidate;
  }
}
