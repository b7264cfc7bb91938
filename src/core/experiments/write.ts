/**
 * Writing an experiment folder (layout in types.ts): create it, replace its config and status atomically, save
 * checkpoints and device results, delete it. Writers are synchronous (the trainer wants its writes ordered and finished
 * before it continues) and check what they write with the readers' rule (files.ts).
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { fsyncDir, writeJsonAtomic } from './atomic';
import { makeExperimentId, withClashSuffix, timeStamp, idSlug } from './id';
import { assertValid, readConfigFile, readJsonSync, validateConfig, validateStatus, CHECKPOINT_NAME, EXPERIMENT_FORMAT_VERSION } from './files';
import { runNameProblem } from './labels';
import { isProcessAlive, lockHolder } from './lock';
import { ASIDE_PREFIX, looksLikeExperiment, runState, symlinkProblem } from './read';
import {
  CHECKPOINTS_DIR, CONFIG_FILE, DEVICE_DIR, METRICS_FILE, STATUS_FILE,
  type DeviceResult, type ExperimentConfig, type ExperimentStatus,
} from './types';

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
  // an imported run was not trained by an optimizer here: its id says where it came from
  const baseId = makeExperimentId(now, init.model.name, init.engine === 'import' ? 'import' : init.optimizer.kind);
  mkdirSync(root, { recursive: true });
  const staging = path.join(root, `.staging-${baseId}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  mkdirSync(path.join(staging, CHECKPOINTS_DIR));
  const iso = now.toISOString();
  const status: ExperimentStatus = { formatVersion: EXPERIMENT_FORMAT_VERSION, state: 'running', pid: opts.pid ?? process.pid, startedAt: iso, updatedAt: iso, epoch: 0, step: 0, ...opts.status };
  try {
    for (let attempt = 1; attempt <= (opts.maxAttempts ?? 1000); attempt++) {
      const id = withClashSuffix(baseId, attempt);
      const dir = path.join(root, id);
      if (existsSync(dir)) continue;
      const { createdAt: _c, ...rest } = init;
      const config: ExperimentConfig = { formatVersion: EXPERIMENT_FORMAT_VERSION, id, createdAt: init.createdAt ?? iso, ...rest };
      assertValid(CONFIG_FILE, validateConfig(config));
      assertValid(STATUS_FILE, validateStatus(status));
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
  assertValid(STATUS_FILE, validateStatus(status));
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
  assertValid(STATUS_FILE, validateStatus(next));
  writeJsonAtomic(file, next);
  return next;
}

/** Replaces config.json atomically (e.g. a resumed run recording `resumedFrom`). */
export function writeConfig(experimentDir: string, config: ExperimentConfig): void {
  assertValid(CONFIG_FILE, validateConfig(config));
  writeJsonAtomic(path.join(experimentDir, CONFIG_FILE), config);
}

/**
 * Gives the run a display name (labels.ts), or takes it away (undefined): config.json is rewritten atomically, the
 * folder and its id stay. A running trainer writes config.json only as it starts, so a rename mid-run is kept.
 */
export function renameExperiment(experimentDir: string, name: string | undefined): ExperimentConfig {
  const config = readConfigFile(experimentDir);
  const trimmed = name?.trim();
  if (trimmed !== undefined && trimmed !== '') {
    const problem = runNameProblem(trimmed);
    if (problem) throw new Error(problem);
  }
  const { name: _old, ...rest } = config;
  const next: ExperimentConfig = trimmed ? { ...rest, name: trimmed } : rest;
  writeConfig(experimentDir, next);
  return next;
}

/** Saves an on-device benchmark result as device/<board>-<time>.json (atomic). Returns the file path. */
export function writeDeviceResult(experimentDir: string, result: DeviceResult): string {
  const dir = path.join(experimentDir, DEVICE_DIR);
  mkdirSync(dir, { recursive: true });
  const t = new Date(result.time);
  const stamp = Number.isNaN(t.getTime()) ? timeStamp(new Date()) : timeStamp(t);
  let file = path.join(dir, `${idSlug(result.board, 'board')}-${stamp}.json`);
  for (let i = 2; existsSync(file); i++) file = path.join(dir, `${idSlug(result.board, 'board')}-${stamp}-${i}.json`);
  writeJsonAtomic(file, { formatVersion: EXPERIMENT_FORMAT_VERSION, ...result });
  return file;
}


/**
 * Writes a checkpoint folder atomically: files go into a hidden staging folder which is renamed to `name`. An existing
 * checkpoint of that name is moved aside first and removed afterwards, so a crash leaves either the old or the new one
 * complete (or, in the instant between the two renames, the old one under `.old-…`); prefer a new name per epoch and
 * point status.lastCheckpoint at it after this returns.
 */
export function writeCheckpoint(experimentDir: string, name: string, files: Record<string, string | Uint8Array>): string {
  if (!CHECKPOINT_NAME.test(name)) throw new Error(`invalid checkpoint name '${name}'`);
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
      old = path.join(root, `${ASIDE_PREFIX}${name}-${suffix}`);
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

// ---- deleting ---------------------------------------------------------------------------------------------------

export interface DeleteOptions {
  /** The experiments folder the experiment must be directly inside (refuses anything else). */
  root?: string;
  /** Delete even while its trainer is running. */
  force?: boolean;
  isAlive?: (pid: number) => boolean;
}

/** What deleteExperiment removed: the folder, or only the symlink that listed it (the run's files stay where they are). */
export interface Deleted {
  removed: 'folder' | 'link';
  /** For a link: the folder it pointed to, left in place. */
  target?: string;
}

/**
 * Deletes an experiment folder, refusing anything that is not one: a folder without any experiment file, a folder
 * outside `root`, or a running experiment (unless forced). The folder is first renamed to a hidden name, so it
 * vanishes from listings at once and a crash mid-delete never leaves a half-deleted experiment on show. A symlinked
 * experiment (read.ts symlinkProblem: followed like a folder) is deleted by removing the link only: a run kept on
 * another disk is not destroyed through a link.
 */
export function deleteExperiment(dir: string, opts: DeleteOptions = {}): Deleted {
  const abs = path.resolve(dir);
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    throw new Error(`cannot delete ${abs}: no such experiment folder`);
  }
  const link = st.isSymbolicLink();
  const linkProblem = link ? symlinkProblem(abs) : undefined;
  if (!link && !st.isDirectory()) throw new Error(`refusing to delete ${abs}: not a folder`);
  if (path.basename(abs).startsWith('.')) throw new Error(`refusing to delete ${abs}: not an experiment folder`);
  if (opts.root !== undefined && path.dirname(abs) !== path.resolve(opts.root)) throw new Error(`refusing to delete ${abs}: not directly inside the experiments folder ${path.resolve(opts.root)}`);
  if (link && linkProblem) {
    // a broken or looping link lists as a problem; removing it touches nothing else
    unlinkSync(abs);
    return { removed: 'link' };
  }
  if (!looksLikeExperiment(abs)) throw new Error(`refusing to delete ${abs}: it has no ${CONFIG_FILE}, ${STATUS_FILE} or ${METRICS_FILE}, so it is not an experiment`);
  if (!opts.force) {
    const holder = lockHolder(abs, { isAlive: opts.isAlive });
    if (holder) throw new Error(`experiment ${path.basename(abs)} is still running (process ${holder.pid}, ${holder.purpose}); stop it first`);
    const s = readJsonSync(path.join(abs, STATUS_FILE));
    if (s.value !== undefined && validateStatus(s.value) === undefined) {
      const status = s.value as ExperimentStatus;
      if (runState(abs, status, opts.isAlive) === 'running') throw new Error(`experiment ${path.basename(abs)} is still running (pid ${status.pid}); stop it first`);
    }
  }
  if (link) {
    const target = realpathSync(abs);
    unlinkSync(abs);
    return { removed: 'link', target };
  }
  const trash = path.join(path.dirname(abs), `.deleting-${path.basename(abs)}-${randomBytes(4).toString('hex')}`);
  renameSync(abs, trash);
  rmSync(trash, { recursive: true, force: true });
  return { removed: 'folder' };
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
