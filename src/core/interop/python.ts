/** Python literals for generated scripts (JSON-compatible values only); strings through the one escaping rule. */
import { pyString } from '../escape';

export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a Python literal`);
    return Number.isInteger(v) ? String(v) : String(v).replace(/^(-?)\./, '$10.');
  }
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return v.length === 2 && v.every((x) => typeof x === 'number') ? `(${v.map(py).join(', ')})` : `[${v.map(py).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${py(x)}`).join(', ')}}`;
}
