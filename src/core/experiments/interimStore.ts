/**
 * A minimal reader of experiment folders for the Experiments tree and the training panel, written against the layout
 * in ./types. INTERIM: the datastore branch owns the real store (src/core/experiments/store.ts); when it lands on main
 * this file is deleted and its callers switch to that API. Keep it small and read-only.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, DEVICE_DIR, METRICS_FILE, STATUS_FILE, CHECKPOINTS_DIR, type DeviceResult, type ExperimentConfig, type ExperimentStatus, type MetricsEvent } from './types';
import { parseMetricsJsonl, type MetricsParseIssue } from './metricsFile';

export interface ExperimentInfo {
  id: string;
  dir: string;
  config?: ExperimentConfig;
  /** Status as read, with 'running' turned into 'interrupted' when its trainer process is gone. */
  status?: ExperimentStatus;
  devices: DeviceResult[];
  checkpoints: string[];
  /** Why config/status could not be read, if so (the folder is still listed so the user can see and delete it). */
  problem?: string;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function effectiveStatus(status: ExperimentStatus): ExperimentStatus {
  if (status.state === 'running' && status.pid !== undefined && !processAlive(status.pid)) return { ...status, state: 'interrupted' };
  return status;
}

export async function readExperiment(dir: string): Promise<ExperimentInfo> {
  const info: ExperimentInfo = { id: path.basename(dir), dir, devices: [], checkpoints: [] };
  try {
    info.config = await readJson<ExperimentConfig>(path.join(dir, CONFIG_FILE));
    const st = await readJson<ExperimentStatus>(path.join(dir, STATUS_FILE));
    if (st) info.status = effectiveStatus(st);
    if (!info.config) info.problem = `${CONFIG_FILE} is missing`;
  } catch (err) {
    info.problem = `cannot read ${path.basename(dir)}: ${(err as Error).message}`;
  }
  try {
    for (const f of (await fsp.readdir(path.join(dir, DEVICE_DIR))).filter((f) => f.endsWith('.json')).sort()) {
      const r = await readJson<DeviceResult>(path.join(dir, DEVICE_DIR, f)).catch(() => undefined);
      if (r && typeof r.deviceAccuracy === 'number') info.devices.push(r);
    }
  } catch { /* no device results yet */ }
  try {
    info.checkpoints = (await fsp.readdir(path.join(dir, CHECKPOINTS_DIR), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch { /* no checkpoints yet */ }
  return info;
}

/** Every experiment folder under `experimentsDir` (missing folder → none), newest first by id (ids start with the time). */
export async function listExperiments(experimentsDir: string): Promise<ExperimentInfo[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(experimentsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const infos = await Promise.all(entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => readExperiment(path.join(experimentsDir, e.name))));
  return infos.sort((a, b) => sortKey(b).localeCompare(sortKey(a)));
}

function sortKey(e: ExperimentInfo): string {
  return (e.config?.createdAt ?? e.status?.startedAt ?? '') + '\u0000' + e.id;
}

export interface MetricsRead {
  events: MetricsEvent[];
  issues: MetricsParseIssue[];
  truncatedTail: boolean;
  /** Byte offset up to which complete lines were consumed: a follower continues from here. */
  offset: number;
}

/** Reads metrics.jsonl up to its last complete line (a missing file reads as empty). */
export async function readMetrics(dir: string): Promise<MetricsRead> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path.join(dir, METRICS_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], issues: [], truncatedTail: false, offset: 0 };
    throw err;
  }
  const nl = buf.lastIndexOf(0x0a);
  const complete = nl < 0 ? '' : buf.subarray(0, nl + 1).toString('utf8');
  const tail = buf.subarray(nl + 1).toString('utf8');
  const parsed = parseMetricsJsonl(complete);
  const tailParsed = tail.trim() ? parseMetricsJsonl(tail) : undefined;
  return {
    events: tailParsed ? parsed.events.concat(tailParsed.events) : parsed.events,
    issues: parsed.issues,
    truncatedTail: tailParsed?.truncatedTail ?? false,
    offset: nl + 1,
  };
}

export interface MetricsFollower {
  dispose(): void;
}

/**
 * Follows a growing metrics.jsonl from `offset`: polls its size and hands over the events of newly completed lines.
 * Polling (not fs.watch) because appends by another process are not reported reliably on every platform and network
 * drive; a stat every `intervalMs` is cheap. A file that shrinks (replaced) is re-read from the start with `reset`.
 */
export function followMetrics(file: string, offset: number, onEvents: (events: MetricsEvent[], reset: boolean) => void, intervalMs = 100): MetricsFollower {
  let pos = offset;
  // Bytes after the last newline: kept as bytes so a UTF-8 character split across two reads decodes intact.
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
        const len = st.size - pos;
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, pos);
        pos += bytesRead;
        const all = Buffer.concat([pending, buf.subarray(0, bytesRead)]);
        const nl = all.lastIndexOf(0x0a);
        pending = all.subarray(nl + 1);
        const events = nl >= 0 ? parseMetricsJsonl(all.subarray(0, nl + 1).toString('utf8')).events : [];
        if ((events.length || reset) && !disposed) onEvents(events, reset);
      } finally {
        await fh.close();
      }
    } catch {
      // A transient read error (file being replaced) is retried on the next tick.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  void tick();
  return { dispose: () => { disposed = true; clearInterval(timer); } };
}
