/**
 * Number formatting shared by the extension (tree, notifications), the training panel and the CLI, so a number reads
 * the same everywhere: counts with thousands separators (`164,246`), hyperparameters and flip ratios in one compact
 * notation.
 */

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Compact notation for hyperparameters and flip ratios: plain for 0.01 ≤ |v| < 10⁴, else scientific (1e-8, 2.5e-4). */
export function fmtSci(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-2 && a < 1e4) return String(Number(v.toPrecision(4)));
  return sci(v);
}

function sci(v: number): string {
  const [m, e] = v.toExponential(2).split('e');
  return `${String(Number(m))}e${Number(e)}`;
}

/**
 * The tick labels of one log axis in one notation: all scientific when any tick needs it (an axis reading `0.05`
 * next to `5e-3` looks like two scales), else all plain.
 */
export function fmtAxisTicks(values: number[]): string[] {
  const anySci = values.some((v) => v !== 0 && Number.isFinite(v) && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4));
  return values.map((v) => (!Number.isFinite(v) ? '–' : v === 0 ? '0' : anySci ? sci(v) : String(Number(v.toPrecision(4)))));
}
