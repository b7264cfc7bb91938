/**
 * The experiments folder (layout in types.ts): create an experiment, write its config and status atomically, read and
 * list experiments for the tree, the charts and the CLI. Writers are synchronous (the trainer wants its writes ordered
 * and finished before it continues); readers are async and never throw for one bad experiment — each experiment comes
 * back with a `problems` list and a display state instead, so one corrupt folder cannot break a listing.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { fsyncDir, writeJsonAtomic } from './atomic';
import { dateFromId, makeExperimentId, withClashSuffix, timeStamp, idSlug } from './id';
import { readLastEpochEvent } from './metrics';
import {
  CHECKPOINTS_DIR, CONFIG_FILE, DEVICE_DIR, EXPERIMENTS_DIR, METRICS_FILE, STATUS_FILE,
  type DeviceResult, type ExperimentConfig, type ExperimentStatus, type RunState,
} from './types';

export const RUN_STATES: readonly RunState[] = ['running', 'completed', 'failed', 'cancelled', 'interrupted'];

/** `<workspace>/.bnn/experiments`, or an explicit dir (CLI --experiments/--dir), resolved against cwd. */
export function resolveExperimentsDir(opts: { workspace?: string; dir?: string; cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.dir) return path.resolve(cwd, opts.dir);
  return path.resolve(opts.workspace ?? cwd, EXPERIMENTS_DIR);
}

// ---- writing ----------------------------------------------------------------------------------------------------

/** Everything of ExperimentConfig except what the store fills in. */
export type ExperimentInit = Omit<ExperimentConfig, 'formatVersion' | 'id' | 'createdAt'> & { createdAt?: string };

export interface CreatedExperiment {
  id: string;
  dir: string;
  config: ExperimentConfig;
  status: ExperimentStatus;
}

export interface CreateOptions {
  /** Creation time (default now); also the id's timestamp. */
  now?: Date;
  /** Trainer process id recorded in the status (default this process). */
  pid?: number;
  /** Initial status fields (default: running, epoch 0, step 0). */
  status?: Partial<ExperimentStatus>;
  /** Give up after this many clash suffixes (default 1000). */
  maxAttempts?: number;
}

/**
 * Creates `<root>/<id>/` with config.json and status.json already complete: both are written into a hidden staging
 * folder which is then renamed to the id. rename() of a folder onto an existing non-empty one fails, which is how a
 * clash is detected race-free (two trainers starting in the same second get `-2`).
 */
export function createExperiment(root: string, init: ExperimentInit, opts: CreateOptions = {}): CreatedExperiment {
  const now = opts.now ?? new Date();
  const baseId = makeExperimentId(now, init.model.name, init.optimizer.kind);
  mkdirSync(root, { recursive: true });
  const staging = path.join(root, `.staging-${baseId}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  mkdirSync(path.join(staging, CHECKPOINTS_DIR));
  const iso = now.toISOString();
  const status: ExperimentStatus = { state: 'running', pid: opts.pid ?? process.pid, startedAt: iso, updatedAt: iso, epoch: 0, step: 0, ...opts.status };
  try {
    for (let attempt = 1; attempt <= (opts.maxAttempts ?? 1000); attempt++) {
      const id = withClashSuffix(baseId, attempt);
      const dir = path.join(root, id);
      if (existsSync(dir)) continue;
      const { createdAt: _c, ...rest } = init;
      const config: ExperimentConfig = { formatVersion: 1, id, createdAt: init.createdAt ?? iso, ...rest };
      writeJsonAtomic(path.join(staging, CONFIG_FILE), config);
      writeJsonAtomic(path.join(staging, STATUS_FILE), status);
      try {
        renameSync(staging, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Linux reports a non-empty target as ENOTEMPTY/EEXIST; Windows as EPERM/EACCES (then the target must exist).
        if (code === 'EEXIST' || code === 'ENOTEMPTY' || ((code === 'EPERM' || code === 'EACCES') && existsSync(dir))) continue;
        throw err;
      }
      fsyncDir(root);
      return { id, dir, config, status };
    }
    throw new Error(`cannot create an experiment in ${root}: ids ${baseId} … ${withClashSuffix(baseId, opts.maxAttempts ?? 1000)} are all taken`);
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}

/** Replaces status.json atomically. */
export function writeStatus(experimentDir: string, status: ExperimentStatus): void {
  writeJsonAtomic(path.join(experimentDir, STATUS_FILE), status);
}

/**
 * Read-modify-write of status.json (single writer: the trainer owns its experiment's status). `updatedAt` is set.
 * A missing or corrupt status is replaced, starting from `fallback`.
 */
export function updateStatus(experimentDir: string, patch: Partial<ExperimentStatus>, fallback?: ExperimentStatus): ExperimentStatus {
  const file = path.join(experimentDir, STATUS_FILE);
  let current: ExperimentStatus | undefined;
  const parsed = readJsonSync(file);
  if (parsed.value !== undefined && validateStatus(parsed.value) === undefined) current = parsed.value as ExperimentStatus;
  const now = new Date().toISOString();
  const base: ExperimentStatus = current ?? fallback ?? { state: 'running', startedAt: now, updatedAt: now, epoch: 0, step: 0 };
  const next: ExperimentStatus = { ...base, ...patch, updatedAt: patch.updatedAt ?? now };
  writeJsonAtomic(file, next);
  return next;
}

/** Replaces config.json atomically (e.g. a resumed run recording `resumedFrom`). */
export function writeConfig(experimentDir: string, config: ExperimentConfig): void {
  writeJsonAtomic(path.join(experimentDir, CONFIG_FILE), config);
}

/** Saves an on-device benchmark result as device/<board>-<time>.json (atomic). Returns the file path. */
export function writeDeviceResult(experimentDir: string, result: DeviceResult): string {
  const dir = path.join(experimentDir, DEVICE_DIR);
  mkdirSync(dir, { recursive: true });
  const t = new Date(result.time);
  const stamp = Number.isNaN(t.getTime()) ? timeStamp(new Date()) : timeStamp(t);
  let file = path.join(dir, `${idSlug(result.board, 'board')}-${stamp}.json`);
  for (let i = 2; existsSync(file); i++) file = path.join(dir, `${idSlug(result.board, 'board')}-${stamp}-${i}.json`);
  writeJsonAtomic(file, result);
  return file;
}

// ---- reading ----------------------------------------------------------------------------------------------------

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

type JsonRead = { value?: unknown; error?: string; missing?: boolean };

function describeJsonError(file: string, err: unknown): JsonRead {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return { missing: true, error: `${path.basename(file)} is missing` };
  if (e instanceof SyntaxError) return { error: `${path.basename(file)} is not valid JSON (${e.message})` };
  return { error: `${path.basename(file)} cannot be read (${e.code ?? e.message})` };
}

async function readJson(file: string): Promise<JsonRead> {
  try {
    return { value: JSON.parse(await readFile(file, 'utf8')) };
  } catch (err) {
    return describeJsonError(file, err);
  }
}

function readJsonSync(file: string): JsonRead {
  try {
    return { value: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    return describeJsonError(file, err);
  }
}

/** Returns an error message, or undefined when `v` looks like an ExperimentStatus. */
export function validateStatus(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'status.json is not a JSON object';
  const s = v as Record<string, unknown>;
  if (!RUN_STATES.includes(s.state as RunState)) return `status.json: unknown state ${JSON.stringify(s.state)} (expected ${RUN_STATES.join(', ')})`;
  if (s.pid !== undefined && !(Number.isInteger(s.pid) && (s.pid as number) > 0)) return `status.json: pid ${JSON.stringify(s.pid)} is not a process id`;
  return undefined;
}

/** Returns an error message, or undefined when `v` looks like an ExperimentConfig this version can read. */
export function validateConfig(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'config.json is not a JSON object';
  const c = v as Record<string, unknown>;
  if (c.formatVersion !== 1) return `config.json: formatVersion ${JSON.stringify(c.formatVersion)} is not supported (this BNN Studio reads version 1)`;
  if (typeof c.model !== 'object' || c.model === null || typeof (c.model as { name?: unknown }).name !== 'string') return 'config.json: no model spec';
  if (typeof c.optimizer !== 'object' || c.optimizer === null || typeof (c.optimizer as { kind?: unknown }).kind !== 'string') return 'config.json: no optimizer';
  if (typeof c.dataset !== 'object' || c.dataset === null || typeof (c.dataset as { name?: unknown }).name !== 'string') return 'config.json: no dataset';
  return undefined;
}

/** Whether a process exists (signal 0 checks without sending anything; EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state to show: 'running' with a dead (or missing) pid is 'interrupted'. */
export function effectiveState(status: ExperimentStatus, alive: (pid: number) => boolean = isProcessAlive): RunState {
  if (status.state !== 'running') return status.state;
  return status.pid !== undefined && alive(status.pid) ? 'running' : 'interrupted';
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
  const state: DisplayState = status ? effectiveState(status, opts.isAlive) : 'unreadable';
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

/** Experiment folders in `root`: every non-hidden sub-folder (staging and temp entries start with '.'). */
export async function experimentDirs(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => path.join(root, e.name));
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
    try {
      if (statSync(c).isDirectory() && looksLikeExperiment(c)) return c;
    } catch {
      // try the next
    }
  }
  throw new Error(`no experiment '${idOrPath}' (looked in ${candidates.join(' and ')})`);
}

function looksLikeExperiment(dir: string): boolean {
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

/**
 * The checkpoint to resume from: status.lastCheckpoint when it is complete (has model.json), else the newest complete
 * one. Undefined when there is none (a run killed before its first checkpoint restarts from scratch).
 */
export async function findResumeCheckpoint(experimentDir: string, status?: ExperimentStatus): Promise<CheckpointInfo | undefined> {
  const cps = (await listCheckpoints(experimentDir, status)).filter((c) => c.hasModel);
  return cps.find((c) => c.isLast) ?? cps[0];
}

/**
 * Writes a checkpoint folder atomically: files go into a hidden staging folder which is renamed to `name`. An existing
 * checkpoint of that name is moved aside first and removed afterwards, so a crash leaves either the old or the new one
 * complete (or, in the instant between the two renames, the old one under `.old-…`); prefer a new name per epoch and
 * point status.lastCheckpoint at it after this returns.
 */
export function writeCheckpoint(experimentDir: string, name: string, files: Record<string, string | Uint8Array>): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid checkpoint name '${name}'`);
  const root = path.join(experimentDir, CHECKPOINTS_DIR);
  mkdirSync(root, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(root, `.staging-${name}-${suffix}`);
  mkdirSync(staging);
  try {
    for (const [file, data] of Object.entries(files)) {
      if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new Error(`invalid checkpoint file name '${file}'`);
      const fd = openSync(path.join(staging, file), 'wx');
      try {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    fsyncDir(staging);
    const target = path.join(root, name);
    let old: string | undefined;
    if (existsSync(target)) {
      old = path.join(root, `.old-${name}-${suffix}`);
      renameSync(target, old);
    }
    renameSync(staging, target);
    fsyncDir(root);
    if (old) rmSync(old, { recursive: true, force: true });
    return target;
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
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
    return { file, result: v as DeviceResult };
  }));
  return out.sort((a, b) => (b.result?.time ?? '').localeCompare(a.result?.time ?? '') || b.file.localeCompare(a.file));
}

// ---- deleting ---------------------------------------------------------------------------------------------------

export interface DeleteOptions {
  /** The experiments folder the experiment must be directly inside (refuses anything else). */
  root?: string;
  /** Delete even while its trainer is running. */
  force?: boolean;
  isAlive?: (pid: number) => boolean;
}

/**
 * Deletes an experiment folder, refusing anything that is not one: a symlink, a folder without any experiment file,
 * a folder outside `root`, or a running experiment (unless forced). The folder is first renamed to a hidden name, so
 * it vanishes from listings at once and a crash mid-delete never leaves a half-deleted experiment on show.
 */
export function deleteExperiment(dir: string, opts: DeleteOptions = {}): void {
  const abs = path.resolve(dir);
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    throw new Error(`cannot delete ${abs}: no such experiment folder`);
  }
  if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`refusing to delete ${abs}: not a folder (symlinks are not followed)`);
  if (path.basename(abs).startsWith('.')) throw new Error(`refusing to delete ${abs}: not an experiment folder`);
  if (opts.root !== undefined && path.dirname(abs) !== path.resolve(opts.root)) throw new Error(`refusing to delete ${abs}: not directly inside the experiments folder ${path.resolve(opts.root)}`);
  if (!looksLikeExperiment(abs)) throw new Error(`refusing to delete ${abs}: it has no ${CONFIG_FILE}, ${STATUS_FILE} or ${METRICS_FILE}, so it is not an experiment`);
  if (!opts.force) {
    const s = readJsonSync(path.join(abs, STATUS_FILE));
    if (s.value !== undefined && validateStatus(s.value) === undefined) {
      const status = s.value as ExperimentStatus;
      if (effectiveState(status, opts.isAlive) === 'running') throw new Error(`experiment ${path.basename(abs)} is still running (pid ${status.pid}); stop it first`);
    }
  }
  const trash = path.join(path.dirname(abs), `.deleting-${path.basename(abs)}-${randomBytes(4).toString('hex')}`);
  renameSync(abs, trash);
  rmSync(trash, { recursive: true, force: true });
}

/**
 * Removes leftovers of killed writers: hidden staging/trash folders in `root` older than `minAgeMs`, and temp files of
 * atomic writes (`.<name>.tmp-<pid>-<hex>`) in experiment folders whose writing process is gone. Readers already
 * ignore all of these; this only reclaims the space. Returns how many entries were removed.
 */
export function cleanupStaleEntries(root: string, minAgeMs = 60 * 60 * 1000, alive: (pid: number) => boolean = isProcessAlive): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  const tempFile = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;
  for (const n of names) {
    const p = path.join(root, n);
    try {
      if (n.startsWith('.staging-') || n.startsWith('.deleting-')) {
        if (Date.now() - statSync(p).mtimeMs < minAgeMs) continue;
        rmSync(p, { recursive: true, force: true });
        removed++;
      } else if (!n.startsWith('.') && statSync(p).isDirectory()) {
        for (const f of readdirSync(p)) {
          const m = tempFile.exec(f);
          if (m && !alive(Number(m[1]))) {
            rmSync(path.join(p, f), { force: true });
            removed++;
          }
        }
      }
    } catch {
      // someone else removed it meanwhile
    }
  }
  return removed;
}
