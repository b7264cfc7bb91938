/**
 * The BNN Studio serial protocol, host side: frames, CRCs, and the payloads of each message. The firmware twin is
 * firmware/protocol/bnn_protocol.{h,c}; docs/device.md describes the bytes.
 *
 * Frame:  0xB5 0x4E | type u8 | seq u8 | length u16 LE | header CRC-8 | payload[length] | CRC-32 LE
 * The header CRC-8 (poly 0x07) rejects a corrupt length at once, so garbage on the line cannot make the decoder wait
 * for a bogus 64 KB payload; the CRC-32 (zlib's) covers type..payload.
 */

export const PROTOCOL_VERSION = 1;
export const SYNC0 = 0xb5;
export const SYNC1 = 0x4e;
export const HEADER_BYTES = 7;
export const TRAILER_BYTES = 4;
export const MAX_FRAME_PAYLOAD = 0xffff;

export const MsgType = {
  HELLO: 0x01,
  INFER: 0x02,
  BATCH: 0x03,
  BATCH_PACKED: 0x04,
  HELLO_REPLY: 0x81,
  INFER_REPLY: 0x82,
  BATCH_REPLY: 0x83,
  ERROR: 0x7f,
} as const;

export const ERROR_CODES: Record<number, string> = {
  1: 'bad CRC',
  2: 'unknown request type',
  3: 'bad payload length',
  4: 'payload too large',
};

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

export function crc8(data: Uint8Array, crc = 0): number {
  for (const byte of data) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

const CRC32_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Running CRC-32 without the final XOR (start at 0xFFFFFFFF, finish with `~crc >>> 0`). */
export function crc32Update(crc: number, data: Uint8Array): number {
  for (const byte of data) crc = CRC32_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return crc >>> 0;
}

export function crc32(data: Uint8Array): number {
  return ~crc32Update(0xffffffff, data) >>> 0;
}

export function encodeFrame(frame: Frame): Uint8Array {
  const len = frame.payload.length;
  if (len > MAX_FRAME_PAYLOAD) throw new RangeError(`frame payload of ${len} bytes exceeds the protocol's ${MAX_FRAME_PAYLOAD}`);
  if (!Number.isInteger(frame.type) || frame.type < 0 || frame.type > 255) throw new RangeError(`frame type ${frame.type} is not a byte`);
  if (!Number.isInteger(frame.seq) || frame.seq < 0 || frame.seq > 255) throw new RangeError(`frame seq ${frame.seq} is not a byte`);
  const out = new Uint8Array(HEADER_BYTES + len + TRAILER_BYTES);
  out[0] = SYNC0;
  out[1] = SYNC1;
  out[2] = frame.type;
  out[3] = frame.seq;
  out[4] = len & 0xff;
  out[5] = len >>> 8;
  out[6] = crc8(out.subarray(2, 6));
  out.set(frame.payload, HEADER_BYTES);
  let c = crc32Update(0xffffffff, out.subarray(2, 6));
  c = ~crc32Update(c, frame.payload) >>> 0;
  new DataView(out.buffer).setUint32(HEADER_BYTES + len, c, true);
  return out;
}

/** What the decoder saw besides good frames: bytes skipped while hunting for a frame, and frames whose CRC failed. */
export type DecoderEvent =
  | { kind: 'frame'; frame: Frame }
  | { kind: 'garbage'; bytes: number }
  | { kind: 'badCrc'; type: number; seq: number; length: number };

/**
 * Incremental frame decoder with resynchronisation: bytes that do not start a valid header are skipped; a frame whose
 * CRC-32 fails is dropped and the search resumes one byte after its sync, so a real frame hidden behind a corrupt
 * header is still found. Memory is bounded by one maximal frame.
 */
export class FrameDecoder {
  private buf = new Uint8Array(0);
  /** Upper bound on any payload this side expects; longer headers are treated as garbage. */
  constructor(private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): DecoderEvent[] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf, 0);
    merged.set(chunk, this.buf.length);
    const events: DecoderEvent[] = [];
    let pos = 0;
    let garbage = 0;
    const flushGarbage = (): void => {
      if (garbage) events.push({ kind: 'garbage', bytes: garbage });
      garbage = 0;
    };
    while (pos < merged.length) {
      if (merged[pos] !== SYNC0) { pos++; garbage++; continue; }
      if (pos + 1 >= merged.length) break;
      if (merged[pos + 1] !== SYNC1) { pos++; garbage++; continue; }
      if (pos + HEADER_BYTES > merged.length) break;
      const header = merged.subarray(pos + 2, pos + 6);
      const length = merged[pos + 4] | (merged[pos + 5] << 8);
      if (crc8(header) !== merged[pos + 6] || length > this.maxPayload) { pos++; garbage++; continue; }
      const total = HEADER_BYTES + length + TRAILER_BYTES;
      if (pos + total > merged.length) break;
      const payload = merged.slice(pos + HEADER_BYTES, pos + HEADER_BYTES + length);
      let c = crc32Update(0xffffffff, header);
      c = ~crc32Update(c, payload) >>> 0;
      const sent = new DataView(merged.buffer, merged.byteOffset + pos + HEADER_BYTES + length, 4).getUint32(0, true);
      if (c !== sent) {
        flushGarbage();
        events.push({ kind: 'badCrc', type: merged[pos + 2], seq: merged[pos + 3], length });
        pos++;
        continue;
      }
      flushGarbage();
      events.push({ kind: 'frame', frame: { type: merged[pos + 2], seq: merged[pos + 3], payload } });
      pos += total;
    }
    flushGarbage();
    this.buf = merged.slice(pos);
    return events;
  }
}

// ---- message payloads ----------------------------------------------------------------------------------------

export interface HelloInfo {
  protocolVersion: number;
  scoresAreFloat: boolean;
  numClasses: number;
  inputSize: number;
  maxPayload: number;
  clockHz: number;
  modelFlashBytes: number;
  modelRamBytes: number;
  firmwareVersion: string;
  modelHash: string;
  board: string;
  tickSource: string;
}

export interface InferResult {
  /** The firmware's argmax (ties to the lowest index). */
  classIndex: number;
  /** Ticks of the tick source spent in bnn_infer() (instructions on the emulated board, cycles on DWT boards). */
  ticks: number;
  /** Integer scores, or float32 scores when the model's last stage is float. */
  scores: number[];
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

class Reader {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array, private readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new ProtocolError(`${this.what} is truncated: needs more than its ${this.bytes.length} bytes`);
  }
  u8(): number { this.need(1); return this.bytes[this.pos++]; }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f32(): number { this.need(4); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  str(): string {
    const n = this.u8();
    this.need(n);
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  end(): void {
    if (this.pos !== this.bytes.length) throw new ProtocolError(`${this.what} has ${this.bytes.length - this.pos} unexpected trailing bytes`);
  }
}

export function decodeHello(payload: Uint8Array): HelloInfo {
  const r = new Reader(payload, 'HELLO reply');
  const info: HelloInfo = {
    protocolVersion: r.u8(),
    scoresAreFloat: r.u8() !== 0,
    numClasses: r.u16(),
    inputSize: r.u32(),
    maxPayload: r.u32(),
    clockHz: r.u32(),
    modelFlashBytes: r.u32(),
    modelRamBytes: r.u32(),
    firmwareVersion: r.str(),
    modelHash: r.str(),
    board: r.str(),
    tickSource: r.str(),
  };
  r.end();
  return info;
}

export function encodeHello(info: HelloInfo): Uint8Array {
  const enc = new TextEncoder();
  const strs = [info.firmwareVersion, info.modelHash, info.board, info.tickSource].map((s) => enc.encode(s).subarray(0, 255));
  const out = new Uint8Array(24 + strs.reduce((a, s) => a + 1 + s.length, 0));
  const v = new DataView(out.buffer);
  v.setUint8(0, info.protocolVersion);
  v.setUint8(1, info.scoresAreFloat ? 1 : 0);
  v.setUint16(2, info.numClasses, true);
  v.setUint32(4, info.inputSize, true);
  v.setUint32(8, info.maxPayload, true);
  v.setUint32(12, info.clockHz, true);
  v.setUint32(16, info.modelFlashBytes, true);
  v.setUint32(20, info.modelRamBytes, true);
  let p = 24;
  for (const s of strs) { out[p++] = s.length; out.set(s, p); p += s.length; }
  return out;
}

function readSample(r: Reader, numClasses: number, scoresAreFloat: boolean): InferResult {
  const classIndex = r.u16();
  const ticks = r.u32();
  const scores: number[] = [];
  for (let i = 0; i < numClasses; i++) scores.push(scoresAreFloat ? r.f32() : r.i32());
  if (classIndex >= numClasses) throw new ProtocolError(`the board answered class ${classIndex} but the model has ${numClasses} classes`);
  return { classIndex, ticks, scores };
}

export function decodeInferReply(payload: Uint8Array, numClasses: number, scoresAreFloat: boolean): InferResult {
  const r = new Reader(payload, 'INFER reply');
  const s = readSample(r, numClasses, scoresAreFloat);
  r.end();
  return s;
}

export function decodeBatchReply(payload: Uint8Array, numClasses: number, scoresAreFloat: boolean, expected: number): InferResult[] {
  const r = new Reader(payload, 'BATCH reply');
  const count = r.u16();
  if (count !== expected) throw new ProtocolError(`BATCH reply holds ${count} results for ${expected} inputs`);
  const out: InferResult[] = [];
  for (let i = 0; i < count; i++) out.push(readSample(r, numClasses, scoresAreFloat));
  r.end();
  return out;
}

export function encodeSampleResults(results: InferResult[], scoresAreFloat: boolean, batch: boolean): Uint8Array {
  const classes = results[0]?.scores.length ?? 0;
  const per = 6 + 4 * classes;
  const out = new Uint8Array((batch ? 2 : 0) + results.length * per);
  const v = new DataView(out.buffer);
  let p = 0;
  if (batch) { v.setUint16(0, results.length, true); p = 2; }
  for (const r of results) {
    v.setUint16(p, r.classIndex, true);
    v.setUint32(p + 2, r.ticks, true);
    p += 6;
    for (const s of r.scores) { if (scoresAreFloat) v.setFloat32(p, s, true); else v.setInt32(p, s, true); p += 4; }
  }
  return out;
}

export function encodeBatchRequest(inputs: Uint8Array[]): Uint8Array {
  const size = inputs[0]?.length ?? 0;
  const out = new Uint8Array(2 + inputs.length * size);
  out[0] = inputs.length & 0xff;
  out[1] = inputs.length >>> 8;
  inputs.forEach((x, i) => out.set(x, 2 + i * size));
  return out;
}

export function decodeError(payload: Uint8Array): { code: number; message: string } {
  const r = new Reader(payload, 'ERROR reply');
  const code = r.u8();
  const message = r.str();
  return { code, message: `${message} (${ERROR_CODES[code] ?? `code ${code}`})` };
}

export function encodeError(code: number, message: string): Uint8Array {
  const m = new TextEncoder().encode(message).subarray(0, 255);
  const out = new Uint8Array(2 + m.length);
  out[0] = code;
  out[1] = m.length;
  out.set(m, 2);
  return out;
}

// ---- PackBits: inputs travel packed (the serial line is the bottleneck, on QEMU and at 115200 baud; images have long runs) --

/** PackBits (TIFF): h < 128 → h+1 literal bytes follow; h > 128 → the next byte repeated 257−h times. Runs of 3+
 * equal bytes are packed (a run of 2 inside literals costs as much either way). Worst case: +1 byte per 128. */
export function packBits(x: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.length + Math.ceil(x.length / 128) + 1);
  let o = 0;
  let i = 0;
  while (i < x.length) {
    let run = 1;
    while (i + run < x.length && run < 128 && x[i + run] === x[i]) run++;
    if (run >= 3 || (run === 2 && i + run === x.length)) {
      out[o++] = 257 - run;
      out[o++] = x[i];
      i += run;
      continue;
    }
    let lit = 1;
    while (i + lit < x.length && lit < 128 && !(i + lit + 2 < x.length && x[i + lit] === x[i + lit + 1] && x[i + lit] === x[i + lit + 2])) lit++;
    out[o++] = lit - 1;
    out.set(x.subarray(i, i + lit), o);
    o += lit;
    i += lit;
  }
  return out.slice(0, o);
}

/** Decodes PackBits to exactly `size` bytes, or throws (the firmware's unpack_input, for the simulator and tests). */
export function unpackBits(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  let o = 0;
  while (i < src.length) {
    const h = src[i++];
    if (h < 128) {
      const n = h + 1;
      if (i + n > src.length || o + n > size) throw new ProtocolError('PackBits literal runs past the input');
      out.set(src.subarray(i, i + n), o);
      i += n;
      o += n;
    } else if (h > 128) {
      const n = 257 - h;
      if (i >= src.length || o + n > size) throw new ProtocolError('PackBits repeat runs past the input');
      out.fill(src[i++], o, o + n);
      o += n;
    }
  }
  if (o !== size) throw new ProtocolError(`PackBits input decodes to ${o} bytes, not ${size}`);
  return out;
}

export function encodePackedBatchRequest(packed: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(2 + packed.reduce((a, p) => a + 2 + p.length, 0));
  out[0] = packed.length & 0xff;
  out[1] = packed.length >>> 8;
  let o = 2;
  for (const p of packed) {
    out[o] = p.length & 0xff;
    out[o + 1] = p.length >>> 8;
    out.set(p, o + 2);
    o += 2 + p.length;
  }
  return out;
}

/** Inputs of a BATCH_PACKED payload, checked exactly as the firmware does. */
export function decodePackedBatchRequest(payload: Uint8Array, inputSize: number): Uint8Array[] {
  if (payload.length < 2) throw new ProtocolError('BATCH_PACKED payload is shorter than its count');
  const count = payload[0] | (payload[1] << 8);
  const out: Uint8Array[] = [];
  let at = 2;
  for (let k = 0; k < count; k++) {
    if (at + 2 > payload.length) throw new ProtocolError('BATCH_PACKED payload is truncated');
    const n = payload[at] | (payload[at + 1] << 8);
    at += 2;
    if (at + n > payload.length) throw new ProtocolError('BATCH_PACKED payload is truncated');
    out.push(unpackBits(payload.subarray(at, at + n), inputSize));
    at += n;
  }
  if (at !== payload.length || count === 0) throw new ProtocolError('BATCH_PACKED payload has trailing bytes or no inputs');
  return out;
}
