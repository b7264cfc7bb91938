/** C spelling shared by every emitter: element types, literals, parameter arrays, the per-stage emission unit. */
import type { Repr } from '../deploy/tensors';
import { INT32_MIN } from './fold';
import type { PoolGeometry } from './types';

export interface Emitted { arrays: string; fn: string }

export const CTYPE: Record<Repr, string> = { u8: 'uint8_t', bits: 'uint32_t', i32: 'int32_t', f32: 'float' };
export const MEMBER: Record<Repr, string> = { u8: 'u8', bits: 'u32', i32: 'i32', f32: 'f32' };

export function cFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0.0f' : '0.0f';
  if (!Number.isFinite(f)) throw new Error(`internal: non-finite float ${f} in the emitted model`);
  return `${Math.fround(f).toPrecision(9)}f`;
}

export function cInt(v: number): string {
  return v === INT32_MIN ? '(-2147483647 - 1)' : String(v);
}

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).toUpperCase().padStart(8, '0')}u`;
}

export function cArray(type: string, name: string, values: ArrayLike<number>, fmt: (v: number) => string, perLine: number): string {
  const items: string[] = [];
  for (let i = 0; i < values.length; i++) items.push(fmt(values[i]));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push('  ' + items.slice(i, i + perLine).join(', ') + ',');
  return `static const ${type} BNN_KEEP ${name}[${values.length}] = {\n${lines.join('\n')}\n};\n`;
}

export function shape(h: number, w: number, c: number): string {
  return h === 1 && w === 1 ? `${c}` : `${h}x${w}x${c}`;
}


/** The cells (my, mx) of the pool window at output (oy, ox), `body` run for each; padded cells skipped. */
export function poolLoop(p: PoolGeometry, body: string, indent: string): string {
  // A pool whose windows never leave the map ('valid', or 'same' that happens to need no padding) needs no checks;
  // unrolled, its cells are constant offsets of the window's first one.
  const rowsInside = p.padTop === 0 && (p.outH - 1) * p.sh + p.ph <= p.inH;
  const colsInside = p.padLeft === 0 && (p.outW - 1) * p.sw + p.pw <= p.inW;
  return `${indent}BNN_UNROLL
${indent}for (int32_t py = 0; py < ${p.ph}; py++) {
${indent}  const int32_t my = oy * ${p.sh} - ${p.padTop} + py;
${rowsInside ? '' : `${indent}  if (my < 0 || my >= ${p.inH}) continue;\n`}${indent}  BNN_UNROLL
${indent}  for (int32_t px = 0; px < ${p.pw}; px++) {
${indent}    const int32_t mx = ox * ${p.sw} - ${p.padLeft} + px;
${colsInside ? '' : `${indent}    if (mx < 0 || mx >= ${p.inW}) continue;\n`}${body.split('\n').filter(Boolean).map((l) => `${indent}    ${l}`).join('\n')}
${indent}  }
${indent}}
`;
}
