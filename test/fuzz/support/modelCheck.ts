/**
 * One fuzz case for model files: text → loader → estimate → compile. A case passes when the loader answers with
 * positioned diagnostics (each range inside the text, each message non-empty) or a spec, and a spec then estimates
 * and compiles, with the compiled bytes equal to the estimate. Anything thrown is a failure.
 */
import { compileModel } from '../../../src/core/compile/compile';
import { summarize } from '../../../src/core/estimate/summary';
import { loadModelText } from '../../../src/core/model/load';
import { syntheticModel } from '../../support/syntheticModel';

/** Compiling needs weights for every parameter; past this the case is estimated only (it would cost seconds). */
const COMPILE_LIMIT_BYTES = 64 * 1024;

export function check(text: string): { error?: string; stats?: string[] } {
  const m = loadModelText(text, 'fuzz.bnn.json');
  const lines = text.split('\n');
  for (const d of m.diagnostics) {
    if (!d.message.trim()) return { error: 'a diagnostic without a message' };
    for (const p of [d.range.start, d.range.end]) {
      if (!(p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line].length + 1)) {
        return { error: `diagnostic "${d.message}" points outside the text (${p.line}:${p.character})` };
      }
    }
  }
  if (!m.spec) {
    if (!m.diagnostics.length) return { error: 'no spec and no diagnostic' };
    return { stats: ['rejected'] };
  }
  if (m.diagnostics.some((d) => d.severity === 'error')) return { error: 'a spec was returned together with errors' };
  const s = summarize(m.spec);
  if (s.totals.flashBytes > COMPILE_LIMIT_BYTES) return { stats: ['valid', 'estimated only'] };
  const c = compileModel(syntheticModel(m.spec, 1));
  if (c.plan.flashBytes !== s.totals.flashBytes || c.plan.ramBytes !== s.totals.ramBytes) {
    return { error: `estimate ${s.totals.flashBytes}/${s.totals.ramBytes} B ≠ compiled ${c.plan.flashBytes}/${c.plan.ramBytes} B` };
  }
  return { stats: ['valid', 'compiled'] };
}
