/** Reading checkpoint folders that the store swaps in atomically (src/core/experiments/store.ts writeCheckpoint). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The directory to read: `dir`, or — when a kill hit the instant between the store's two renames — the complete old
 * copy it had moved aside as `.old-<name>-<suffix>`.
 */
export function readableDir(dir: string): string | undefined {
  if (fs.existsSync(dir)) return dir;
  const parent = path.dirname(dir);
  const prefix = `.old-${path.basename(dir)}-`;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(parent).filter((e) => e.startsWith(prefix));
  } catch {
    return undefined;
  }
  return entries.length ? path.join(parent, entries.sort().pop()!) : undefined;
}
