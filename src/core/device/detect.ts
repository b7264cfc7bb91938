/**
 * Which supported boards are plugged in, from serialport's port list and the USB ids in the boards table. Every
 * Nucleo-F4 carries the same ST-Link, so its USB ids cannot tell an F401RE from an F446RE: those ports match all
 * Nucleo boards, and the caller narrows them (selected board, NODE_<chip> drive label) or asks the user.
 */
import { BOARDS, BoardInfo } from '../boards';

/** The fields of serialport's PortInfo we read (kept structural so recorded lists and the live list both fit). */
export interface PortRecord {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  pnpId?: string;
  locationId?: string;
  vendorId?: string;
  productId?: string;
}

/** USB ids of boards sitting in their bootloader (a different PID from the running sketch). */
export const BOOTLOADER_IDS: { vendorId: string; productId: string; boardId: string }[] = [
  { vendorId: '2341', productId: '005a', boardId: 'nano33ble' },
];

export interface DetectedPort {
  port: PortRecord;
  vendorId: string;
  productId: string;
  /** Boards this port may be, most specific first. */
  boards: BoardInfo[];
  inBootloader: boolean;
}

/**
 * Lower-case hex ids. serialport on Windows reports upper case and sometimes no ids at all for composite devices; the
 * PnP id (USB\VID_0483&PID_374B&MI_02\…) still carries them.
 */
export function usbIds(p: PortRecord): { vendorId: string; productId: string } | undefined {
  if (p.vendorId && p.productId) return { vendorId: p.vendorId.toLowerCase().padStart(4, '0'), productId: p.productId.toLowerCase().padStart(4, '0') };
  const m = /VID_([0-9a-f]{4}).PID_([0-9a-f]{4})/i.exec(p.pnpId ?? '');
  if (m) return { vendorId: m[1].toLowerCase(), productId: m[2].toLowerCase() };
  return undefined;
}

export function detectBoards(ports: readonly PortRecord[], boards: readonly BoardInfo[] = BOARDS): DetectedPort[] {
  const out: DetectedPort[] = [];
  for (const port of ports) {
    const ids = usbIds(port);
    if (!ids) continue;
    const matches = boards.filter((b) => b.usb.some((u) => u.vendorId === ids.vendorId && (!u.productId || u.productId === ids.productId)));
    const boot = BOOTLOADER_IDS.find((b) => b.vendorId === ids.vendorId && b.productId === ids.productId);
    if (matches.length === 0 && !boot) continue;
    const bootBoards = boot ? boards.filter((b) => b.id === boot.boardId && !matches.includes(b)) : [];
    out.push({ port, ...ids, boards: [...matches, ...bootBoards], inBootloader: !!boot });
  }
  return out;
}

export interface Candidate {
  board: BoardInfo;
  port?: string;
  description: string;
}

/**
 * What to offer the user: one entry per (connected port, board it may be), with the selected board first when it is
 * among them, and the emulated board always last (it needs no hardware).
 */
export function candidates(detected: readonly DetectedPort[], selectedBoardId?: string, boards: readonly BoardInfo[] = BOARDS): Candidate[] {
  const out: Candidate[] = [];
  for (const d of detected) {
    for (const b of d.boards) {
      const who = [d.port.manufacturer, d.port.serialNumber && `S/N ${d.port.serialNumber}`].filter(Boolean).join(', ');
      out.push({ board: b, port: d.port.path, description: `${d.port.path}${who ? ` (${who})` : ''}${d.inBootloader ? ' — in bootloader' : ''}` });
    }
  }
  out.sort((a, b) => Number(b.board.id === selectedBoardId) - Number(a.board.id === selectedBoardId));
  for (const b of boards.filter((x) => x.emulated)) out.push({ board: b, description: 'emulated with QEMU — no hardware needed' });
  return out;
}

/** The single obvious choice, or undefined when the user must pick (several ports, or an ambiguous Nucleo). */
export function autoPick(detected: readonly DetectedPort[], boardId?: string, port?: string): Candidate | undefined {
  const real = candidates(detected).filter((c) => c.port && (!boardId || c.board.id === boardId) && (!port || c.port === port));
  return real.length === 1 ? real[0] : undefined;
}

/** Lines for `bnn boards`: each connected port and the boards it may be. */
export function describeConnected(detected: readonly DetectedPort[]): string[] {
  if (!detected.length) return ['  none (plug a board in by USB; the emulated board qemu-stm32 needs no hardware)'];
  return detected.map((d) => {
    const who = [d.port.manufacturer, d.port.serialNumber && `S/N ${d.port.serialNumber}`].filter(Boolean).join(', ');
    const what = d.boards.length === 1 ? d.boards[0].id : `${d.boards.map((b) => b.id).join(' | ')} (same ST-Link on all: choose with --board)`;
    return `  ${d.port.path.padEnd(22)} ${d.vendorId}:${d.productId}  ${what}${d.inBootloader ? ' — in bootloader' : ''}${who ? `  [${who}]` : ''}`;
  });
}
