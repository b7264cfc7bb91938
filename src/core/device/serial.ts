/**
 * A transport over npm `serialport`: real boards' USB serial ports and QEMU's pty. Loaded lazily so that the pure
 * protocol core works without the native binding (and a broken binding gives a clear message, not a stack trace).
 */
import { describeOpenError } from './byteLink';
import { transportState, type ByteTransport } from './transport';

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
  const state = transportState();
  port.on('data', (chunk: Buffer) => state.deliver(chunk));
  port.on('error', (err: Error) => state.finish(err));
  port.on('close', (err?: Error & { disconnected?: boolean }) => state.finish(err ?? undefined));
  return {
    description: opts.path,
    get isOpen() { return state.isOpen; },
    write(data) {
      if (!state.isOpen) return Promise.reject(new SerialPortError(`serial port ${opts.path} is closed`));
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
          if (err) { reject(new SerialPortError(`writing to ${opts.path} failed: ${err.message}`)); return; }
          port.drain((e) => (e ? reject(new SerialPortError(`writing to ${opts.path} failed: ${e.message}`)) : resolve()));
        });
      });
    },
    onData: state.onData,
    onClose: state.onClose,
    async close() {
      if (!state.isOpen) return;
      await new Promise<void>((resolve) => {
        if (!port.isOpen) { resolve(); return; }
        port.close(() => resolve());
        setTimeout(resolve, 1000).unref();
      });
      state.finish();
    },
  };
}
