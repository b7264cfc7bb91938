/**
 * One fuzz case for experiment folders: a copy of a real trained run, damaged as the case says, then listed, evaluated,
 * compiled and resumed in-process. Each must give a result or a clear error — an InputError from the CLI commands, or
 * an error that names the experiment or the file — never a TypeError/RangeError/raw JSON error; and a folder another
 * live process owns must not change at all.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileCommand } from '../../../src/cli/commands/compile';
import { evalCommand } from '../../../src/cli/commands/eval';
import { InputError, UsageError } from '../../../src/cli/errors';
import { listExperiments } from '../../../src/core/experiments/read';
import { resumeRun } from '../../../src/core/train/openRun';

export type Damage =
  | { kind: 'truncate'; file: number; at: number }
  | { kind: 'garbage'; file: number; bytes: number[] }
  | { kind: 'delete'; file: number }
  | { kind: 'empty'; file: number }
  | { kind: 'json'; file: number; text: string }
  | { kind: 'jsonField'; file: number; field: number; value: unknown }
  | { kind: 'dir'; file: number }
  | { kind: 'dangling'; file: number };

export interface ExperimentCase {
  template: string;
  root: string;
  index: number;
  damages: Damage[];
  /** lock.json text of a live process, written into the folder: nothing may change in it. */
  liveLock?: string;
}

/** Files that, when only they are damaged, must not stop eval and compile from giving the right answer. */
const INCIDENTAL = /^(metrics\.jsonl|device\/.*)$/;
const UNCLEAR = new Set(['TypeError', 'RangeError', 'ReferenceError']);

function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...files(dir, r)); else out.push(r);
  }
  return out;
}

function snapshot(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      h.update(`${r}\0${e.isDirectory() ? 'd' : e.isSymbolicLink() ? `l${fs.readlinkSync(path.join(dir, r))}` : 'f'}\0`);
      if (e.isDirectory()) walk(r); else if (e.isFile()) h.update(fs.readFileSync(path.join(dir, r)));
    }
  };
  walk('');
  return h.digest('hex');
}

function damage(dir: string, list: string[], d: Damage): string {
  const rel = list[d.file % list.length];
  const f = path.join(dir, rel);
  if (!fs.existsSync(f) || !fs.statSync(f).isFile()) return rel;
  switch (d.kind) {
    case 'truncate': { const b = fs.readFileSync(f); fs.writeFileSync(f, b.subarray(0, b.length ? d.at % b.length : 0)); break; }
    case 'garbage': { const b = fs.readFileSync(f); const at = b.length ? d.bytes[0] % b.length : 0; b.set(Uint8Array.from(d.bytes).subarray(0, Math.max(0, b.length - at)), at); fs.writeFileSync(f, b); break; }
    case 'delete': fs.unlinkSync(f); break;
    case 'empty': fs.writeFileSync(f, ''); break;
    case 'json': fs.writeFileSync(f, d.text); break;
    case 'jsonField': {
      let v: unknown;
      try { v = JSON.parse(fs.readFileSync(f, 'utf8')); } catch { break; }
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const keys = Object.keys(v);
        if (keys.length) (v as Record<string, unknown>)[keys[d.field % keys.length]] = d.value;
        fs.writeFileSync(f, JSON.stringify(v));
      }
      break;
    }
    case 'dir': fs.unlinkSync(f); fs.mkdirSync(f); break;
    case 'dangling': fs.unlinkSync(f); fs.symlinkSync(path.join(dir, 'no-such-target'), f); break;
  }
  return rel;
}

/** Keeps the commands' output out of the test log; the text is looked at for stack traces. */
function quietly<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; output: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let output = '';
  const capture = (chunk: unknown): boolean => { output += String(chunk); return true; };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return fn().then((value) => ({ value, output }), (error: unknown) => ({ error, output })).finally(() => {
    process.stdout.write = out;
    process.stderr.write = err;
  });
}

/** FUZZ_VERBOSE=1 counts each distinct refusal message (paths and numbers folded), to read what users would see. */
function normalize(message: string, root: string): string {
  return message.split(root).join('<root>').replace(/case-\d+/g, 'case-N').replace(/\d+/g, 'N').slice(0, 300);
}

function unclear(what: string, e: unknown, id: string, touched: string[]): string | undefined {
  if (!(e instanceof Error)) return `${what} threw a non-error: ${String(e)}`;
  if (e instanceof InputError || e instanceof UsageError) {
    if (/\n\s+at /.test(e.message)) return `${what}: a stack trace in the message: ${e.message}`;
    return undefined;
  }
  if (UNCLEAR.has(e.name)) return `${what}: ${e.name}: ${e.message}`;
  const names = [id, 'config.json', 'status.json', 'lock.json', 'training-state', 'model.json', 'weights.bin', 'binary-weights.json', 'checkpoint', ...touched.map((t) => path.basename(t))];
  if (!names.some((n) => e.message.includes(n))) return `${what}: an error that names neither the experiment nor a file: ${e.name}: ${e.message}`;
  return undefined;
}

export async function check(c: ExperimentCase): Promise<{ error?: string; stats?: string[] }> {
  const id = path.basename(c.template);
  const experiments = path.join(c.root, `case-${c.index}`);
  const dir = path.join(experiments, id);
  fs.cpSync(c.template, dir, { recursive: true });
  const list = files(dir);
  const touched = c.damages.map((d) => damage(dir, list, d));
  if (c.liveLock) fs.writeFileSync(path.join(dir, 'lock.json'), c.liveLock);
  const before = c.liveLock ? snapshot(dir) : '';
  const problems: string[] = [];
  const stats: string[] = [];

  try {
    const infos = await listExperiments(experiments);
    if (infos.length !== 1 || infos[0].id !== id) problems.push(`list: expected the one experiment ${id}, got ${JSON.stringify(infos.map((i) => i.id))}`);
  } catch (e) {
    problems.push(`list threw: ${(e as Error).stack}`);
  }
  const mustWork = touched.every((t) => INCIDENTAL.test(t));
  for (const [what, run] of [
    ['eval', () => evalCommand.run([id, '--experiments', experiments, '--max-samples', '20'])],
    ['compile', () => compileCommand.run([dir, '--out', path.join(c.root, `out-${c.index}`)])],
  ] as const) {
    const r = await quietly(run);
    if (r.error !== undefined) {
      const u = unclear(what, r.error, id, touched);
      if (u) problems.push(u);
      else if (mustWork) problems.push(`${what} failed although only ${touched.join(', ')} was damaged: ${(r.error as Error).message}`);
      else stats.push(`${what} refused`, ...(process.env.FUZZ_VERBOSE ? [`${what}: ${normalize((r.error as Error).message, c.root)}`] : []));
    } else {
      stats.push(`${what} ok`);
    }
    if (/\n\s+at .+:\d+:\d+\)?\n/.test(r.output)) problems.push(`${what} printed a stack trace:\n${r.output.slice(0, 600)}`);
  }
  const resumed = await quietly(() => resumeRun(id, experiments, (config) => config));
  if (resumed.error !== undefined) {
    const u = unclear('resume', resumed.error, id, touched);
    if (u) problems.push(u);
    else stats.push(c.liveLock && /in use: process \d+/.test((resumed.error as Error).message) ? 'resume refused: live owner' : 'resume refused', ...(process.env.FUZZ_VERBOSE ? [`resume: ${normalize((resumed.error as Error).message, c.root)}`] : []));
  } else {
    if (c.liveLock) problems.push('resume took a folder that a live process holds');
    resumed.value!.lock.release();
    stats.push('resume ok');
  }
  if (c.liveLock && snapshot(dir) !== before) problems.push('a folder owned by a live process was written to');
  fs.rmSync(experiments, { recursive: true, force: true });
  fs.rmSync(path.join(c.root, `out-${c.index}`), { recursive: true, force: true });
  return problems.length ? { error: `damaged ${touched.join(', ')}${c.liveLock ? ' (live owner)' : ''}: ${problems.join(' | ')}`, stats } : { stats };
}
