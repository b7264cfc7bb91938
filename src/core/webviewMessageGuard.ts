/**
 * The training panel's webview is untrusted input to the extension host: a message from it is checked here before the
 * host acts on it. A panel may only act on the experiments it shows, file names are plain names (the host asks the
 * user where to save), and payload sizes are capped so a bad page cannot make the host allocate without bound.
 */
import { PROTOCOL_VERSION, type DatasetPreviewToHost, type GraphViewToHost, type WebviewToHost } from './messages';

export type GuardResult = { ok: true; message: WebviewToHost } | { ok: false; error: string };

/** Largest PNG (as a data URL) and CSV a panel may hand to the host. */
export const MAX_PNG_DATA_URL = 32 * 1024 * 1024;
export const MAX_CSV_TEXT = 64 * 1024 * 1024;

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const PNG_PREFIX = 'data:image/png;base64,';
const EXPERIMENT_ACTIONS = new Set(['stop', 'resume', 'compile', 'flash', 'runEmulated']);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : typeof v;
}

function checkId(id: unknown, allowed: ReadonlySet<string>, field: string): string | undefined {
  if (typeof id !== 'string' || !ID_RE.test(id) || id.includes('..')) return `${field} must be an experiment id, got ${describe(id)}`;
  if (!allowed.has(id)) return `${field} "${id}" is not shown in this panel`;
  return undefined;
}

/** A file name offered in the save dialog: no folders, no control characters, the right extension. */
export function checkFileName(name: unknown, ext: 'png' | 'csv'): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) return `name must be a file name of 1–200 characters, got ${describe(name)}`;
  if (/[\\/:*?"<>|\x00-\x1f]/.test(name) || name.startsWith('.')) return `name "${name}" must be a plain file name without folders or special characters`;
  if (!name.toLowerCase().endsWith(`.${ext}`)) return `name "${name}" must end in .${ext}`;
  return undefined;
}

/**
 * Validates one message from the panel. `allowedIds` are the experiments the panel shows; actions on any other id
 * are refused.
 */
export function guardWebviewMessage(value: unknown, allowedIds: ReadonlySet<string>): GuardResult {
  const fail = (error: string): GuardResult => ({ ok: false, error });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`message must be an object, got ${describe(value)}`);
  const m = value as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) return fail(`message protocol version ${describe(m.v)} is not ${PROTOCOL_VERSION}`);
  const type = m.type;
  if (type === 'ready') return { ok: true, message: { v: 1, type } };
  if (typeof type === 'string' && EXPERIMENT_ACTIONS.has(type)) {
    const err = checkId(m.experimentId, allowedIds, 'experimentId');
    if (err) return fail(`${type}: ${err}`);
    return { ok: true, message: { v: 1, type, experimentId: m.experimentId } as WebviewToHost };
  }
  if (type === 'exportCsv') {
    const ids = m.experimentIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) return fail('exportCsv: experimentIds must be a non-empty array of experiment ids');
    for (const id of ids) {
      const err = checkId(id, allowedIds, 'experimentIds[]');
      if (err) return fail(`exportCsv: ${err}`);
    }
    return { ok: true, message: { v: 1, type, experimentIds: [...new Set(ids as string[])] } };
  }
  if (type === 'saveFile') {
    const kind = m.kind;
    if (kind !== 'png' && kind !== 'csv') return fail(`saveFile: kind must be "png" or "csv", got ${describe(kind)}`);
    const nameErr = checkFileName(m.name, kind);
    if (nameErr) return fail(`saveFile: ${nameErr}`);
    const data = m.data;
    if (typeof data !== 'string') return fail(`saveFile: data must be a string, got ${describe(data)}`);
    if (kind === 'png') {
      if (!data.startsWith(PNG_PREFIX)) return fail('saveFile: png data must be a data:image/png;base64 URL');
      if (data.length > MAX_PNG_DATA_URL) return fail(`saveFile: png is larger than ${MAX_PNG_DATA_URL / 1024 / 1024} MB`);
      const b64 = data.slice(PNG_PREFIX.length);
      if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return fail('saveFile: png data is not valid base64');
    } else if (data.length > MAX_CSV_TEXT) {
      return fail(`saveFile: csv is larger than ${MAX_CSV_TEXT / 1024 / 1024} MB`);
    }
    return { ok: true, message: { v: 1, type, kind, name: m.name as string, data } };
  }
  return fail(`unknown message type ${describe(type)}`);
}

/** A message from the dataset preview: it may only ask to open a file whose sample it shows. */
export function guardDatasetPreviewMessage(value: unknown, shownFiles: ReadonlySet<string>): { ok: true; message: DatasetPreviewToHost } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: `message must be an object, got ${describe(value)}` };
  const m = value as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) return { ok: false, error: `message protocol version ${describe(m.v)} is not ${PROTOCOL_VERSION}` };
  if (m.type === 'ready') return { ok: true, message: { v: 1, type: 'ready' } };
  if (m.type === 'reveal') {
    if (typeof m.file !== 'string' || !shownFiles.has(m.file)) return { ok: false, error: `reveal: ${describe(m.file)} is not a sample shown in this preview` };
    return { ok: true, message: { v: 1, type: 'reveal', file: m.file } };
  }
  return { ok: false, error: `unknown message type ${describe(m.type)}` };
}

/** Decodes a validated PNG data URL to bytes and checks the PNG signature, so only a real PNG reaches the disk. */
export function pngDataUrlToBytes(dataUrl: string): Uint8Array {
  const bytes = Uint8Array.from(Buffer.from(dataUrl.slice(PNG_PREFIX.length), 'base64'));
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b)) throw new Error('the exported image is not a PNG');
  return bytes;
}

export type GraphGuardResult = { ok: true; message: GraphViewToHost } | { ok: false; error: string };

/**
 * Validates one message from the graph view. A view may only ask to reveal one of the `layerCount` layers of the
 * model it shows.
 */
export function guardGraphViewMessage(value: unknown, layerCount: number): GraphGuardResult {
  const fail = (error: string): GraphGuardResult => ({ ok: false, error });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`message must be an object, got ${describe(value)}`);
  const m = value as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) return fail(`message protocol version ${describe(m.v)} is not ${PROTOCOL_VERSION}`);
  if (m.type === 'ready') return { ok: true, message: { v: 1, type: 'ready' } };
  if (m.type === 'reveal') {
    const layer = m.layer;
    if (typeof layer !== 'number' || !Number.isInteger(layer) || layer < 0) return fail(`reveal: layer must be a layer index (an integer ≥ 0), got ${describe(layer)}`);
    if (layer >= layerCount) return fail(`reveal: layer ${layer} is past the model's ${layerCount} layers`);
    return { ok: true, message: { v: 1, type: 'reveal', layer } };
  }
  return fail(`unknown message type ${describe(m.type)}`);
}
