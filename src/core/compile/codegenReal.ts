/**
 * C for the stages on the real-valued (float32) residual stream: Add, Concatenate, AveragePooling2D,
 * GlobalAveragePooling2D, ReLU and PReLU. Each is one function with its sizes as constants, doing its float operations
 * in exactly the order reference.ts does (the file is compiled without FMA contraction), so the C and its TypeScript
 * twin agree bit for bit.
 */
import { cComment } from '../escape';
import { cArray, cFloat, poolLoop, shape, type Emitted } from './cSyntax';
import type { AddStage, AvgPoolStage, ConcatStage, GlobalAvgPoolStage, ReluStage } from './types';

export type RealStage = AddStage | ConcatStage | AvgPoolStage | GlobalAvgPoolStage | ReluStage;

export function emitRealStage(k: number, s: RealStage): Emitted {
  switch (s.kind) {
    case 'add': return emitAdd(k, s);
    case 'concat': return emitConcat(k, s);
    case 'avgpool': return emitAvgPool(k, s);
    case 'gap': return emitGap(k, s);
    case 'relu':
    case 'prelu': return emitRelu(k, s);
  }
}

function params(n: number): string {
  return Array.from({ length: n }, (_, i) => `const float *in${i}`).join(', ');
}

function emitAdd(k: number, s: AddStage): Emitted {
  const fn = `/* Stage ${k}: add '${cComment(s.name)}': ${s.inputs} × ${s.size} float32, summed in input order */
static BNN_STAGE void bnn_stage${k}(${params(s.inputs)}, float *out)
{
  for (int32_t i = 0; i < ${s.size}; i++) {
    out[i] = ${chainSum(s.inputs)};
  }
}
`;
  return { arrays: '', fn };
}

/** ((in0 + in1) + in2) + …: C's + is left-associative, and each partial sum is rounded to float32 as in the reference. */
function chainSum(n: number): string {
  let e = 'in0[i]';
  for (let i = 1; i < n; i++) e = `${e} + in${i}[i]`;
  return e;
}

function emitConcat(k: number, s: ConcatStage): Emitted {
  const total = s.channels.reduce((a, b) => a + b, 0);
  let offset = 0;
  let body = '';
  s.channels.forEach((c, i) => {
    body += `    for (int32_t c = 0; c < ${c}; c++) out[p * ${total} + ${offset} + c] = in${i}[p * ${c} + c];\n`;
    offset += c;
  });
  const fn = `/* Stage ${k}: concatenate '${cComment(s.name)}': ${s.positions} positions of ${s.channels.join(' + ')} -> ${total} float32 channels */
static BNN_STAGE void bnn_stage${k}(${params(s.channels.length)}, float *out)
{
  for (int32_t p = 0; p < ${s.positions}; p++) {
${body}  }
}
`;
  return { arrays: '', fn };
}

function emitAvgPool(k: number, s: AvgPoolStage): Emitted {
  const p = s.pool;
  const c = s.channels;
  const fn = `/* Stage ${k}: average pool '${cComment(s.name)}': ${shape(p.inH, p.inW, c)} -> ${shape(p.outH, p.outW, c)} float32 (cells inside the input only) */
static BNN_STAGE void bnn_stage${k}(const float *in, float *out)
{
  for (int32_t oy = 0; oy < ${p.outH}; oy++) {
    for (int32_t ox = 0; ox < ${p.outW}; ox++) {
      const int32_t pos = oy * ${p.outW} + ox;
      for (int32_t ch = 0; ch < ${c}; ch++) {
        float sum = 0.0f;
        int32_t n = 0;
${poolLoop(p, `sum += in[(my * ${p.inW} + mx) * ${c} + ch];\nn++;\n`, '        ')}        out[pos * ${c} + ch] = sum / (float)n;
      }
    }
  }
}
`;
  return { arrays: '', fn };
}

function emitGap(k: number, s: GlobalAvgPoolStage): Emitted {
  const fn = `/* Stage ${k}: global average pool '${cComment(s.name)}': ${s.positions} positions × ${s.channels} -> ${s.channels} float32 */
static BNN_STAGE void bnn_stage${k}(const float *in, float *out)
{
  for (int32_t ch = 0; ch < ${s.channels}; ch++) {
    float sum = 0.0f;
    for (int32_t p = 0; p < ${s.positions}; p++) sum += in[p * ${s.channels} + ch];
    out[ch] = sum / ${cFloat(s.positions)};
  }
}
`;
  return { arrays: '', fn };
}

function emitRelu(k: number, s: ReluStage): Emitted {
  const n = s.positions * s.channels;
  if (s.kind === 'relu') {
    const fn = `/* Stage ${k}: relu '${cComment(s.name)}': ${n} float32 */
static BNN_STAGE void bnn_stage${k}(const float *in, float *out)
{
  for (int32_t i = 0; i < ${n}; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}
`;
    return { arrays: '', fn };
  }
  const arrays = cArray('float', `bnn_s${k}_alpha`, s.alpha!, cFloat, 6);
  const fn = `/* Stage ${k}: prelu '${cComment(s.name)}': ${s.positions} positions × ${s.channels} float32, one alpha per channel */
static BNN_STAGE void bnn_stage${k}(const float *in, float *out)
{
  for (int32_t p = 0; p < ${s.positions}; p++) {
    for (int32_t c = 0; c < ${s.channels}; c++) {
      const float x = in[p * ${s.channels} + c];
      out[p * ${s.channels} + c] = x >= 0.0f ? x : bnn_s${k}_alpha[c] * x;
    }
  }
}
`;
  return { arrays, fn };
}
