/**
 * The instruction lower bound of one inference on a Cortex-M4 (no popcount instruction, DSP extension), per stage of
 * the deployment plan. Issue 5's goal compares the compiled model's instructions with it (≤ 1.5×); the compiler and
 * device benchmarks both report against this one definition.
 *
 * - XNOR-popcount: the instructions of the best kernel's inner loop per 32-bit XNOR word (32 input bits x 1 output
 *   channel), counted, not measured: the transposed bit-sliced kernel of firmware/runtime/bnn_xnor_sliced.h does one
 *   input bit for 32 channels with an SBFX (the bit in every lane) and an EOR (with the bit's weight word), half an
 *   LDRD (two weight words each) and 1/32 of the input word's LDR; the Harley–Seal carry-save tree adds 15
 *   carry-save adders of 5 instructions per 16 bits, one more per 32 (the sixteens) and one per 64 (the
 *   thirty-twos). The ripple into the higher planes and the bit-sliced threshold compare depend on the window and
 *   count 0. Total XNOR_INSTRUCTIONS_PER_WORD = 7.453125.
 * - A ±1 kernel on the 8-bit input: 0.5 instruction per MAC (the M4 adds at most two 16-bit products per instruction,
 *   SMLAD). Only taps inside the input count (a 'same' border pads with 0, which adds nothing).
 * - Any other MAC (float32 kernel, ±1 kernel on int32/float32 values): 1 instruction.
 * Only the MAC outputs a later max-pool reads count (a 'valid' pool may skip the last row/column), each once. Epilogues
 * (thresholds, pooling, BatchNorm, binarize) count 0, so the bound is a floor, not an estimate.
 */
import type { MaxPool2DLayer, ModelSpec, QuantConv2DLayer } from '../model/spec';
import { positionsAndChannels } from './packing';
import { convOutputSize, padBefore, windowGeometry } from './geometry';
import type { DeployPlan } from './plan';

/** The terms of the XNOR word's count, each per input bit of 32 lanes (see the header). */
export const XNOR_WORD_TERMS = {
  ldrdWeights: 1 / 2,
  ldrInput: 1 / 32,
  sbfx: 1,
  eor: 1,
  carrySaveTree: (15 * 5) / 16,
  sixteensAdder: 5 / 32,
  thirtyTwosAdder: 5 / 64,
} as const;
export const XNOR_INSTRUCTIONS_PER_WORD = Object.values(XNOR_WORD_TERMS).reduce((a, b) => a + b, 0);
export const U8_INSTRUCTIONS_PER_MAC = 0.5;
export const OTHER_INSTRUCTIONS_PER_MAC = 1;

export interface StageBound {
  stage: number;
  /** 32-bit words XORed and counted (XNOR stages). */
  xnorWords: number;
  /** MACs of a ±1 kernel on the 8-bit input. */
  u8Macs: number;
  /** Other real-valued MACs. */
  otherMacs: number;
  instructions: number;
}

export interface InstructionBound {
  stages: StageBound[];
  xnorWords: number;
  u8Macs: number;
  otherMacs: number;
  instructions: number;
}

/** The text the benchmarks print under their tables. */
export const BOUND_DEFINITION = `Lower bound = XNOR words × ${XNOR_INSTRUCTIONS_PER_WORD} (per input bit of 32 channels: SBFX + EOR, ½ LDRD of weights, 1/32 LDR of the input word, ` +
  '15 carry-save adders × 5 instructions per 16 bits, one more per 32 and per 64 bits; ripple and threshold compare not counted) + ' +
  `MACs of the ±1 kernel on 8-bit input × ${U8_INSTRUCTIONS_PER_MAC} (two 16-bit MACs per SMLAD; padded taps not counted) + other MACs × ${OTHER_INSTRUCTIONS_PER_MAC}, ` +
  'over the MAC outputs a pool actually reads; epilogues count 0 (src/core/deploy/bound.ts).';

/** Which of `n` MAC output indices along one axis a max-pool reads. */
function pooledAxis(n: number, pool: number, stride: number, padding: 'same' | 'valid'): boolean[] {
  const used = new Array<boolean>(n).fill(false);
  const out = convOutputSize(n, pool, stride, padding);
  const pad = padBefore(n, pool, stride, padding);
  for (let o = 0; o < out; o++) for (let p = 0; p < pool; p++) {
    const i = o * stride - pad + p;
    if (i >= 0 && i < n) used[i] = true;
  }
  return used;
}

/** Taps of a kernel window at output index o that fall inside the input, along one axis. */
function tapsInside(o: number, input: number, kernel: number, stride: number, pad: number): number {
  let n = 0;
  for (let k = 0; k < kernel; k++) {
    const i = o * stride - pad + k;
    if (i >= 0 && i < input) n++;
  }
  return n;
}

export function instructionBound(spec: ModelSpec, plan: DeployPlan): InstructionBound {
  const stages: StageBound[] = plan.stages.map((st, k) => {
    const b: StageBound = { stage: k, xnorWords: 0, u8Macs: 0, otherMacs: 0, instructions: 0 };
    if ((st.kind !== 'conv' && st.kind !== 'dense') || st.mac === undefined) return b;
    const layer = spec.layers[st.mac] as QuantConv2DLayer | { type: 'QuantDense'; units: number };
    const xnor = st.input.repr === 'bits';
    let rows: boolean[];
    let cols: boolean[];
    let taps: (y: number, x: number) => number;
    let cout: number;
    if (layer.type === 'QuantConv2D') {
      const [h, w, cin] = st.input.shape;
      const [kh, kw] = layer.kernelSize;
      const { sh, sw, outH: oh, outW: ow, padTop: pt, padLeft: pl } = windowGeometry(h, w, layer.kernelSize, layer.strides, layer.padding);
      rows = new Array<boolean>(oh).fill(true);
      cols = new Array<boolean>(ow).fill(true);
      const poolIdx = st.poolBefore ?? st.poolAfter;
      if (poolIdx !== undefined) {
        const p = spec.layers[poolIdx] as MaxPool2DLayer;
        rows = pooledAxis(oh, p.poolSize[0], p.strides[0], p.padding);
        cols = pooledAxis(ow, p.poolSize[1], p.strides[1], p.padding);
      }
      taps = (y, x) => tapsInside(y, h, kh, sh, pt) * tapsInside(x, w, kw, sw, pl) * cin;
      cout = layer.filters;
    } else {
      const { positions, channels } = positionsAndChannels(st.input.shape);
      rows = [true];
      cols = [true];
      taps = () => positions * channels;
      cout = layer.units;
    }
    for (let y = 0; y < rows.length; y++) {
      if (!rows[y]) continue;
      for (let x = 0; x < cols.length; x++) {
        if (!cols[x]) continue;
        if (xnor) b.xnorWords += cout * st.kernelRowWords!;
        else if (st.binaryKernel && st.input.repr === 'u8') b.u8Macs += cout * taps(y, x);
        else b.otherMacs += cout * taps(y, x);
      }
    }
    b.instructions = b.xnorWords * XNOR_INSTRUCTIONS_PER_WORD + b.u8Macs * U8_INSTRUCTIONS_PER_MAC + b.otherMacs * OTHER_INSTRUCTIONS_PER_MAC;
    return b;
  });
  const sum = (f: (s: StageBound) => number): number => stages.reduce((a, s) => a + f(s), 0);
  return { stages, xnorWords: sum((s) => s.xnorWords), u8Macs: sum((s) => s.u8Macs), otherMacs: sum((s) => s.otherMacs), instructions: sum((s) => s.instructions) };
}
