/**
 * One fuzz case for experiment folders: a copy of a real trained run, damaged by the case's edits, through the
 * listing, `bnn eval`, `bnn compile` and a resume. A case passes when each either works or answers with a clear message
 * — the CLI's InputError/UsageError, or for resume an Error naming a file or folder of the case — and none of them
 * writes into the folder while another live process holds its lock. Anything else (a TypeError, a stack trace, a
 * write into a locked folder) is a failure.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listExperiments } from '../../../src/core/experiments/read';
import { LOCK_FILE } from '../../../src/core/experiments/types';
import { resumeRun } from '../../../src/core/train/openRun';
import { evalCommand } from '../../../src/cli/commands/eval';
import { compileCommand } from '../../../src/cli/commands/compile';
import { InputError, UsageError } from '../../../src/cli/errors';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Edit {
  /** Path inside the experiment folder. */
  file: string;
  op: 'delete' | 'truncate' | 'garbage' | 'replaceJson' | 'editJson' | 'deleteKey' | 'dirInstead' | 'symlinkLoop';
  /** Where (a fraction of the file, or which JSON path), and what. */
  at: number;
  value: Json;
  bytes: number[];
}

export interface ExperimentCase {
  base: string;
  work: string;
  index: number;
  edits: Edit[];
  /** A live process (not this one) that holds the folder's lock in this case. */
  lockedBy?: { pid: number; startTime?: string; bootId?: string };
}

const INTERNAL = /\b(TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|is not iterable|of undefined|of null|Maximum call stack|internal error)\b|\n\s+at /;

type Path = (string | number)[];
function jsonPaths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => jsonPaths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) jsonPaths(v[k], [...at, k], out);
  return out;
}

function applyEdit(dir: string, e: Edit): void {
  const file = path.join(dir, e.file);
  let bytes: Buffer | undefined;
  try { bytes = fs.readFileSync(file); } catch { bytes = undefined; }
  switch (e.op) {
    case 'delete': fs.rmSync(file, { recursive: true, force: true }); return;
    case 'truncate': if (bytes) fs.writeFileSync(file, bytes.subarray(0, Math.floor(e.at * bytes.length))); return;
    case 'garbage': {
      const b = bytes ? Buffer.from(bytes) : Buffer.alloc(0);
      const at = Math.floor(e.at * b.length);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(Math.min(b.length, at + e.bytes.length))]));
      return;
    }
    case 'replaceJson': fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, JSON.stringify(e.value) ?? ''); return;
    case 'editJson':
    case 'deleteKey': {
      if (!bytes) return;
      let doc: Json;
      try { doc = JSON.parse(bytes.toString('utf8')) as Json; } catch { return; }
      const all = jsonPaths(doc).filter((p) => p.length > 0);
      if (!all.length) { fs.writeFileSync(file, JSON.stringify(e.value) ?? ''); return; }
      const p = all[Math.floor(e.at * all.length) % all.length];
      const parent = p.slice(0, -1).reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], doc) as Record<string | number, Json>;
      const key = p[p.length - 1];
      if (e.op === 'deleteKey') {
        if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key];
      } else parent[key] = structuredClone(e.value);
      fs.writeFileSync(file, JSON.stringify(doc));
      return;
    }
    case 'dirInstead': fs.rmSync(file, { recursive: true, force: true }); fs.mkdirSync(file, { recursive: true }); return;
    case 'symlinkLoop': fs.rmSync(file, { recursive: true, force: true }); fs.mkdirSync(path.dirname(file), { recursive: true }); fs.symlinkSync(e.at < 0.5 ? file : dir, file); return;
  }
}

/** Every file under `dir` (symlinks not followed) with a hash of its content: what "nothing was written" compares. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { out.set(p, 'dir'); walk(p); } else if (e.isSymbolicLink()) out.set(p, `link:${fs.readlinkSync(p)}`);
      else out.set(p, crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

function clearCliError(err: unknown, what: string): string | undefined {
  if (!(err instanceof InputError || err instanceof UsageError)) return `${what} threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.stack ?? err}`;
  if (!err.message.trim() || INTERNAL.test(err.message)) return `${what} said: ${err.message}`;
  return undefined;
}

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await run();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export async function check(c: ExperimentCase): Promise<{ error?: string; stats?: string[] }> {
  const root = path.join(c.work, `case-${c.index}`);
  const dir = path.join(root, 'run');
  const stats: string[] = [];
  fs.rmSync(root, { recursive: true, force: true });
  fs.cpSync(c.base, dir, { recursive: true });
  try {
    for (const e of c.edits) {
      // an edit that cannot be made after an earlier one (a file under what is now a symlink loop) is skipped
      try { applyEdit(dir, e); } catch { stats.push('edit skipped'); }
    }
    if (c.lockedBy) {
      fs.rmSync(path.join(dir, LOCK_FILE), { recursive: true, force: true });
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ formatVersion: 1, ...c.lockedBy, host: os.hostname(), purpose: 'training', createdAt: new Date().toISOString(), token: 'fuzz' }));
    }
    const before = c.lockedBy ? snapshot(dir) : undefined;

    const list = await listExperiments(root);
    const info = list.find((x) => x.id === 'run');
    if (!info) return { error: `the listing lost the experiment (got ${list.map((x) => x.id).join(', ')})` };
    if (!info.problems.every((p) => typeof p === 'string' && p.trim() !== '' && !INTERNAL.test(p))) return { error: `listing problems: ${JSON.stringify(info.problems)}` };
    stats.push(info.problems.length ? 'listed with problems' : 'listed clean');

    try {
      await quietly(() => evalCommand.run([dir, '--max-samples', '8']));
      stats.push('eval ok');
    } catch (err) {
      const bad = clearCliError(err, 'bnn eval');
      if (bad) return { error: bad };
      stats.push('eval refused');
    }
    try {
      await quietly(() => compileCommand.run([dir, '--out', path.join(root, 'compiled')]));
      stats.push('compile ok');
    } catch (err) {
      const bad = clearCliError(err, 'bnn compile');
      if (bad) return { error: bad };
      stats.push('compile refused');
    }
    try {
      const run = await resumeRun(dir, root, (config) => config);
      run.lock.release();
      if (c.lockedBy) return { error: 'resume opened a folder another live process holds' };
      stats.push('resume ok');
    } catch (err) {
      const e = err as Error;
      if (!(e instanceof Error) || e.constructor.name === 'TypeError' || e.constructor.name === 'RangeError') return { error: `resume threw ${e?.stack ?? e}` };
      if (INTERNAL.test(e.message) || !e.message.includes(root)) return { error: `resume said: ${e.message}` };
      stats.push('resume refused');
    }

    if (before) {
      const after = snapshot(dir);
      for (const [p, h] of after) if (before.get(p) !== h) return { error: `${p} was written while another process held the folder` };
      for (const p of before.keys()) if (!after.has(p)) return { error: `${p} was removed while another process held the folder` };
      stats.push('locked: untouched');
    }
    return { stats };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
