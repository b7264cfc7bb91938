/**
 * Where a kernel or pool window steps over a feature map, as TensorFlow computes it: output sizes and the 'same'
 * padding split. The plan, the lowering, the trainer's padding and the reference all ask here.
 */
import type { Padding } from '../model/spec';

/** TensorFlow's output size for one spatial axis. */
export function convOutputSize(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - kernel) / stride) + 1;
}

/** TensorFlow's 'same' padding before the first element (the extra one goes after). */
export function samePadBefore(input: number, kernel: number, stride: number): number {
  const out = Math.ceil(input / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - input, 0) / 2);
}

/** Padding before the first element on one axis: TensorFlow's split for 'same', none for 'valid'. */
export function padBefore(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? samePadBefore(input, kernel, stride) : 0;
}

/** A window stepping sh×sw over an inH×inW grid padded padTop/padLeft before it: outH×outW window positions. */
export interface WindowGeometry {
  inH: number;
  inW: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** Where a conv kernel or a pool window of size `window` steps over an inH×inW input. */
export function windowGeometry(inH: number, inW: number, window: readonly [number, number], strides: readonly [number, number], padding: Padding): WindowGeometry {
  const [kh, kw] = window;
  const [sh, sw] = strides;
  return {
    inH, inW, sh, sw,
    padTop: padBefore(inH, kh, sh, padding), padLeft: padBefore(inW, kw, sw, padding),
    outH: convOutputSize(inH, kh, sh, padding), outW: convOutputSize(inW, kw, sw, padding),
  };
}

/** Rows and columns a window's positions cover, counted from padTop/padLeft before the input (the input included). */
export function paddedExtent(g: WindowGeometry, window: readonly [number, number]): [number, number] {
  return [Math.max(g.padTop + g.inH, (g.outH - 1) * g.sh + window[0]), Math.max(g.padLeft + g.inW, (g.outW - 1) * g.sw + window[1])];
}

