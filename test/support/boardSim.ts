/**
 * An in-memory board speaking the BNN serial protocol (the TS twin of firmware/protocol/bnn_protocol.c), with fault
 * injection, for testing the host side without QEMU.
 */
import { PassThrough, Duplex } from 'node:stream';
import {
  decodePackedBatchRequest, decodeError, encodeError, encodeFrame, encodeHello, encodeSampleResults, FrameDecoder, MsgType,
  type HelloInfo, type InferResult,
} from '../../src/core/device/protocol';
import { streamTransport, type ByteTransport } from '../../src/core/device/transport';

export interface Faults {
  /** Per reply (0-based reply counter): bytes to send before the reply. */
  garbageBefore?: (n: number) => Uint8Array | undefined;
  /** Flip one bit of the reply (at a position chosen from `bit`). */
  corrupt?: (n: number) => number | undefined;
  /** Do not send this reply at all. */
  drop?: (n: number) => boolean;
  /** Send this reply twice. */
  duplicate?: (n: number) => boolean;
  /** Send this many bytes of the reply, then close the line. */
  closeMidReply?: (n: number) => number | undefined;
  /** Never answer anything. */
  silent?: boolean;
}

export const SIM_HELLO: HelloInfo = {
  protocolVersion: 1, scoresAreFloat: false, numClasses: 4, inputSize: 16, maxPayload: 8192, clockHz: 168_000_000,
  modelFlashBytes: 16, modelRamBytes: 4, firmwareVersion: 'sim 1', modelHash: '0123456789abcdef', board: 'sim',
  tickSource: 'TIM2 (instructions, emulated)',
};

export class BoardSim {
  readonly hostSide: ByteTransport;
  private readonly toBoard = new PassThrough();
  private readonly toHost = new PassThrough();
  private readonly decoder = new FrameDecoder();
  private replies = 0;
  readonly received: number[] = [];
  readonly errorsSent: string[] = [];

  constructor(private readonly infer: (input: Uint8Array) => InferResult, readonly faults: Faults = {}, readonly hello: HelloInfo = SIM_HELLO) {
    this.hostSide = streamTransport(Duplex.from({ readable: this.toHost, writable: this.toBoard }), 'sim');
    this.toBoard.on('data', (chunk: Buffer) => this.onBytes(new Uint8Array(chunk)));
  }

  private onBytes(chunk: Uint8Array): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.kind === 'badCrc') { this.reply(MsgType.ERROR, ev.seq, encodeError(1, 'request CRC mismatch')); continue; }
      if (ev.kind !== 'frame') continue;
      const { type, seq, payload } = ev.frame;
      this.received.push(type);
      if (type === MsgType.HELLO) this.reply(MsgType.HELLO_REPLY, seq, encodeHello(this.hello));
      else if (type === MsgType.INFER) {
        if (payload.length !== this.hello.inputSize) this.reply(MsgType.ERROR, seq, encodeError(3, 'INFER payload must be exactly the model\'s input size'));
        else this.reply(MsgType.INFER_REPLY, seq, encodeSampleResults([this.infer(payload)], this.hello.scoresAreFloat, false));
      } else if (type === MsgType.BATCH) {
        const count = payload[0] | (payload[1] << 8);
        const inputs = Array.from({ length: count }, (_, i) => payload.subarray(2 + i * this.hello.inputSize, 2 + (i + 1) * this.hello.inputSize));
        this.reply(MsgType.BATCH_REPLY, seq, encodeSampleResults(inputs.map((x) => this.infer(x)), this.hello.scoresAreFloat, true));
      } else if (type === MsgType.BATCH_PACKED) {
        let inputs: Uint8Array[];
        try { inputs = decodePackedBatchRequest(payload, this.hello.inputSize); } catch {
          this.reply(MsgType.ERROR, seq, encodeError(3, 'BATCH_PACKED payload must be count u16 followed by count packed inputs'));
          continue;
        }
        this.reply(MsgType.BATCH_REPLY, seq, encodeSampleResults(inputs.map((x) => this.infer(x)), this.hello.scoresAreFloat, true));
      } else this.reply(MsgType.ERROR, seq, encodeError(2, 'unknown request type'));
    }
  }

  private reply(type: number, seq: number, payload: Uint8Array): void {
    if (this.faults.silent) return;
    if (type === MsgType.ERROR) this.errorsSent.push(decodeError(payload).message);
    const n = this.replies++;
    const f = this.faults;
    const garbage = f.garbageBefore?.(n);
    if (garbage) this.toHost.write(garbage);
    if (f.drop?.(n)) return;
    const bytes = encodeFrame({ type, seq, payload });
    const bit = f.corrupt?.(n);
    const sent = bytes.slice();
    if (bit !== undefined) sent[Math.floor(bit / 8) % sent.length] ^= 1 << (bit % 8);
    const cut = f.closeMidReply?.(n);
    if (cut !== undefined) {
      this.toHost.write(sent.subarray(0, Math.min(cut, sent.length - 1)));
      setImmediate(() => this.toHost.end());
      return;
    }
    this.toHost.write(sent);
    if (f.duplicate?.(n)) this.toHost.write(bytes);
  }
}

/** The fixture model of test/fixtures/tiny-model/bnn_model.c, in TypeScript (its host reference). */
export const TINY_WEIGHTS = [0x0000ffff, 0x000000ff, 0x0000f0f0, 0x00003c3c];

export function tinyFixtureInfer(input: Uint8Array): InferResult {
  let packed = 0;
  for (let i = 0; i < 16; i++) if (input[i] >= 128) packed |= 1 << i;
  const scores = TINY_WEIGHTS.map((w) => {
    let x = (packed ^ w) >>> 0;
    let pop = 0;
    while (x) { pop += x & 1; x >>>= 1; }
    return 16 - 2 * pop;
  });
  let best = 0;
  scores.forEach((s, c) => { if (s > scores[best]) best = c; });
  return { classIndex: best, ticks: 100, scores };
}
