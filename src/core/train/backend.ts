/**
 * Chooses the TensorFlow.js backend for training: tfjs-node (native libtensorflow) when it really loads, else the
 * WebAssembly backend with SIMD, else plain JS cpu. The wasm backend lacks Conv2DBackpropFilter; the model never asks
 * for it because its convolutions carry their own gradient (see conv.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** Human description, e.g. "wasm (SIMD)" (the trainer adds the thread count). */
  description: string;
  /** Why better backends were not used (empty when the first choice loaded). */
  notes: string[];
}

let current: BackendInfo | undefined;
let wasmPathsSet = false;

/**
 * Where the wasm binaries are: next to the bundle (dist/, copied there by the build), else in the nearest
 * node_modules/@tensorflow/tfjs-backend-wasm/dist above this file (running from source). Looked up on disk rather than
 * with require.resolve, which the bundler would turn into a run-time dependency on the package.
 */
function wasmDir(): string | undefined {
  const file = 'tfjs-backend-wasm-simd.wasm';
  if (fs.existsSync(path.join(__dirname, file))) return __dirname;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const d = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
    if (fs.existsSync(path.join(d, file))) return d;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function tryTensorflow(notes: string[]): Promise<boolean> {
  try {
    // tfjs-node is optional and may be present but broken (installed with --ignore-scripts: its native addon is
    // missing and require throws something other than MODULE_NOT_FOUND), so every error means "not available".
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const node = require('@tensorflow/tfjs-node') as { engine?: () => unknown };
    if (node.engine && node.engine() !== tf.engine()) {
      notes.push('tfjs-node loaded but registers into another copy of tfjs-core (bundled build); not used');
      return false;
    }
    await tf.setBackend('tensorflow');
    return tf.getBackend() === 'tensorflow';
  } catch (err) {
    notes.push(`tfjs-node unavailable: ${firstLine(err)}`);
    return false;
  }
}

async function tryWasm(notes: string[]): Promise<boolean> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const dir = wasmDir();
    if (!dir) {
      notes.push('wasm backend: tfjs-backend-wasm-simd.wasm not found next to the bundle or in node_modules');
      return false;
    }
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    // tfjs refuses new paths once the wasm module is initialised (a second initBackend in the same process)
    if (!wasmPathsSet) wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': prefix + 'tfjs-backend-wasm.wasm',
      'tfjs-backend-wasm-simd.wasm': prefix + 'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm': prefix + 'tfjs-backend-wasm-threaded-simd.wasm',
    });
    wasmPathsSet = true;
    // Emscripten's Node glue installs process handlers that rethrow any uncaught error with the whole minified
    // module as its "source line"; our own error handling is better, so drop the handlers it adds.
    const before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
    const ok = await tf.setBackend('wasm');
    for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.removeListener('unhandledRejection', l);
    return ok && tf.getBackend() === 'wasm';
  } catch (err) {
    notes.push(`wasm backend unavailable: ${firstLine(err)}`);
    return false;
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 300);
}

/**
 * Initialises the backend once per process. `force` selects one ('auto' or undefined = best available); a forced
 * backend that cannot load is an error, not a silent fallback.
 */
export async function initBackend(force?: string): Promise<BackendInfo> {
  const want = force && force !== 'auto' ? force : undefined;
  if (want && !BACKEND_NAMES.includes(want as BackendName)) {
    throw new Error(`unknown backend '${force}' (expected auto, ${BACKEND_NAMES.join(', ')})`);
  }
  if (current && (!want || current.name === want)) return current;
  tf.enableProdMode();
  const notes: string[] = [];
  const order: BackendName[] = want ? [want as BackendName] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    let ok = false;
    if (name === 'tensorflow') ok = await tryTensorflow(notes);
    else if (name === 'wasm') ok = await tryWasm(notes);
    else ok = await tf.setBackend('cpu');
    if (ok) {
      current = { name, description: await describe(name), notes };
      return current;
    }
  }
  throw new Error(`backend '${want}' is not available here: ${notes.join('; ')}`);
}

async function describe(name: BackendName): Promise<string> {
  if (name === 'wasm') {
    // tfjs decides SIMD by feature detection; Node ≥ 16 has it. tfjs never starts wasm threads in Node: more cores
    // are used by data-parallel training threads (parallel.ts), counted in the experiment's backend text.
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `wasm (${simd ? 'SIMD' : 'no SIMD'})`;
  }
  if (name === 'tensorflow') return 'tensorflow (tfjs-node, native libtensorflow)';
  return 'cpu (plain JavaScript)';
}

export function currentBackend(): BackendInfo | undefined {
  return current;
}
