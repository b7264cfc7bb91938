/**
 * The host side of the board protocol: one request in flight at a time, matched to its reply by seq, with timeouts,
 * resends and clear errors. Resending reuses the seq, so a reply to any copy of a request answers it and the replies
 * to the other copies (e.g. the HELLOs QEMU's pty buffered before it noticed the host) are dropped as duplicates.
 */
import {
  decodeBatchReply, decodeError, decodeHello, decodeInferReply, encodeBatchRequest, encodeFrame, encodePackedBatchRequest,
  FrameDecoder, MsgType, packBits, PROTOCOL_VERSION, type Frame, type HelloInfo, type InferResult,
} from './protocol';
import type { ByteTransport } from './transport';

export type DeviceErrorKind = 'timeout' | 'closed' | 'protocol' | 'board' | 'hashMismatch' | 'cancelled';

export class DeviceError extends Error {
  constructor(readonly kind: DeviceErrorKind, message: string) {
    super(message);
    this.name = 'DeviceError';
  }
}

export interface RequestOptions {
  /** How long to wait for a reply before sending the request again. */
  timeoutMs?: number;
  /** Total sends (first one included). */
  attempts?: number;
  signal?: AbortSignal;
}

const NAMES: Record<number, string> = { [MsgType.HELLO]: 'HELLO', [MsgType.INFER]: 'INFER', [MsgType.BATCH]: 'BATCH', [MsgType.BATCH_PACKED]: 'BATCH' };
const REPLIES: Record<number, number> = {
  [MsgType.HELLO]: MsgType.HELLO_REPLY, [MsgType.INFER]: MsgType.INFER_REPLY, [MsgType.BATCH]: MsgType.BATCH_REPLY, [MsgType.BATCH_PACKED]: MsgType.BATCH_REPLY,
};

interface Pending {
  seq: number;
  type: number;
  bytes: Uint8Array;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  resend: () => void;
}

export class DeviceClient {
  private readonly decoder = new FrameDecoder();
  private pending: Pending | undefined;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closedError: DeviceError | undefined;
  /** What the last HELLO said; needed to decode inference replies. */
  info: HelloInfo | undefined;
  /** Counters for diagnostics and tests. */
  readonly stats = { garbageBytes: 0, badCrc: 0, duplicates: 0, resends: 0 };

  constructor(private readonly transport: ByteTransport, private readonly log: (message: string) => void = () => {}) {
    transport.onData((chunk) => this.onData(chunk));
    transport.onClose((err) => {
      this.closedError = new DeviceError('closed', `the connection to the board (${transport.description}) closed${err ? ` (${err.message})` : ''}`);
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new DeviceError('closed', `the connection to the board (${transport.description}) closed while waiting for the reply to ${NAMES[p.type]}${err ? ` (${err.message})` : ''}`));
    });
  }

  private onData(chunk: Uint8Array): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.kind === 'garbage') { this.stats.garbageBytes += ev.bytes; continue; }
      if (ev.kind === 'badCrc') {
        this.stats.badCrc++;
        this.log(`dropped a reply with a bad CRC (type 0x${ev.type.toString(16)}, seq ${ev.seq}, ${ev.length} bytes)`);
        if (this.pending && ev.seq === this.pending.seq) this.pending.resend();
        continue;
      }
      const f = ev.frame;
      const p = this.pending;
      if (!p || f.seq !== p.seq) {
        this.stats.duplicates++;
        continue;
      }
      if (f.type === MsgType.ERROR) {
        let err: { code: number; message: string };
        try { err = decodeError(f.payload); } catch { err = { code: 0, message: 'malformed ERROR reply' }; }
        if (err.code === 1) { this.log(`the board saw a corrupt ${NAMES[p.type]} request; sending it again`); p.resend(); continue; }
        this.pending = undefined;
        p.reject(new DeviceError('board', `the board rejected ${NAMES[p.type]}: ${err.message}`));
        continue;
      }
      if (f.type !== REPLIES[p.type]) {
        this.log(`ignored an unexpected frame type 0x${f.type.toString(16)} while waiting for ${NAMES[p.type]}`);
        continue;
      }
      this.pending = undefined;
      p.resolve(f);
    }
  }

  /** Sends one request and waits for its reply, resending on timeout. Requests are serialised. */
  request(type: number, payload: Uint8Array, opts: RequestOptions = {}): Promise<Frame> {
    const run = (): Promise<Frame> => this.send(type, payload, opts);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private send(type: number, payload: Uint8Array, opts: RequestOptions): Promise<Frame> {
    const timeoutMs = opts.timeoutMs ?? 2000;
    const attempts = Math.max(1, opts.attempts ?? 3);
    const name = NAMES[type] ?? `0x${type.toString(16)}`;
    if (this.closedError) return Promise.reject(this.closedError);
    if (opts.signal?.aborted) return Promise.reject(new DeviceError('cancelled', `${name} cancelled`));
    this.seq = (this.seq + 1) & 0xff;
    const seq = this.seq;
    const bytes = encodeFrame({ type, seq, payload });
    const started = Date.now();
    return new Promise<Frame>((resolve, reject) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (this.pending === p) this.pending = undefined;
      };
      const fail = (e: Error): void => { cleanup(); reject(e); };
      const onAbort = (): void => fail(new DeviceError('cancelled', `${name} cancelled`));
      const transmit = (): void => {
        if (sent >= attempts) {
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          fail(new DeviceError('timeout', `the board on ${this.transport.description} did not answer ${name} (${attempts} ${attempts === 1 ? 'try' : 'tries'} over ${secs} s): check that it runs BNN Studio firmware and that no other program uses the port`));
          return;
        }
        if (sent > 0) this.stats.resends++;
        sent++;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          // A frame that has not completed within a whole timeout is a corrupt header: start afresh.
          if (this.decoder.pending) this.decoder.reset();
          transmit();
        }, timeoutMs);
        this.transport.write(bytes).catch((err: Error) => fail(new DeviceError('closed', `sending ${name} to ${this.transport.description} failed: ${err.message}`)));
      };
      const p: Pending = {
        seq, type, bytes,
        resolve: (f) => { cleanup(); resolve(f); },
        reject: fail,
        resend: transmit,
      };
      this.pending = p;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      transmit();
    });
  }

  /** HELLO: what the board runs. Fails on a protocol version this host does not speak. */
  async hello(opts: RequestOptions = {}): Promise<HelloInfo> {
    const f = await this.request(MsgType.HELLO, new Uint8Array(0), opts);
    let info: HelloInfo;
    try { info = decodeHello(f.payload); } catch (e) { throw new DeviceError('protocol', (e as Error).message); }
    if (info.protocolVersion !== PROTOCOL_VERSION) {
      throw new DeviceError('protocol', `the board's firmware speaks protocol version ${info.protocolVersion}, this BNN Studio speaks ${PROTOCOL_VERSION}: rebuild and flash the firmware`);
    }
    this.info = info;
    return info;
  }

  /**
   * Waits for a board that may not be listening yet (QEMU's pty notices a new host side only about once a second,
   * a freshly reset board boots): HELLO resent every `resendMs` until one answers or `totalMs` passes.
   */
  waitForHello(opts: { totalMs?: number; resendMs?: number; signal?: AbortSignal } = {}): Promise<HelloInfo> {
    const resendMs = opts.resendMs ?? 250;
    return this.hello({ timeoutMs: resendMs, attempts: Math.ceil((opts.totalMs ?? 15000) / resendMs), signal: opts.signal });
  }

  private requireInfo(): HelloInfo {
    if (!this.info) throw new DeviceError('protocol', 'HELLO must come first: the input size and classes are not known yet');
    return this.info;
  }

  private checkInput(input: Uint8Array, info: HelloInfo): void {
    if (input.length !== info.inputSize) throw new DeviceError('protocol', `an input of ${input.length} bytes does not fit the board's model, which takes ${info.inputSize}`);
  }

  async infer(input: Uint8Array, opts: RequestOptions = {}): Promise<InferResult> {
    const info = this.requireInfo();
    this.checkInput(input, info);
    const f = await this.request(MsgType.INFER, input, opts);
    try { return decodeInferReply(f.payload, info.numClasses, info.scoresAreFloat); } catch (e) { throw new DeviceError('protocol', (e as Error).message); }
  }

  /** The most raw inputs one BATCH request can carry on this board. */
  maxBatch(): number {
    const info = this.requireInfo();
    return Math.max(1, Math.min(0xffff, Math.floor((Math.min(info.maxPayload, 0xffff) - 2) / info.inputSize)));
  }

  private readonly packedCache = new WeakMap<Uint8Array, Uint8Array>();
  private packed(x: Uint8Array): Uint8Array {
    let p = this.packedCache.get(x);
    if (!p) { p = packBits(x); this.packedCache.set(x, p); }
    return p;
  }

  /** How many of inputs[start…] the next batch request carries: as many as fit the board's receive buffer, raw or
   * PackBits-packed, whichever is smaller. */
  batchFit(inputs: readonly Uint8Array[], start = 0): number {
    const info = this.requireInfo();
    const budget = Math.min(info.maxPayload, 0xffff) - 2;
    let raw = 0;
    let packed = 0;
    let n = 0;
    for (let i = start; i < inputs.length && n < 0xffff; i++) {
      raw += inputs[i].length;
      packed += 2 + this.packed(inputs[i]).length;
      if (Math.min(raw, packed) > budget) break;
      n++;
    }
    return Math.max(1, n);
  }

  async inferBatch(inputs: Uint8Array[], opts: RequestOptions = {}): Promise<InferResult[]> {
    const info = this.requireInfo();
    if (inputs.length === 0) return [];
    for (const x of inputs) this.checkInput(x, info);
    const budget = Math.min(info.maxPayload, 0xffff) - 2;
    const packed = inputs.map((x) => this.packed(x));
    const packedBytes = packed.reduce((a, p) => a + 2 + p.length, 0);
    const rawBytes = inputs.length * info.inputSize;
    if (Math.min(packedBytes, rawBytes) > budget || inputs.length > 0xffff) {
      throw new DeviceError('protocol', `a batch of ${inputs.length} inputs (${Math.min(packedBytes, rawBytes)} bytes) exceeds the board's ${budget}-byte receive buffer; split it (batchFit)`);
    }
    const f = packedBytes < rawBytes
      ? await this.request(MsgType.BATCH_PACKED, encodePackedBatchRequest(packed), opts)
      : await this.request(MsgType.BATCH, encodeBatchRequest(inputs), opts);
    try { return decodeBatchReply(f.payload, info.numClasses, info.scoresAreFloat, inputs.length); } catch (e) { throw new DeviceError('protocol', (e as Error).message); }
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** Refuses a board whose model is not the experiment's: its numbers would describe another model. */
export function checkModelHash(info: HelloInfo, expectedHash: string, what: string): void {
  if (info.modelHash.toLowerCase() !== expectedHash.toLowerCase()) {
    throw new DeviceError('hashMismatch', `the board runs model ${info.modelHash}, but ${what} compiles to ${expectedHash}: build and flash this experiment's firmware before benchmarking`);
  }
}
