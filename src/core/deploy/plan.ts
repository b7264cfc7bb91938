/**
 * Lowers a model spec to its deployed form: the stages the compiled C runs in order, each writing one tensor of the
 * arena (arena.ts), with the exact bytes of every parameter array. The estimator reports from this plan and the
 * compiler emits from it, so the two can never disagree. A chain is simply the graph whose every tensor has one reader.
 *
 * Fusion rules (why: on a microcontroller an unpooled int32 feature map rarely fits in RAM):
 * - A MAC layer (QuantConv2D / QuantDense) absorbs the layers after it, in this order: an optional MaxPool2D, an
 *   optional BatchNormalization, an optional MaxPool2D — each only when it is the one reader of what it absorbs —
 *   and the binarization by its readers' input quantizers (Flatten in between is free). The C computes pooled outputs
 *   window by window without materialising the rest.
 * - Its output is then `bits` (every reader binarizes it: one int32 threshold per channel plus a packed flip bit for
 *   a negative BatchNorm scale), `i32` (binary kernel on an integer input, no BatchNorm and no bias, read only by MACs
 *   and BatchNorms or the model's output: the raw XNOR-popcount sums), or `f32` (one float32 scale and offset per
 *   channel) — the real-valued residual stream between shortcuts is float32.
 * - Anything not absorbed becomes its own stage: `batchnorm`, `maxpool`, `binarize` (one per tensor, shared by all
 *   its binarizing readers), and on float32 values `add`, `concat`, `avgpool`, `gap`, `relu`, `prelu`. Flatten and a
 *   final softmax cost nothing (argmax is unchanged).
 */
import { INPUT_SOURCE, type ModelGraph } from '../model/graph';
import { layerLabel } from '../model/layerLabel';
import type { LayerSpec, ModelSpec } from '../model/spec';
import { hasBinaryInput, hasBinaryKernel } from '../model/spec';
import { planArena, type ArenaPlan } from './arena';
import { windowGeometry } from './geometry';
import { layerInfo, type LayerInfo } from './layerInfo';
import { kernelRowWords, positionsAndChannels, WORD_BYTES, wordsForBits } from './packing';
import { convFloatBandScratch, convPlaneScratch, firstLayerScratch, paddedInput, scratchBytesOf, type FirstLayerScratch, type PaddedInput } from './scratch';
import { inferGraphShapes, SpecError } from './shapes';
import { tensorBytes, type Repr, type TensorInfo } from './tensors';

export type { Repr, TensorInfo } from './tensors';
export type { LayerInfo } from './layerInfo';

interface StageBase {
  /** Indices into spec.layers covered by this stage (Flatten and Activation layers are attributed to no stage). */
  layers: number[];
  /** The tensors read, in order; `input` is inputs[0]. */
  inputs: TensorInfo[];
  input: TensorInfo;
  output: TensorInfo;
  /** Bytes of the kernel array (packed words or float32). */
  kernelBytes: number;
  /** Bytes of the per-channel parameters: thresholds + flip words, float32 scale + offset, or PReLU alphas. */
  epilogueBytes: number;
  /** Bytes of the stage's own fast-kernel working memory (0 without). */
  scratchBytes: number;
}

export interface MacPlanStage extends StageBase {
  kind: 'conv' | 'dense';
  /** Index of the MAC layer, and of the pools/BN it absorbs, in order. */
  mac: number;
  poolBefore?: number;
  batchNorm?: number;
  poolAfter?: number;
  /** The MAC layer's kernel is ±1 (packed) rather than float32. */
  binaryKernel: boolean;
  /** Packed kernel row words per output channel (binary kernels). */
  kernelRowWords?: number;
  /** Working memory of a fast first-layer kernel (static, only this stage uses it), see scratch.ts. */
  scratch?: FirstLayerScratch;
  /** An XNOR conv whose windows reach past its input reads a padded copy of it (see PaddedInput). */
  padded?: PaddedInput;
  /**
   * The Add absorbed after the MAC (and its BatchNorm): the stage writes shortcut + its value, with the shortcut (the
   * Add's other input, planned before) as its second input — so a block's output can overwrite the shortcut in place
   * and a residual block holds one float32 map, not two or three.
   */
  residual?: { add: number };
}

export interface BatchNormPlanStage extends StageBase { kind: 'batchnorm'; batchNorm: number }
/** A pooling stage of its own: `layer` is the MaxPool2D, AveragePooling2D or GlobalAveragePooling2D. */
export interface PoolPlanStage extends StageBase { kind: 'maxpool' | 'avgpool' | 'gap'; layer: number }
/** The sign of a tensor for its binarizing readers, `for` the first of them. */
export interface BinarizePlanStage extends StageBase { kind: 'binarize'; for: number }
/** Float32 element-wise and joining stages: `layer` is the Add, Concatenate, Activation('relu') or PReLU. */
export interface RealPlanStage extends StageBase { kind: 'add' | 'concat' | 'relu' | 'prelu'; layer: number }

export type Stage = MacPlanStage | BatchNormPlanStage | PoolPlanStage | BinarizePlanStage | RealPlanStage;
export type StageKind = Stage['kind'];

export interface DeployPlan {
  /** The model input (tensors[0]). */
  input: TensorInfo;
  stages: Stage[];
  /** Every tensor the stages read or write, with its arena offset in `arena.offsets`. */
  tensors: TensorInfo[];
  /** Where each tensor sits in the one activation arena, and the arena's size. */
  arena: ArenaPlan;
  layers: LayerInfo[];
  /** Static working memory of fast kernels (scratch), summed over stages. */
  scratchBytes: number;
  /** The one buffer holding padded XNOR conv input rows: the largest band, 0 if none. */
  paddedBytes: number;
  flashBytes: number;
  /** arena + scratch + padded: every byte of RAM the compiled model reserves. */
  ramBytes: number;
  /** What the same parameters would take as float32 (Larq's comparison point). */
  float32Bytes: number;
  binaryMacs: number;
  floatMacs: number;
  output: TensorInfo;
  /** The residual stream (the tensors Adds and Concatenates read and write, fused or not): count, repr, largest size. */
  residual?: { tensors: number; repr: Repr; largestBytes: number };
}

function isMac(l: LayerSpec | undefined): l is Extract<LayerSpec, { type: 'QuantConv2D' | 'QuantDense' }> {
  return l?.type === 'QuantConv2D' || l?.type === 'QuantDense';
}

/** Height of a max-pool fused into a MAC stage (1 without). */
function poolRows(layer: LayerSpec | undefined): number {
  return layer?.type === 'MaxPool2D' ? layer.poolSize[0] : 1;
}

/**
 * How a ±1 first layer on 8-bit pixels runs: 'fast' with its per-inference lookup tables or code planes (up to 16 KB
 * of RAM each, ~0.66 instructions per MAC), 'lean' directly on the pixels (no working memory, ~6 per MAC) for parts
 * with little RAM. The estimate follows the choice exactly, as everything else.
 */
export type FirstLayerKernel = 'fast' | 'lean';
export const FIRST_LAYER_KERNELS: readonly FirstLayerKernel[] = ['fast', 'lean'];

export interface PlanOptions {
  firstLayer?: FirstLayerKernel;
}

/** Builds the deployment plan. Throws SpecError if the spec's shapes do not work out or the compiler cannot run it. */
export function planModel(spec: ModelSpec, opts: PlanOptions = {}): DeployPlan {
  const { graph, shapes } = inferGraphShapes(spec);
  return new Planner(spec, graph, shapes, opts.firstLayer ?? 'fast').plan();
}

class Planner {
  private readonly layers: LayerSpec[];
  private readonly stages: Stage[] = [];
  private readonly tensors: TensorInfo[] = [];
  /** The tensor holding each layer's output, once planned (absorbed layers have none). */
  private readonly tensorOf = new Map<number, TensorInfo>();
  /** The packed signs of a tensor, by its id, once a binarize stage made them. */
  private readonly binarized = new Map<number, TensorInfo>();
  private readonly issues: { path: (string | number)[]; message: string }[] = [];

  constructor(private readonly spec: ModelSpec, private readonly graph: ModelGraph, private readonly shapes: number[][], private readonly firstLayer: FirstLayerKernel) {
    this.layers = spec.layers;
  }

  plan(): DeployPlan {
    const { spec, graph, layers, shapes } = this;
    const input = this.tensor(spec.input.shape.slice(), 'u8');
    // In listed order; a layer a MAC stage absorbed was planned with it.
    layers.forEach((_, i) => { if (graph.live[i] && !this.absorbed.has(i)) this.planLayer(i); });
    if (this.issues.length) throw new SpecError(this.issues);
    const output = this.tensorOf.get(graph.output) ?? input;
    const lifetimes = this.tensors.map((t) => ({ bytes: t.bytes, first: t.id === 0 ? -1 : this.stages.findIndex((s) => s.output.id === t.id), last: -1 }));
    this.stages.forEach((s, k) => { for (const t of s.inputs) lifetimes[t.id].last = k; });
    lifetimes[output.id].last = this.stages.length;
    for (const l of lifetimes) if (l.last < l.first) l.last = l.first;
    // An element-wise stage may overwrite an input that nothing reads after it (same size, see arena.ts).
    const inPlace = new Map<number, number>();
    this.stages.forEach((s, k) => {
      // A MAC with a residual epilogue reads its shortcut's element (pos, o) just before writing the same element.
      const candidates = s.kind === 'add' || s.kind === 'relu' || s.kind === 'prelu' ? s.inputs : (s.kind === 'conv' || s.kind === 'dense') && s.residual ? [s.inputs[1]] : [];
      const dying = candidates.find((t) => lifetimes[t.id].last === k && t.bytes === s.output.bytes && t.repr === s.output.repr && ![...inPlace.values()].includes(t.id));
      if (dying) inPlace.set(s.output.id, dying.id);
    });
    const arena = planArena(lifetimes, graph.isChain, inPlace);
    const inShapeOf = (idx: number): number[] => { const s = graph.inputs[idx][0]; return s === INPUT_SOURCE ? spec.input.shape : shapes[s]; };
    const layerInfos = layers.map((_, idx) => layerInfo(spec, idx, inShapeOf(idx), shapes[idx], this.stages));
    const float32Bytes = layerInfos.reduce((a, l) => a + 4 * (l.binaryParams + l.int8Params + l.floatParams), 0);
    const scratchBytes = this.stages.reduce((a, s) => a + s.scratchBytes, 0);
    const paddedBytes = this.stages.reduce((a, s) => Math.max(a, s.kind === 'conv' ? s.padded?.bytes ?? 0 : 0), 0);
    // The residual stream: what Add/Concatenate stages read and write, and the shortcuts a conv adds and its sums.
    const merged = this.stages.flatMap((s) => (s.kind === 'add' || s.kind === 'concat' ? [...s.inputs, s.output] : (s.kind === 'conv' || s.kind === 'dense') && s.residual ? [s.inputs[1], s.output] : []));
    const residualIds = [...new Set(merged.map((t) => t.id))];
    return {
      input,
      stages: this.stages,
      tensors: this.tensors,
      arena,
      layers: layerInfos,
      scratchBytes,
      paddedBytes,
      flashBytes: this.stages.reduce((a, s) => a + s.kernelBytes + s.epilogueBytes, 0),
      ramBytes: arena.bytes + scratchBytes + paddedBytes,
      float32Bytes,
      binaryMacs: layerInfos.reduce((a, l) => a + l.binaryMacs, 0),
      floatMacs: layerInfos.reduce((a, l) => a + l.floatMacs, 0),
      output,
      ...(residualIds.length ? { residual: { tensors: residualIds.length, repr: 'f32' as Repr, largestBytes: Math.max(...residualIds.map((id) => this.tensors[id].bytes)) } } : {}),
    };
  }

  private readonly absorbed = new Set<number>();

  private tensor(shape: number[], repr: Repr): TensorInfo {
    const t = { id: this.tensors.length, shape, repr, bytes: tensorBytes(shape, repr) };
    this.tensors.push(t);
    return t;
  }

  private push(s: Omit<StageBase, 'scratchBytes' | 'input'> & { scratchBytes?: number } & Record<string, unknown>): TensorInfo {
    this.stages.push({ ...s, input: s.inputs[0], scratchBytes: s.scratchBytes ?? 0 } as Stage);
    return s.output;
  }

  /** The tensor a layer reads from source `src` (the model input or a planned layer). */
  private source(src: number): TensorInfo {
    if (src === INPUT_SOURCE) return this.tensors[0];
    const t = this.tensorOf.get(src);
    if (!t) throw new Error(`internal: ${layerLabel(src)} read before it was planned`);
    return t;
  }

  /** Live readers of a layer's output, looking through Flatten (free) to the layers that really read it. */
  private readers(i: number): number[] {
    const out: number[] = [];
    for (const c of this.graph.consumers[i]) {
      if (!this.graph.live[c]) continue;
      if (this.layers[c].type === 'Flatten' && c !== this.graph.output) out.push(...this.readers(c));
      else out.push(c);
    }
    return out;
  }

  /** Does anything but layer `next` read layer i's output (or is it the model's output)? */
  private soleReader(i: number, next: number): boolean {
    return i !== this.graph.output && this.graph.consumers[i].filter((c) => this.graph.live[c]).length === 1 && this.graph.consumers[i][0] === next;
  }

  private binarizes(i: number): boolean {
    const r = this.readers(i);
    return i !== this.graph.output && !this.readsFlattenAsOutput(i) && r.length > 0 && r.every((c) => isMac(this.layers[c]) && hasBinaryInput(this.layers[c]));
  }

  /** A Flatten after layer i that is itself the model output. */
  private readsFlattenAsOutput(i: number): boolean {
    return this.graph.consumers[i].some((c) => this.graph.live[c] && this.layers[c].type === 'Flatten' && (c === this.graph.output || this.readsFlattenAsOutput(c)));
  }

  /** Integer sums may stay integers only where every reader takes integers: MACs, BatchNorms, or the class scores. */
  private integerReaders(i: number): boolean {
    // readers() keeps a Flatten only where it is the model's output.
    const r = this.readers(i).filter((c) => this.layers[c].type !== 'Flatten');
    const isScores = i === this.graph.output || this.readsFlattenAsOutput(i);
    return (r.length > 0 || isScores) && r.every((c) => isMac(this.layers[c]) || this.layers[c].type === 'BatchNormalization');
  }

  /** The input a layer reads as a binarizing MAC: packed signs, binarized once per tensor. */
  private binaryInputOf(t: TensorInfo, inShape: number[], reader: number): TensorInfo {
    if (t.repr === 'bits') return t;
    const done = this.binarized.get(t.id);
    if (done) return done;
    const out = this.tensor(t.shape.length ? t.shape : inShape, 'bits');
    this.push({ kind: 'binarize', layers: [], for: reader, inputs: [t], output: out, kernelBytes: 0, epilogueBytes: 0 });
    this.binarized.set(t.id, out);
    return out;
  }

  private fail(i: number, message: string): void {
    const l = this.layers[i];
    this.issues.push({ path: ['layers', i], message: `${layerLabel(i, l.type, l.name)}: ${message}` });
  }

  private planLayer(i: number): void {
    const { layers, graph, shapes } = this;
    const layer = layers[i];
    const srcs = graph.inputs[i];
    const inShape = srcs[0] === INPUT_SOURCE ? this.spec.input.shape : shapes[srcs[0]];
    const cur = this.source(srcs[0]);
    const set = (t: TensorInfo): void => { this.tensorOf.set(i, t); };
    switch (layer.type) {
      case 'Flatten':
        // Free: a packed tensor keeps its per-position shape (dense kernels are packed to match it); others reshape.
        set(cur.repr === 'bits' ? cur : { ...cur, shape: shapes[i] });
        return;
      case 'Activation':
        if (layer.activation === 'relu') { this.realStage(i, 'relu', [cur], 0); return; }
        set(cur);
        return;
      case 'QuantConv2D':
      case 'QuantDense':
        this.planMac(i, layer, cur, inShape);
        return;
      case 'BatchNormalization': {
        const outShape = shapes[i];
        const c = outShape[outShape.length - 1];
        if (cur.repr === 'bits') { this.fail(i, 'a BatchNormalization on binarized values is not supported'); set(cur); return; }
        if (this.binarizes(i)) {
          // A BatchNorm feeding a binarization folds into thresholds, exactly as after a MAC.
          set(this.push({ kind: 'batchnorm', layers: [i], inputs: [cur], output: this.tensor(outShape, 'bits'), batchNorm: i, kernelBytes: 0, epilogueBytes: c * 4 + wordsForBits(c) * WORD_BYTES }));
        } else {
          set(this.push({ kind: 'batchnorm', layers: [i], inputs: [cur], output: this.tensor(outShape, 'f32'), batchNorm: i, kernelBytes: 0, epilogueBytes: c * 8 }));
        }
        return;
      }
      case 'MaxPool2D':
        set(this.push({ kind: 'maxpool', layers: [i], layer: i, inputs: [cur], output: this.tensor(shapes[i], cur.repr), kernelBytes: 0, epilogueBytes: 0 }));
        return;
      case 'AveragePooling2D':
        this.realStage(i, 'avgpool', [cur], 0);
        return;
      case 'GlobalAveragePooling2D':
        this.realStage(i, 'gap', [cur], 0);
        return;
      case 'PReLU':
        this.realStage(i, 'prelu', [cur], shapes[i][shapes[i].length - 1] * 4);
        return;
      case 'Add':
      case 'Concatenate':
        this.realStage(i, layer.type === 'Add' ? 'add' : 'concat', srcs.map((s) => this.source(s)), 0);
        return;
    }
  }

  /** A stage on float32 values (the residual stream); other inputs cannot be compiled for it. */
  private realStage(i: number, kind: 'add' | 'concat' | 'relu' | 'prelu' | 'avgpool' | 'gap', inputs: TensorInfo[], epilogueBytes: number): void {
    const bad = inputs.find((t) => t.repr !== 'f32');
    if (bad) {
      const what = bad.repr === 'u8' ? 'the raw 8-bit model input' : bad.repr === 'i32' ? 'integer sums' : 'binarized values';
      this.fail(i, `reads ${what}; the compiler runs ${this.layers[i].type} on real (float32) values only — put a QuantConv2D${bad.repr === 'u8' ? '' : ' with a BatchNormalization'} before it`);
    }
    const stage = { kind, layers: [i], layer: i, inputs, output: this.tensor(this.shapes[i], 'f32'), kernelBytes: 0, epilogueBytes };
    this.tensorOf.set(i, this.push(stage));
  }

  private planMac(i: number, mac: Extract<LayerSpec, { type: 'QuantConv2D' | 'QuantDense' }>, cur: TensorInfo, inShape: number[]): void {
    const { layers, shapes } = this;
    const macInput = hasBinaryInput(mac) ? this.binaryInputOf(cur, inShape, i) : cur;
    const binaryKernel = hasBinaryKernel(mac);
    // Absorb the layers after the MAC while each is the one reader of the one before.
    let last = i;
    const next = (): number | undefined => {
      const c = this.graph.consumers[last].filter((x) => this.graph.live[x]);
      return c.length === 1 && this.soleReader(last, c[0]) ? c[0] : undefined;
    };
    let poolBefore: number | undefined;
    let batchNorm: number | undefined;
    let poolAfter: number | undefined;
    let n = next();
    if (n !== undefined && layers[n].type === 'MaxPool2D') { poolBefore = n; last = n; n = next(); }
    if (n !== undefined && layers[n].type === 'BatchNormalization') { batchNorm = n; last = n; n = next(); }
    if (batchNorm !== undefined && poolBefore === undefined && n !== undefined && layers[n].type === 'MaxPool2D') { poolAfter = n; last = n; n = next(); }
    // A residual Add whose shortcut is already computed folds into the epilogue (not on the 8-bit input's fast kernels,
    // and not after a pool that follows the BatchNorm).
    let residual: { add: number; shortcut: TensorInfo } | undefined;
    if (n !== undefined && layers[n].type === 'Add' && this.graph.inputs[n].length === 2 && macInput.repr !== 'u8' && poolAfter === undefined) {
      const other = this.graph.inputs[n].find((s) => s !== last);
      const shortcut = other === undefined || other === INPUT_SOURCE ? undefined : this.tensorOf.get(other);
      if (shortcut && shortcut.repr === 'f32' && this.graph.inputs[n].filter((s) => s === last).length === 1) {
        residual = { add: n, shortcut };
        last = n;
      }
    }
    for (const a of [poolBefore, batchNorm, poolAfter, residual?.add]) if (a !== undefined) this.absorbed.add(a);
    const outShape = shapes[last];
    const channels = outShape[outShape.length - 1];
    let repr: Repr;
    let epilogueBytes: number;
    if (residual) { repr = 'f32'; epilogueBytes = channels * 8; }
    else if (this.binarizes(last)) { repr = 'bits'; epilogueBytes = channels * 4 + wordsForBits(channels) * WORD_BYTES; }
    // Raw sums stay integers only when the input is (packed signs, 8-bit pixels or integer sums): ±1 × float is float.
    else if (binaryKernel && batchNorm === undefined && !mac.useBias && macInput.repr !== 'f32' && this.integerReaders(last)) { repr = 'i32'; epilogueBytes = 0; }
    else { repr = 'f32'; epilogueBytes = channels * 8; }
    const windowPositions = mac.type === 'QuantConv2D' ? mac.kernelSize[0] * mac.kernelSize[1] : positionsAndChannels(macInput.shape).positions;
    const inputChannels = mac.type === 'QuantConv2D' ? inShape[2] : positionsAndChannels(macInput.shape).channels;
    const outputs = mac.type === 'QuantConv2D' ? mac.filters : mac.units;
    const rowWords = binaryKernel ? kernelRowWords({ binaryInput: macInput.repr === 'bits', inputChannels, windowPositions }) : 0;
    const kernelBytes = binaryKernel ? outputs * rowWords * WORD_BYTES : outputs * windowPositions * inputChannels * 4;
    const pool = layers[poolBefore ?? poolAfter ?? -1];
    let scratch: FirstLayerScratch | undefined;
    if (binaryKernel && macInput.repr === 'u8' && this.firstLayer === 'fast') {
      scratch = mac.type === 'QuantDense'
        ? firstLayerScratch(windowPositions * inputChannels, outputs)
        : convPlaneScratch(windowGeometry(inShape[0], inShape[1], mac.kernelSize, mac.strides, mac.padding), mac.kernelSize, inputChannels, outputs);
    } else if (!binaryKernel && macInput.repr === 'u8' && mac.type === 'QuantConv2D') {
      scratch = convFloatBandScratch(windowGeometry(inShape[0], inShape[1], mac.kernelSize, mac.strides, mac.padding), mac.kernelSize, inputChannels, pool?.type === 'MaxPool2D' ? pool : undefined);
    }
    const output = this.tensor(outShape, repr);
    this.push({
      kind: mac.type === 'QuantConv2D' ? 'conv' : 'dense',
      layers: [i, poolBefore, batchNorm, poolAfter, residual?.add].filter((x): x is number => x !== undefined),
      inputs: residual ? [macInput, residual.shortcut] : [macInput],
      output,
      mac: i, poolBefore, batchNorm, poolAfter,
      binaryKernel, kernelRowWords: binaryKernel ? rowWords : undefined,
      kernelBytes, epilogueBytes,
      scratch, scratchBytes: scratchBytesOf(scratch),
      ...(residual ? { residual: { add: residual.add } } : {}),
      padded: mac.type === 'QuantConv2D' && macInput.repr === 'bits'
        ? paddedInput(inShape[0], inShape[1], inputChannels, mac.kernelSize, mac.strides, mac.padding, poolRows(pool))
        : undefined,
    });
    this.tensorOf.set(last, output);
    this.tensorOf.set(i, output);
  }
}
