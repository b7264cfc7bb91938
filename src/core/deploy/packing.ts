/**
 * The one definition of how BNN Studio lays binary data out in memory. The estimator counts with it, the compiler
 * emits with it and the firmware reads with it, so an estimate equals the compiled bytes exactly.
 *
 * - A bit of value 1 means +1, a bit of 0 means −1; sign(0) = +1.
 * - Words are 32-bit little-endian `uint32_t`; bit i of word w holds element 32·w + i of its row.
 * - A binary activation tensor of shape [..., C] is stored position by position (all leading axes row-major), each
 *   position as ceil(C/32) words holding its C channels; the unused high bits of a position's last word are 0.
 * - A binary kernel is stored one row per output channel, rows back to back:
 *   - binary input (XNOR-popcount): the row has exactly the layout of the input window it is matched against, so a
 *     conv row is kh·kw positions × ceil(cin/32) words, and a dense row is the whole packed input (positions ×
 *     ceil(C/32) words, C being the channel count before any Flatten). Unused bits are 0 in the input and the kernel,
 *     so XOR leaves them 0 and popcount(x XOR w) counts exactly the mismatches.
 *   - real-valued input (the first layer on 8-bit pixels): the kernel's kh·kw·cin signs (Keras order) are packed
 *     flat into ceil(kh·kw·cin/32) words, since there is no packed input to line up with.
 */

export const WORD_BITS = 32;
export const WORD_BYTES = 4;

export function wordsForBits(bits: number): number {
  return Math.ceil(bits / WORD_BITS);
}

/** Positions and channels of a tensor whose last axis is its channel axis ([N] is one position of N channels). */
export function positionsAndChannels(shape: readonly number[]): { positions: number; channels: number } {
  const channels = shape[shape.length - 1] ?? 1;
  let positions = 1;
  for (let i = 0; i < shape.length - 1; i++) positions *= shape[i];
  return { positions, channels };
}

/** Words of a packed binary activation tensor. */
export function packedTensorWords(shape: readonly number[]): number {
  const { positions, channels } = positionsAndChannels(shape);
  return positions * wordsForBits(channels);
}

/** Words of one output channel's kernel row (see the layout above). `windowPositions` is kh·kw for a conv and the
 * input's positions before Flatten for a dense. */
export function kernelRowWords(opts: { binaryInput: boolean; inputChannels: number; windowPositions: number }): number {
  return opts.binaryInput
    ? opts.windowPositions * wordsForBits(opts.inputChannels)
    : wordsForBits(opts.windowPositions * opts.inputChannels);
}

/** Sets bit `index` of a row when `value` is +1 (value ≥ 0). */
function setSign(words: Uint32Array, base: number, index: number, value: number): void {
  if (value >= 0) words[base + (index >>> 5)] |= 1 << (index & 31);
}

/**
 * Packs a tensor of real values into its binary layout (sign(0) = +1). `values` is row-major with the channel axis
 * last, `shape` its shape.
 */
export function packTensor(values: ArrayLike<number>, shape: readonly number[]): Uint32Array {
  const { positions, channels } = positionsAndChannels(shape);
  const perPos = wordsForBits(channels);
  const out = new Uint32Array(positions * perPos);
  for (let p = 0; p < positions; p++) {
    for (let c = 0; c < channels; c++) setSign(out, p * perPos, c, values[p * channels + c]);
  }
  return out;
}

/**
 * Packs a Keras-layout kernel into rows, one per output channel.
 * `kernel` is [kh, kw, cin, cout] for a conv (windowPositions = kh·kw) or [in, out] for a dense (windowPositions =
 * the positions of the dense input before Flatten, inputChannels = its channels, so in = positions·channels).
 */
export function packKernel(
  kernel: ArrayLike<number>,
  opts: { binaryInput: boolean; inputChannels: number; windowPositions: number; outputs: number },
): Uint32Array {
  const { binaryInput, inputChannels: cin, windowPositions, outputs } = opts;
  const rowWords = kernelRowWords(opts);
  const out = new Uint32Array(outputs * rowWords);
  const cinWords = wordsForBits(cin);
  const perRow = windowPositions * cin;
  for (let o = 0; o < outputs; o++) {
    for (let i = 0; i < perRow; i++) {
      const v = kernel[i * outputs + o];
      if (binaryInput) {
        const pos = Math.floor(i / cin);
        const c = i - pos * cin;
        setSign(out, o * rowWords + pos * cinWords, c, v);
      } else {
        setSign(out, o * rowWords, i, v);
      }
    }
  }
  return out;
}

/** Bytes a tensor occupies in a buffer, rounded up to whole words so every buffer is `uint32_t`-aligned. */
export function alignedBytes(bytes: number): number {
  return Math.ceil(bytes / WORD_BYTES) * WORD_BYTES;
}
