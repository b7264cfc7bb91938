/**
 * The data worker (a worker_threads thread, dist/dataWorker.js): runs one DataTask (tasks.ts) and posts its progress
 * and result. The host ends it with terminate() — the only way to stop a synchronous decode midway.
 */
import { parentPort } from 'node:worker_threads';
import { PROTOCOL_VERSION, type DataWorkerToHost, type HostToDataWorker } from '../messages';
import { DataError } from './errors';
import { runDataTask } from './tasks';

/** Progress posts at most this often: a 10,000-image decode must not flood the host. */
const PROGRESS_INTERVAL_MS = 100;

function transferables(result: unknown): ArrayBuffer[] {
  const r = result as { images?: unknown; labels?: unknown };
  return [r.images, r.labels].filter((a): a is Uint8Array => a instanceof Uint8Array).map((a) => a.buffer as ArrayBuffer);
}

const port = parentPort;
if (port) {
  const post = (m: DataWorkerToHost, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  port.once('message', (m: HostToDataWorker) => {
    if (!m || m.v !== PROTOCOL_VERSION || m.type !== 'run') {
      post({ v: PROTOCOL_VERSION, type: 'error', message: `data worker: unexpected message ${JSON.stringify(m)?.slice(0, 100)}`, dataError: false });
      return;
    }
    let last = 0;
    try {
      const result = runDataTask(m.task, (done, total, message) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        post({ v: PROTOCOL_VERSION, type: 'progress', done, total, message });
      });
      post({ v: PROTOCOL_VERSION, type: 'result', result }, transferables(result));
    } catch (err) {
      const e = err as Error;
      post({ v: PROTOCOL_VERSION, type: 'error', message: e instanceof DataError ? e.message : (e.stack ?? e.message), dataError: e instanceof DataError });
    }
  });
}
