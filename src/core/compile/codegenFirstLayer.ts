/**
 * The fast kernels of a first layer on the 8-bit input (plan's scratch.ts chooses them): lookup tables for a ±1 dense
 * layer, a float band for a small real-valued conv. The code-plane conv shares emitMac's loops and stays there.
 */
import { cComment } from '../escape';
import { epilogueArrays, epilogueExpr, storeValue } from './codegenEpilogue';
import { cArray, cFloat, CTYPE, hex, shape, type Emitted } from './cSyntax';
import type { MacStage } from './types';

export function emitTableDense(k: number, s: MacStage): Emitted {
  const g = s.geom;
  const t = s.scratch!;
  if (t.kind !== 'u8-tables') throw new Error('internal: table kernel without tables');
  const fanIn = g.kh * g.kw * g.cin;
  const chunks = Math.ceil(t.groups / t.chunkGroups);
  let arrays = cArray('uint32_t', `bnn_s${k}_kernel`, s.kernelBits!, hex, 8) + epilogueArrays(k, s.epilogue);
  arrays += `/* Working memory of stage ${k}'s table kernel: ${t.chunkGroups} tables of 256 ±-sums, one partial sum per output. */
static uint16_t bnn_s${k}_tables[${t.chunkGroups * 256}] BNN_ALIGN4;
static int32_t bnn_s${k}_sums[${g.cout}];
`;
  const ep = epilogueExpr(k, s.epilogue, 'acc', 'int');
  const bits = s.outputRepr === 'bits';
  // Chunks one after another with constant sizes, so the kernels unroll completely.
  let chunkCode = '';
  for (let c = 0; c < chunks; c++) {
    const g0 = c * t.chunkGroups;
    const groups = Math.min(t.chunkGroups, t.groups - g0);
    const inputs = Math.min(t.chunkGroups * 8, fanIn - g0 * 8);
    chunkCode += `  /* Groups ${g0}..${g0 + groups - 1}: inputs ${g0 * 8}..${g0 * 8 + inputs - 1}. */
  bnn_u8_tables(bnn_s${k}_tables, in + ${g0 * 8}, ${inputs});
  for (int32_t o = 0; o < ${g.cout}; o++) {
    const int32_t a = bnn_u8_lookup(bnn_s${k}_tables, bnn_s${k}_kernel + o * ${s.rowWords} + ${g0 / 4}, ${groups});
    bnn_s${k}_sums[o] ${c === 0 ? '=' : '+='} a;
  }
`;
  }
  const fn = `/* Stage ${k}: dense '${cComment(s.name)}': ${fanIn} u8 -> ${g.cout} ${s.outputRepr} (±1 kernel on real input, ${t.groups} groups of 8 inputs as lookup tables, ${chunks} chunk${chunks > 1 ? 's' : ''} of up to ${t.chunkGroups}${s.epilogue.kind === 'threshold' ? ', BatchNorm+sign as thresholds' : s.epilogue.kind === 'affine' ? ', float32 scale/offset' : ''}) */
static BNN_STAGE void bnn_stage${k}(const uint8_t *in, ${CTYPE[s.outputRepr]} *out)
{
${chunkCode}${bits ? '  uint32_t word = 0;\n' : ''}  const int32_t pos = 0;
  for (int32_t o = 0; o < ${g.cout}; o++) {
    const int32_t acc = bnn_s${k}_sums[o] - ${2040 * t.groups};
${storeValue(s.outputRepr, g.cout, ep.expr, '    ')}  }
}
`;
  return { arrays, fn };
}

/**
 * A float32 kernel on 8-bit pixels over a float band (plan.ts convFloatBandScratch): per output row the band is
 * filled, per output position the patch its windows read becomes locals (registers), and per filter its weights do;
 * each window is then one multiply and a multiply-accumulate per further tap, in the reference's tap order. Padding
 * cells are 0 and add ±0, so sums equal the reference's, which skips them.
 */
export function emitFloatBand(k: number, s: MacStage): Emitted {
  const g = s.geom;
  const b = s.scratch!;
  if (b.kind !== 'f32-band' || s.kind !== 'conv') throw new Error('internal: float band kernel without its band');
  const pg = s.pool?.geom;
  const [ph, pw, psh, psw] = pg ? [pg.ph, pg.pw, pg.sh, pg.sw] : [1, 1, 1, 1];
  if (b.patchRows !== (ph - 1) * g.sh + g.kh || b.patchCols !== (pw - 1) * g.sw + g.kw || b.cin !== g.cin || (pg && (pg.padTop !== 0 || pg.padLeft !== 0))) {
    throw new Error(`internal: stage ${k}'s float band disagrees with its geometry`);
  }
  const fanIn = g.kh * g.kw * g.cin;
  let arrays = cArray('float', `bnn_s${k}_kernel`, s.kernelFloat!, cFloat, 6) + epilogueArrays(k, s.epilogue);
  arrays += `/* Working memory of stage ${k}: ${b.patchRows} input rows of ${b.cols} padded columns x ${b.cin} channels as float32. */
static float bnn_s${k}_band[${b.patchRows * b.cols * b.cin}] BNN_ALIGN4;
`;
  const ind = '        ';
  const p = (r: number, c: number, ch: number): string => `p${r}_${c}_${ch}`;
  let patch = '';
  for (let r = 0; r < b.patchRows; r++) for (let c = 0; c < b.patchCols; c++) for (let ch = 0; ch < g.cin; ch++) {
    patch += `      const float ${p(r, c, ch)} = x[${(r * b.cols + c) * g.cin + ch}];
`;
  }
  let weights = '';
  for (let t = 0; t < fanIn; t++) weights += `${ind}const float w${t} = w[${t}];
`;
  const windows: string[] = [];
  let sums = '';
  for (let py = 0; py < ph; py++) for (let px = 0; px < pw; px++) {
    const a = `a${py}_${px}`;
    windows.push(a);
    let t = 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let ch = 0; ch < g.cin; ch++, t++) {
      const v = p(py * g.sh + ky, px * g.sw + kx, ch);
      sums += t === 0 ? `${ind}float ${a} = ${v} * w0;
` : `${ind}${a} = bnn_fmac(${a}, ${v}, w${t});
`;
    }
  }
  const e = s.epilogue;
  let combine = '';
  let value: string;
  if (s.pool?.at === 'after' && e.kind === 'threshold') {
    // BatchNorm then pool then sign: sign(max y) is the OR of the signs.
    const parts = windows.map((a) => epilogueExpr(k, e, a, 'float'));
    value = parts.map((x) => x.expr).join(' | ');
  } else if (s.pool?.at === 'after') {
    const parts = windows.map((a) => epilogueExpr(k, e, a, 'float'));
    combine += `${ind}float y = ${parts[0].expr};
`;
    for (let i = 1; i < parts.length; i++) combine += `${ind}{
${ind}  const float v = ${parts[i].expr};
${ind}  if (v > y) y = v;
${ind}}
`;
    value = 'y';
  } else {
    combine += `${ind}float acc = ${windows[0]};
`;
    for (let i = 1; i < windows.length; i++) combine += `${ind}if (${windows[i]} > acc) acc = ${windows[i]};
`;
    const ep = epilogueExpr(k, e, 'acc', 'float');
    value = ep.expr;
  }
  const what = `conv '${cComment(s.name)}': ${shape(g.inH, g.inW, g.cin)} u8 -> ${shape(s.outH, s.outW, g.cout)} ${s.outputRepr} (float32 kernel over a float band, `
    + `${b.patchRows}x${b.patchCols} patch in registers${s.pool ? `, max-pool ${s.pool.at} BatchNorm` : ''}${e.kind === 'threshold' ? ', BatchNorm+sign as thresholds' : e.kind === 'affine' ? ', float32 scale/offset' : ''})`;
  const fn = `/* Stage ${k}: ${what} */
static BNN_STAGE void bnn_stage${k}(const uint8_t *in, ${CTYPE[s.outputRepr]} *out)
{
  for (int32_t oy = 0; oy < ${s.outH}; oy++) {
    bnn_f32_band(bnn_s${k}_band, in, ${g.inH}, ${g.inW}, ${g.cin}, ${b.cols}, ${g.padLeft}, oy * ${psh * g.sh} - ${g.padTop}, ${b.patchRows});
    for (int32_t ox = 0; ox < ${s.outW}; ox++) {
      const int32_t pos = oy * ${s.outW} + ox;
      const float *x = bnn_s${k}_band + ox * ${psw * g.sw * g.cin};
${patch}${s.outputRepr === 'bits' ? '      uint32_t word = 0;\n' : ''}      for (int32_t o = 0; o < ${g.cout}; o++) {
        const float *w = bnn_s${k}_kernel + o * ${fanIn};
${weights}${sums}${combine}${storeValue(s.outputRepr, g.cout, value, ind)}      }
    }
  }
}
`;
  return { arrays, fn };
}
