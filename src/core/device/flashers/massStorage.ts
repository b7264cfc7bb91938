/**
 * Flashing by drag-and-drop: the Nucleo's ST-Link shows a USB drive labelled NODE_<chip> (NODE_F401RE…); copying a
 * .bin onto it programs the chip, after which the drive re-mounts. A FAIL.TXT on the re-mounted drive reports a
 * failure. There is no read-back: the firmware's HELLO (model hash) after reset is the verification.
 */
import { copyFile, readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { userInfo } from 'node:os';
import type { Os } from '../tools';
import { currentOs } from '../tools';
import { FlashError, FlashOutcome, FlashRequest } from './types';

export interface NucleoDrive {
  root: string;
  label: string;
  /** "NUCLEO-F401RE" from DETAILS.TXT/MBED.HTM when readable. */
  board?: string;
}

/** Where removable drives are mounted on each OS. */
export function mountRoots(os: Os, user: string): string[] {
  if (os === 'darwin') return ['/Volumes'];
  if (os === 'win32') return [];
  return [`/media/${user}`, `/run/media/${user}`, '/media', '/mnt'];
}

export interface DriveFs {
  readdir(dir: string): Promise<string[]>;
  readFile(file: string): Promise<string>;
  exists(p: string): Promise<boolean>;
}

export const realFs: DriveFs = {
  readdir: (d) => readdir(d),
  readFile: (f) => readFile(f, 'utf8'),
  exists: async (p) => { try { await stat(p); return true; } catch { return false; } },
};

/** The mounted NODE_xxx drives. `chip` (e.g. "F401RE") narrows to one board type. */
export async function findNucleoDrives(opts: { os?: Os; user?: string; fs?: DriveFs; chip?: string; roots?: string[] } = {}): Promise<NucleoDrive[]> {
  const os = opts.os ?? currentOs();
  const fs = opts.fs ?? realFs;
  const user = opts.user ?? safeUser();
  const candidates: string[] = [];
  if (os === 'win32' && !opts.roots) {
    // Drive letters: the volume label is not visible through fs, but the ST-Link drive always holds MBED.HTM.
    for (let c = 'D'.charCodeAt(0); c <= 'Z'.charCodeAt(0); c++) candidates.push(`${String.fromCharCode(c)}:\\`);
  } else {
    for (const root of opts.roots ?? mountRoots(os, user)) {
      let names: string[];
      try { names = await fs.readdir(root); } catch { continue; }
      for (const n of names) candidates.push(join(root, n));
    }
  }
  const out: NucleoDrive[] = [];
  for (const root of candidates) {
    const isNode = /^NODE_/i.test(basename(root));
    if (!isNode && !(await fs.exists(join(root, 'MBED.HTM')))) continue;
    if (!(await fs.exists(join(root, 'MBED.HTM'))) && !(await fs.exists(join(root, 'DETAILS.TXT')))) continue;
    let board: string | undefined;
    try {
      const details = await fs.readFile(join(root, 'DETAILS.TXT'));
      board = /Board:\s*(NUCLEO-[A-Z0-9]+)/i.exec(details)?.[1];
    } catch { /* older ST-Link firmware has no DETAILS.TXT */ }
    if (!board) {
      try {
        const htm = await fs.readFile(join(root, 'MBED.HTM'));
        board = /(NUCLEO[-_][A-Z0-9]+)/i.exec(htm)?.[1]?.replace('_', '-');
      } catch { /* keep undefined */ }
    }
    const label = isNode ? basename(root) : board ? `NODE_${board.replace(/^NUCLEO-/i, '')}` : basename(root);
    out.push({ root, label, board });
  }
  if (!opts.chip) return out;
  const chip = opts.chip.toUpperCase();
  return out.filter((d) => d.label.toUpperCase() === `NODE_${chip}` || d.board?.toUpperCase() === `NUCLEO-${chip}`);
}

function safeUser(): string {
  try { return userInfo().username; } catch { return process.env.USER ?? ''; }
}

/** "nucleo-f401re" → "F401RE". */
export function nucleoChip(boardId: string): string {
  return boardId.replace(/^nucleo-/i, '').toUpperCase();
}

export async function flashWithMassStorage(req: FlashRequest, opts: { fs?: DriveFs; os?: Os; roots?: string[]; sleep?: (ms: number) => Promise<void>; timeoutMs?: number } = {}): Promise<FlashOutcome> {
  const fs = opts.fs ?? realFs;
  const chip = nucleoChip(req.board.id);
  const drives = await findNucleoDrives({ os: opts.os, fs, chip, roots: opts.roots });
  if (drives.length === 0) {
    const where = (opts.os ?? currentOs()) === 'darwin' ? '/Volumes' : (opts.os ?? currentOs()) === 'win32' ? 'a drive letter' : '/media/$USER or /run/media/$USER';
    throw new FlashError(`No NODE_${chip} drive is mounted (looked in ${where}). Plug the Nucleo in by its ST-Link USB port and wait for the ` +
      `drive to appear, or flash with OpenOCD/st-flash/the serial bootloader instead.`, 'mass-storage');
  }
  if (drives.length > 1) throw new FlashError(`Several NODE_${chip} drives are mounted (${drives.map((d) => d.root).join(', ')}): unplug all but one.`, 'mass-storage');
  const drive = drives[0];
  const target = join(drive.root, basename(req.bin));
  req.log?.(`copying ${req.bin} to ${target}`);
  req.onProgress?.(`Copying to ${drive.label}…`);
  await copyFile(req.bin, target);
  // The ST-Link programs, then re-mounts the drive; FAIL.TXT appears on failure. Give it time to re-mount.
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let sawGone = false;
  while (Date.now() < deadline) {
    if (req.signal?.aborted) throw new FlashError('cancelled', 'mass-storage');
    await sleep(500);
    const present = await fs.exists(join(drive.root, 'MBED.HTM'));
    if (!present) { sawGone = true; continue; }
    if (await fs.exists(join(drive.root, 'FAIL.TXT'))) {
      const why = await fs.readFile(join(drive.root, 'FAIL.TXT')).catch(() => '');
      throw new FlashError(`The ST-Link reported a failed copy in FAIL.TXT: ${why.trim() || '(empty)'}`, 'mass-storage');
    }
    if (sawGone) return { method: 'mass-storage', verified: false, verifiedHow: `copied to ${drive.label}; the ST-Link re-mounted without FAIL.TXT` };
  }
  return { method: 'mass-storage', verified: false, verifiedHow: `copied to ${drive.label}; no FAIL.TXT (the drive did not visibly re-mount)` };
}
