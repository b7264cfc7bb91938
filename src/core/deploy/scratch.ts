/**
 * Working memory of the fast kernels, chosen per stage by what its input and geometry allow: the padded input band of
 * an XNOR conv with 'same' padding, and the three first-layer strategies on the 8-bit input (lookup tables for a ±1
 * dense, code planes for a ±1 conv with short kernel rows, a float band for a small real-valued conv).
 */
import type { MaxPool2DLayer, Padding } from '../model/spec';
import { paddedExtent, windowGeometry, type WindowGeometry } from './geometry';
import { WORD_BYTES, wordsForBits } from './packing';

/**
 * An XNOR conv with 'same' padding reads its windows from a padded copy of the input rows one output row needs (a
 * band), refilled per output row in one static buffer shared by all such stages (sized for the largest band): the
 * padding cells hold +1 in every channel, as in training, so every window lies inside the band and runs on the
 * unchecked kernel with constant offsets instead of testing borders tap by tap. A band, not the whole padded map:
 * the whole map would add about a feature map of RAM (18 KB on BinaryNet's 32×32×128), the band a few rows of it.
 */
export interface PaddedInput {
  /** Rows in the band: the kernel's, plus those of the other conv rows a max-pool in the stage takes. */
  rows: number;
  /** Columns of a padded row (the input's start at padLeft) and packed words per position. */
  cols: number;
  words: number;
  padTop: number;
  padLeft: number;
  bytes: number;
}

/**
 * The padded band an XNOR conv needs, or undefined when all its windows lie inside its input ('valid', or a 'same'
 * that needs no padding). poolRows: the height of a max-pool fused into the stage (1 without).
 */
export function paddedInput(inH: number, inW: number, cin: number, kernel: [number, number], strides: [number, number], padding: Padding, poolRows = 1): PaddedInput | undefined {
  const g = windowGeometry(inH, inW, kernel, strides, padding);
  const [rowsCovered, cols] = paddedExtent(g, kernel);
  if (rowsCovered === inH && cols === inW) return undefined;
  const rows = (poolRows - 1) * g.sh + kernel[0];
  const words = wordsForBits(cin);
  return { rows, cols, words, padTop: g.padTop, padLeft: g.padLeft, bytes: rows * cols * words * WORD_BYTES };
}

/**
 * A ±1 dense kernel on the 8-bit input runs on lookup tables: per group of 8 consecutive inputs, the 256 possible
 * ±-sums (uint16, biased non-negative), so each output costs one table load per kernel byte instead of 8 MACs. The
 * tables are built per inference for up to `chunkGroups` groups at a time (a bounded RAM cost, whatever the input
 * size), with one int32 partial sum per output carried across chunks.
 */
export type FirstLayerScratch = TableScratch | PlaneScratch | FloatBandScratch;

export interface TableScratch {
  kind: 'u8-tables';
  /** Groups of 8 inputs per chunk (a multiple of 4: whole kernel words), and the groups in all. */
  chunkGroups: number;
  groups: number;
  /** uint16 table entries (chunkGroups · 256) and int32 partial sums (one per output). */
  tableBytes: number;
  sumBytes: number;
}

/**
 * A ±1 conv kernel on the 8-bit input whose kernel rows are short (kw·cin ≤ 4 values, e.g. 3×3 on one channel): per
 * input row and output column, the 2^(kw·cin) possible ±-sums of the kw·cin values a kernel row covers there ("code
 * planes", int16; taps outside the input add 0, as in training's zero padding). A filter's window is then kh plane
 * loads selected by its kernel rows' bits, instead of kh·kw·cin MACs.
 */
export interface PlaneScratch {
  kind: 'u8-planes';
  /** Rows (the input's with the padding rows its windows cover, from padTop on) × MAC output columns × 2^codeBits int16
   * entries; a padding row's entries are all 0, so every window is kh rows inside the planes. */
  rows: number;
  padTop: number;
  cols: number;
  codeBits: number;
  bytes: number;
}

/**
 * A real-valued (float32) conv kernel on the 8-bit input with small windows (a full-precision first layer, e.g. 3×3 on
 * one channel): per output row, the input rows its windows read — those of a fused max-pool's windows too — are
 * converted once into a zero-padded float32 band (training's zero padding, so no window tests a border). Each output
 * position then loads the patch its (pooled) windows cover into registers once, and every filter costs its weights'
 * loads and one multiply-accumulate per tap, instead of a conversion, two loads and border tests per tap and filter.
 */
export interface FloatBandScratch {
  kind: 'f32-band';
  /** Rows and columns of the patch one stage output position reads (its pool's windows included); the band holds
   *  patchRows input rows of `cols` padded columns. */
  patchRows: number;
  patchCols: number;
  cols: number;
  cin: number;
  bytes: number;
}

/** Patch values and taps above these stay on the generic loop (the registers would spill, the code would balloon). */
export const BAND_MAX_PATCH = 64;
export const BAND_MAX_TAPS = 32;

/**
 * The float band of a float32-kernel conv on the 8-bit input, if its windows are small and a fused pool's windows
 * never leave the conv's output (the patch is then the same shape at every position).
 */
export function convFloatBandScratch(g: WindowGeometry, kernel: readonly [number, number], cin: number, pool: MaxPool2DLayer | undefined): FloatBandScratch | undefined {
  let poolRowsN = 1;
  let poolColsN = 1;
  if (pool) {
    const pg = windowGeometry(g.outH, g.outW, pool.poolSize, pool.strides, pool.padding);
    const [rowsCovered, colsCovered] = paddedExtent(pg, pool.poolSize);
    if (rowsCovered !== g.outH || colsCovered !== g.outW) return undefined;
    [poolRowsN, poolColsN] = pool.poolSize;
  }
  const patchRows = (poolRowsN - 1) * g.sh + kernel[0];
  const patchCols = (poolColsN - 1) * g.sw + kernel[1];
  if (kernel[0] * kernel[1] * cin > BAND_MAX_TAPS || patchRows * patchCols * cin > BAND_MAX_PATCH) return undefined;
  const cols = paddedExtent(g, kernel)[1];
  return { kind: 'f32-band', patchRows, patchCols, cols, cin, bytes: patchRows * cols * cin * 4 };
}

/** At most 32 groups (256 inputs, 16 KB of tables) at a time. */
export const TABLE_CHUNK_GROUPS = 32;
/** Below this many outputs the per-inference table build costs more than it saves (~6 instructions per MAC direct,
 * ~0.5 with tables, ~300 to build one group's table). */
export const TABLE_MIN_OUTPUTS = 8;

/** The table scratch of a dense layer with a ±1 kernel on the 8-bit input, if it pays. */
export function firstLayerScratch(fanIn: number, outputs: number): FirstLayerScratch | undefined {
  if (outputs < TABLE_MIN_OUTPUTS || fanIn < 16) return undefined;
  const groups = Math.ceil(fanIn / 8);
  const chunkGroups = Math.min(TABLE_CHUNK_GROUPS, Math.ceil(groups / 4) * 4);
  return { kind: 'u8-tables', chunkGroups, groups, tableBytes: chunkGroups * 256 * 2, sumBytes: outputs * 4 };
}

export const PLANE_MAX_CODE_BITS = 4;
export const PLANE_MAX_BYTES = 16 * 1024;

/** The code planes of a conv with a ±1 kernel on the 8-bit input, if its kernel rows are short and they fit. */
export function convPlaneScratch(g: WindowGeometry, kernel: readonly [number, number], cin: number, filters: number): PlaneScratch | undefined {
  const codeBits = kernel[1] * cin;
  if (codeBits > PLANE_MAX_CODE_BITS || filters < 4) return undefined;
  const rows = paddedExtent(g, kernel)[0];
  const bytes = rows * g.outW * (1 << codeBits) * 2;
  if (bytes > PLANE_MAX_BYTES) return undefined;
  return { kind: 'u8-planes', rows, padTop: g.padTop, cols: g.outW, codeBits, bytes };
}

export function scratchBytesOf(s: FirstLayerScratch | undefined): number {
  if (!s) return 0;
  return s.kind === 'u8-tables' ? s.tableBytes + s.sumBytes : s.bytes;
}

