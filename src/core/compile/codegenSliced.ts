/**
 * XNOR stages on the transposed, bit-sliced kernel (firmware/runtime/bnn_xnor_sliced.h): 32 output channels per
 * kernel call, thresholds compared in bit planes, a packed output word written directly.
 *
 * The arrays hold exactly the bytes of the row layout the plan counts (packing.ts), rearranged: the kernel is the
 * same words transposed per group of 32 channels, and each group's 32 int32 thresholds become 32 words of which the
 * first `planes` hold the bit-sliced limits (the rest zero). So the estimate still equals the ELF's bytes, and the
 * lowered model (and with it the reference and the hash) does not change.
 */
import { cArray, hex, poolLoop, type Emitted } from './cSyntax';
import { cComment } from '../escape';
import type { MacStage } from './types';

/** The kernel's planes (in bnn_xnor_sliced_lt) hold counts up to 2^16 − 1. */
const MAX_PLANES = 16;

/** Bit planes enough for every count 0..windowBits and every limit 0..windowBits + 1. */
export function slicedPlanes(windowBits: number): number {
  return Math.max(6, Math.ceil(Math.log2(windowBits + 2)));
}

/** Whole groups of 32 channels, BatchNorm+sign thresholds on integer accumulators, packed output. */
export function slicedEligible(s: MacStage): boolean {
  return s.mode === 'xnor' && s.geom.cout % 32 === 0 && s.epilogue.kind === 'threshold' && s.epilogue.thresholds instanceof Int32Array
    && s.outputRepr === 'bits' && s.acc === 'int' && slicedPlanes(s.rowWords! * 32) <= MAX_PLANES;
}

/**
 * Word g·(32·rowWords) + 32·j + b holds, in bit l, bit b of word j of channel 32·g + l's row: one input bit's
 * weights for the 32 channels of group g.
 */
export function transposeKernel(bits: Uint32Array, cout: number, rowWords: number): Uint32Array {
  const out = new Uint32Array(bits.length);
  for (let g = 0; g < cout / 32; g++) for (let j = 0; j < rowWords; j++) for (let b = 0; b < 32; b++) {
    let w = 0;
    for (let l = 0; l < 32; l++) w |= ((bits[(g * 32 + l) * rowWords + j] >>> b) & 1) << l;
    out[g * 32 * rowWords + 32 * j + b] = w >>> 0;
  }
  return out;
}

/**
 * The limits L per channel, bit-sliced: with acc = fanIn − 2·mismatches, the output bit is (mismatches < L) XOR
 * flip. acc ≥ t ⇔ mis ≤ ⌊(fanIn − t)/2⌋, so L = that + 1; for a flipped channel acc ≤ t ⇔ mis ≥ ⌈(fanIn − t)/2⌉ ⇔
 * NOT (mis < L) with L = that. L is clamped to 0..fanIn + 1 (never / always).
 */
export function slicedLimits(thresholds: Int32Array, flips: Uint32Array, fanIn: number, planes: number): Uint32Array {
  const cout = thresholds.length;
  const out = new Uint32Array(cout);
  for (let o = 0; o < cout; o++) {
    const t = thresholds[o];
    const flip = (flips[o >>> 5] >>> (o & 31)) & 1;
    const raw = flip ? Math.ceil((fanIn - t) / 2) : Math.floor((fanIn - t) / 2) + 1;
    const lim = Math.min(fanIn + 1, Math.max(0, raw));
    const g = o >>> 5;
    for (let p = 0; p < planes; p++) if ((lim >>> p) & 1) out[g * 32 + p] |= 1 << (o & 31);
  }
  return out;
}

export function emitSlicedXnor(k: number, s: MacStage, window: { at: (my: string, mx: string) => string; iw: number }, rowPrologue: string): Emitted {
  const g = s.geom;
  const e = s.epilogue;
  if (e.kind !== 'threshold' || !(e.thresholds instanceof Int32Array)) throw new Error(`internal: stage ${k} is not a thresholded XNOR stage`);
  const rowWords = s.rowWords!;
  const groups = g.cout / 32;
  const dense = s.kind === 'dense';
  const cw = dense ? rowWords : Math.ceil(g.cin / 32);
  const [kh, kw] = dense ? [1, 1] : [g.kh, g.kw];
  const fanIn = g.kh * g.kw * g.cin;
  const planes = slicedPlanes(rowWords * 32);
  const arrays = `/* Transposed: word 32·j + b of a group holds input bit b of window word j for its 32 channels. */\n`
    + cArray('uint32_t', `bnn_s${k}_kernel`, transposeKernel(s.kernelBits!, g.cout, rowWords), hex, 8)
    + `/* Per group of 32 channels: ${planes} bit planes of the mismatch limits (then zeros); output = (mismatches < limit) ^ flip. */\n`
    + cArray('uint32_t', `bnn_s${k}_threshold`, slicedLimits(e.thresholds, e.flips, fanIn, planes), hex, 8)
    + cArray('uint32_t', `bnn_s${k}_flip`, e.flips, hex, 8);
  const call = (my: string, mx: string): string => `bnn_xnor_sliced_lt(${window.at(my, mx)}, wt, ${window.iw}, ${cw}, ${kh}, ${kw}, ${planes}, lim)`;
  const ind = '        ';
  let body: string;
  if (!s.pool) {
    body = `${ind}out[pos * ${groups} + gr] = ${call('oy', 'ox')} ^ flip;\n`;
  } else if (s.pool.at === 'before') {
    // Pool then BatchNorm+sign: the maximum accumulator is the fewest mismatches, so a lane's bit is set if any cell's is.
    body = `${ind}uint32_t any = 0;\n${poolLoop(s.pool.geom, `any |= ${call('my', 'mx')};`, ind)}${ind}out[pos * ${groups} + gr] = any ^ flip;\n`;
  } else {
    // BatchNorm+sign then pool: the OR of the cells' signs; a flipped lane's sign is the complement of its compare.
    body = `${ind}uint32_t any = 0, all = 0xFFFFFFFFu;\n${poolLoop(s.pool.geom, `const uint32_t c = ${call('my', 'mx')};\nany |= c;\nall &= c;`, ind)}`
      + `${ind}out[pos * ${groups} + gr] = (any & ~flip) | (~all & flip);\n`;
  }
  const inShape = dense ? `${rowWords * 32}` : `${g.inH}x${g.inW}x${g.cin}`;
  const fn = `/* Stage ${k}: ${s.kind} '${cComment(s.name)}': ${inShape} bits -> ${s.outH === 1 && s.outW === 1 ? '' : `${s.outH}x${s.outW}x`}${g.cout} bits (XNOR, transposed bit-sliced: ${groups} group${groups > 1 ? 's' : ''} of 32 channels${s.pool ? `, max-pool ${s.pool.at} BatchNorm` : ''}, BatchNorm+sign as bit-sliced limits) */
static BNN_STAGE void bnn_stage${k}(const uint32_t *in, uint32_t *out)
{
  for (int32_t oy = 0; oy < ${s.outH}; oy++) {
${rowPrologue}    for (int32_t ox = 0; ox < ${s.outW}; ox++) {
      const int32_t pos = oy * ${s.outW} + ox;
      for (int32_t gr = 0; gr < ${groups}; gr++) {
        const uint32_t *wt = bnn_s${k}_kernel + gr * ${32 * rowWords};
        const uint32_t *lim = bnn_s${k}_threshold + gr * 32;
        const uint32_t flip = bnn_s${k}_flip[gr];
${body}      }
    }
  }
}
`;
  return { arrays, fn };
}
