/**
 * IDX files, the MNIST / Fashion-MNIST layout (http://yann.lecun.com/exdb/mnist/): a 4-byte magic
 * `00 00 <type> <rank>`, then `rank` big-endian uint32 dimensions, then the data, row-major. Only unsigned bytes
 * (type 0x08) are accepted: that is what every image/label IDX file holds and what the u8 input encoding expects.
 * Files may be gzip'd or raw; gzip is recognised by its magic bytes, not by the file name.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from './errors';

const IDX_TYPES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** count × height × width × channels bytes, HWC per image. */
  data: Uint8Array;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips when the bytes are gzip'd (by magic), else returns them as they are. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new DataError(`corrupt or truncated gzip data (${(err as Error).message})`, file, 'Download or copy the file again.');
  }
}

/** Parses an IDX file's bytes (already gunzipped). `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file: string, expectedRank?: number | number[]): IdxArray {
  if (bytes.length < 4) throw new DataError(`truncated IDX file: ${bytes.length} bytes, not even the 4-byte magic number`, file);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`not an IDX file: wrong magic number ${hex(bytes.subarray(0, 4))} (an IDX file starts with 00 00 <type> <rank>, e.g. 00 00 08 03 for images, 00 00 08 01 for labels)`, file);
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) {
    const name = IDX_TYPES[type];
    throw new DataError(name ? `IDX data type ${name} (0x${type.toString(16).padStart(2, '0')}) is not supported: only unsigned byte (0x08) images and labels are` : `wrong magic number ${hex(bytes.subarray(0, 4))}: unknown IDX data type 0x${type.toString(16).padStart(2, '0')}`, file);
  }
  const ranks = expectedRank === undefined ? undefined : Array.isArray(expectedRank) ? expectedRank : [expectedRank];
  if (rank === 0 || (ranks && !ranks.includes(rank))) {
    throw new DataError(`IDX rank ${rank} (magic ${hex(bytes.subarray(0, 4))}), expected ${ranks ? ranks.join(' or ') : 'at least 1'} dimension${ranks?.length === 1 && ranks[0] === 1 ? '' : 's'}`, file);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DataError(`truncated IDX header: ${bytes.length} bytes, the ${rank}-dimension header needs ${headerBytes}`, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  if (!Number.isSafeInteger(size)) throw new DataError(`IDX dimensions ${dims.join('×')} are too large`, file);
  const available = bytes.length - headerBytes;
  if (available < size) {
    throw new DataError(`truncated IDX file: dimensions ${dims.join('×')} need ${size} data bytes after the ${headerBytes}-byte header, the file has ${available}`, file, 'Download or copy the file again.');
  }
  if (available > size) {
    throw new DataError(`IDX file has ${available - size} unexpected bytes after the ${dims.join('×')} data (dimensions and file size disagree)`, file);
  }
  return { dims, data: bytes.subarray(headerBytes, headerBytes + size) };
}

/** Images: rank 3 (N, H, W) → one channel, or rank 4 (N, H, W, C). */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const { dims, data } = parseIdx(bytes, file, [3, 4]);
  const [count, height, width, channels = 1] = dims;
  if (height === 0 || width === 0 || channels === 0) throw new DataError(`IDX images have an empty dimension: ${dims.join('×')}`, file);
  return { count, height, width, channels, data };
}

/** Labels: rank 1 (N). With `classes`, every label must be < classes. */
export function parseIdxLabels(bytes: Uint8Array, file: string, classes?: number): Uint8Array {
  const { data } = parseIdx(bytes, file, 1);
  if (classes !== undefined) checkLabels(data, classes, file);
  return data;
}

export function checkLabels(labels: Uint8Array, classes: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) throw new DataError(`label ${labels[i]} at index ${i} is out of range: this dataset has ${classes} classes (0..${classes - 1})`, file);
  }
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DataError(e.code === 'ENOENT' ? 'file not found' : `cannot read file (${e.code ?? e.message})`, file);
  }
}

export function readIdxImages(file: string): IdxImages {
  return parseIdxImages(maybeGunzip(readBytes(file), file), file);
}

export function readIdxLabels(file: string, classes?: number): Uint8Array {
  return parseIdxLabels(maybeGunzip(readBytes(file), file), file, classes);
}

/** Serialises u8 data as IDX (used by the bundled-data script and tests). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new RangeError(`encodeIdx: dims ${dims.join('×')} = ${size} bytes, data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export { readBytes };
