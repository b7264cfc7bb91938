/** Flashing a Nucleo-F4 through the ROM bootloader over its serial port (AN3155), with no external tool. */
import { readFile } from 'node:fs/promises';
import { SerialLink } from '../byteLink';
import { flashViaBootloader } from '../stm32/serialFlash';
import { FlashError, FlashOutcome, FlashRequest } from './types';

/** Get ID values (AN2606) of the chips on the supported boards. */
export const BOARD_CHIP_IDS: Record<string, number> = {
  'nucleo-f401re': 0x433,
  'nucleo-f411re': 0x431,
  'nucleo-f446re': 0x421,
};

/** 115200 8E1: the ROM bootloader measures the baud rate from 0x7F and always uses even parity. */
export const BOOTLOADER_SERIAL = { baudRate: 115200, parity: 'even' as const, dataBits: 8 as const, stopBits: 1 as const };

export async function flashWithSerialBootloader(req: FlashRequest): Promise<FlashOutcome> {
  if (!req.port) throw new FlashError('The serial bootloader needs the board\'s serial port (--port, or pick the board in the list)', 'stm32-serial-bootloader');
  const image = await readFile(req.bin);
  const link = await SerialLink.open({ path: req.port, ...BOOTLOADER_SERIAL });
  try {
    const r = await flashViaBootloader(link, image, {
      expectPid: BOARD_CHIP_IDS[req.board.id], signal: req.signal, log: req.log,
      onProgress: (phase, done, total) => req.onProgress?.(`${phase[0].toUpperCase()}${phase.slice(1)} (serial bootloader)…`, total ? done / total : undefined),
    });
    return { method: 'stm32-serial-bootloader', verified: r.verified, verifiedHow: `read back ${r.bytesWritten} bytes with Read Memory`, port: req.port };
  } finally {
    await link.close();
  }
}
