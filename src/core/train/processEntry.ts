/**
 * dist/trainWorker.js: one bundle for the trainer process (worker.ts, forked by the extension and the CLI) and its
 * data-parallel training threads (thread.ts, started by the trainer from this same file). Both carry the same
 * TensorFlow.js, backend and model code; as two bundles the .vsix held it twice (223 KB compressed). A worker thread
 * loads the file afresh, with its own module state, so each side runs only its own part.
 */
import { isMainThread } from 'node:worker_threads';

if (isMainThread) void import('./worker');
else void import('./thread');
