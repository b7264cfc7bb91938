/**
 * One writer per experiment folder. The trainer (new run or resume) holds `lock.json` — pid, the process's start time
 * and boot id, host — for as long as it writes; a second writer is refused with the holder's pid. A lock whose process
 * is gone (kill -9, crash, reboot) or whose pid now belongs to another process (same pid, other start time) is stale
 * and taken over. A plain pid file, not a library: the exported Python trainer takes the same lock with a few lines.
 *
 * The file is written complete under a temp name and hard-linked into place: link() fails if the name exists, so
 * exactly one of two racing writers gets it, and a reader never sees a half-written lock.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCK_FILE } from './types';

export interface LockInfo {
  formatVersion: 1;
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks since boot) on Linux; absent where the system does not tell. */
  startTime?: string;
  bootId?: string;
  host: string;
  /** What the holder does ('training', 'resume'), for the refusal message. */
  purpose: string;
  createdAt: string;
  /** Tells this holder's lock from a later one of the same pid. */
  token: string;
}

export class ExperimentLockedError extends Error {
  constructor(readonly dir: string, readonly holder: LockInfo) {
    const other = holder.host !== os.hostname() ? ` on host ${holder.host}` : '';
    super(`experiment folder ${dir} is in use: process ${holder.pid}${other} (${holder.purpose}, since ${holder.createdAt}) is writing to it; `
      + `wait for it to finish or stop it first${other ? ` (if nothing there runs any more, delete ${path.join(dir, LOCK_FILE)})` : ''}`);
    this.name = 'ExperimentLockedError';
  }
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

/** A process's start time as the kernel counts it, so a reused pid is told from the original holder. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and ')', so count fields after its last ')': start time is field 22
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface LockCheck {
  isAlive?: (pid: number) => boolean;
  startTimeOf?: (pid: number) => string | undefined;
}

/** Whether the holder of `info` still runs. Another host's lock cannot be checked, so it counts as live. */
export function lockIsLive(info: LockInfo, check: LockCheck = {}): boolean {
  if (info.host !== os.hostname()) return true;
  if (info.bootId !== undefined && bootId() !== undefined && info.bootId !== bootId()) return false;
  if (!(check.isAlive ?? isProcessAlive)(info.pid)) return false;
  const now = (check.startTimeOf ?? processStartTime)(info.pid);
  return info.startTime === undefined || now === undefined || now === info.startTime;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v !== 'object' || v === null || !(Number.isInteger(v.pid) && v.pid! > 0) || typeof v.host !== 'string' || typeof v.token !== 'string') return undefined;
    return v as LockInfo;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The live holder of an experiment's lock, or undefined when it is free (no lock, or a stale or unreadable one). */
export function lockHolder(dir: string, check: LockCheck = {}): LockInfo | undefined {
  const text = readText(path.join(dir, LOCK_FILE));
  const info = text === undefined ? undefined : parseLock(text);
  return info && lockIsLive(info, check) ? info : undefined;
}

/** Whether `dir` has a lock and whether its holder runs: 'none' also for an unreadable lock.json (no holder to check). */
export function lockState(dir: string, check: LockCheck = {}): 'live' | 'stale' | 'none' {
  const text = readText(path.join(dir, LOCK_FILE));
  const info = text === undefined ? undefined : parseLock(text);
  if (!info) return 'none';
  return lockIsLive(info, check) ? 'live' : 'stale';
}

export interface ExperimentLock {
  readonly dir: string;
  readonly info: LockInfo;
  /** Removes the lock if it is still this holder's; safe to call twice. */
  release(): void;
}

/** Takes the lock of `dir` (which must exist) or throws ExperimentLockedError naming the live holder. */
export function acquireLock(dir: string, purpose: string, check: LockCheck = {}): ExperimentLock {
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = {
    formatVersion: 1, pid: process.pid, startTime: processStartTime(process.pid), bootId: bootId(), host: os.hostname(),
    purpose, createdAt: new Date().toISOString(), token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(info, null, 2)}\n`;
  const tmp = path.join(dir, `.${LOCK_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, text, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, file);
        return { dir, info, release: () => releaseLock(file, info.token) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = readText(file);
      if (seen === undefined) continue; // released meanwhile
      const holder = parseLock(seen);
      if (holder && lockIsLive(holder, check)) throw new ExperimentLockedError(dir, holder);
      takeOverStale(file, seen);
    }
    throw new Error(`cannot lock experiment folder ${dir}: its ${LOCK_FILE} keeps changing (another process is taking it)`);
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
}

/**
 * Removes a stale lock: moved aside first, so if another process replaced it meanwhile with a live lock of its own,
 * that one is what was moved and it is put back.
 */
function takeOverStale(file: string, staleText: string): void {
  const aside = `${path.join(path.dirname(file), `.${LOCK_FILE}.stale-${process.pid}-${randomBytes(4).toString('hex')}`)}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // gone already: retry
  }
  if (readText(aside) !== staleText) {
    try { linkSync(aside, file); } catch { /* a third writer holds it now; the retry sees that one */ }
  }
  try { unlinkSync(aside); } catch { /* already gone */ }
}

/**
 * After a writer died (the trainer host saw its process end): removes its lock if it is still there and really stale.
 * Returns the live holder instead when another process holds the folder now, so the caller does not write into it.
 */
export function clearDeadWritersLock(dir: string, pid: number, check: LockCheck = {}): LockInfo | undefined {
  const file = path.join(dir, LOCK_FILE);
  const text = readText(file);
  const info = text === undefined ? undefined : parseLock(text);
  if (!info) return undefined;
  if (lockIsLive(info, check)) return info.pid === pid ? undefined : info;
  if (info.pid === pid) takeOverStale(file, text!);
  return undefined;
}

function releaseLock(file: string, token: string): void {
  const held = parseLock(readText(file) ?? '');
  if (held?.token !== token) return;
  try { unlinkSync(file); } catch { /* already gone */ }
}
