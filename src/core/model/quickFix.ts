/**
 * The Problems panel's quick fixes: a diagnostic whose message ends in "did you mean X?" carries X as its
 * `suggestion`, and its range is exactly the misspelt string (property name or value, quotes included), so the fix is
 * one edit — the range replaced by X as a JSON string. Pure, so it is tested without VS Code.
 */
import type { ModelDiagnostic } from './load';
import type { Range } from './positions';

export interface QuickFix {
  title: string;
  range: Range;
  newText: string;
}

export function quickFixFor(d: ModelDiagnostic): QuickFix | undefined {
  if (d.suggestion === undefined) return undefined;
  return { title: `Change to "${d.suggestion}"`, range: d.range, newText: JSON.stringify(d.suggestion) };
}

const before = (a: Range['start'], b: Range['start']): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);

/** Fixes of the diagnostics that touch `range` (the cursor or selection the editor asks about). */
export function quickFixesAt(diagnostics: readonly ModelDiagnostic[], range: Range): { diagnostic: ModelDiagnostic; fix: QuickFix }[] {
  const out: { diagnostic: ModelDiagnostic; fix: QuickFix }[] = [];
  for (const d of diagnostics) {
    const fix = quickFixFor(d);
    if (!fix || before(range.end, d.range.start) || before(d.range.end, range.start)) continue;
    out.push({ diagnostic: d, fix });
  }
  return out;
}
