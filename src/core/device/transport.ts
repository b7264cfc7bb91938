/**
 * A byte pipe to a board. The protocol client only needs this, so the same client runs over a real serial port,
 * QEMU's pty, or an in-memory stream in tests.
 */
import type { Duplex } from 'node:stream';

export interface ByteTransport {
  /** Human-readable endpoint for messages, e.g. "/dev/pts/3". */
  readonly description: string;
  write(data: Uint8Array): Promise<void>;
  /** Registers the receiver of incoming bytes (one receiver at a time). */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called once when the pipe closes, with the reason if it failed. */
  onClose(listener: (error?: Error) => void): void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** A transport over any Node duplex stream (sockets, pty file streams, PassThrough pairs in tests). */
export function streamTransport(stream: Duplex, description: string): ByteTransport {
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
  stream.on('data', (chunk: Buffer) => dataListener?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  stream.on('error', (err: Error) => finish(err));
  stream.on('close', () => finish());
  stream.on('end', () => finish());
  return {
    description,
    get isOpen() { return open; },
    write(data) {
      if (!open) return Promise.reject(new Error(`${description} is closed`));
      return new Promise((resolve, reject) => {
        stream.write(data, (err) => (err ? reject(err) : resolve()));
      });
    },
    onData(listener) { dataListener = listener; },
    onClose(listener) {
      if (!open) listener(closeError);
      else closeListeners.push(listener);
    },
    close() {
      if (!open) return Promise.resolve();
      return new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
        setTimeout(resolve, 500).unref();
      }).then(() => finish());
    },
  };
}

/**
 * A transport that doubles every `escape` byte it writes (reads pass through). QEMU's multiplexing chardev treats
 * one escape byte (Ctrl-A) as the start of a command — Ctrl-A x quits QEMU — and a doubled one as the byte itself,
 * so every byte the host sends to a muxed emulated serial port goes through here, garbage included.
 */
export function escapingTransport(inner: ByteTransport, escape: number): ByteTransport {
  return {
    get description() { return inner.description; },
    get isOpen() { return inner.isOpen; },
    write(data) {
      let n = 0;
      for (const b of data) if (b === escape) n++;
      if (!n) return inner.write(data);
      const out = new Uint8Array(data.length + n);
      let o = 0;
      for (const b of data) {
        out[o++] = b;
        if (b === escape) out[o++] = b;
      }
      return inner.write(out);
    },
    onData: (listener) => inner.onData(listener),
    onClose: (listener) => inner.onClose(listener),
    close: () => inner.close(),
  };
}
