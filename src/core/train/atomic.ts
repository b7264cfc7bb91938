/** Crash-safe file writes: a reader sees the old file or the new one, never a half-written one. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Replaces directory `target` by the fully written directory `tmp`: the old one is moved aside first, so at every
 * moment either `target` or its `.old` sibling is complete (readers fall back to `.old`, see readableDir).
 */
export function replaceDirAtomic(tmp: string, target: string): void {
  const old = oldSibling(target);
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

function oldSibling(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.old`);
}

/** The directory to read: `dir`, or its `.old` sibling when a kill interrupted replaceDirAtomic between renames. */
export function readableDir(dir: string): string | undefined {
  if (fs.existsSync(dir)) return dir;
  const old = oldSibling(dir);
  return fs.existsSync(old) ? old : undefined;
}
