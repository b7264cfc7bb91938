/**
 * The C runtime (firmware/runtime/): the fixed kernels bnn_model.c includes through bnn_runtime.h. A compiled model
 * carries copies of these files, so its folder builds on its own in a user's project, and the model hash covers
 * their bytes, so a board running an older runtime is told apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firmwareRoot } from '../firmwareRoot';

/** The header bnn_model.c includes; it includes the others. */
export const RUNTIME_HEADER = 'bnn_runtime.h';

let cached: Record<string, string> | undefined;

/** Every .h/.c of firmware/runtime, by file name, sorted (read once per process). */
export function runtimeFiles(): Record<string, string> {
  if (cached) return cached;
  const dir = path.join(firmwareRoot(), 'runtime');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((f) => /\.[ch]$/.test(f)).sort();
  } catch (err) {
    throw new Error(`the C runtime was not found in ${dir} (${(err as Error).message}); the installation is incomplete`);
  }
  if (!names.includes(RUNTIME_HEADER)) throw new Error(`${dir} has no ${RUNTIME_HEADER}; the installation is incomplete`);
  const files: Record<string, string> = {};
  for (const n of names) files[n] = fs.readFileSync(path.join(dir, n), 'utf8');
  cached = files;
  return files;
}
