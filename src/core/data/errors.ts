/**
 * The one error type for dataset problems. `file` names the offending file (or folder) so the CLI, the trainer and the
 * extension can show "<file>: <message>" without guessing; `hint` says how to fix it when there is something to do.
 */
export class DataError extends Error {
  constructor(message: string, readonly file?: string, readonly hint?: string) {
    super(file ? `${file}: ${message}${hint ? `\n${hint}` : ''}` : `${message}${hint ? `\n${hint}` : ''}`);
    this.name = 'DataError';
  }
}
