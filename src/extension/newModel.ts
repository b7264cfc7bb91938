/**
 * The pure part of "BNN: New Model": checking the name the user types and naming the file.
 */
import schema from '../../media/bnn-model.schema.json';

/** The schema's rule for a model name (it becomes part of experiment ids and C identifiers). */
const NAME = (schema as { properties: { name: { pattern: string; maxLength: number } } }).properties.name;
const NAME_PATTERN = new RegExp(NAME.pattern);

/** Why `name` cannot name a model (and its file), or undefined when it can. */
export function validateModelName(name: string): string | undefined {
  const n = stripModelExtension(name);
  if (!n) return 'Enter a name for the model.';
  if (n.length > NAME.maxLength) return `Use at most ${NAME.maxLength} characters.`;
  if (!NAME_PATTERN.test(n)) return 'Use only letters, digits, _ . and - (the name becomes part of experiment ids and C identifiers).';
  if (/^\.|\.$/.test(n)) return 'A model name cannot start or end with a dot.';
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
