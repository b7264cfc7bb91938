/** The C of a stage's epilogue: its per-channel arrays, the expression applying it to an accumulator, the store. */
import type { Repr } from '../deploy/tensors';
import { cArray, cFloat, cInt, hex } from './cSyntax';
import type { Epilogue } from './types';

export function epilogueArrays(k: number, e: Epilogue): string {
  if (e.kind === 'threshold') {
    const isInt = e.thresholds instanceof Int32Array;
    return cArray(isInt ? 'int32_t' : 'float', `bnn_s${k}_threshold`, e.thresholds, isInt ? cInt : cFloat, isInt ? 8 : 6)
      + cArray('uint32_t', `bnn_s${k}_flip`, e.flips, hex, 8);
  }
  if (e.kind === 'affine') return cArray('float', `bnn_s${k}_scale`, e.scale, cFloat, 6) + cArray('float', `bnn_s${k}_offset`, e.offset, cFloat, 6);
  return '';
}

/** C expression applying the epilogue of channel `o` to `acc` (a bit for thresholds, a float for affine). */
export function epilogueExpr(k: number, e: Epilogue, acc: string, accType: 'int' | 'float'): { expr: string } {
  if (e.kind === 'threshold') {
    const h = accType === 'int' ? 'thr_i32' : 'thr_f32';
    return { expr: `bnn_${h}(${acc}, bnn_s${k}_threshold[o], (bnn_s${k}_flip[o >> 5] >> (o & 31)) & 1u)` };
  }
  if (e.kind === 'affine') return { expr: `bnn_affine((float)${acc}, bnn_s${k}_scale[o], bnn_s${k}_offset[o])` };
  return { expr: acc };
}

/** Writing `value` of channel o at position `pos` (bits are gathered into `word` and stored per 32 channels). */
export function storeValue(repr: Repr, channels: number, value: string, indent: string): string {
  if (repr === 'bits') {
    return `${indent}word |= (${value}) << (o & 31);\n${indent}if ((o & 31) == 31 || o == ${channels - 1}) {\n${indent}  out[pos * ${Math.ceil(channels / 32)} + (o >> 5)] = word;\n${indent}  word = 0;\n${indent}}\n`;
  }
  return `${indent}out[pos * ${channels} + o] = ${value};\n`;
}
