/**
 * Starting the trainer process from a host (extension, CLI): forks dist/trainWorker.js when running from the bundles,
 * or src/core/train/worker.ts through tsx when running from source (tests).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TrainerEntry {
  file: string;
  execArgv: string[];
}

/** Where the worker is, looked for next to the calling bundle first. `distDir` overrides (the extension passes its own). */
export function trainerEntry(distDir?: string): TrainerEntry {
  const dirs = [distDir, __dirname, path.join(__dirname, '..', '..', '..', 'dist')].filter((d): d is string => !!d);
  for (const d of dirs) {
    const f = path.join(d, 'trainWorker.js');
    if (fs.existsSync(f)) return { file: f, execArgv: [] };
  }
  const src = path.join(__dirname, 'worker.ts');
  if (fs.existsSync(src)) return { file: src, execArgv: ['--import', 'tsx'] };
  throw new Error(`the trainer (trainWorker.js) was not found next to ${__dirname}; run 'npm run build'`);
}

/**
 * Forks the trainer with an IPC channel. stderr is piped so hosts can report its tail when the process dies;
 * stdout is ignored (the worker speaks over IPC only). `memoryMb` caps the V8 heap so an OOM kills the child, not the host.
 */
export function forkTrainer(opts: { distDir?: string; memoryMb?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const entry = trainerEntry(opts.distDir);
  const execArgv = [...entry.execArgv];
  if (opts.memoryMb) execArgv.push(`--max-old-space-size=${opts.memoryMb}`);
  return fork(entry.file, [], { execArgv, cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
}

/** Keeps the last `max` characters of a stream (the stderr tail for a crashed trainer). */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 4000) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  toString(): string {
    return this.text;
  }
}
