/**
 * The pure part of "BNN: New Model": checking the name the user types and writing the template as a model file.
 */

/** Why `name` cannot be a model file name, or undefined when it can. */
export function validateModelName(name: string): string | undefined {
  const n = name.trim();
  if (!n) return 'Enter a name for the model.';
  if (n.length > 100) return 'Use at most 100 characters.';
  if (/[\\/:*?"<>|\u0000-\u001f]/.test(n)) return 'A model name cannot contain \\ / : * ? " < > | or control characters.';
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
