/**
 * Emits bnn_model.h / bnn_model.c from a lowered model. One C function per stage with its geometry as constants;
 * parameters are `static const` arrays (flash) named bnn_s<k>_<what> and the activations live in one static union,
 * bnn_arena, so their sizes can be read back from the ELF symbol table and compared with the plan.
 */
import type { Repr } from '../deploy/tensors';
import { RUNTIME_HEADER } from './runtimeFiles';
import { cArray, cFloat, CTYPE, hex, MEMBER, poolLoop, shape, type Emitted } from './cSyntax';
import { emitSlicedXnor, slicedEligible } from './codegenSliced';
import { emitRealStage } from './codegenReal';
import { epilogueArrays, epilogueExpr, storeValue } from './codegenEpilogue';
import { emitFloatBand, emitTableDense } from './codegenFirstLayer';
import { cComment, cString } from '../escape';
import type { BatchNormStage, BinarizeStage, LoweredModel, LoweredStage, MacStage, MaxPoolStage } from './types';

export const GENERATOR = 'BNN Studio compiler 1';


function emitMac(k: number, s: MacStage): Emitted {
  if (s.scratch?.kind === 'u8-tables') return emitTableDense(k, s);
  if (s.scratch?.kind === 'f32-band') return emitFloatBand(k, s);
  const g = s.geom;
  const planes = s.scratch?.kind === 'u8-planes' ? s.scratch : undefined;
  // Code planes (their padding rows included, so kernel rows never leave them) run filter by filter (bnn_plane_rows
  // once per filter): `planes` decides the loop order below.
  let prologue = '';
  let rowPrologue = '';
  const accT = s.acc === 'int' ? 'int32_t' : 'float';
  let arrays = '';
  let macExpr: (my: string, mx: string) => string;
  const dense = s.kind === 'dense';
  const fanIn = g.kh * g.kw * g.cin;
  if (s.mode === 'xnor') {
    const cw = Math.ceil(g.cin / 32);
    const lastMask = g.cin % 32 === 0 ? 0xffffffff : 2 ** (g.cin % 32) - 1;
    arrays += cArray('uint32_t', `bnn_s${k}_kernel`, s.kernelBits!, hex, 8);
    const row = `bnn_s${k}_kernel + o * ${s.rowWords}`;
    // Where window (my, mx) starts and the words per input row: the bit-sliced kernel reads the same windows.
    let window: { at: (my: string, mx: string) => string; iw: number } = { at: () => 'in', iw: 1 };
    if (dense && s.rowWords! <= 31) {
      // A row of up to 31 words is one window of 1×1 position × rowWords words: unrolled pairs, one lane fold.
      macExpr = () => `${fanIn} - 2 * (int32_t)bnn_xnor_inside(in, ${row}, 1, ${s.rowWords}, 1, 1)`;
    } else if (dense) {
      macExpr = () => `${fanIn} - 2 * (int32_t)bnn_xorpop(in, ${row}, ${s.rowWords})`;
    } else {
      // Every window lies inside the input ('valid', or 'same' that needs no padding) or inside the plan's padded band
      // of the rows one output row reads, filled per output row: no border test, cells at constant offsets.
      const p = s.padded;
      if (p) {
        const pg = s.pool?.geom;
        if (p.words !== cw || p.padTop !== g.padTop || p.padLeft !== g.padLeft || p.rows !== ((pg?.ph ?? 1) - 1) * g.sh + g.kh) {
          throw new Error(`internal: stage ${k}'s padded input disagrees with its geometry`);
        }
        // The first conv row output row oy reads (a pool's padding rows included: their windows are skipped).
        const base = pg ? `(oy * ${pg.sh} - ${pg.padTop})` : 'oy';
        rowPrologue = `    bnn_pad_rows(bnn_padded, in, ${g.inH}, ${g.inW}, ${cw}, ${hex(lastMask)}, ${p.cols}, ${p.padLeft}, ${base} * ${g.sh} - ${g.padTop}, ${p.rows});\n`;
        window = { at: (my, mx) => `bnn_padded + ((${my} - ${base}) * ${g.sh * p.cols} + ${mx} * ${g.sw}) * ${cw}`, iw: p.cols };
        macExpr = (my, mx) => `${fanIn} - 2 * (int32_t)bnn_xnor_inside(${window.at(my, mx)}, ${row}, ${p.cols}, ${cw}, ${g.kh}, ${g.kw})`;
      } else if (g.padTop !== 0 || g.padLeft !== 0 || (g.outH - 1) * g.sh + g.kh > g.inH || (g.outW - 1) * g.sw + g.kw > g.inW) {
        throw new Error(`internal: stage ${k}'s windows leave its input but the plan gives it no padded copy`);
      } else {
        window = { at: (my, mx) => `in + (${my} * ${g.sh * g.inW} + ${mx} * ${g.sw}) * ${cw}`, iw: g.inW };
        macExpr = (my, mx) => `${fanIn} - 2 * (int32_t)bnn_xnor_inside(${window.at(my, mx)}, ${row}, ${g.inW}, ${cw}, ${g.kh}, ${g.kw})`;
      }
    }
    if (slicedEligible(s)) return emitSlicedXnor(k, s, window, rowPrologue);
  } else {
    const t = s.inputRepr as 'u8' | 'i32' | 'f32';
    let row: string;
    if (s.mode === 'binary') {
      arrays += cArray('uint32_t', `bnn_s${k}_kernel`, s.kernelBits!, hex, 8);
      row = `bnn_s${k}_kernel + o * ${s.rowWords}`;
    } else {
      arrays += cArray('float', `bnn_s${k}_kernel`, s.kernelFloat!, cFloat, 6);
      row = `bnn_s${k}_kernel + o * ${fanIn}`;
    }
    const zero = s.acc === 'int' ? '0' : '0.0f';
    if (planes) {
      const n = planes.codeBits;
      arrays += `/* Working memory of stage ${k}: code planes, ${planes.rows} input rows x ${planes.cols} columns x ${1 << n} sums of ${n} values. */\nstatic uint16_t bnn_s${k}_planes[${planes.rows * planes.cols * (1 << n)}] BNN_ALIGN4;\n`;
      if (planes.padTop !== g.padTop || planes.rows < (g.outH - 1) * g.sh + g.kh) throw new Error(`internal: stage ${k}'s code planes disagree with its geometry`);
      prologue = `  bnn_u8_planes(bnn_s${k}_planes, in, ${g.inH}, ${g.inW}, ${g.cin}, ${g.sw}, ${g.padLeft}, ${g.outW}, ${n}, ${planes.rows}, ${planes.padTop}); /* n = kw·cin */\n`;
      prologue += s.outputRepr === 'bits' ? `  memset(out, 0, sizeof(uint32_t) * ${s.outH * s.outW * Math.ceil(g.cout / 32)});\n` : '';
      // Plane row my·sh + ky is input row my·sh + ky − padTop: the window's first row, in plane coordinates.
      macExpr = (my, mx) => `bnn_plane_cell(q, ${my} * ${g.sh * g.outW} + ${mx}, ${g.kh}, ${n})`;
    } else if (dense) {
      const h = s.mode === 'binary' ? `pm_${t}` : `dot_${t}`;
      macExpr = () => s.mode === 'binary' ? `bnn_${h}(${zero}, in, ${row}, 0u, ${fanIn})` : `bnn_${h}(${zero}, in, ${row}, ${fanIn})`;
    } else {
      const h = `win_${s.mode}_${t}`;
      macExpr = (my, mx) => `bnn_${h}(in, ${row}, ${g.inH}, ${g.inW}, ${g.cin}, ${g.kh}, ${g.kw}, ${my} * ${g.sh} - ${g.padTop}, ${mx} * ${g.sw} - ${g.padLeft})`;
    }
  }
  arrays += epilogueArrays(k, s.epilogue);

  const outT = CTYPE[s.outputRepr];
  const e = s.epilogue;
  // A 2-wide, stride-2 max-pool over code planes whose columns pair up on word boundaries: two windows per add.
  const pp = s.pool?.geom;
  const pairPool = planes !== undefined && s.acc === 'int' && s.pool?.at === 'before' && pp !== undefined && pp.pw === 2 && pp.sw === 2 && pp.padLeft === 0
    && (pp.outW - 1) * 2 + 2 <= pp.inW && g.outW % 2 === 0 && g.kh * 510 * planes!.codeBits < 65536;
  let body = '';
  const ind = '      ';
  if (s.residual && (planes || s.outputRepr !== 'f32')) throw new Error(`internal: stage ${k}'s residual epilogue needs a float32 output off the 8-bit input`);
  const store = (repr: Repr, channels: number, value: string, indent: string): string => s.residual
    ? `${indent}out[pos * ${channels} + o] = (${value}) + res[pos * ${channels} + o];\n`
    : !planes
    ? storeValue(repr, channels, value, indent)
    : repr === 'bits'
      ? `${indent}out[pos * ${Math.ceil(channels / 32)} + (o >> 5)] |= (uint32_t)(${value}) << (o & 31);\n`
      : `${indent}out[pos * ${channels} + o] = ${value};\n`;
  if (!s.pool) {
    const ep = epilogueExpr(k, e, 'acc', s.acc);
    body += `${ind}const ${accT} acc = ${macExpr('oy', 'ox')};\n`;
    body += store(s.outputRepr, g.cout, ep.expr, ind);
  } else if (pairPool) {
    // Pairs of horizontally pooled windows as one word: max over the pool's rows lane by lane, then of the two lanes.
    const p = s.pool.geom;
    const n = planes!.codeBits;
    const ep = epilogueExpr(k, e, 'acc', s.acc);
    const rowsInside = p.padTop === 0 && (p.outH - 1) * p.sh + p.ph <= p.inH;
    body += `${ind}uint32_t m = 0;\n${ind}BNN_UNROLL\n${ind}for (int32_t py = 0; py < ${p.ph}; py++) {\n`;
    body += `${ind}  const int32_t my = oy * ${p.sh} - ${p.padTop} + py;\n`;
    if (!rowsInside) body += `${ind}  if (my < 0 || my >= ${p.inH}) continue;\n`;
    body += `${ind}  m = bnn_max_u16x2(m, bnn_plane_pair(q, my * ${g.sh * g.outW} + ox * 2, ${g.kh}));\n${ind}}\n`;
    body += `${ind}const int32_t acc = (int32_t)((m & 0xFFFFu) > (m >> 16) ? (m & 0xFFFFu) : (m >> 16)) - ${g.kh * 255 * n};\n`;
    body += store(s.outputRepr, g.cout, ep.expr, ind);
  } else if (s.pool.at === 'before') {
    const ep = epilogueExpr(k, e, 'acc', s.acc);
    if (s.acc === 'int') {
      body += `${ind}int32_t acc = (-2147483647 - 1);\n`;
      body += poolLoop(s.pool.geom, `const int32_t a = ${macExpr('my', 'mx')};\nif (a > acc) acc = a;\n`, ind);
    } else {
      body += `${ind}float acc = 0.0f;\n${ind}int first = 1;\n`;
      body += poolLoop(s.pool.geom, `const float a = ${macExpr('my', 'mx')};\nif (first || a > acc) {\n  acc = a;\n  first = 0;\n}\n`, ind);
    }
    body += store(s.outputRepr, g.cout, ep.expr, ind);
  } else if (e.kind === 'threshold') {
    // BatchNorm then pool then sign: sign(max y) is the OR of the signs.
    const ep = epilogueExpr(k, e, 'a', s.acc);
    body += `${ind}uint32_t bit = 0;\n`;
    body += poolLoop(s.pool.geom, `const ${accT} a = ${macExpr('my', 'mx')};\nbit |= ${ep.expr};\n`, ind);
    body += store(s.outputRepr, g.cout, 'bit', ind);
  } else {
    const ep = epilogueExpr(k, e, 'a', s.acc);
    body += `${ind}float y = 0.0f;\n${ind}int first = 1;\n`;
    body += poolLoop(s.pool.geom, `const ${accT} a = ${macExpr('my', 'mx')};\nconst float v = ${ep.expr};\nif (first || v > y) {\n  y = v;\n  first = 0;\n}\n`, ind);
    body += store(s.outputRepr, g.cout, 'y', ind);
  }
  const what = `${s.kind} '${cComment(s.name)}': ${shape(g.inH, g.inW, g.cin)} ${s.inputRepr} -> ${shape(s.outH, s.outW, g.cout)} ${s.outputRepr}`
    + ` (${s.mode === 'xnor' ? 'XNOR-popcount' : s.mode === 'binary' ? '±1 kernel on real input' : 'float32 kernel'}`
    + `${s.pool ? `, max-pool ${s.pool.at === 'before' ? 'before' : 'after'} BatchNorm` : ''}${e.kind === 'threshold' ? ', BatchNorm+sign as thresholds' : e.kind === 'affine' ? ', float32 scale/offset' : ''})`;
  const fn = planes ? `/* Stage ${k}: ${what} */
static BNN_STAGE void bnn_stage${k}(const ${CTYPE[s.inputRepr]} *in, ${outT} *out)
{
${prologue}  for (int32_t o = 0; o < ${g.cout}; o++) {
    const uint16_t *q[${g.kh}];
    bnn_plane_rows(q, bnn_s${k}_planes, bnn_s${k}_kernel + o * ${s.rowWords}, ${planes!.rows * planes!.cols}, ${g.outW}, ${g.kh}, ${planes!.codeBits});
    for (int32_t oy = 0; oy < ${s.outH}; oy++) {
      for (int32_t ox = 0; ox < ${s.outW}; ox++) {
        const int32_t pos = oy * ${s.outW} + ox;
${body.split('\n').filter(Boolean).map((l) => '  ' + l).join('\n')}
      }
    }
  }
}
` : `/* Stage ${k}: ${what}${s.residual ? ' + the float32 shortcut res (a residual Add)' : ''} */
static BNN_STAGE void bnn_stage${k}(const ${CTYPE[s.inputRepr]} *in, ${s.residual ? 'const float *res, ' : ''}${outT} *out)
{
${prologue}  for (int32_t oy = 0; oy < ${s.outH}; oy++) {
${rowPrologue}    for (int32_t ox = 0; ox < ${s.outW}; ox++) {
      const int32_t pos = oy * ${s.outW} + ox;
${s.outputRepr === 'bits' ? '      uint32_t word = 0;\n' : ''}      for (int32_t o = 0; o < ${g.cout}; o++) {
${body.split('\n').filter(Boolean).map((l) => '  ' + l).join('\n')}
      }
    }
  }
}
`;
  return { arrays, fn };
}

function readExpr(repr: Repr, idx: string): string {
  return repr === 'u8' ? `(2 * (int32_t)in[${idx}] - 255)` : `in[${idx}]`;
}

function emitBatchNorm(k: number, s: BatchNormStage): Emitted {
  const ep = epilogueExpr(k, s.epilogue, readExpr(s.inputRepr, 'pos * ' + s.channels + ' + o'), s.acc);
  const fn = `/* Stage ${k}: batchnorm '${cComment(s.name)}': ${s.positions} x ${s.channels} ${s.inputRepr} -> ${s.outputRepr}${s.outputRepr === 'bits' ? ' (BatchNorm+sign as thresholds)' : ' (float32 scale/offset)'} */
static BNN_STAGE void bnn_stage${k}(const ${CTYPE[s.inputRepr]} *in, ${CTYPE[s.outputRepr]} *out)
{
  for (int32_t pos = 0; pos < ${s.positions}; pos++) {
${s.outputRepr === 'bits' ? '    uint32_t word = 0;\n' : ''}    for (int32_t o = 0; o < ${s.channels}; o++) {
${storeValue(s.outputRepr, s.channels, ep.expr, '      ')}    }
  }
}
`;
  return { arrays: epilogueArrays(k, s.epilogue), fn };
}

function emitMaxPool(k: number, s: MaxPoolStage): Emitted {
  const p = s.pool;
  const t = CTYPE[s.repr];
  const c = s.channels;
  const loop = (inner: string): string => `  for (int32_t oy = 0; oy < ${p.outH}; oy++) {
    for (int32_t ox = 0; ox < ${p.outW}; ox++) {
      const int32_t pos = oy * ${p.outW} + ox;
${inner}    }
  }
`;
  const window = (body: string): string => `        for (int32_t py = 0; py < ${p.ph}; py++) {
          const int32_t y = oy * ${p.sh} - ${p.padTop} + py;
          if (y < 0 || y >= ${p.inH}) continue;
          for (int32_t px = 0; px < ${p.pw}; px++) {
            const int32_t x = ox * ${p.sw} - ${p.padLeft} + px;
            if (x < 0 || x >= ${p.inW}) continue;
            ${body}
          }
        }
`;
  let inner: string;
  if (s.repr === 'bits') {
    const cw = Math.ceil(c / 32);
    inner = `      for (int32_t w = 0; w < ${cw}; w++) {
        uint32_t acc = 0;
${window(`acc |= in[(y * ${p.inW} + x) * ${cw} + w];`)}        out[pos * ${cw} + w] = acc;
      }
`;
  } else {
    inner = `      for (int32_t ch = 0; ch < ${c}; ch++) {
        ${t} best = 0;
        int first = 1;
${window(`const ${t} v = in[(y * ${p.inW} + x) * ${c} + ch];\n            if (first || v > best) {\n              best = v;\n              first = 0;\n            }`)}        out[pos * ${c} + ch] = best;
      }
`;
  }
  const fn = `/* Stage ${k}: maxpool '${cComment(s.name)}': ${shape(p.inH, p.inW, c)} -> ${shape(p.outH, p.outW, c)} ${s.repr} */
static BNN_STAGE void bnn_stage${k}(const ${t} *in, ${t} *out)
{
${loop(inner)}}
`;
  return { arrays: '', fn };
}

function emitBinarize(k: number, s: BinarizeStage): Emitted {
  const limit = s.inputRepr === 'u8' ? '128u' : s.inputRepr === 'f32' ? '0.0f' : '0';
  const cw = Math.ceil(s.channels / 32);
  const fn = `/* Stage ${k}: binarize ${cComment(s.name)}: ${s.positions} x ${s.channels} ${s.inputRepr} -> bits (sign, sign(0) = +1${s.inputRepr === 'u8' ? '; u8/127.5 - 1 >= 0 <=> u8 >= 128' : ''}) */
static BNN_STAGE void bnn_stage${k}(const ${CTYPE[s.inputRepr]} *in, uint32_t *out)
{
  for (int32_t pos = 0; pos < ${s.positions}; pos++) {
    uint32_t word = 0;
    for (int32_t o = 0; o < ${s.channels}; o++) {
      word |= (uint32_t)(in[pos * ${s.channels} + o] >= ${limit}) << (o & 31);
      if ((o & 31) == 31 || o == ${s.channels - 1}) {
        out[pos * ${cw} + (o >> 5)] = word;
        word = 0;
      }
    }
  }
}
`;
  return { arrays: '', fn };
}

export interface EmitOptions {
  hash: string;
  board?: string;
}

export function emitHeader(m: LoweredModel, opts: EmitOptions): string {
  const p = m.plan;
  const guard = 'BNN_MODEL_H';
  const inShape = m.spec.input.shape;
  return `/* ${cComment(m.spec.name)}: generated by ${GENERATOR}${opts.board ? ` for board ${cComment(opts.board)}` : ''}. Do not edit.
 *
 * Input: ${m.inputBytes} bytes, shape [${cComment(inShape.join(', '))}] row-major (channels last), raw 8-bit values; the network
 * sees x = u8 / 127.5 - 1. Output: ${m.classes} class scores (${m.scoresAreFloat ? 'float32' : 'int32'}) and the argmax class (ties go to
 * the lowest index). bnn_infer uses one static arena: it is not reentrant.
 */
#ifndef ${guard}
#define ${guard}

#include <stdint.h>

#define BNN_INPUT_SIZE       ${m.inputBytes}
#define BNN_NUM_CLASSES      ${m.classes}
#define BNN_SCORES_ARE_FLOAT ${m.scoresAreFloat ? 1 : 0}
#define BNN_MODEL_HASH       ${cString(opts.hash)}
#define BNN_FLASH_BYTES      ${p.flashBytes}
#define BNN_RAM_BYTES        ${p.ramBytes}

#if BNN_SCORES_ARE_FLOAT
typedef float bnn_score_t;
#else
typedef int32_t bnn_score_t;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Runs the model on one input; writes the class scores and returns the predicted class. */
int bnn_infer(const uint8_t input[BNN_INPUT_SIZE], bnn_score_t scores[BNN_NUM_CLASSES]);

#ifdef __cplusplus
}
#endif

#endif /* ${guard} */
`;
}

function emitStage(k: number, s: LoweredStage): Emitted {
  switch (s.kind) {
    case 'maxpool': return emitMaxPool(k, s);
    case 'binarize': return emitBinarize(k, s);
    case 'batchnorm': return emitBatchNorm(k, s);
    case 'conv':
    case 'dense': return emitMac(k, s);
    default: return emitRealStage(k, s);
  }
}

export function emitSource(m: LoweredModel, opts: EmitOptions): string {
  let arrays = '';
  let fns = '';
  m.stages.forEach((s, k) => {
    const e = emitStage(k, s);
    if (e.arrays) arrays += `/* Stage ${k} parameters */\n${e.arrays}\n`;
    fns += e.fn + '\n';
  });
  const { arena } = m.plan;
  // Every tensor is a typed pointer into the one arena at its planned offset (a multiple of 4 bytes).
  const at = (t: { id: number; repr: Repr }): string => {
    const off = arena.offsets[t.id];
    return t.repr === 'u8' ? `bnn_arena.u8 + ${off}` : `bnn_arena.${MEMBER[t.repr]} + ${off / 4}`;
  };
  let calls = '';
  m.plan.stages.forEach((st, k) => {
    calls += `  bnn_stage${k}(${[...st.inputs, st.output].map(at).join(', ')});\n`;
  });
  const scoreMember = m.scoresAreFloat ? 'f32' : 'i32';
  const placement = m.plan.tensors.map((t) => `t${t.id} ${t.repr} ${t.bytes} B @ ${arena.offsets[t.id]}`).join(', ');
  return `/* ${cComment(m.spec.name)}: generated by ${GENERATOR}${opts.board ? ` for board ${cComment(opts.board)}` : ''}. Do not edit.
 * Model hash ${cComment(opts.hash)}. Flash ${m.plan.flashBytes} bytes of parameters, RAM ${m.plan.ramBytes} bytes (activation arena ${arena.bytes}, ${arena.how}).
 */
#include "bnn_model.h"
/* The fixed kernels (firmware/runtime/, copied next to this file): static inline, so every call below with constant
 * arguments is specialised; also the compiler settings (no FMA contraction, BNN_UNROLL, BNN_KEEP, ...). */
#include "${RUNTIME_HEADER}"

${arrays}/* The activation arena: every tensor at the offset the plan gave it (${arena.how} placement; tensors whose lives
 * overlap never share bytes): ${cComment(placement)}. */
static union {
  uint32_t u32[${arena.bytes / 4}];
  int32_t i32[${arena.bytes / 4}];
  float f32[${arena.bytes / 4}];
  uint8_t u8[${arena.bytes}];
} bnn_arena;
${m.plan.paddedBytes ? `/* The input rows of one output row of a 'same' XNOR conv with their padding (sized for the largest stage). */
static uint32_t bnn_padded[${m.plan.paddedBytes / 4}];
` : ''}
${fns}int bnn_infer(const uint8_t input[BNN_INPUT_SIZE], bnn_score_t scores[BNN_NUM_CLASSES])
{
  memcpy(${at(m.plan.input)}, input, BNN_INPUT_SIZE);
${calls}  const bnn_score_t *out = bnn_arena.${scoreMember} + ${arena.offsets[m.plan.output.id] / 4};
  int best = 0;
  for (int i = 0; i < BNN_NUM_CLASSES; i++) {
    scores[i] = out[i];
    if (out[i] > out[best]) best = i;
  }
  return best;
}
`;
}
