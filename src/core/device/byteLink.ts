/**
 * A byte pipe with timed reads, over a serial port (or a pty in tests). Protocols that count bytes (the STM32 ROM
 * bootloader) need "read exactly n bytes within t ms", which Node streams do not give directly.
 */
// Type only: the native module loads when a port is opened, not with the extension host (activation stays cheap).
import type { SerialPort } from 'serialport';

export class LinkError extends Error {
  constructor(message: string, readonly code: 'timeout' | 'closed' | 'busy' | 'not-found' | 'io') {
    super(message);
    this.name = 'LinkError';
  }
}

export interface ByteLink {
  write(data: Uint8Array): Promise<void>;
  /** Resolves with exactly n bytes, or rejects with LinkError 'timeout' / 'closed'. */
  read(n: number, timeoutMs: number): Promise<Buffer>;
  /** Drops bytes already received (stale replies after a timeout). */
  discardInput(): void;
  close(): Promise<void>;
  readonly isOpen: boolean;
}

export interface SerialOptions {
  path: string;
  baudRate: number;
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 8 | 7;
  stopBits?: 1 | 2;
}

/** Turns the OS errors of opening a port into messages a user can act on. */
export function describeOpenError(path: string, err: unknown): LinkError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/EBUSY|Resource busy|Access denied|EACCES.*lock|Cannot lock port/i.test(msg)) {
    return new LinkError(`Serial port ${path} is busy: another program has it open (a serial monitor, the Arduino IDE, ` +
      `screen/minicom, or another BNN Studio run). Close it and try again.`, 'busy');
  }
  if (/EACCES|Permission denied/i.test(msg)) {
    return new LinkError(`No permission to open ${path}. On Linux add yourself to the "dialout" group ` +
      `(sudo usermod -aG dialout $USER, then log out and in again).`, 'busy');
  }
  if (/ENOENT|No such file|File not found|cannot find/i.test(msg)) {
    return new LinkError(`Serial port ${path} does not exist (board unplugged, or it re-enumerated under another name).`, 'not-found');
  }
  return new LinkError(`Cannot open serial port ${path}: ${msg}`, 'io');
}

export class SerialLink implements ByteLink {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closedReason: string | undefined;

  private constructor(readonly path: string, private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.waiter?.();
    });
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      this.closedReason = err?.disconnected ? `${path} disappeared (board unplugged or reset)` : `${path} was closed`;
      this.waiter?.();
    });
    port.on('error', (err: Error) => {
      this.closedReason ??= `${path}: ${err.message}`;
      this.waiter?.();
    });
  }

  static async open(opts: SerialOptions): Promise<SerialLink> {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({
      path: opts.path, baudRate: opts.baudRate, parity: opts.parity ?? 'none', dataBits: opts.dataBits ?? 8,
      stopBits: opts.stopBits ?? 1, autoOpen: false, lock: true,
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(describeOpenError(opts.path, err)) : resolve())));
    return new SerialLink(opts.path, port);
  }

  get isOpen(): boolean {
    return this.closedReason === undefined && this.port.isOpen;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.isOpen) throw new LinkError(this.closedReason ?? `${this.path} is not open`, 'closed');
    await new Promise<void>((resolve, reject) => {
      this.port.write(Buffer.from(data), (err) => (err ? reject(new LinkError(`write to ${this.path} failed: ${err.message}`, 'closed')) : resolve()));
    });
    await new Promise<void>((resolve, reject) => this.port.drain((err) => (err ? reject(new LinkError(`write to ${this.path} failed: ${err.message}`, 'closed')) : resolve())));
  }

  read(n: number, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const check = (): boolean => {
        if (this.buf.length >= n) {
          const out = this.buf.subarray(0, n);
          this.buf = this.buf.subarray(n);
          finish();
          resolve(Buffer.from(out));
          return true;
        }
        if (this.closedReason !== undefined) {
          finish();
          reject(new LinkError(this.closedReason, 'closed'));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new LinkError(`no answer from ${this.path} within ${timeoutMs} ms (got ${this.buf.length} of ${n} bytes)`, 'timeout'));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        if (this.waiter === wake) this.waiter = undefined;
      };
      const wake = (): void => { check(); };
      if (!check()) this.waiter = wake;
    });
  }

  discardInput(): void {
    this.buf = Buffer.alloc(0);
  }

  async setSignals(signals: { dtr?: boolean; rts?: boolean; brk?: boolean }): Promise<void> {
    await new Promise<void>((resolve, reject) => this.port.set(signals, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
