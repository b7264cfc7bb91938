/**
 * The exact host-side twin of the generated C: the same integer arithmetic, the same float32 operations in the same
 * order (Math.fround after every float operation; the C is compiled without FMA contraction), the same tie rules.
 * Host tools use it to know what a board must answer for an input before asking the board.
 */
import type { Repr } from '../deploy/tensors';
import type { AddStage, AvgPoolStage, BatchNormStage, BinarizeStage, ConcatStage, Epilogue, GlobalAvgPoolStage, LoweredModel, LoweredStage, MacStage, MaxPoolStage, PoolGeometry, ReluStage } from './types';

export interface ReferenceResult {
  class: number;
  /** int32 scores, or float32 values when the model's last stage is float (model.scoresAreFloat). */
  scores: number[];
}

type Tensor = Uint8Array | Uint32Array | Int32Array | Float32Array;

const fround = Math.fround;

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function referenceInfer(model: LoweredModel, input: Uint8Array): ReferenceResult {
  if (input.length !== model.inputBytes) throw new Error(`referenceInfer: input has ${input.length} bytes, the model expects ${model.inputBytes}`);
  // Tensors by plan id, as the C's arena holds them (a Flatten's output is its input's tensor).
  const tensors: Tensor[] = [];
  tensors[model.plan.input.id] = input;
  model.stages.forEach((s, k) => {
    const st = model.plan.stages[k];
    tensors[st.output.id] = runStage(s, st.inputs.map((t) => tensors[t.id]));
  });
  const t = tensors[model.plan.output.id];
  const scores = Array.from(t.subarray(0, model.classes) as ArrayLike<number>);
  return { class: argmax(scores), scores };
}

/** Lowest index among equal maxima, as the C. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** One stage on its input tensors (in the plan's order). */
export function runStage(s: LoweredStage, ins: Tensor[]): Tensor {
  const t = ins[0];
  switch (s.kind) {
    case 'binarize': return binarize(s, t);
    case 'maxpool': return maxpool(s, t);
    case 'batchnorm': return batchnorm(s, t);
    case 'conv':
    case 'dense': return mac(s, t, ins[1] as Float32Array | undefined);
    case 'add': return add(s, ins as Float32Array[]);
    case 'concat': return concat(s, ins as Float32Array[]);
    case 'avgpool': return avgpool(s, t as Float32Array);
    case 'gap': return gap(s, t as Float32Array);
    case 'relu':
    case 'prelu': return relu(s, t as Float32Array);
  }
}

function add(s: AddStage, ins: Float32Array[]): Float32Array {
  const out = new Float32Array(s.size);
  for (let i = 0; i < s.size; i++) {
    let v = ins[0][i];
    for (let j = 1; j < ins.length; j++) v = fround(v + ins[j][i]);
    out[i] = v;
  }
  return out;
}

function concat(s: ConcatStage, ins: Float32Array[]): Float32Array {
  const total = s.channels.reduce((a, b) => a + b, 0);
  const out = new Float32Array(s.positions * total);
  for (let p = 0; p < s.positions; p++) {
    let off = 0;
    s.channels.forEach((c, i) => {
      out.set(ins[i].subarray(p * c, p * c + c), p * total + off);
      off += c;
    });
  }
  return out;
}

function avgpool(s: AvgPoolStage, t: Float32Array): Float32Array {
  const g = s.pool;
  const c = s.channels;
  const out = new Float32Array(g.outH * g.outW * c);
  for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    const cells = poolWindow(g, oy, ox);
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (const [y, x] of cells) sum = fround(sum + t[(y * g.inW + x) * c + ch]);
      out[(oy * g.outW + ox) * c + ch] = fround(sum / cells.length);
    }
  }
  return out;
}

function gap(s: GlobalAvgPoolStage, t: Float32Array): Float32Array {
  const out = new Float32Array(s.channels);
  for (let ch = 0; ch < s.channels; ch++) {
    let sum = 0;
    for (let p = 0; p < s.positions; p++) sum = fround(sum + t[p * s.channels + ch]);
    out[ch] = fround(sum / s.positions);
  }
  return out;
}

function relu(s: ReluStage, t: Float32Array): Float32Array {
  const out = new Float32Array(s.positions * s.channels);
  for (let p = 0; p < s.positions; p++) for (let c = 0; c < s.channels; c++) {
    const i = p * s.channels + c;
    const x = t[i];
    out[i] = s.kind === 'relu' ? (x > 0 ? x : 0) : x >= 0 ? x : fround(s.alpha![c] * x);
  }
  return out;
}

/** The integer (u8 → 2·u8 − 255) or float value a MAC/BatchNorm reads. */
function reader(repr: Repr, t: Tensor): (i: number) => number {
  if (repr === 'u8') return (i) => 2 * t[i] - 255;
  return (i) => t[i];
}

function binarize(s: BinarizeStage, t: Tensor): Uint32Array {
  const cw = Math.ceil(s.channels / 32);
  const out = new Uint32Array(s.positions * cw);
  const limit = s.inputRepr === 'u8' ? 128 : 0;
  for (let p = 0; p < s.positions; p++) {
    for (let c = 0; c < s.channels; c++) {
      if (t[p * s.channels + c] >= limit) out[p * cw + (c >>> 5)] |= 1 << (c & 31);
    }
  }
  return out;
}

function alloc(repr: Repr, n: number): Tensor {
  switch (repr) {
    case 'u8': return new Uint8Array(n);
    case 'bits': return new Uint32Array(n);
    case 'i32': return new Int32Array(n);
    case 'f32': return new Float32Array(n);
  }
}

/** Valid positions of one pooling window, in row-major order. */
function poolWindow(g: PoolGeometry, oy: number, ox: number): [number, number][] {
  const cells: [number, number][] = [];
  for (let py = 0; py < g.ph; py++) {
    const y = oy * g.sh - g.padTop + py;
    if (y < 0 || y >= g.inH) continue;
    for (let px = 0; px < g.pw; px++) {
      const x = ox * g.sw - g.padLeft + px;
      if (x >= 0 && x < g.inW) cells.push([y, x]);
    }
  }
  return cells;
}

function maxpool(s: MaxPoolStage, t: Tensor): Tensor {
  const g = s.pool;
  const c = s.channels;
  if (s.repr === 'bits') {
    const cw = Math.ceil(c / 32);
    const out = new Uint32Array(g.outH * g.outW * cw);
    for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
      for (const [y, x] of poolWindow(g, oy, ox)) for (let w = 0; w < cw; w++) out[(oy * g.outW + ox) * cw + w] |= t[(y * g.inW + x) * cw + w];
    }
    return out;
  }
  const out = alloc(s.repr, g.outH * g.outW * c);
  for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    const cells = poolWindow(g, oy, ox);
    for (let ch = 0; ch < c; ch++) {
      let best = t[(cells[0][0] * g.inW + cells[0][1]) * c + ch];
      for (let i = 1; i < cells.length; i++) {
        const v = t[(cells[i][0] * g.inW + cells[i][1]) * c + ch];
        if (v > best) best = v;
      }
      out[(oy * g.outW + ox) * c + ch] = best;
    }
  }
  return out;
}

function thresholdBit(e: Extract<Epilogue, { kind: 'threshold' }>, o: number, acc: number): number {
  const flip = (e.flips[o >>> 5] >>> (o & 31)) & 1;
  const t = e.thresholds[o];
  return (flip ? acc <= t : acc >= t) ? 1 : 0;
}

function affine(e: Extract<Epilogue, { kind: 'affine' }>, o: number, acc: number): number {
  return fround(fround(fround(acc) * e.scale[o]) + e.offset[o]);
}

function batchnorm(s: BatchNormStage, t: Tensor): Tensor {
  const read = reader(s.inputRepr, t);
  const c = s.channels;
  const e = s.epilogue;
  if (e.kind === 'threshold') {
    const cw = Math.ceil(c / 32);
    const out = new Uint32Array(s.positions * cw);
    for (let p = 0; p < s.positions; p++) for (let o = 0; o < c; o++) {
      if (thresholdBit(e, o, read(p * c + o))) out[p * cw + (o >>> 5)] |= 1 << (o & 31);
    }
    return out;
  }
  if (e.kind !== 'affine') throw new Error('internal: batchnorm stage without epilogue');
  const out = new Float32Array(s.positions * c);
  for (let p = 0; p < s.positions; p++) for (let o = 0; o < c; o++) out[p * c + o] = affine(e, o, read(p * c + o));
  return out;
}

/** The accumulator of output channel o at MAC output position (my, mx). */
function macAt(s: MacStage, t: Tensor, o: number, my: number, mx: number): number {
  const g = s.geom;
  const iy0 = my * g.sh - g.padTop;
  const ix0 = mx * g.sw - g.padLeft;
  if (s.mode === 'xnor') {
    const cw = Math.ceil(g.cin / 32);
    const lastMask = g.cin % 32 === 0 ? 0xffffffff : (2 ** (g.cin % 32) - 1);
    const k = s.kernelBits!;
    const row = o * s.rowWords!;
    let mis = 0;
    for (let ky = 0; ky < g.kh; ky++) {
      const iy = iy0 + ky;
      for (let kx = 0; kx < g.kw; kx++) {
        const ix = ix0 + kx;
        const kb = row + (ky * g.kw + kx) * cw;
        if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) {
          const ib = (iy * g.inW + ix) * cw;
          for (let w = 0; w < cw; w++) mis += popcount32((t[ib + w] ^ k[kb + w]) >>> 0);
        } else {
          // 'same' padding of a binarized input is +1 in every channel.
          for (let w = 0; w < cw; w++) mis += popcount32(((w === cw - 1 ? lastMask : 0xffffffff) ^ k[kb + w]) >>> 0);
        }
      }
    }
    return g.kh * g.kw * g.cin - 2 * mis;
  }
  const read = reader(s.inputRepr, t);
  const fanIn = g.kh * g.kw * g.cin;
  let acc = 0;
  for (let ky = 0; ky < g.kh; ky++) {
    const iy = iy0 + ky;
    if (iy < 0 || iy >= g.inH) continue; // real-valued inputs are padded with 0: nothing to add
    for (let kx = 0; kx < g.kw; kx++) {
      const ix = ix0 + kx;
      if (ix < 0 || ix >= g.inW) continue;
      const ib = (iy * g.inW + ix) * g.cin;
      const bb = (ky * g.kw + kx) * g.cin;
      if (s.mode === 'binary') {
        const k = s.kernelBits!;
        const row = o * s.rowWords!;
        for (let c = 0; c < g.cin; c++) {
          const bi = bb + c;
          const v = read(ib + c);
          const plus = (k[row + (bi >>> 5)] >>> (bi & 31)) & 1;
          acc = s.acc === 'int' ? acc + (plus ? v : -v) : fround(acc + (plus ? v : -v));
        }
      } else {
        const kf = s.kernelFloat!;
        const row = o * fanIn;
        for (let c = 0; c < g.cin; c++) acc = fround(acc + fround(fround(read(ib + c)) * kf[row + bb + c]));
      }
    }
  }
  return acc;
}

function mac(s: MacStage, t: Tensor, shortcut?: Float32Array): Tensor {
  const g = s.geom;
  const e = s.epilogue;
  const positions = s.outH * s.outW;
  const cout = g.cout;
  const cw = Math.ceil(cout / 32);
  const out = s.outputRepr === 'bits' ? new Uint32Array(positions * cw) : alloc(s.outputRepr, positions * cout);
  for (let oy = 0; oy < s.outH; oy++) for (let ox = 0; ox < s.outW; ox++) {
    const pos = oy * s.outW + ox;
    const cells: [number, number][] = s.pool ? poolWindow(s.pool.geom, oy, ox) : [[oy, ox]];
    for (let o = 0; o < cout; o++) {
      let value: number;
      if (s.pool?.at === 'after') {
        if (e.kind === 'threshold') {
          value = 0;
          for (const [y, x] of cells) value |= thresholdBit(e, o, macAt(s, t, o, y, x));
        } else if (e.kind === 'affine') {
          value = affine(e, o, macAt(s, t, o, cells[0][0], cells[0][1]));
          for (let i = 1; i < cells.length; i++) {
            const y = affine(e, o, macAt(s, t, o, cells[i][0], cells[i][1]));
            if (y > value) value = y;
          }
        } else throw new Error('internal: pooling after a missing BatchNorm');
      } else {
        let acc = macAt(s, t, o, cells[0][0], cells[0][1]);
        for (let i = 1; i < cells.length; i++) {
          const a = macAt(s, t, o, cells[i][0], cells[i][1]);
          if (a > acc) acc = a;
        }
        value = e.kind === 'threshold' ? thresholdBit(e, o, acc) : e.kind === 'affine' ? affine(e, o, acc) : acc;
      }
      if (s.outputRepr === 'bits') {
        if (value) out[pos * cw + (o >>> 5)] |= 1 << (o & 31);
      } else if (s.residual) {
        out[pos * cout + o] = fround(value + shortcut![pos * cout + o]);
      } else {
        out[pos * cout + o] = value;
      }
    }
  }
  return out;
}
