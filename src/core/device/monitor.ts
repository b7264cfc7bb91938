/**
 * The serial monitor's decoding, as PlatformIO's `device monitor` with a filter for BNN Studio's firmware: its UART
 * carries the benchmark protocol's frames (protocol.ts), so in framed mode each frame is shown as one line (a LOG
 * frame as its text) and the bytes between frames as the text they are; in plain mode every byte is text.
 */
import { FrameDecoder, HEADER_BYTES, MsgType, TRAILER_BYTES, decodeError, decodeHello, type Frame } from './protocol';

/** Frame type of a log line from the firmware (UTF-8 text payload); the host ignores it outside the monitor. */
export const LOG_FRAME_TYPE = 0x40;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(MsgType).map(([k, v]) => [v, k]));

export type MonitorMode = 'framed' | 'plain';

/** One frame as a monitor line. */
export function describeFrame(f: Frame): string {
  const text = new TextDecoder();
  if (f.type === LOG_FRAME_TYPE) return `[log] ${text.decode(f.payload)}`;
  const name = NAMES[f.type] ?? `type 0x${f.type.toString(16).padStart(2, '0')}`;
  let detail = '';
  try {
    if (f.type === MsgType.HELLO_REPLY) {
      const h = decodeHello(f.payload);
      detail = ` ${h.firmwareVersion} on ${h.board}, model ${h.modelHash.slice(0, 12)}, ${h.numClasses} classes, ${h.clockHz} Hz`;
    } else if (f.type === MsgType.ERROR) {
      const e = decodeError(f.payload);
      detail = ` ${e.code}: ${e.message}`;
    }
  } catch {
    detail = ' (malformed)';
  }
  return `[${name} seq ${f.seq}, ${f.payload.length} B]${detail}`;
}

/** Text for the terminal: CRLF line ends (a pseudo-terminal does not translate \n). */
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

export class MonitorDecoder {
  private readonly frames = new FrameDecoder();
  private held = new Uint8Array(0);
  private readonly text = new TextDecoder('utf-8', { fatal: false });
  /** Whether the terminal's cursor is at the start of a line (a frame's line starts on its own). */
  private atLineStart = true;

  constructor(readonly mode: MonitorMode) {}

  /** What to print for these received bytes. */
  push(chunk: Uint8Array): string {
    if (this.mode === 'plain') return crlf(this.text.decode(chunk, { stream: true }));
    // The decoder reports skipped bytes by count only; a copy of its input gives them back as text, in order.
    const stream = new Uint8Array(this.held.length + chunk.length);
    stream.set(this.held, 0);
    stream.set(chunk, this.held.length);
    let pos = 0;
    let out = '';
    const line = (s: string) => {
      out += `${this.atLineStart ? '' : '\r\n'}${s}\r\n`;
      this.atLineStart = true;
    };
    for (const ev of this.frames.push(chunk)) {
      if (ev.kind === 'garbage') {
        const t = crlf(this.text.decode(stream.subarray(pos, pos + ev.bytes), { stream: true }));
        out += t;
        if (t) this.atLineStart = t.endsWith('\n');
        pos += ev.bytes;
      } else if (ev.kind === 'badCrc') {
        line(`[frame ${NAMES[ev.type] ?? ev.type} seq ${ev.seq} with a bad CRC dropped]`);
        pos += 1;
      } else {
        line(crlf(describeFrame(ev.frame)));
        pos += HEADER_BYTES + ev.frame.payload.length + TRAILER_BYTES;
      }
    }
    this.held = stream.slice(pos);
    return out;
  }
}
