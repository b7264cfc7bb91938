/**
 * Flashing an image through the STM32 ROM bootloader (AN3155): sync → identify → erase the sectors the image covers
 * (or mass erase) → Write Memory in 256-byte blocks → Read Memory to verify → Go. No external tool needed.
 */
import { ByteLink } from '../byteLink';
import { MAX_BLOCK, ChipLayout, chipByPid, flashSize, sectorsCovering } from './an3155';
import { BootloaderError, Stm32Bootloader, Timeouts, DEFAULT_TIMEOUTS } from './bootloaderClient';

export interface SerialFlashOptions {
  /** Load address; defaults to the chip's flash base (0x08000000). */
  address?: number;
  erase?: 'sectors' | 'mass';
  verify?: boolean;
  /** Jump to the image after writing (Go to the load address). */
  go?: boolean;
  /** The chip we expect (from the selected board); a different Get ID is refused. */
  expectPid?: number;
  timeouts?: Timeouts;
  signal?: AbortSignal;
  onProgress?: (phase: 'connect' | 'erase' | 'write' | 'verify' | 'go', done: number, total: number) => void;
  log?: (line: string) => void;
}

export interface SerialFlashResult {
  chip: ChipLayout;
  bootloaderVersion: string;
  bytesWritten: number;
  erasedSectors: number[] | 'mass';
  verified: boolean;
}

export class VerifyError extends Error {
  constructor(readonly address: number, readonly expected: number, readonly actual: number) {
    super(`Verify failed at 0x${address.toString(16).padStart(8, '0')}: wrote 0x${expected.toString(16).padStart(2, '0')}, ` +
      `read back 0x${actual.toString(16).padStart(2, '0')}. The board holds a partial image: flash it again.`);
    this.name = 'VerifyError';
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new BootloaderError('cancelled', 'protocol');
}

export async function connectBootloader(link: ByteLink, timeouts: Timeouts = DEFAULT_TIMEOUTS): Promise<{ bl: Stm32Bootloader; chip: ChipLayout; version: string; pid: number }> {
  const bl = new Stm32Bootloader(link, timeouts);
  await bl.sync();
  const info = await bl.identify();
  const chip = chipByPid(info.pid);
  if (!chip) throw new BootloaderError(`Unsupported chip: Get ID returned 0x${info.pid.toString(16)} (BNN Studio knows STM32F401/F411/F446/F405)`, 'unsupported');
  return { bl, chip, version: `${info.version >> 4}.${info.version & 0xf}`, pid: info.pid };
}

/** Reads back [address, address+image.length) and compares; throws VerifyError at the first difference. */
export async function verifyImage(bl: Stm32Bootloader, address: number, image: Uint8Array, opts: Pick<SerialFlashOptions, 'signal' | 'onProgress'> = {}): Promise<void> {
  for (let off = 0; off < image.length; off += MAX_BLOCK) {
    checkAbort(opts.signal);
    const len = Math.min(MAX_BLOCK, image.length - off);
    const got = await bl.readMemory(address + off, len);
    for (let i = 0; i < len; i++) {
      if (got[i] !== image[off + i]) throw new VerifyError(address + off + i, image[off + i], got[i]);
    }
    opts.onProgress?.('verify', off + len, image.length);
  }
}

export async function flashViaBootloader(link: ByteLink, image: Uint8Array, opts: SerialFlashOptions = {}): Promise<SerialFlashResult> {
  const log = opts.log ?? (() => {});
  opts.onProgress?.('connect', 0, 1);
  const { bl, chip, version, pid } = await connectBootloader(link, opts.timeouts);
  log(`bootloader v${version}, chip ${chip.name} (id 0x${pid.toString(16)})`);
  if (opts.expectPid !== undefined && opts.expectPid !== pid) {
    const want = chipByPid(opts.expectPid)?.name ?? `0x${opts.expectPid.toString(16)}`;
    throw new BootloaderError(`The connected chip is ${chip.name}, but the selected board has ${want}: select the matching board.`, 'unsupported');
  }
  const address = opts.address ?? chip.flashBase;
  const end = chip.flashBase + flashSize(chip);
  if (image.length === 0) throw new BootloaderError('the image is empty', 'protocol');
  if (address < chip.flashBase || address + image.length > end) {
    throw new BootloaderError(`The image (${image.length} bytes at 0x${address.toString(16)}) does not fit in ${chip.name}'s ` +
      `${flashSize(chip) / 1024} KB flash`, 'protocol');
  }

  checkAbort(opts.signal);
  const erased = opts.erase === 'mass' ? 'mass' as const : sectorsCovering(chip, address, image.length);
  log(erased === 'mass' ? 'mass erase' : `erasing sector(s) ${erased.join(', ')}`);
  opts.onProgress?.('erase', 0, 1);
  await bl.erase(erased);
  opts.onProgress?.('erase', 1, 1);

  for (let off = 0; off < image.length; off += MAX_BLOCK) {
    checkAbort(opts.signal);
    const block = image.subarray(off, Math.min(off + MAX_BLOCK, image.length));
    await bl.writeMemory(address + off, block);
    opts.onProgress?.('write', off + block.length, image.length);
  }
  log(`wrote ${image.length} bytes in ${Math.ceil(image.length / MAX_BLOCK)} blocks`);

  let verified = false;
  if (opts.verify !== false) {
    await verifyImage(bl, address, image, opts);
    verified = true;
    log('verified');
  }
  if (opts.go !== false) {
    opts.onProgress?.('go', 0, 1);
    await bl.go(address);
    log(`started the application at 0x${address.toString(16)}`);
  }
  return { chip, bootloaderVersion: version, bytesWritten: image.length, erasedSectors: erased, verified };
}
