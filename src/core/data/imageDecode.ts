/**
 * One image file → the model's 8-bit input: decoded (PNG by pngjs, JPEG by jpeg-js, BMP by bmp-ts, GIF by omggif —
 * all pure JavaScript, so the VSIX stays small and no native build is needed), channels converted, then resized, in
 * that order (as Keras decodes to 'rgb'/'grayscale' and then resizes). Every step is defined exactly here, because two
 * libraries' "bilinear" differ:
 *
 * - GIF: the first frame only (as tf.io.decode_image with expand_animations=False, which Keras' folder loader uses),
 *   drawn on a canvas of the GIF's logical size; pixels it leaves uncovered or transparent are black.
 *
 * - channels: to 1 channel by ITU-R BT.601 luma in integers, Y = floor((299·R + 587·G + 114·B + 500) / 1000), which
 *   leaves a grey pixel (R = G = B) exactly as it is; to 3 channels RGB as is (grey replicated); alpha is dropped.
 * - resize 'bilinear': half-pixel centres, as tf.image.resize(antialias=False) and Keras'
 *   image_dataset_from_directory: the source coordinate of output pixel x is (x + 0.5)·in/out − 0.5, clamped to the
 *   image; the four neighbours are weighted linearly in float64; the result is rounded half up, floor(v + 0.5).
 * - resize 'area': each output pixel is the mean of the source area it covers, partial pixels weighted by the share
 *   they cover (a box filter; what OpenCV's INTER_AREA does when shrinking), rounded half up.
 * - resize 'center-crop': the largest centred box of the output's aspect ratio (Keras' crop_to_aspect_ratio: size
 *   floor(in · ratio), offset floor((in − size) / 2)), then 'bilinear'.
 * An image already of the output size is not resampled by any mode (bilinear and area are then the identity).
 */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import * as bmp from 'bmp-ts';
import { GifReader } from 'omggif';

export type ResizeMode = 'bilinear' | 'area' | 'center-crop';
export const RESIZE_MODES: readonly ResizeMode[] = ['bilinear', 'area', 'center-crop'];
export const DEFAULT_RESIZE: ResizeMode = 'bilinear';

export const CHANNEL_RULE = 'to 1 channel: Y = floor((299 R + 587 G + 114 B + 500) / 1000) (ITU-R BT.601 luma); to 3: RGB, grey replicated; alpha dropped';

export interface Decoded {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  rgba: Uint8Array;
  /** Every pixel has R = G = B. */
  grey: boolean;
}

/** Largest image decoded, in pixels (64 MP: 256 MB of RGBA). A corrupt header can claim 4 G pixels; the BMP and
 *  GIF decoders would try to allocate them, so their sizes are checked from the header first. */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

function checkPixels(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new Error(`the header gives a size of ${width}×${height}`);
  if (width * height > MAX_IMAGE_PIXELS) throw new Error(`the header gives ${width}×${height} pixels, more than the ${MAX_IMAGE_PIXELS / 1024 / 1024} MP an image may have`);
}

function decodeBmp(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 26) throw new Error('truncated BMP header');
  checkPixels(buf.readInt32LE(18), Math.abs(buf.readInt32LE(22)));
  // bmp-ts 1.0.9's run-length (RLE4/RLE8) paths write pixels at wrong offsets: refused rather than decoded wrongly
  const compression = buf.length >= 34 ? buf.readUInt32LE(30) : 0;
  if (compression === 1 || compression === 2) throw new Error(`run-length encoded BMP (RLE${compression === 1 ? 8 : 4}) is not decoded; save it uncompressed or as PNG`);
  // bmp-ts reads with Buffer's checked reads, so a truncated file throws rather than decoding garbage. Its default
  // layout (ABGR) is the one every bit depth writes consistently (its toRGBA option is ignored by palette images).
  const img = bmp.decode(buf);
  const n = img.width * Math.abs(img.height);
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    rgba[4 * i] = img.data[4 * i + 3];
    rgba[4 * i + 1] = img.data[4 * i + 2];
    rgba[4 * i + 2] = img.data[4 * i + 1];
    rgba[4 * i + 3] = 255;
  }
  return { width: img.width, height: Math.abs(img.height), rgba };
}

function decodeGif(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  if (bytes.length < 10) throw new Error('truncated GIF header');
  checkPixels(bytes[6] | (bytes[7] << 8), bytes[8] | (bytes[9] << 8));
  const reader = new GifReader(bytes);
  if (reader.numFrames() < 1) throw new Error('the GIF has no frame');
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  return { width: reader.width, height: reader.height, rgba };
}

const startsWith = (bytes: Uint8Array, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** Decodes a PNG, JPEG, BMP or GIF by its magic bytes; throws an Error saying why for a corrupt or unsupported file. */
export function decodeImage(bytes: Uint8Array): Decoded {
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    ({ width, height } = png);
    rgba = png.data;
  } else if (startsWith(bytes, [0xff, 0xd8])) {
    // not tolerant: a truncated JPEG is an error, not a half-grey image
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxMemoryUsageInMB: 256 });
    ({ width, height } = img);
    rgba = img.data;
  } else if (startsWith(bytes, [0x42, 0x4d])) {
    ({ width, height, rgba } = decodeBmp(bytes));
  } else if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) {
    ({ width, height, rgba } = decodeGif(bytes));
  } else {
    throw new Error('not a PNG, JPEG, BMP or GIF file (by its first bytes)');
  }
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) throw new Error('decoded to no pixels');
  let grey = true;
  for (let i = 0; i < width * height * 4 && grey; i += 4) grey = rgba[i] === rgba[i + 1] && rgba[i] === rgba[i + 2];
  return { width, height, rgba, grey };
}

/** RGBA → `channels` (1 or 3) interleaved, by CHANNEL_RULE. */
export function convertChannels(img: Decoded, channels: number): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n * channels);
  const p = img.rgba;
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = Math.floor((299 * p[4 * i] + 587 * p[4 * i + 1] + 114 * p[4 * i + 2] + 500) / 1000);
  } else {
    for (let i = 0; i < n; i++) {
      out[3 * i] = p[4 * i];
      out[3 * i + 1] = p[4 * i + 1];
      out[3 * i + 2] = p[4 * i + 2];
    }
  }
  return out;
}

const round8 = (v: number): number => {
  const r = Math.floor(v + 0.5);
  return r < 0 ? 0 : r > 255 ? 255 : r;
};

interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

function bilinear(src: Plane, x0: number, y0: number, cw: number, ch: number, w: number, h: number): Uint8Array {
  const c = src.channels;
  const out = new Uint8Array(w * h * c);
  const sx = cw / w;
  const sy = ch / h;
  for (let y = 0; y < h; y++) {
    const fy0 = Math.max(0, (y + 0.5) * sy - 0.5);
    const ya = Math.min(Math.floor(fy0), ch - 1);
    const yb = Math.min(ya + 1, ch - 1);
    const fy = fy0 - ya;
    for (let x = 0; x < w; x++) {
      const fx0 = Math.max(0, (x + 0.5) * sx - 0.5);
      const xa = Math.min(Math.floor(fx0), cw - 1);
      const xb = Math.min(xa + 1, cw - 1);
      const fx = fx0 - xa;
      const row = (yy: number, xx: number) => ((y0 + yy) * src.width + x0 + xx) * c;
      for (let k = 0; k < c; k++) {
        const a = src.data[row(ya, xa) + k];
        const b = src.data[row(ya, xb) + k];
        const d = src.data[row(yb, xa) + k];
        const e = src.data[row(yb, xb) + k];
        out[(y * w + x) * c + k] = round8((1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * d + fx * e));
      }
    }
  }
  return out;
}

/** For each output index along one axis: the source indices it covers and their weights (coverage shares). */
function boxWeights(inSize: number, outSize: number): { idx: number[]; w: number[] }[] {
  const scale = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const idx: number[] = [];
    const w: number[] = [];
    for (let i = Math.floor(lo); i < Math.min(inSize, Math.ceil(hi)); i++) {
      const cover = Math.min(hi, i + 1) - Math.max(lo, i);
      if (cover > 0) { idx.push(i); w.push(cover / scale); }
    }
    return { idx, w };
  });
}

function area(src: Plane, w: number, h: number): Uint8Array {
  const c = src.channels;
  const out = new Uint8Array(w * h * c);
  const wx = boxWeights(src.width, w);
  const wy = boxWeights(src.height, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let s = 0;
        wy[y].idx.forEach((sy, a) => wx[x].idx.forEach((sx, b) => { s += wy[y].w[a] * wx[x].w[b] * src.data[(sy * src.width + sx) * c + k]; }));
        out[(y * w + x) * c + k] = round8(s);
      }
    }
  }
  return out;
}

/** Resizes interleaved `channels` pixels from (width, height) to (w, h) by `mode`. */
export function resizeImage(data: Uint8Array, width: number, height: number, channels: number, w: number, h: number, mode: ResizeMode): Uint8Array {
  if (width === w && height === h) return data;
  const src = { data, width, height, channels };
  if (mode === 'area') return area(src, w, h);
  if (mode === 'center-crop') {
    const ratio = w / h;
    const cw = Math.min(width, Math.floor(height * ratio));
    const ch = Math.min(height, Math.floor(width / ratio));
    return bilinear(src, Math.floor((width - cw) / 2), Math.floor((height - ch) / 2), cw, ch, w, h);
  }
  return bilinear(src, 0, 0, width, height, w, h);
}
