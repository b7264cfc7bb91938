/**
 * How many data-parallel training threads a run uses, and where the thread's code is. Free of TensorFlow.js so the
 * extension host and the CLI can show and check the value without loading it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** More threads than this never paid off for the templates' sizes (each thread holds a full model replica). */
export const MAX_DEFAULT_THREADS = 8;
/** Hard limit of an explicit thread count. */
export const MAX_THREADS = 64;
/** A default shard below this many samples costs more in per-step overhead than its thread gains. */
const MIN_DEFAULT_SHARD = 25;
/**
 * Every thread repeats a step's fixed cost — TF.js op dispatch and the weight-sized operations of the backward pass —
 * and only the per-sample work is divided. Measured on wasm (BENCHMARKS.md, section Training): the binary MLP
 * template (multiply-accumulates per sample = its parameter count) costs ~12 ms of CPU per step plus ~0.05 ms per
 * sample; at batch 100 (shards of 50 MACs per parameter) two threads took 1.6× the CPU time of one — at best ~1.2×
 * faster on two idle cores, slower on shared ones. The binary CNN (~30 MACs per parameter and sample; shards of
 * ~1,500) split at ~90% efficiency. A default thread gets a shard of at least this many MACs per trainable parameter,
 * a threshold between those two measured points.
 */
const MIN_SHARD_MACS_PER_PARAM = 150;

/** The work of one training sample relative to the model's size (from the model: MACs per sample, trainable parameters). */
export interface ModelWork {
  macsPerSample: number;
  params: number;
}

/**
 * The default: one thread per available core, at most MAX_DEFAULT_THREADS, at least MIN_DEFAULT_SHARD samples and
 * MIN_SHARD_MACS_PER_PARAM × parameters of work per shard. tfjs-node runs libtensorflow's own thread pool, so it
 * trains on one thread.
 */
export function defaultThreads(backend: string, batchSize: number, work?: ModelWork, cores = availableCores()): number {
  if (backend === 'tensorflow') return 1;
  let t = Math.min(cores, MAX_DEFAULT_THREADS, Math.floor(batchSize / MIN_DEFAULT_SHARD));
  if (work && work.params > 0) t = Math.min(t, Math.floor((batchSize * work.macsPerSample) / (MIN_SHARD_MACS_PER_PARAM * work.params)));
  return Math.max(1, t);
}

export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Checks an explicit thread count; returns the message of what is wrong, or undefined. */
export function threadsProblem(threads: number): string | undefined {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) return `threads must be an integer from 1 to ${MAX_THREADS} (got ${threads})`;
  return undefined;
}

/** Backend text recorded in the experiment and shown next to it, e.g. "wasm (SIMD) × 2 data-parallel threads". */
export function describeThreads(backendDescription: string, threads: number): string {
  return threads > 1 ? `${backendDescription} × ${threads} data-parallel threads` : `${backendDescription}, 1 thread`;
}

export type ThreadEntry = { kind: 'file'; file: string } | { kind: 'eval'; code: string };

/**
 * The training thread's code: the running bundle itself when it is dist/trainWorker.js (processEntry.ts runs thread.ts
 * in a worker thread), a trainThread.cjs next to it (the benchmarks bundle one), or — running from source under tsx
 * (tests) — thread.ts through tsx's require hook.
 */
export function threadEntry(): ThreadEntry {
  if (__filename.endsWith('.ts')) {
    const src = path.join(__dirname, 'thread.ts');
    return { kind: 'eval', code: `require('tsx/cjs'); require(${JSON.stringify(src)});` };
  }
  const bench = path.join(__dirname, 'trainThread.cjs');
  if (fs.existsSync(bench)) return { kind: 'file', file: bench };
  const bundle = path.join(__dirname, 'trainWorker.js');
  if (fs.existsSync(bundle)) return { kind: 'file', file: bundle };
  throw new Error(`the training thread's code (trainWorker.js) was not found next to ${__dirname}; run 'npm run build'`);
}
