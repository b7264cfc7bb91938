/**
 * Reading the experiments folder for the tree, the charts and the CLI. Readers are async and never throw for one bad
 * experiment: each comes back with a `problems` list and a display state instead, so one corrupt folder cannot break a
 * listing. Which checkpoint a command uses is checkpoints.ts's rule.
 */
import { upgradeDeviceResult } from './deviceResult';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { dateFromId } from './id';
import { readLastEpochEvent } from './metrics';
import { EXPERIMENT_FORMAT_VERSION, readJson, validateConfig, validateStatus } from './files';
import { isProcessAlive, lockState } from './lock';
import {
  CHECKPOINTS_DIR, CONFIG_FILE, DEVICE_DIR, EXPERIMENTS_DIR, METRICS_FILE, STATUS_FILE,
  type DeviceResult, type ExperimentConfig, type ExperimentStatus, type RunState,
} from './types';

/** `<workspace>/.bnn/experiments`, or an explicit dir (CLI --experiments/--dir), resolved against cwd. */
export function resolveExperimentsDir(opts: { workspace?: string; dir?: string; cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.dir) return path.resolve(cwd, opts.dir);
  return path.resolve(opts.workspace ?? cwd, EXPERIMENTS_DIR);
}

/** What a reader shows: a RunState, or 'unreadable' when status.json is missing or corrupt. */
export type DisplayState = RunState | 'unreadable';

export interface ExperimentInfo {
  id: string;
  dir: string;
  config?: ExperimentConfig;
  status?: ExperimentStatus;
  /** Effective state: a 'running' status whose process is gone reads 'interrupted'. */
  state: DisplayState;
  /** config.model.name, else '(unknown model)'. */
  model: string;
  /** config.optimizer.kind (+ preset), else '?'. */
  optimizer: string;
  /** ISO time: config.createdAt, else status.startedAt, else the id's timestamp, else the folder's mtime. */
  createdAt: string;
  /** Final validation accuracy (status.final) or the last epoch's (metrics.jsonl). */
  valAccuracy?: number;
  /** What is wrong with this experiment's files; empty when all is well. */
  problems: string[];
}



/** The state to show: 'running' with a dead (or missing) pid is 'interrupted'. */
export function effectiveState(status: ExperimentStatus, alive: (pid: number) => boolean = isProcessAlive): RunState {
  if (status.state !== 'running') return status.state;
  return status.pid !== undefined && alive(status.pid) ? 'running' : 'interrupted';
}

/**
 * The state to show for the run in `dir`: a 'running' status counts as running while its lock is held by a live
 * process (pid and start time, so a pid reused after the trainer died — after a reboot, say — is not taken for it);
 * runs without a lock (older ones, other writers) fall back to status.json's pid.
 */
export function runState(dir: string, status: ExperimentStatus, alive: (pid: number) => boolean = isProcessAlive): RunState {
  if (status.state !== 'running') return status.state;
  const lock = lockState(dir, { isAlive: alive });
  if (lock !== 'none') return lock === 'live' ? 'running' : 'interrupted';
  return effectiveState(status, alive);
}

export interface ReadOptions {
  /** Look into metrics.jsonl for the last validation accuracy when status.json has no final one (default true). */
  scanMetrics?: boolean;
  /** Process liveness check (tests inject one). */
  isAlive?: (pid: number) => boolean;
}

/** Reads one experiment folder. Never throws for bad content: problems are listed in the result. */
export async function readExperiment(dir: string, opts: ReadOptions = {}): Promise<ExperimentInfo> {
  const id = path.basename(dir);
  const linkProblem = symlinkProblem(dir);
  if (linkProblem) return { id, dir, state: 'unreadable', model: '(unknown model)', optimizer: '?', createdAt: new Date(0).toISOString(), problems: [linkProblem] };
  const problems: string[] = [];
  const [cfgRead, stRead] = await Promise.all([readJson(path.join(dir, CONFIG_FILE)), readJson(path.join(dir, STATUS_FILE))]);
  let config: ExperimentConfig | undefined;
  let status: ExperimentStatus | undefined;
  if (cfgRead.error) problems.push(cfgRead.error);
  else {
    const err = validateConfig(cfgRead.value);
    if (err) problems.push(err);
    else config = cfgRead.value as ExperimentConfig;
  }
  if (stRead.error) problems.push(stRead.error);
  else {
    const err = validateStatus(stRead.value);
    if (err) problems.push(err);
    else status = stRead.value as ExperimentStatus;
  }
  const state: DisplayState = status ? runState(dir, status, opts.isAlive) : 'unreadable';
  let createdAt = config?.createdAt ?? status?.startedAt ?? dateFromId(id)?.toISOString();
  if (!createdAt) {
    try {
      createdAt = (await stat(dir)).mtime.toISOString();
    } catch {
      createdAt = new Date(0).toISOString();
    }
  }
  let valAccuracy = status?.final?.valAccuracy;
  if (valAccuracy === undefined && opts.scanMetrics !== false) {
    try {
      valAccuracy = (await readLastEpochEvent(path.join(dir, METRICS_FILE)))?.valAccuracy;
    } catch (err) {
      problems.push(`${METRICS_FILE} cannot be read (${(err as Error).message})`);
    }
  }
  const optimizer = config ? config.optimizer.kind + (config.optimizer.preset ? ` (${config.optimizer.preset})` : '') : '?';
  return { id, dir, config, status, state, model: config?.model.name ?? '(unknown model)', optimizer, createdAt, valAccuracy, problems };
}

/**
 * The one rule for symlinked experiment folders, applied by the listing (CLI and Experiments view) and by every command
 * that takes an experiment: a symlink to a folder is followed like the folder (runs kept on another disk), except one
 * that loops, dangles, or leads to a folder holding the experiments folder itself. Returns why such a link is refused,
 * or undefined (also for a plain folder or a missing path, which the caller reports its own way).
 */
export function symlinkProblem(dir: string): string | undefined {
  try {
    if (!lstatSync(dir).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return `${dir} is a symlink loop; not followed`;
    let target = '?';
    try { target = readlinkSync(dir); } catch { /* unreadable link */ }
    return `${dir} is a symlink to ${target}, which does not exist`;
  }
  try {
    if (!statSync(real).isDirectory()) return `${dir} is a symlink to ${real}, which is not a folder`;
  } catch {
    return `${dir} is a symlink to ${real}, which cannot be read`;
  }
  let parent = path.dirname(path.resolve(dir));
  try { parent = realpathSync(parent); } catch { /* keep as given */ }
  if (parent === real || parent.startsWith(real + path.sep)) return `${dir} is a symlink to ${real}, which holds the experiments folder itself (a loop); not followed`;
  return undefined;
}

/**
 * Experiment folders in `root`: every non-hidden sub-folder (staging and temp entries start with '.'), symlinked ones
 * included (symlinkProblem decides; a refused link is listed so that readExperiment says why).
 */
export async function experimentDirs(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const isFolderOrLink = (e: (typeof entries)[number]): boolean => {
    if (e.isDirectory()) return true;
    if (!e.isSymbolicLink()) return false;
    const p = path.join(root, e.name);
    // a link to a plain file is ignored like a plain file; a broken or looping link is shown with its problem
    try { return statSync(p).isDirectory(); } catch { return true; }
  };
  return entries.filter((e) => !e.name.startsWith('.') && isFolderOrLink(e)).map((e) => path.join(root, e.name));
}

/** All experiments in `root`, newest first. A missing root is an empty list. */
export async function listExperiments(root: string, opts: ReadOptions = {}): Promise<ExperimentInfo[]> {
  const infos = await Promise.all((await experimentDirs(root)).map((d) => readExperiment(d, opts)));
  return infos.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export interface ModelGroup {
  model: string;
  experiments: ExperimentInfo[];
}

/** Groups a newest-first list by model name; groups ordered by their newest experiment. */
export function groupByModel(infos: ExperimentInfo[]): ModelGroup[] {
  const groups = new Map<string, ExperimentInfo[]>();
  for (const e of infos) {
    const g = groups.get(e.model);
    if (g) g.push(e);
    else groups.set(e.model, [e]);
  }
  return [...groups].map(([model, experiments]) => ({ model, experiments }));
}

/**
 * An experiment given as an id (looked up in `root`) or a folder path — what commands accept.
 * Throws when there is no such experiment folder.
 */
export function findExperimentDir(root: string, idOrPath: string, cwd = process.cwd()): string {
  const candidates = /[\\/]/.test(idOrPath) || path.isAbsolute(idOrPath) ? [path.resolve(cwd, idOrPath)] : [path.join(root, idOrPath), path.resolve(cwd, idOrPath)];
  for (const c of candidates) {
    const linkProblem = symlinkProblem(c);
    if (linkProblem) throw new Error(linkProblem);
    try {
      if (statSync(c).isDirectory() && looksLikeExperiment(c)) return c;
    } catch {
      // try the next
    }
  }
  throw new Error(`no experiment '${idOrPath}' (looked in ${candidates.join(' and ')})`);
}

export function looksLikeExperiment(dir: string): boolean {
  return [CONFIG_FILE, STATUS_FILE, METRICS_FILE].some((f) => existsSync(path.join(dir, f)));
}

export interface CheckpointInfo {
  name: string;
  dir: string;
  /** TensorFlow.js layers format present (model.json). */
  hasModel: boolean;
  /** Packed binary weights present (binary-weights.json). */
  hasBinaryWeights: boolean;
  mtime: string;
  /** status.lastCheckpoint / bestCheckpoint point here. */
  isLast: boolean;
  isBest: boolean;
}

/** Checkpoints of an experiment, newest first. Hidden (staging) folders are skipped. */
export async function listCheckpoints(experimentDir: string, status?: ExperimentStatus): Promise<CheckpointInfo[]> {
  const root = path.join(experimentDir, CHECKPOINTS_DIR);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: CheckpointInfo[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = path.join(root, e.name);
    let mtime = new Date(0).toISOString();
    try {
      mtime = (await stat(dir)).mtime.toISOString();
    } catch {
      continue;
    }
    out.push({
      name: e.name, dir, mtime,
      hasModel: existsSync(path.join(dir, 'model.json')),
      hasBinaryWeights: existsSync(path.join(dir, 'binary-weights.json')),
      isLast: status?.lastCheckpoint === e.name, isBest: status?.bestCheckpoint === e.name,
    });
  }
  return out.sort((a, b) => b.mtime.localeCompare(a.mtime) || b.name.localeCompare(a.name));
}

export interface DeviceResultEntry {
  file: string;
  result?: DeviceResult;
  error?: string;
}

/** Device results (device/*.json), newest first; unreadable files come back with an error instead of throwing. */
export async function listDeviceResults(experimentDir: string): Promise<DeviceResultEntry[]> {
  const dir = path.join(experimentDir, DEVICE_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out = await Promise.all(names.map(async (n): Promise<DeviceResultEntry> => {
    const file = path.join(dir, n);
    const r = await readJson(file);
    if (r.error) return { file, error: r.error };
    const v = r.value as Partial<DeviceResult> | null;
    if (typeof v !== 'object' || v === null || typeof v.board !== 'string' || typeof v.time !== 'string') return { file, error: `${n}: not a device result (needs board and time)` };
    if (v.formatVersion !== undefined && v.formatVersion !== EXPERIMENT_FORMAT_VERSION) return { file, error: `${n}: formatVersion ${JSON.stringify(v.formatVersion)} is not supported (this BNN Studio reads version ${EXPERIMENT_FORMAT_VERSION})` };
    return { file, result: upgradeDeviceResult(v) as DeviceResult };
  }));
  return out.sort((a, b) => (b.result?.time ?? '').localeCompare(a.result?.time ?? '') || b.file.localeCompare(a.file));
}

/** Prefix of a checkpoint write.ts's writeCheckpoint moved aside while swapping in its replacement. */
export const ASIDE_PREFIX = '.old-';

/**
 * The checkpoint folder to read: `dir`, or — when a kill hit the instant between writeCheckpoint's two renames — the
 * complete old copy it had moved aside. Undefined when neither exists.
 */
export function readableDir(dir: string): string | undefined {
  if (existsSync(dir)) return dir;
  const parent = path.dirname(dir);
  const prefix = `${ASIDE_PREFIX}${path.basename(dir)}-`;
  let entries: string[] = [];
  try {
    entries = readdirSync(parent).filter((e) => e.startsWith(prefix));
  } catch {
    return undefined;
  }
  return entries.length ? path.join(parent, entries.sort().pop()!) : undefined;
}
