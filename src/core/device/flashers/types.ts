import type { BoardInfo, FlashMethod } from '../../boards';

/** Paths from settings `bnnStudio.tools.<name>`; unset entries are searched on PATH. */
export type ToolSettings = Partial<Record<string, string>>;

export interface FlashRequest {
  board: BoardInfo;
  /** The firmware as ELF (openocd) and as raw binary (st-flash, mass storage, serial bootloader, bossac). */
  elf?: string;
  bin: string;
  /** Serial port of the board (serial bootloader, Arduino). */
  port?: string;
  tools?: ToolSettings;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (message: string, fraction?: number) => void;
}

export interface FlashOutcome {
  method: FlashMethod;
  /** What the flasher itself verified; the model hash in the firmware's HELLO is checked afterwards in any case. */
  verified: boolean;
  verifiedHow: string;
  /** The port to talk to the running firmware, when the flash moved it (Arduino re-enumeration). */
  port?: string;
}

export class FlashError extends Error {
  constructor(message: string, readonly method: FlashMethod) {
    super(message);
    this.name = 'FlashError';
  }
}
