/**
 * Runs a DataTask on the data worker: a fresh worker_threads thread per task, ended when the task ends or its signal
 * aborts (the promise then rejects with an AbortError). From the bundles the worker is dist/dataWorker.js beside
 * the calling bundle; from source (tests) it is worker.ts through tsx.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROTOCOL_VERSION, type DataTask, type DataTaskResults, type DataWorkerToHost, type HostToDataWorker } from '../messages';
import { DataError } from './errors';
import type { LoadProgress } from './imageFolder';

function startWorker(distDir?: string): Worker {
  if (__filename.endsWith('.ts')) {
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))});`, { eval: true });
  }
  for (const d of [distDir, __dirname].filter((x): x is string => !!x)) {
    const f = path.join(d, 'dataWorker.js');
    if (fs.existsSync(f)) return new Worker(f);
  }
  throw new Error(`the data worker (dataWorker.js) was not found next to ${__dirname}; run 'npm run build'`);
}

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export interface DataWorkerOptions {
  signal?: AbortSignal;
  progress?: LoadProgress;
  /** Where dataWorker.js is (the extension passes its dist/). */
  distDir?: string;
}

export function runInDataWorker<K extends DataTask['kind']>(task: Extract<DataTask, { kind: K }>, opts: DataWorkerOptions = {}): Promise<DataTaskResults[K]> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) { reject(abortError()); return; }
    let worker: Worker;
    try {
      worker = startWorker(opts.distDir);
    } catch (err) {
      reject(err as Error);
      return;
    }
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = (): void => finish(() => reject(abortError()));
    opts.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: DataWorkerToHost) => {
      if (m.type === 'progress') opts.progress?.(m.done, m.total, m.message);
      else if (m.type === 'result') finish(() => resolve(m.result as DataTaskResults[K]));
      else if (m.type === 'error') finish(() => reject(m.dataError ? new DataError(m.message) : new Error(m.message)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the data worker stopped (exit code ${code}) before answering`))));
    worker.postMessage({ v: PROTOCOL_VERSION, type: 'run', task } satisfies HostToDataWorker);
  });
}
