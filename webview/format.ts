/** Number formatting for the panel's header, axes and tooltips; counts and hyperparameters as everywhere else. */
export { fmtInt, fmtSci, fmtAxisTicks } from '../src/core/format';

export function fmtPct(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`;
}

export function fmtNum(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? '–' : String(Number(v.toPrecision(digits)));
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  // a short run reads 10.7s, not 11s
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function fmtBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}
