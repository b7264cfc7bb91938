import { readFileSync } from 'node:fs';
import { loadModelText, type LoadedModel } from '../../core/model/load';
import { UsageError, InputError } from '../errors';

/** Reads and validates a model file, printing `file:line:col: message` for each problem (1-based, like compilers). */
export function loadModelFile(file: string | undefined): LoadedModel & { text: string } {
  if (!file) throw new UsageError('missing <model> argument');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a model file' : (err as Error).message}`);
  }
  return { ...loadModelText(text, file), text };
}

export function formatDiagnostics(m: LoadedModel): string {
  return m.diagnostics
    .map((d) => `${m.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`)
    .join('\n');
}
