/**
 * Host side of AN3155 over any ByteLink. Each method is one command of the note; the flashing sequence built on it
 * is in serialFlash.ts. Retries happen only where the bootloader has gone back to waiting for a command (a NACK, or
 * the initial sync), because resending after a timeout mid-command would be read as data by the ROM code.
 */
import { ByteLink, LinkError } from '../byteLink';
import { ACK, CMD, EXT_ERASE_MASS, MAX_BLOCK, NACK, SYNC, addressPacket, xorChecksum } from './an3155';

export class BootloaderError extends Error {
  constructor(message: string, readonly kind: 'nack' | 'timeout' | 'closed' | 'protocol' | 'unsupported') {
    super(message);
    this.name = 'BootloaderError';
  }
}

export interface BootloaderInfo {
  version: number;
  commands: number[];
  optionBytes: [number, number];
  pid: number;
}

export interface Timeouts {
  /** Answer to a command byte, address or small packet. */
  ackMs: number;
  /** Per erase unit (F4 128 KB sector: ≤ 4 s per the datasheet at x8 parallelism, with margin). */
  erasePerSectorMs: number;
  /** Mass erase of the whole flash. */
  massEraseMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { ackMs: 1000, erasePerSectorMs: 5000, massEraseMs: 40000 };

function hex(n: number, digits = 8): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

export class Stm32Bootloader {
  private info: BootloaderInfo | undefined;

  constructor(private readonly link: ByteLink, private readonly timeouts: Timeouts = DEFAULT_TIMEOUTS) {}

  private async readAck(what: string, timeoutMs = this.timeouts.ackMs): Promise<void> {
    let b: Buffer;
    try {
      b = await this.link.read(1, timeoutMs);
    } catch (err) {
      throw this.wrap(err, what);
    }
    if (b[0] === ACK) return;
    if (b[0] === NACK) throw new BootloaderError(`${what}: the bootloader refused (NACK)`, 'nack');
    throw new BootloaderError(`${what}: expected ACK (0x79) or NACK (0x1f), got 0x${b[0].toString(16).padStart(2, '0')}`, 'protocol');
  }

  private wrap(err: unknown, what: string): BootloaderError {
    if (err instanceof BootloaderError) return err;
    if (err instanceof LinkError) {
      if (err.code === 'timeout') return new BootloaderError(`${what}: ${err.message}`, 'timeout');
      return new BootloaderError(`${what}: connection lost — ${err.message}`, 'closed');
    }
    return new BootloaderError(`${what}: ${err instanceof Error ? err.message : String(err)}`, 'protocol');
  }

  private async send(bytes: number[] | Buffer, what: string): Promise<void> {
    try {
      await this.link.write(Buffer.from(bytes));
    } catch (err) {
      throw this.wrap(err, what);
    }
  }

  private async readBytes(n: number, what: string): Promise<Buffer> {
    try {
      return await this.link.read(n, this.timeouts.ackMs);
    } catch (err) {
      throw this.wrap(err, what);
    }
  }

  private async command(code: number, what: string): Promise<void> {
    await this.send([code, code ^ 0xff], what);
    await this.readAck(what);
  }

  /**
   * 0x7F lets the bootloader measure the baud rate. A NACK means it already synchronised in an earlier session (the
   * ROM code never re-measures), which is as good as an ACK. Retried because the first byte after reset can be lost.
   */
  async sync(attempts = 5): Promise<void> {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      this.link.discardInput();
      await this.send([SYNC], 'sync');
      try {
        const b = await this.link.read(1, this.timeouts.ackMs);
        if (b[0] === ACK || b[0] === NACK) return;
        last = new BootloaderError(`sync: unexpected byte 0x${b[0].toString(16)}`, 'protocol');
      } catch (err) {
        last = err;
        if (err instanceof LinkError && err.code !== 'timeout') throw this.wrap(err, 'sync');
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new BootloaderError(
      `No STM32 bootloader answered the 0x7F sync after ${attempts} tries (${why}). Start the chip in its ROM bootloader: ` +
        `hold BOOT0 high (Nucleo: a jumper from BOOT0 to VDD on CN7 pins 7–5) and press RESET, and connect to USART2 ` +
        `(the ST-Link virtual COM port) or USART1 (PA9/PA10).`, 'timeout');
  }

  async get(): Promise<{ version: number; commands: number[] }> {
    await this.command(CMD.get, 'Get');
    const [n] = await this.readBytes(1, 'Get');
    const rest = await this.readBytes(n + 1, 'Get');
    await this.readAck('Get');
    return { version: rest[0], commands: [...rest.subarray(1)] };
  }

  async getVersion(): Promise<{ version: number; optionBytes: [number, number] }> {
    await this.command(CMD.getVersion, 'Get Version');
    const b = await this.readBytes(3, 'Get Version');
    await this.readAck('Get Version');
    return { version: b[0], optionBytes: [b[1], b[2]] };
  }

  async getId(): Promise<number> {
    await this.command(CMD.getId, 'Get ID');
    const [n] = await this.readBytes(1, 'Get ID');
    const id = await this.readBytes(n + 1, 'Get ID');
    await this.readAck('Get ID');
    return id.reduce((acc, b) => (acc << 8) | b, 0);
  }

  async identify(): Promise<BootloaderInfo> {
    const g = await this.get();
    const v = await this.getVersion();
    const pid = await this.getId();
    this.info = { version: g.version, commands: g.commands, optionBytes: v.optionBytes, pid };
    return this.info;
  }

  private supports(code: number): boolean {
    return this.info === undefined || this.info.commands.includes(code);
  }

  async readMemory(addr: number, length: number, retries = 3): Promise<Buffer> {
    if (length < 1 || length > MAX_BLOCK) throw new RangeError(`Read Memory length ${length} outside 1..${MAX_BLOCK}`);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.command(CMD.readMemory, `Read Memory at ${hex(addr)}`);
        await this.send(addressPacket(addr), `Read Memory at ${hex(addr)}`);
        await this.readAck(`Read Memory at ${hex(addr)} (address)`);
        const n = length - 1;
        await this.send([n, n ^ 0xff], `Read Memory at ${hex(addr)}`);
        await this.readAck(`Read Memory at ${hex(addr)} (length)`);
        return await this.readBytes(length, `Read Memory at ${hex(addr)}`);
      } catch (err) {
        if (!(err instanceof BootloaderError) || err.kind !== 'nack' || attempt >= retries) {
          if (err instanceof BootloaderError && err.kind === 'nack') {
            throw new BootloaderError(`${err.message}. The flash may be read-protected (RDP level 1): ` +
              `Readout Unprotect erases the whole chip.`, 'nack');
          }
          throw err;
        }
      }
    }
  }

  /** One Write Memory block. A NACK after the data means a bad checksum or a write-protected/invalid address. */
  async writeMemory(addr: number, data: Uint8Array, retries = 3): Promise<void> {
    if (data.length < 1 || data.length > MAX_BLOCK) throw new RangeError(`Write Memory length ${data.length} outside 1..${MAX_BLOCK}`);
    // The ROM code programs whole words: pad to a multiple of 4 with erased-flash bytes.
    const padded = Buffer.alloc(Math.ceil(data.length / 4) * 4, 0xff);
    Buffer.from(data).copy(padded);
    const n = padded.length - 1;
    const packet = Buffer.concat([Buffer.from([n]), padded, Buffer.from([xorChecksum(padded, n)])]);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.command(CMD.writeMemory, `Write Memory at ${hex(addr)}`);
        await this.send(addressPacket(addr), `Write Memory at ${hex(addr)}`);
        await this.readAck(`Write Memory at ${hex(addr)} (address)`);
        await this.send(packet, `Write Memory at ${hex(addr)}`);
        await this.readAck(`Write Memory at ${hex(addr)} (data)`);
        return;
      } catch (err) {
        if (!(err instanceof BootloaderError) || err.kind !== 'nack' || attempt >= retries) {
          if (err instanceof BootloaderError && err.kind === 'nack') {
            throw new BootloaderError(`${err.message} after ${attempt + 1} tries. The page at ${hex(addr)} is probably ` +
              `write-protected (option bytes nWRP): remove the protection (STM32CubeProgrammer, or stm32flash -u) and retry.`, 'nack');
          }
          throw err;
        }
      }
    }
  }

  /** Extended Erase (0x44): a list of page/sector numbers, or 'mass'. Falls back to the legacy Erase (0x43). */
  async erase(pages: number[] | 'mass'): Promise<void> {
    const count = pages === 'mass' ? 0 : pages.length;
    if (pages !== 'mass' && count === 0) return;
    const timeout = pages === 'mass' ? this.timeouts.massEraseMs : this.timeouts.ackMs + count * this.timeouts.erasePerSectorMs;
    if (this.supports(CMD.extendedErase)) {
      let packet: Buffer;
      if (pages === 'mass') {
        packet = Buffer.from([EXT_ERASE_MASS >> 8, EXT_ERASE_MASS & 0xff, 0x00]);
      } else {
        const body = Buffer.alloc(2 + 2 * count);
        body.writeUInt16BE(count - 1, 0);
        pages.forEach((p, i) => body.writeUInt16BE(p, 2 + 2 * i));
        packet = Buffer.concat([body, Buffer.from([xorChecksum(body)])]);
      }
      await this.command(CMD.extendedErase, 'Extended Erase');
      await this.send(packet, 'Extended Erase');
      await this.readAck(pages === 'mass' ? 'Extended Erase (mass erase)' : `Extended Erase of sectors ${pages.join(', ')}`, timeout);
      return;
    }
    if (!this.supports(CMD.erase)) throw new BootloaderError('this bootloader has neither Erase nor Extended Erase', 'unsupported');
    if (pages !== 'mass' && pages.some((p) => p > 0xff)) throw new BootloaderError('legacy Erase takes page numbers < 256', 'unsupported');
    const packet = pages === 'mass'
      ? Buffer.from([0xff, 0x00])
      : (() => { const body = Buffer.from([count - 1, ...pages]); return Buffer.concat([body, Buffer.from([xorChecksum(body)])]); })();
    await this.command(CMD.erase, 'Erase');
    await this.send(packet, 'Erase');
    await this.readAck(pages === 'mass' ? 'Erase (global)' : `Erase of pages ${pages.join(', ')}`, timeout);
  }

  /** Go: jump to the application; the bootloader ACKs the address, then stops talking. */
  async go(addr: number): Promise<void> {
    await this.command(CMD.go, 'Go');
    await this.send(addressPacket(addr), 'Go');
    await this.readAck(`Go to ${hex(addr)}`);
  }
}
