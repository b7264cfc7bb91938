/**
 * A simulated STM32 ROM bootloader that follows AN3155, for tests and for trying the serial flasher without a board
 * (`node dist/...` or the test suite drive it over a socat pty pair). It models what a client can observe: baud sync,
 * ACK/NACK, Get/Get Version/Get ID, Read/Write Memory with NOR-flash semantics (writing only clears bits, so writing
 * unerased flash fails verification as on silicon), sector erase and mass erase, write-protected sectors (writes
 * NACKed, erase silently skipped as the note says), read protection, Go, a silent board, and an unplug mid-write.
 */
import { ByteLink, LinkError } from '../byteLink';
import { ACK, CMD, ChipLayout, EXT_ERASE_MASS, NACK, SYNC, chipByPid, flashSize, sectorStart, xorChecksum } from '../stm32/an3155';

export interface SimOptions {
  pid?: number;
  writeProtectedSectors?: number[];
  readProtected?: boolean;
  /** Never answer anything (a board not in bootloader mode). */
  silent?: boolean;
  /** Close the link when this many Write Memory blocks have been received (0-based index of the block to die on). */
  unplugOnWriteBlock?: number;
  /** Milliseconds an erase of one sector takes (mass erase: all sectors). */
  eraseMsPerSector?: number;
  /** Initial flash content (an old firmware); default all 0xFF. */
  initialFlash?: Uint8Array;
  /** Offer only the legacy Erase (0x43) instead of Extended Erase (0x44). */
  legacyErase?: boolean;
  /**
   * Called after the simulator closed its end on an unplug. A pty pair outlives one closed end (socat keeps the
   * master), so the harness ends the pair here, which the host sees as its port vanishing — as with a pulled cable.
   */
  onUnplug?: () => void;
  /**
   * Runs "the application" after Go: the simulator stops reading and hands the line over (tests put a protocol
   * responder there). Without it, the simulated chip ignores everything after Go.
   */
  onGo?: (link: ByteLink, address: number) => void;
}

export interface SimEvent {
  cmd: string;
  detail?: string;
  ok: boolean;
}

const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 30 * 1024 };
const OPTION_BYTES = { base: 0x1fff_c000, size: 16 };

export class Stm32BootloaderSim {
  readonly chip: ChipLayout;
  readonly flash: Buffer;
  readonly ram: Buffer;
  readonly events: SimEvent[] = [];
  goAddress: number | undefined;
  private synced = false;
  private writeBlocks = 0;
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(private readonly link: ByteLink, private readonly opts: SimOptions = {}) {
    const chip = chipByPid(opts.pid ?? 0x433);
    if (!chip) throw new Error(`simulator: unknown chip id 0x${(opts.pid ?? 0).toString(16)}`);
    this.chip = chip;
    this.flash = Buffer.alloc(flashSize(chip), 0xff);
    if (opts.initialFlash) Buffer.from(opts.initialFlash).copy(this.flash);
    this.ram = Buffer.alloc(chip.ramBytes, 0);
  }

  /** Serves until the link closes or stop() is called. */
  start(): Promise<void> {
    this.done ??= this.serve().catch((err) => {
      if (!(err instanceof LinkError) && !this.stopped) throw err;
    });
    return this.done;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.link.close();
    await this.done;
  }

  private get commands(): number[] {
    return [CMD.get, CMD.getVersion, CMD.getId, CMD.readMemory, CMD.go, CMD.writeMemory,
      this.opts.legacyErase ? CMD.erase : CMD.extendedErase, CMD.writeProtect, CMD.writeUnprotect, CMD.readoutProtect, CMD.readoutUnprotect];
  }

  private async byte(): Promise<number> {
    // The ROM code waits forever for the host; poll in slices so stop() ends the loop.
    for (;;) {
      if (this.stopped) throw new LinkError('stopped', 'closed');
      try {
        return (await this.link.read(1, 200))[0];
      } catch (err) {
        if (err instanceof LinkError && err.code === 'timeout') continue;
        throw err;
      }
    }
  }

  private async bytes(n: number): Promise<Buffer> {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = await this.byte();
    return out;
  }

  private async reply(...bytes: number[]): Promise<void> {
    await this.link.write(Buffer.from(bytes));
  }

  private log(cmd: string, ok: boolean, detail?: string): void {
    this.events.push({ cmd, ok, detail });
  }

  private async serve(): Promise<void> {
    for (;;) {
      if (this.goAddress !== undefined && this.opts.onGo) {
        this.opts.onGo(this.link, this.goAddress);
        return;
      }
      const b = await this.byte();
      if (this.opts.silent) continue;
      if (this.goAddress !== undefined) continue; // the application runs; the bootloader no longer listens
      if (!this.synced) {
        if (b === SYNC) {
          this.synced = true;
          this.log('sync', true);
          await this.reply(ACK);
        }
        continue; // before sync the USART is not yet configured: other bytes are lost
      }
      const c = await this.byte();
      if ((b ^ c) !== 0xff) {
        this.log(`bad command 0x${b.toString(16)}/0x${c.toString(16)}`, false);
        await this.reply(NACK);
        continue;
      }
      await this.dispatch(b);
    }
  }

  private async dispatch(cmd: number): Promise<void> {
    const rdpLimited = this.opts.readProtected && ![CMD.get, CMD.getVersion, CMD.getId, CMD.readoutUnprotect].includes(cmd as 0);
    if (rdpLimited || !this.commands.includes(cmd)) {
      this.log(`0x${cmd.toString(16)}`, false, rdpLimited ? 'read protected' : 'unsupported');
      await this.reply(NACK);
      return;
    }
    switch (cmd) {
      case CMD.get: {
        const cmds = this.commands;
        this.log('Get', true);
        await this.reply(ACK, cmds.length, this.chip.blVersion, ...cmds, ACK);
        return;
      }
      case CMD.getVersion:
        this.log('Get Version', true);
        await this.reply(ACK, this.chip.blVersion, 0x00, 0x00, ACK);
        return;
      case CMD.getId:
        this.log('Get ID', true);
        await this.reply(ACK, 1, this.chip.pid >> 8, this.chip.pid & 0xff, ACK);
        return;
      case CMD.readMemory:
        return this.readMemory();
      case CMD.writeMemory:
        return this.writeMemory();
      case CMD.extendedErase:
        return this.extendedErase();
      case CMD.erase:
        return this.legacyErase();
      case CMD.go:
        return this.go();
      case CMD.writeUnprotect:
        this.log('Write Unprotect', true);
        this.opts.writeProtectedSectors = [];
        await this.reply(ACK, ACK);
        this.synced = false; // the chip resets after changing option bytes
        return;
      default:
        this.log(`0x${cmd.toString(16)}`, false, 'not modelled');
        await this.reply(NACK);
    }
  }

  private async address(): Promise<number | undefined> {
    const a = await this.bytes(5);
    if (xorChecksum(a.subarray(0, 4)) !== a[4]) return undefined;
    return a.readUInt32BE(0);
  }

  /** The memory region holding [addr, addr+len), or undefined when it is not mapped. */
  private region(addr: number, len: number): { mem: Buffer; offset: number; kind: 'flash' | 'ram' | 'rom' } | undefined {
    const flashBase = this.chip.flashBase;
    if (addr >= flashBase && addr + len <= flashBase + this.flash.length) return { mem: this.flash, offset: addr - flashBase, kind: 'flash' };
    if (addr >= this.chip.ramBase && addr + len <= this.chip.ramBase + this.ram.length) return { mem: this.ram, offset: addr - this.chip.ramBase, kind: 'ram' };
    if (addr >= SYSTEM_MEMORY.base && addr + len <= SYSTEM_MEMORY.base + SYSTEM_MEMORY.size) return { mem: Buffer.alloc(SYSTEM_MEMORY.size), offset: addr - SYSTEM_MEMORY.base, kind: 'rom' };
    if (addr >= OPTION_BYTES.base && addr + len <= OPTION_BYTES.base + OPTION_BYTES.size) return { mem: Buffer.from([0xaa, 0xed, 0xff, 0xff, 0x55, 0x12, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), offset: addr - OPTION_BYTES.base, kind: 'rom' };
    return undefined;
  }

  private sectorOf(flashOffset: number): number {
    let base = 0;
    for (let i = 0; i < this.chip.sectorSizes.length; i++) {
      if (flashOffset < base + this.chip.sectorSizes[i]) return i;
      base += this.chip.sectorSizes[i];
    }
    return -1;
  }

  private async readMemory(): Promise<void> {
    await this.reply(ACK);
    const addr = await this.address();
    if (addr === undefined) { this.log('Read Memory', false, 'address checksum'); return this.reply(NACK); }
    await this.reply(ACK);
    const [n, nc] = await this.bytes(2);
    if ((n ^ nc) !== 0xff) { this.log('Read Memory', false, 'length checksum'); return this.reply(NACK); }
    const r = this.region(addr, n + 1);
    if (!r) { this.log('Read Memory', false, `unmapped 0x${addr.toString(16)}`); return this.reply(NACK); }
    this.log('Read Memory', true, `0x${addr.toString(16)}+${n + 1}`);
    await this.link.write(Buffer.concat([Buffer.from([ACK]), r.mem.subarray(r.offset, r.offset + n + 1)]));
  }

  private async writeMemory(): Promise<void> {
    await this.reply(ACK);
    const addr = await this.address();
    if (addr === undefined) { this.log('Write Memory', false, 'address checksum'); return this.reply(NACK); }
    const probe = this.region(addr, 1);
    if (!probe || probe.kind === 'rom' || (probe.kind === 'ram' && addr < this.chip.bootloaderRamEnd)) {
      this.log('Write Memory', false, `invalid address 0x${addr.toString(16)}`);
      return this.reply(NACK);
    }
    await this.reply(ACK);
    const blockIndex = this.writeBlocks++;
    const n = await this.byte();
    if (this.opts.unplugOnWriteBlock === blockIndex) {
      // The USB cable is pulled in the middle of the data phase: the host side sees its port vanish.
      await this.bytes(Math.min(n + 1, 64));
      this.log('unplug', true, `during block ${blockIndex} at 0x${addr.toString(16)}`);
      this.stopped = true;
      await this.link.close();
      this.opts.onUnplug?.();
      throw new LinkError('unplugged', 'closed');
    }
    const data = await this.bytes(n + 1);
    const ck = await this.byte();
    if (xorChecksum(data, n) !== ck) { this.log('Write Memory', false, 'data checksum'); return this.reply(NACK); }
    const r = this.region(addr, n + 1);
    if (!r || (n + 1) % 4 !== 0 || addr % 4 !== 0) { this.log('Write Memory', false, 'range/alignment'); return this.reply(NACK); }
    if (r.kind === 'flash') {
      const first = this.sectorOf(r.offset);
      const last = this.sectorOf(r.offset + n);
      const wp = this.opts.writeProtectedSectors ?? [];
      for (let s = first; s <= last; s++) {
        if (wp.includes(s)) { this.log('Write Memory', false, `sector ${s} write-protected`); return this.reply(NACK); }
      }
      // NOR flash: programming can only clear bits.
      for (let i = 0; i <= n; i++) r.mem[r.offset + i] &= data[i];
    } else {
      data.copy(r.mem, r.offset);
    }
    this.log('Write Memory', true, `0x${addr.toString(16)}+${n + 1}`);
    await this.reply(ACK);
  }

  private async eraseSectors(sectors: number[]): Promise<void> {
    const wp = this.opts.writeProtectedSectors ?? [];
    for (const s of sectors) {
      if (this.opts.eraseMsPerSector) await new Promise((r) => setTimeout(r, this.opts.eraseMsPerSector));
      if (wp.includes(s)) continue; // AN3155: no error is returned for write-protected sectors
      const off = sectorStart(this.chip, s) - this.chip.flashBase;
      this.flash.fill(0xff, off, off + this.chip.sectorSizes[s]);
    }
  }

  private async extendedErase(): Promise<void> {
    await this.reply(ACK);
    const head = await this.bytes(2);
    const n = head.readUInt16BE(0);
    if (n >= 0xfff0) {
      const ck = await this.byte();
      if (ck !== (head[0] ^ head[1])) { this.log('Extended Erase', false, 'checksum'); return this.reply(NACK); }
      if (n !== EXT_ERASE_MASS) { this.log('Extended Erase', false, `bank erase 0x${n.toString(16)} on a single-bank chip`); return this.reply(NACK); }
      await this.eraseSectors(this.chip.sectorSizes.map((_, i) => i));
      this.log('Extended Erase', true, 'mass');
      return this.reply(ACK);
    }
    const list = await this.bytes(2 * (n + 1));
    const ck = await this.byte();
    if (xorChecksum(list, xorChecksum(head)) !== ck) { this.log('Extended Erase', false, 'checksum'); return this.reply(NACK); }
    const sectors: number[] = [];
    for (let i = 0; i <= n; i++) sectors.push(list.readUInt16BE(2 * i));
    if (sectors.some((s) => s >= this.chip.sectorSizes.length)) { this.log('Extended Erase', false, 'no such sector'); return this.reply(NACK); }
    await this.eraseSectors(sectors);
    this.log('Extended Erase', true, sectors.join(','));
    await this.reply(ACK);
  }

  private async legacyErase(): Promise<void> {
    await this.reply(ACK);
    const n = await this.byte();
    if (n === 0xff) {
      const ck = await this.byte();
      if (ck !== 0x00) return this.reply(NACK);
      await this.eraseSectors(this.chip.sectorSizes.map((_, i) => i));
      this.log('Erase', true, 'global');
      return this.reply(ACK);
    }
    const pages = await this.bytes(n + 1);
    const ck = await this.byte();
    if (xorChecksum(pages, n) !== ck) { this.log('Erase', false, 'checksum'); return this.reply(NACK); }
    await this.eraseSectors([...pages].filter((p) => p < this.chip.sectorSizes.length));
    this.log('Erase', true, [...pages].join(','));
    await this.reply(ACK);
  }

  private async go(): Promise<void> {
    await this.reply(ACK);
    const addr = await this.address();
    const r = addr === undefined ? undefined : this.region(addr, 4);
    if (addr === undefined || !r || r.kind === 'rom') { this.log('Go', false); return this.reply(NACK); }
    this.log('Go', true, `0x${addr.toString(16)}`);
    this.goAddress = addr; // before the ACK: the client may exit as soon as it reads it
    await this.reply(ACK);
  }
}
