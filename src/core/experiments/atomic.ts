/**
 * Atomic file replacement: write a temp file next to the target, fsync it, rename it over the target, fsync the
 * folder. A reader (or a crash at any instant, SIGKILL included) sees either the old complete file or the new complete
 * file, never a half-written one. rename() within one folder is atomic on POSIX and on NTFS.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

/** Temp names start with '.' so listings (which skip dot entries) never show them. */
export function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** fsync a folder so a rename in it survives a power cut; not possible on Windows (EPERM/EISDIR), where it is skipped. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort: the rename itself is already atomic for readers.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempName(file);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  fsyncDir(path.dirname(file));
}

/** Pretty JSON with a final newline (diff-friendly, and `cat` leaves the prompt on its own line). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
