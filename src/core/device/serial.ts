/**
 * A transport over npm `serialport`: real boards' USB serial ports and QEMU's pty. Loaded lazily so that the pure
 * protocol core works without the native binding (and a broken binding gives a clear message, not a stack trace).
 */
import { describeOpenError } from './byteLink';
import type { ByteTransport } from './transport';

export interface SerialOptions {
  path: string;
  baudRate?: number;
}

export class SerialPortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerialPortError';
  }
}

export async function openSerialTransport(opts: SerialOptions): Promise<ByteTransport> {
  let SerialPortCtor: typeof import('serialport').SerialPort;
  try {
    ({ SerialPort: SerialPortCtor } = await import('serialport'));
  } catch (err) {
    throw new SerialPortError(`the serial port library could not be loaded (${(err as Error).message}); reinstall BNN Studio's dependencies (npm ci)`);
  }
  const port = new SerialPortCtor({ path: opts.path, baudRate: opts.baudRate ?? 115200, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(describeOpenError(opts.path, err)) : resolve())));
  let open = true;
  let dataListener: ((chunk: Uint8Array) => void) | undefined;
  const closeListeners: ((error?: Error) => void)[] = [];
  let closeError: Error | undefined;
  const finish = (error?: Error): void => {
    if (!open) return;
    open = false;
    closeError = error;
    for (const l of closeListeners.splice(0)) l(error);
  };
  port.on('data', (chunk: Buffer) => dataListener?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  port.on('error', (err: Error) => finish(err));
  port.on('close', (err?: Error & { disconnected?: boolean }) => finish(err ?? undefined));
  return {
    description: opts.path,
    get isOpen() { return open; },
    write(data) {
      if (!open) return Promise.reject(new SerialPortError(`serial port ${opts.path} is closed`));
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
          if (err) { reject(new SerialPortError(`writing to ${opts.path} failed: ${err.message}`)); return; }
          port.drain((e) => (e ? reject(new SerialPortError(`writing to ${opts.path} failed: ${e.message}`)) : resolve()));
        });
      });
    },
    onData(listener) { dataListener = listener; },
    onClose(listener) {
      if (!open) listener(closeError);
      else closeListeners.push(listener);
    },
    async close() {
      if (!open) return;
      await new Promise<void>((resolve) => {
        if (!port.isOpen) { resolve(); return; }
        port.close(() => resolve());
        setTimeout(resolve, 1000).unref();
      });
      finish();
    },
  };
}
