/**
 * A minimal reader of experiment folders for the Experiments tree and the training panel. INTERIM: the datastore
 * branch owns the real store (src/core/experiments/store.ts, metrics.ts, runSummary.ts); this file mirrors the names
 * and shapes of the parts of that API the charts use, so that when it lands on main this file is deleted and the
 * imports point there. Read-only apart from deleteExperiment.
 */
import { promises as fsp, existsSync, lstatSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { CHECKPOINTS_DIR, CONFIG_FILE, DEVICE_DIR, METRICS_FILE, STATUS_FILE, type DeviceResult, type ExperimentConfig, type ExperimentStatus, type MetricsEvent, type RunState } from './types';
import type { RunSummary } from '../messages';
import { parseMetricsJsonl, type MetricsParseIssue } from './metricsFile';

export type DisplayState = RunState | 'unreadable';

export interface ExperimentInfo {
  id: string;
  dir: string;
  config?: ExperimentConfig;
  status?: ExperimentStatus;
  /** A 'running' status whose process is gone reads 'interrupted'. */
  state: DisplayState;
  model: string;
  optimizer: string;
  createdAt: string;
  valAccuracy?: number;
  problems: string[];
}

async function readJson(file: string): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: JSON.parse(await fsp.readFile(file, 'utf8')) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { error: `${path.basename(file)} is missing` };
    return { error: `${path.basename(file)} ${e instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read'} (${e.message})` };
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function effectiveState(status: ExperimentStatus): RunState {
  if (status.state !== 'running') return status.state;
  return status.pid !== undefined && isProcessAlive(status.pid) ? 'running' : 'interrupted';
}

export async function readExperiment(dir: string): Promise<ExperimentInfo> {
  const id = path.basename(dir);
  const problems: string[] = [];
  const [c, s] = await Promise.all([readJson(path.join(dir, CONFIG_FILE)), readJson(path.join(dir, STATUS_FILE))]);
  const config = c.value && typeof c.value === 'object' ? c.value as ExperimentConfig : undefined;
  const status = s.value && typeof s.value === 'object' && typeof (s.value as ExperimentStatus).state === 'string' ? s.value as ExperimentStatus : undefined;
  if (c.error) problems.push(c.error);
  if (s.error) problems.push(s.error);
  let valAccuracy = status?.final?.valAccuracy;
  if (valAccuracy === undefined) {
    const m = await readMetrics(dir).catch(() => undefined);
    for (let i = (m?.events.length ?? 0) - 1; i >= 0; i--) {
      const ev = m!.events[i];
      if (ev.kind === 'epoch' && ev.valAccuracy !== undefined) {
        valAccuracy = ev.valAccuracy;
        break;
      }
    }
  }
  return {
    id, dir, config, status, problems, valAccuracy,
    state: status ? effectiveState(status) : 'unreadable',
    model: config?.model?.name ?? '(unknown model)',
    optimizer: config?.optimizer ? config.optimizer.kind + (config.optimizer.preset ? ` (${config.optimizer.preset})` : '') : '?',
    createdAt: config?.createdAt ?? status?.startedAt ?? new Date(0).toISOString(),
  };
}

/** All experiments in `root`, newest first; a missing root is an empty list. */
export async function listExperiments(root: string): Promise<ExperimentInfo[]> {
  let entries;
  try {
    entries = await fsp.readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const infos = await Promise.all(entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => readExperiment(path.join(root, e.name))));
  return infos.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export interface ModelGroup {
  model: string;
  experiments: ExperimentInfo[];
}

export function groupByModel(infos: ExperimentInfo[]): ModelGroup[] {
  const groups = new Map<string, ExperimentInfo[]>();
  for (const e of infos) {
    const g = groups.get(e.model);
    if (g) g.push(e);
    else groups.set(e.model, [e]);
  }
  return [...groups].map(([model, experiments]) => ({ model, experiments }));
}

function looksLikeExperiment(dir: string): boolean {
  return [CONFIG_FILE, STATUS_FILE, METRICS_FILE].some((f) => existsSync(path.join(dir, f)));
}

export function findExperimentDir(root: string, idOrPath: string, cwd = process.cwd()): string {
  const candidates = /[\\/]/.test(idOrPath) || path.isAbsolute(idOrPath) ? [path.resolve(cwd, idOrPath)] : [path.join(root, idOrPath), path.resolve(cwd, idOrPath)];
  for (const c of candidates) {
    try {
      if (statSync(c).isDirectory() && looksLikeExperiment(c)) return c;
    } catch { /* try the next */ }
  }
  throw new Error(`no experiment '${idOrPath}' (looked in ${candidates.join(' and ')})`);
}

export interface CheckpointInfo {
  name: string;
  dir: string;
  hasModel: boolean;
  mtime: string;
  isLast: boolean;
  isBest: boolean;
}

export async function listCheckpoints(experimentDir: string, status?: ExperimentStatus): Promise<CheckpointInfo[]> {
  const root = path.join(experimentDir, CHECKPOINTS_DIR);
  let entries;
  try {
    entries = await fsp.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: CheckpointInfo[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = path.join(root, e.name);
    const st = await fsp.stat(dir).catch(() => undefined);
    if (!st) continue;
    out.push({ name: e.name, dir, mtime: st.mtime.toISOString(), hasModel: existsSync(path.join(dir, 'model.json')), isLast: status?.lastCheckpoint === e.name, isBest: status?.bestCheckpoint === e.name });
  }
  return out.sort((a, b) => b.mtime.localeCompare(a.mtime) || b.name.localeCompare(a.name));
}

export interface DeviceResultEntry {
  file: string;
  result?: DeviceResult;
  error?: string;
}

export async function listDeviceResults(experimentDir: string): Promise<DeviceResultEntry[]> {
  const dir = path.join(experimentDir, DEVICE_DIR);
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out = await Promise.all(names.map(async (n): Promise<DeviceResultEntry> => {
    const file = path.join(dir, n);
    const r = await readJson(file);
    if (r.error) return { file, error: r.error };
    const v = r.value as Partial<DeviceResult> | null;
    if (typeof v !== 'object' || v === null || typeof v.board !== 'string' || typeof v.time !== 'string') return { file, error: `${n}: not a device result` };
    return { file, result: v as DeviceResult };
  }));
  return out.sort((a, b) => (b.result?.time ?? '').localeCompare(a.result?.time ?? '') || b.file.localeCompare(a.file));
}

export async function readRunSummary(experimentDir: string): Promise<RunSummary | undefined> {
  const info = await readExperiment(experimentDir);
  if (!info.config || !info.status || info.state === 'unreadable') return undefined;
  const devices = (await listDeviceResults(experimentDir)).flatMap((d) => (d.result ? [d.result] : []));
  return { id: info.id, config: info.config, status: { ...info.status, state: info.state }, devices };
}

/** Refuses anything that is not an experiment folder directly inside `root`, or a running experiment. */
export function deleteExperiment(dir: string, opts: { root?: string } = {}): void {
  const abs = path.resolve(dir);
  const st = lstatSync(abs);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`refusing to delete ${abs}: not a folder`);
  if (opts.root !== undefined && path.dirname(abs) !== path.resolve(opts.root)) throw new Error(`refusing to delete ${abs}: not directly inside ${path.resolve(opts.root)}`);
  if (!looksLikeExperiment(abs)) throw new Error(`refusing to delete ${abs}: it is not an experiment folder`);
  const trash = path.join(path.dirname(abs), `.deleting-${path.basename(abs)}-${randomBytes(4).toString('hex')}`);
  renameSync(abs, trash);
  rmSync(trash, { recursive: true, force: true });
}

export interface MetricsParse {
  events: MetricsEvent[];
  issues: MetricsParseIssue[];
  truncatedTail: boolean;
  /** Byte offset up to which complete lines were consumed: a follower continues from here. */
  offset: number;
}

/** Reads metrics.jsonl of an experiment folder up to its last complete line (a missing file reads as empty). */
export async function readMetrics(experimentDir: string): Promise<MetricsParse> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path.join(experimentDir, METRICS_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], issues: [], truncatedTail: false, offset: 0 };
    throw err;
  }
  const nl = buf.lastIndexOf(0x0a);
  const parsed = parseMetricsJsonl(nl < 0 ? '' : buf.subarray(0, nl + 1).toString('utf8'));
  const tail = buf.subarray(nl + 1).toString('utf8');
  return { events: parsed.events, issues: parsed.issues, truncatedTail: tail.trim() !== '', offset: nl + 1 };
}

export interface Follower {
  dispose(): void;
}

/**
 * Follows a growing metrics.jsonl from `fromOffset`, handing over the events of newly completed lines. Polls the size
 * (appends by another process are not reported reliably by fs.watch everywhere). A file that shrank is re-read from
 * the start with `reset`.
 */
export function followMetrics(file: string, onEvents: (events: MetricsEvent[], info: { reset: boolean; offset: number }) => void, opts: { fromOffset?: number; pollMs?: number } = {}): Follower {
  let pos = opts.fromOffset ?? 0;
  // Bytes after the last newline, kept as bytes so a UTF-8 character split across two reads decodes intact.
  let pending = Buffer.alloc(0);
  let busy = false;
  let disposed = false;
  const tick = async (): Promise<void> => {
    if (busy || disposed) return;
    busy = true;
    try {
      const st = await fsp.stat(file).catch(() => undefined);
      if (!st) return;
      let reset = false;
      if (st.size < pos) {
        pos = 0;
        pending = Buffer.alloc(0);
        reset = true;
      }
      if (st.size === pos && !reset) return;
      const fh = await fsp.open(file, 'r');
      try {
        const buf = Buffer.alloc(st.size - pos);
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        pos += bytesRead;
        const all = Buffer.concat([pending, buf.subarray(0, bytesRead)]);
        const nl = all.lastIndexOf(0x0a);
        pending = all.subarray(nl + 1);
        const events = nl >= 0 ? parseMetricsJsonl(all.subarray(0, nl + 1).toString('utf8')).events : [];
        if ((events.length || reset) && !disposed) onEvents(events, { reset, offset: pos - pending.length });
      } finally {
        await fh.close();
      }
    } catch {
      // A transient read error (file being replaced) is retried on the next tick.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.pollMs ?? 250);
  void tick();
  return { dispose: () => { disposed = true; clearInterval(timer); } };
}
