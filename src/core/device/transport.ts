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

/**
 * The state every ByteTransport over an event source keeps: open until the first close or error, one data receiver,
 * and close listeners told once (a listener added after the close is told at once, with the same reason).
 */
export interface TransportState {
  readonly isOpen: boolean;
  /** Hands a received chunk to the current receiver, as a view on the Buffer (no copy). */
  deliver(chunk: Buffer): void;
  /** Marks the pipe closed, once, and tells the close listeners why (undefined: a clean close). */
  finish(error?: Error): void;
  onData: ByteTransport['onData'];
  onClose: ByteTransport['onClose'];
}

export function transportState(): TransportState {
  let open = true;
  let dataListener: ((chunk: Uint8Array) => void) | undefined;
  const closeListeners: ((error?: Error) => void)[] = [];
  let closeError: Error | undefined;
  return {
    get isOpen() { return open; },
    deliver(chunk) { dataListener?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)); },
    finish(error) {
      if (!open) return;
      open = false;
      closeError = error;
      for (const l of closeListeners.splice(0)) l(error);
    },
    onData(listener) { dataListener = listener; },
    onClose(listener) {
      if (!open) listener(closeError);
      else closeListeners.push(listener);
    },
  };
}

/** A transport over any Node duplex stream (sockets, pty file streams, PassThrough pairs in tests). */
export function streamTransport(stream: Duplex, description: string): ByteTransport {
  const state = transportState();
  stream.on('data', (chunk: Buffer) => state.deliver(chunk));
  stream.on('error', (err: Error) => state.finish(err));
  stream.on('close', () => state.finish());
  stream.on('end', () => state.finish());
  return {
    description,
    get isOpen() { return state.isOpen; },
    write(data) {
      if (!state.isOpen) return Promise.reject(new Error(`${description} is closed`));
      return new Promise((resolve, reject) => {
        stream.write(data, (err) => (err ? reject(err) : resolve()));
      });
    },
    onData: state.onData,
    onClose: state.onClose,
    close() {
      if (!state.isOpen) return Promise.resolve();
      return new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
        setTimeout(resolve, 500).unref();
      }).then(() => state.finish());
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
