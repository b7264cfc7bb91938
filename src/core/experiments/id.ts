/** Readable experiment ids: `<yyyymmdd-hhmmss>-<model>-<optimizer>` in local time, as TensorBoard users name runs. */

/** Keeps ids safe as folder names on every OS and in shell commands: [A-Za-z0-9._-], at most 40 characters. */
export function idSlug(s: string, fallback: string): string {
  const slug = s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 40).replace(/[-.]+$/, '');
  return slug || fallback;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function timeStamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

export function makeExperimentId(date: Date, model: string, optimizer: string): string {
  return `${timeStamp(date)}-${idSlug(model, 'model')}-${idSlug(optimizer, 'opt')}`;
}

/** The id with a clash suffix: attempt 1 → id, 2 → id-2, … */
export function withClashSuffix(id: string, attempt: number): string {
  return attempt <= 1 ? id : `${id}-${attempt}`;
}

/** The creation time encoded in an id (local time), for folders whose config.json is unreadable. */
export function dateFromId(id: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(id);
  if (!m) return undefined;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
