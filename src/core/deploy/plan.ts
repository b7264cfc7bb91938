/**
 * Lowers a model spec to its deployed form: the stages the compiled C runs, each materialising one tensor in one of
 * two ping-pong buffers, with the exact bytes of every parameter array. The estimator reports from this plan and the
 * compiler emits from it, so the two can never disagree.
 *
 * Fusion rules (why: on a microcontroller an unpooled int32 feature map rarely fits in RAM):
 * - A MAC layer (QuantConv2D / QuantDense) absorbs the layers after it, in this order: an optional MaxPool2D, an
 *   optional BatchNormalization, an optional MaxPool2D, and the binarization by the next MAC layer's input quantizer
 *   (Flatten in between is free). The C computes pooled outputs window by window without materialising the rest.
 * - Its output is then `bits` (binarized by the consumer: one int32 threshold per channel plus a packed flip bit for a
 *   negative BatchNorm scale), `i32` (binary kernel on an integer input, no BatchNorm and no bias: the raw
 *   XNOR-popcount sums, also the class scores of a binary last layer), or `f32` (one float32 scale and offset per
 *   channel).
 * - Anything not absorbed becomes its own stage: `batchnorm` (float32 scale and offset per channel), `maxpool`, or
 *   `binarize` (a sign with no parameters). Flatten and a final softmax cost nothing (argmax is unchanged).
 */
import { layerLabel } from '../model/layerLabel';
import type { LayerSpec, MaxPool2DLayer, ModelSpec, Padding } from '../model/spec';
import { hasBinaryInput, hasBinaryKernel } from '../model/spec';
import { alignedBytes, kernelRowWords, packedTensorWords, positionsAndChannels, WORD_BYTES, wordsForBits } from './packing';

/** How a tensor is held in RAM: raw 8-bit input, packed signs, int32 accumulators or float32. */
export type Repr = 'u8' | 'bits' | 'i32' | 'f32';

export interface TensorInfo {
  shape: number[];
  repr: Repr;
  bytes: number;
}

export type StageKind = 'conv' | 'dense' | 'batchnorm' | 'maxpool' | 'binarize';

export interface Stage {
  kind: StageKind;
  /** Indices into spec.layers covered by this stage (Flatten and Activation layers are attributed to no stage). */
  layers: number[];
  input: TensorInfo;
  output: TensorInfo;
  /** For conv/dense: index of the MAC layer, and the pools/BN absorbed, in order. */
  mac?: number;
  poolBefore?: number;
  batchNorm?: number;
  poolAfter?: number;
  /** The MAC layer's kernel is ±1 (packed) rather than float32. */
  binaryKernel?: boolean;
  /** Packed kernel row words per output channel (binary kernels). */
  kernelRowWords?: number;
  /** Bytes of the kernel array (packed words or float32). */
  kernelBytes: number;
  /** Bytes of the per-channel epilogue: thresholds + flip words, or float32 scale + offset. */
  epilogueBytes: number;
  /** Which ping-pong buffer (0 = A, 1 = B) holds the output; the model input sits in A. */
  buffer: 0 | 1;
  /** Working memory of a fast first-layer kernel (static, only this stage uses it), see firstLayerScratch. */
  scratch?: FirstLayerScratch;
  /** Bytes of `scratch` (0 without). */
  scratchBytes: number;
  /** An XNOR conv whose windows reach past its input reads a padded copy of it (see PaddedInput). */
  padded?: PaddedInput;
}

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

/** Rows and columns a window's positions cover, counted from padTop/padLeft before the input (the input included). */
export function paddedExtent(g: WindowGeometry, window: readonly [number, number]): [number, number] {
  return [Math.max(g.padTop + g.inH, (g.outH - 1) * g.sh + window[0]), Math.max(g.padLeft + g.inW, (g.outW - 1) * g.sw + window[1])];
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

export interface LayerInfo {
  index: number;
  name: string;
  type: LayerSpec['type'];
  inputShape: number[];
  outputShape: number[];
  /** Deployed flash bytes attributed to this layer (kernel to the MAC layer, epilogue to its BatchNorm if any). */
  flashBytes: number;
  binaryParams: number;
  int8Params: number;
  floatParams: number;
  binaryMacs: number;
  floatMacs: number;
  /** True when this layer's input is binarized (Larq's "input precision" 1 bit). */
  binaryInput: boolean;
  binaryKernel: boolean;
}

export interface DeployPlan {
  input: TensorInfo;
  stages: Stage[];
  layers: LayerInfo[];
  /** The two ping-pong buffers' sizes in bytes (each the largest tensor it ever holds). */
  bufferBytes: [number, number];
  /** Static working memory of fast kernels (Stage.scratch), summed over stages. */
  scratchBytes: number;
  /** The one buffer holding padded XNOR conv input rows (Stage.padded): the largest band, 0 if none. */
  paddedBytes: number;
  flashBytes: number;
  ramBytes: number;
  /** What the same parameters would take as float32 (Larq's comparison point). */
  float32Bytes: number;
  binaryMacs: number;
  floatMacs: number;
  output: TensorInfo;
}

/** A semantic problem with a JSON path into the model file, so callers can point at the exact value. */
export interface SpecIssue {
  path: (string | number)[];
  message: string;
}

export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'SpecError';
  }
}

/** Sane upper bounds: past them a model cannot be meant for a microcontroller and would only exhaust memory. */
export const LIMITS = { maxParams: 1e9, maxDim: 1 << 20, maxElements: 1e10 } as const;

export function tensorBytes(shape: readonly number[], repr: Repr): number {
  if (repr === 'bits') return packedTensorWords(shape) * WORD_BYTES;
  const n = shape.reduce((a, b) => a * b, 1);
  return alignedBytes(repr === 'u8' ? n : n * 4);
}

function tensor(shape: number[], repr: Repr): TensorInfo {
  return { shape, repr, bytes: tensorBytes(shape, repr) };
}

/** TensorFlow's output size for one spatial axis. */
export function convOutputSize(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - kernel) / stride) + 1;
}

/** TensorFlow's 'same' padding before the first element (the extra one goes after). */
export function samePadBefore(input: number, kernel: number, stride: number): number {
  const out = Math.ceil(input / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - input, 0) / 2);
}

/** Padding before the first element on one axis: TensorFlow's split for 'same', none for 'valid'. */
export function padBefore(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? samePadBefore(input, kernel, stride) : 0;
}

/** A window stepping sh×sw over an inH×inW grid padded padTop/padLeft before it: outH×outW window positions. */
export interface WindowGeometry {
  inH: number;
  inW: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** Where a conv kernel or a pool window of size `window` steps over an inH×inW input. */
export function windowGeometry(inH: number, inW: number, window: readonly [number, number], strides: readonly [number, number], padding: Padding): WindowGeometry {
  const [kh, kw] = window;
  const [sh, sw] = strides;
  return {
    inH, inW, sh, sw,
    padTop: padBefore(inH, kh, sh, padding), padLeft: padBefore(inW, kw, sw, padding),
    outH: convOutputSize(inH, kh, sh, padding), outW: convOutputSize(inW, kw, sw, padding),
  };
}

/** Output shape of each layer, checking what shape inference can check. Throws SpecError with every issue found. */
export function inferShapes(spec: ModelSpec): number[][] {
  const issues: SpecIssue[] = [];
  const shapes: number[][] = [];
  let shape = spec.input.shape.slice();
  let elements = shape.reduce((a, b) => a * b, 1);
  if (elements > LIMITS.maxElements) issues.push({ path: ['input', 'shape'], message: `input has ${elements} elements, more than the limit of ${LIMITS.maxElements}` });
  let params = 0;
  let broken = false;
  spec.layers.forEach((layer, i) => {
    const at = (key?: string): (string | number)[] => (key ? ['layers', i, key] : ['layers', i]);
    if (broken) { shapes.push([]); return; }
    const fail = (message: string, key?: string): void => { issues.push({ path: at(key), message: `${layerLabel(i, layer.type, layer.name)}: ${message}` }); broken = true; };
    switch (layer.type) {
      case 'QuantConv2D': {
        if (shape.length !== 3) { fail(`expects an [H, W, C] input, got [${shape.join(', ')}]${shape.length === 1 ? ' (a Conv2D cannot follow Flatten or Dense)' : ''}`); break; }
        const [h, w, c] = shape;
        const [kh, kw] = layer.kernelSize;
        const [sh, sw] = layer.strides;
        if (layer.padding === 'valid' && (kh > h || kw > w)) { fail(`kernel ${kh}×${kw} is larger than its ${h}×${w} input (use padding "same" or a smaller kernel)`, 'kernelSize'); break; }
        if (layer.inputQuantizer !== null && layer.kernelQuantizer === null) { fail('a binarized input with a full-precision kernel is not supported: quantize the kernel too, or set inputQuantizer to null', 'inputQuantizer'); break; }
        params += kh * kw * c * layer.filters + (layer.useBias ? layer.filters : 0);
        shape = [convOutputSize(h, kh, sh, layer.padding), convOutputSize(w, kw, sw, layer.padding), layer.filters];
        break;
      }
      case 'QuantDense': {
        if (shape.length !== 1) { fail(`expects a flat input, got [${shape.join(', ')}]: add a Flatten layer before it`); break; }
        if (layer.inputQuantizer !== null && layer.kernelQuantizer === null) { fail('a binarized input with a full-precision kernel is not supported: quantize the kernel too, or set inputQuantizer to null', 'inputQuantizer'); break; }
        params += shape[0] * layer.units + (layer.useBias ? layer.units : 0);
        shape = [layer.units];
        break;
      }
      case 'BatchNormalization':
        params += 4 * shape[shape.length - 1];
        break;
      case 'MaxPool2D': {
        if (shape.length !== 3) { fail(`expects an [H, W, C] input, got [${shape.join(', ')}]`); break; }
        const [h, w, c] = shape;
        const [ph, pw] = layer.poolSize;
        if (layer.padding === 'valid' && (ph > h || pw > w)) { fail(`pool ${ph}×${pw} is larger than its ${h}×${w} input`, 'poolSize'); break; }
        shape = [convOutputSize(h, ph, layer.strides[0], layer.padding), convOutputSize(w, pw, layer.strides[1], layer.padding), c];
        break;
      }
      case 'Flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'Activation':
        if (i !== spec.layers.length - 1) fail('an Activation is only supported as the last layer (the compiled model reports pre-softmax scores)');
        break;
    }
    if (!broken && shape.some((d) => d < 1)) fail(`output shape [${shape.join(', ')}] has an empty dimension`);
    if (!broken && params > LIMITS.maxParams) fail(`the model passes ${LIMITS.maxParams.toExponential()} parameters here`);
    elements = shape.reduce((a, b) => a * b, 1);
    if (!broken && elements > LIMITS.maxElements) fail(`output has ${elements} elements, more than the limit of ${LIMITS.maxElements}`);
    shapes.push(shape.slice());
  });
  if (!broken) {
    const last = shapes.length ? shapes[shapes.length - 1] : spec.input.shape;
    const lastMac = [...spec.layers.keys()].reverse().find((i) => spec.layers[i].type === 'QuantDense' || spec.layers[i].type === 'QuantConv2D');
    if (last.length !== 1) {
      issues.push({ path: spec.layers.length ? ['layers', spec.layers.length - 1] : ['layers'], message: `the model's output has shape [${last.join(', ')}]; it must be a vector of ${spec.classes} class scores (end with Flatten and QuantDense)` });
    } else if (last[0] !== spec.classes) {
      const path = lastMac !== undefined && spec.layers[lastMac].type === 'QuantDense' ? ['layers', lastMac, 'units'] : ['classes'];
      issues.push({ path, message: `the last layer outputs ${last[0]} values but "classes" is ${spec.classes}` });
    }
  }
  if (issues.length) throw new SpecError(issues);
  return shapes;
}

function isMac(l: LayerSpec | undefined): boolean {
  return l?.type === 'QuantConv2D' || l?.type === 'QuantDense';
}

/** The index of the next layer that is not a Flatten, starting at `from`. */
function skipFlatten(layers: LayerSpec[], from: number): number {
  let j = from;
  while (j < layers.length && layers[j].type === 'Flatten') j++;
  return j;
}

/** Height of a max-pool fused into a MAC stage (1 without). */
function poolRows(layer: LayerSpec | undefined): number {
  return layer?.type === 'MaxPool2D' ? layer.poolSize[0] : 1;
}

/** Builds the deployment plan. Throws SpecError if the spec's shapes do not work out. */
export function planModel(spec: ModelSpec): DeployPlan {
  const shapes = inferShapes(spec);
  const layers = spec.layers;
  const inShapeOf = (i: number): number[] => (i === 0 ? spec.input.shape : shapes[i - 1]);
  const stages: Stage[] = [];
  const input = tensor(spec.input.shape.slice(), 'u8');
  let cur = input;
  let i = 0;
  const push = (s: Omit<Stage, 'buffer' | 'scratchBytes'> & { scratchBytes?: number }): void => {
    stages.push({ ...s, scratchBytes: s.scratchBytes ?? 0, buffer: (stages.length % 2 === 0 ? 1 : 0) as 0 | 1 });
    cur = s.output;
  };
  while (i < layers.length) {
    const layer = layers[i];
    if (layer.type === 'Flatten') {
      // Free: a packed tensor keeps its per-position shape (dense kernels are packed to match it); others just reshape.
      if (cur.repr !== 'bits') cur = { ...cur, shape: shapes[i] };
      i++;
      continue;
    }
    if (layer.type === 'Activation') { i++; continue; }
    if (isMac(layer)) {
      const mac = layer as Extract<LayerSpec, { type: 'QuantConv2D' | 'QuantDense' }>;
      if (hasBinaryInput(mac) && cur.repr !== 'bits') {
        push({ kind: 'binarize', layers: [], input: cur, output: tensor(packShape(cur, inShapeOf(i)), 'bits'), kernelBytes: 0, epilogueBytes: 0 });
      }
      const macInput = cur;
      const binaryKernel = hasBinaryKernel(mac);
      const inShape = inShapeOf(i);
      let j = i + 1;
      let poolBefore: number | undefined;
      let batchNorm: number | undefined;
      let poolAfter: number | undefined;
      if (layers[j]?.type === 'MaxPool2D') poolBefore = j++;
      if (layers[j]?.type === 'BatchNormalization') batchNorm = j++;
      if (batchNorm !== undefined && poolBefore === undefined && layers[j]?.type === 'MaxPool2D') poolAfter = j++;
      const outShape = shapes[j - 1];
      const next = layers[skipFlatten(layers, j)];
      const binarized = isMac(next) && hasBinaryInput(next!);
      const channels = outShape[outShape.length - 1];
      let repr: Repr;
      let epilogueBytes: number;
      if (binarized) { repr = 'bits'; epilogueBytes = channels * 4 + wordsForBits(channels) * WORD_BYTES; }
      // Raw sums stay integers only when the input is (packed signs, 8-bit pixels or integer sums): ±1 × float is float.
      else if (binaryKernel && batchNorm === undefined && !mac.useBias && macInput.repr !== 'f32') { repr = 'i32'; epilogueBytes = 0; }
      else { repr = 'f32'; epilogueBytes = channels * 8; }
      const windowPositions = mac.type === 'QuantConv2D' ? mac.kernelSize[0] * mac.kernelSize[1] : positionsAndChannels(macInput.shape).positions;
      const inputChannels = mac.type === 'QuantConv2D' ? inShape[2] : positionsAndChannels(macInput.shape).channels;
      const outputs = mac.type === 'QuantConv2D' ? mac.filters : mac.units;
      const rowWords = binaryKernel ? kernelRowWords({ binaryInput: macInput.repr === 'bits', inputChannels, windowPositions }) : 0;
      const kernelBytes = binaryKernel ? outputs * rowWords * WORD_BYTES : outputs * windowPositions * inputChannels * 4;
      let scratch: FirstLayerScratch | undefined;
      if (binaryKernel && macInput.repr === 'u8') {
        scratch = mac.type === 'QuantDense'
          ? firstLayerScratch(windowPositions * inputChannels, outputs)
          : convPlaneScratch(windowGeometry(inShape[0], inShape[1], mac.kernelSize, mac.strides, mac.padding), mac.kernelSize, inputChannels, outputs);
      } else if (!binaryKernel && macInput.repr === 'u8' && mac.type === 'QuantConv2D') {
        const pool = layers[poolBefore ?? poolAfter ?? -1];
        scratch = convFloatBandScratch(windowGeometry(inShape[0], inShape[1], mac.kernelSize, mac.strides, mac.padding), mac.kernelSize, inputChannels, pool?.type === 'MaxPool2D' ? pool : undefined);
      }
      push({
        kind: mac.type === 'QuantConv2D' ? 'conv' : 'dense',
        layers: range(i, j),
        input: macInput,
        output: tensor(repr === 'bits' ? packShape({ shape: outShape } as TensorInfo, outShape) : outShape, repr),
        mac: i, poolBefore, batchNorm, poolAfter,
        binaryKernel, kernelRowWords: binaryKernel ? rowWords : undefined,
        kernelBytes, epilogueBytes,
        scratch, scratchBytes: scratchBytesOf(scratch),
        padded: mac.type === 'QuantConv2D' && macInput.repr === 'bits'
          ? paddedInput(inShape[0], inShape[1], inputChannels, mac.kernelSize, mac.strides, mac.padding, poolRows(layers[poolBefore ?? poolAfter ?? -1]))
          : undefined,
      });
      i = j;
      continue;
    }
    if (layer.type === 'BatchNormalization') {
      const outShape = shapes[i];
      const next = layers[skipFlatten(layers, i + 1)];
      if (isMac(next) && hasBinaryInput(next!)) {
        // A BatchNorm feeding a binarization folds into thresholds, exactly as after a MAC.
        const c = outShape[outShape.length - 1];
        push({ kind: 'batchnorm', layers: [i], input: cur, output: tensor(outShape, 'bits'), batchNorm: i, kernelBytes: 0, epilogueBytes: c * 4 + wordsForBits(c) * WORD_BYTES });
      } else {
        push({ kind: 'batchnorm', layers: [i], input: cur, output: tensor(outShape, 'f32'), batchNorm: i, kernelBytes: 0, epilogueBytes: outShape[outShape.length - 1] * 8 });
      }
      i++;
      continue;
    }
    if (layer.type === 'MaxPool2D') {
      push({ kind: 'maxpool', layers: [i], input: cur, output: tensor(shapes[i], cur.repr === 'u8' ? 'u8' : cur.repr), kernelBytes: 0, epilogueBytes: 0 });
      i++;
      continue;
    }
    i++;
  }
  const bufferBytes: [number, number] = [input.bytes, 0];
  for (const s of stages) bufferBytes[s.buffer] = Math.max(bufferBytes[s.buffer], s.output.bytes);
  const layerInfos = layers.map((l, idx) => layerInfo(spec, idx, inShapeOf(idx), shapes[idx], stages));
  const float32Bytes = layerInfos.reduce((a, l) => a + 4 * (l.binaryParams + l.int8Params + l.floatParams), 0);
  const scratchBytes = stages.reduce((a, s) => a + s.scratchBytes, 0);
  const paddedBytes = stages.reduce((a, s) => Math.max(a, s.padded?.bytes ?? 0), 0);
  return {
    input,
    stages,
    layers: layerInfos,
    bufferBytes,
    scratchBytes,
    paddedBytes,
    flashBytes: stages.reduce((a, s) => a + s.kernelBytes + s.epilogueBytes, 0),
    ramBytes: bufferBytes[0] + bufferBytes[1] + scratchBytes + paddedBytes,
    float32Bytes,
    binaryMacs: layerInfos.reduce((a, l) => a + l.binaryMacs, 0),
    floatMacs: layerInfos.reduce((a, l) => a + l.floatMacs, 0),
    output: cur,
  };
}

/** A binarized tensor keeps its spatial layout: a flattened tensor is packed per original position. */
function packShape(cur: TensorInfo, fallback: number[]): number[] {
  return cur.shape.length ? cur.shape : fallback;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, k) => a + k);
}

function layerInfo(spec: ModelSpec, idx: number, inShape: number[], outShape: number[], stages: Stage[]): LayerInfo {
  const layer = spec.layers[idx];
  const binaryKernel = hasBinaryKernel(layer);
  const binaryInput = hasBinaryInput(layer);
  let binaryParams = 0;
  let floatParams = 0;
  let binaryMacs = 0;
  let floatMacs = 0;
  let flashBytes = 0;
  const stage = stages.find((s) => s.layers.includes(idx));
  if (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') {
    const fanIn = layer.type === 'QuantConv2D' ? layer.kernelSize[0] * layer.kernelSize[1] * inShape[2] : inShape[0];
    const outputs = layer.type === 'QuantConv2D' ? layer.filters : layer.units;
    const kernelParams = fanIn * outputs;
    if (binaryKernel) binaryParams += kernelParams; else floatParams += kernelParams;
    if (layer.useBias) floatParams += outputs;
    const outPositions = layer.type === 'QuantConv2D' ? outShape[0] * outShape[1] : 1;
    const macs = outPositions * kernelParams;
    if (binaryKernel && binaryInput) binaryMacs = macs; else floatMacs = macs;
    if (stage) flashBytes += stage.kernelBytes + (stage.batchNorm === undefined ? stage.epilogueBytes : 0);
  } else if (layer.type === 'BatchNormalization') {
    const c = outShape[outShape.length - 1];
    // Larq's summary (larq/models.py, LayerProfile) fuses beta with the moving mean and gamma with the moving
    // variance, so a BatchNormalization counts 2 parameters per channel whatever its scale/center; the deployed
    // thresholds are counted in flashBytes, not here.
    floatParams += 2 * c;
    if (stage) flashBytes += stage.epilogueBytes;
  }
  return {
    index: idx, name: layer.name, type: layer.type, inputShape: inShape, outputShape: outShape,
    flashBytes, binaryParams, int8Params: 0, floatParams, binaryMacs, floatMacs, binaryInput, binaryKernel,
  };
}
