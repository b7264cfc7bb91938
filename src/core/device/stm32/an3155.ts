/**
 * Constants of ST's AN3155 ("USART protocol used in the STM32 bootloader") and the flash layouts of the chips we
 * flash through it. Shared by the TypeScript flasher and the bootloader simulator so both read one definition.
 */

export const SYNC = 0x7f;
export const ACK = 0x79;
export const NACK = 0x1f;

export const CMD = {
  get: 0x00,
  getVersion: 0x01,
  getId: 0x02,
  readMemory: 0x11,
  go: 0x21,
  writeMemory: 0x31,
  erase: 0x43,
  extendedErase: 0x44,
  writeProtect: 0x63,
  writeUnprotect: 0x73,
  readoutProtect: 0x82,
  readoutUnprotect: 0x92,
} as const;

/** Extended Erase special codes (sent instead of a page count). */
export const EXT_ERASE_MASS = 0xffff;
export const EXT_ERASE_BANK1 = 0xfffe;
export const EXT_ERASE_BANK2 = 0xfffd;

/** Largest block of Read Memory / Write Memory. */
export const MAX_BLOCK = 256;

/** XOR of all bytes: every multi-byte packet of the protocol ends with it. */
export function xorChecksum(bytes: Iterable<number>, seed = 0): number {
  let x = seed;
  for (const b of bytes) x ^= b;
  return x & 0xff;
}

/** Address packet: 4 bytes MSB first + their XOR. */
export function addressPacket(addr: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(addr >>> 0, 0);
  b[4] = xorChecksum(b.subarray(0, 4));
  return b;
}

export interface ChipLayout {
  pid: number;
  name: string;
  flashBase: number;
  /** Sizes of the erase units (pages on F0/F1/F3, sectors on F2/F4) in address order. */
  sectorSizes: number[];
  ramBase: number;
  ramBytes: number;
  /** Bootloader RAM the ROM code itself uses (writes there are refused). */
  bootloaderRamEnd: number;
  /** Bootloader protocol version byte reported by Get (0x31 = v3.1). */
  blVersion: number;
}

const f4Sectors = (kib: number): number[] => {
  const s = [16, 16, 16, 16, 64];
  for (let used = 128; used < kib; used += 128) s.push(128);
  return s.map((k) => k * 1024);
};

/** Chip ids as Get ID reports them (DBGMCU_IDCODE DEV_ID), per AN2606. */
export const CHIPS: readonly ChipLayout[] = [
  { pid: 0x433, name: 'STM32F401xD/E', flashBase: 0x0800_0000, sectorSizes: f4Sectors(512), ramBase: 0x2000_0000, ramBytes: 96 * 1024, bootloaderRamEnd: 0x2000_3000, blVersion: 0x31 },
  { pid: 0x423, name: 'STM32F401xB/C', flashBase: 0x0800_0000, sectorSizes: f4Sectors(256), ramBase: 0x2000_0000, ramBytes: 64 * 1024, bootloaderRamEnd: 0x2000_3000, blVersion: 0x31 },
  { pid: 0x431, name: 'STM32F411xC/E', flashBase: 0x0800_0000, sectorSizes: f4Sectors(512), ramBase: 0x2000_0000, ramBytes: 128 * 1024, bootloaderRamEnd: 0x2000_3000, blVersion: 0x31 },
  { pid: 0x421, name: 'STM32F446xx', flashBase: 0x0800_0000, sectorSizes: f4Sectors(512), ramBase: 0x2000_0000, ramBytes: 128 * 1024, bootloaderRamEnd: 0x2000_3000, blVersion: 0x31 },
  { pid: 0x413, name: 'STM32F405/407/415/417', flashBase: 0x0800_0000, sectorSizes: f4Sectors(1024), ramBase: 0x2000_0000, ramBytes: 128 * 1024, bootloaderRamEnd: 0x2000_2000, blVersion: 0x31 },
];

export function chipByPid(pid: number): ChipLayout | undefined {
  return CHIPS.find((c) => c.pid === pid);
}

export function flashSize(chip: ChipLayout): number {
  return chip.sectorSizes.reduce((a, b) => a + b, 0);
}

/** Indices of the erase units that [start, start+length) touches. */
export function sectorsCovering(chip: ChipLayout, start: number, length: number): number[] {
  const out: number[] = [];
  let base = chip.flashBase;
  const end = start + length;
  chip.sectorSizes.forEach((size, i) => {
    if (base < end && base + size > start) out.push(i);
    base += size;
  });
  return out;
}

export function sectorStart(chip: ChipLayout, index: number): number {
  return chip.flashBase + chip.sectorSizes.slice(0, index).reduce((a, b) => a + b, 0);
}
