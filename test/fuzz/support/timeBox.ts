/**
 * Runs fuzz cases in a worker thread so that a case that hangs (an endless loop is synchronous: no timer in the same
 * thread can stop it) is caught: the worker publishes the index of the case it is on in shared memory, and when that
 * index stays put for longer than the per-case limit the worker is terminated, the case is recorded as a hang, and a
 * fresh worker carries on after it.
 */
import { Worker } from 'node:worker_threads';

export interface CaseFailure<T> {
  index: number;
  input: T;
  error: string;
}

export interface FuzzRun<T> {
  failures: CaseFailure<T>[];
  /** Counters the checker returned (e.g. how many cases were valid and compiled). */
  stats: Record<string, number>;
  ms: number;
}

/**
 * `checker` is a module path exporting `check(input)` → `{ error?: string; stats?: string[] }` or a promise of it
 * (a promise that never settles counts as a hang too). TypeScript is loaded
 * through tsx, as in the unit tests. Inputs must be structured-cloneable.
 */
export async function runTimeBoxed<T>(checker: string, inputs: T[], perCaseMs: number): Promise<FuzzRun<T>> {
  const t0 = Date.now();
  const failures: CaseFailure<T>[] = [];
  const stats: Record<string, number> = {};
  let next = 0;
  while (next < inputs.length) {
    const progress = new Int32Array(new SharedArrayBuffer(8));
    const start = next;
    const worker = new Worker(
      `require('tsx/cjs');
       const { workerData, parentPort } = require('node:worker_threads');
       const { check } = require(workerData.checker);
       const p = new Int32Array(workerData.progress);
       (async () => {
         for (let i = workerData.start; i < workerData.inputs.length; i++) {
           Atomics.store(p, 0, i);
           Atomics.add(p, 1, 1);
           let r;
           try { r = await check(workerData.inputs[i]); } catch (e) { r = { error: 'the checker threw: ' + (e && e.stack || e) }; }
           parentPort.postMessage({ i, error: r && r.error, stats: r && r.stats });
         }
         Atomics.store(p, 0, -1);
       })();`,
      { eval: true, workerData: { checker, inputs, start, progress: progress.buffer } },
    );
    const outcome = await new Promise<{ hungAt?: number }>((resolve, reject) => {
      let seen = -1;
      let since = Date.now();
      let hungAt: number | undefined;
      worker.on('message', (m: { i: number; error?: string; stats?: string[] }) => {
        next = m.i + 1;
        if (m.error) failures.push({ index: m.i, input: inputs[m.i], error: m.error });
        for (const s of m.stats ?? []) stats[s] = (stats[s] ?? 0) + 1;
      });
      worker.on('error', reject);
      // Terminating a hung worker also ends in 'exit': one place resolves, with the hung case if there was one.
      worker.on('exit', () => { clearInterval(timer); resolve({ hungAt }); });
      const timer = setInterval(() => {
        const ticks = Atomics.load(progress, 1);
        if (ticks !== seen) { seen = ticks; since = Date.now(); return; }
        if (Atomics.load(progress, 0) >= 0 && Date.now() - since > perCaseMs) {
          clearInterval(timer);
          hungAt = Atomics.load(progress, 0);
          void worker.terminate();
        }
      }, 20);
    });
    const unfinished = Atomics.load(progress, 0);
    if (outcome.hungAt !== undefined) {
      failures.push({ index: outcome.hungAt, input: inputs[outcome.hungAt], error: `no answer within ${perCaseMs} ms (a hang)` });
      next = outcome.hungAt + 1;
    } else if (unfinished >= 0 && unfinished >= next) {
      // The worker ran out of work while a case was still pending: its promise can never settle.
      failures.push({ index: unfinished, input: inputs[unfinished], error: 'the check never settled (a promise nothing resolves)' });
      next = unfinished + 1;
    } else if (next < inputs.length && next === start) {
      throw new Error('the fuzz worker exited without running any case');
    }
  }
  return { failures, stats, ms: Date.now() - t0 };
}

/** A seed from FUZZ_SEED, or a fresh one that the run prints so a failure can be replayed. */
export function fuzzSeed(): number {
  const env = process.env.FUZZ_SEED;
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}
