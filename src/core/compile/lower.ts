/**
 * Lowers a trained model along its deployment plan: every stage of planModel() becomes a LoweredStage with its packed
 * kernel and folded epilogue. The array sizes are checked against the plan's byte counts here, so an estimate that
 * disagrees with the compiled model is an error at compile time, not a surprise on the board.
 */
import { planModel, type DeployPlan, type MacPlanStage, type PlanOptions, type Stage } from '../deploy/plan';
import { windowGeometry } from '../deploy/geometry';
import { type Repr } from '../deploy/tensors';
import { packKernel, positionsAndChannels } from '../deploy/packing';
import { INPUT_ENCODING, type AveragePooling2DLayer, type BatchNormalizationLayer, type LayerSpec, type MaxPool2DLayer, type QuantConv2DLayer, type QuantDenseLayer } from '../model/spec';
import type { LayerWeights, TrainedModel } from '../model/trained';
import { affineEpilogue, foldChannels, thresholdEpilogue, INT32_MAX, type BatchNormParams } from './fold';
import { CompileError, type Epilogue, type LoweredModel, type LoweredStage, type MacGeometry, type MacStage, type PoolGeometry } from './types';

/** What the lowering knows about the tensor flowing between stages. */
interface Domain {
  repr: Repr;
  /** Real value = stored integer · scale (u8: of v = 2·u8 − 255; i32: of the accumulator). 1 for f32 and bits. */
  scale: number;
  /** Largest |integer| the tensor can hold (u8: 255 as v; i32: the accumulator bound), for overflow checks. */
  bound: number;
}

/**
 * x = u8/127.5 − 1 = (2·u8 − 255)/255: the integer v = 2·u8 − 255 is 255·x (INPUT_ENCODING's "1/127.5" is the scale of
 * u8 itself, not of v).
 */
const U8_SCALE = INPUT_ENCODING.scale / 2;

export function lowerModel(trained: TrainedModel, opts: PlanOptions = {}): LoweredModel {
  const { spec } = trained;
  if (!trained.weights || typeof trained.weights !== 'object') throw new CompileError('the trained model has no "weights" object');
  const plan = planModel(spec, opts);
  if (plan.stages.length === 0) throw new CompileError(`model '${spec.name}' has no layers to compile (it needs at least one QuantDense or QuantConv2D)`);
  // What each tensor of the plan holds, by tensor id: the lowering follows the graph, not a running value.
  const doms: Domain[] = [];
  doms[plan.input.id] = { repr: 'u8', scale: U8_SCALE, bound: 255 };
  const stages: LoweredStage[] = [];
  plan.stages.forEach((stage, k) => {
    const ins = stage.inputs.map((t) => doms[t.id]);
    if (ins.some((d, i) => !d || d.repr !== stage.inputs[i].repr)) throw new CompileError(`internal: stage ${k} reads a tensor not written before it, or not as planned`);
    const lowered = lowerStage(trained, plan, stage, k, ins);
    stages.push(lowered.stage);
    doms[stage.output.id] = lowered.out;
    checkBytes(plan, stage, k, lowered.stage);
  });
  const out = plan.output;
  if (out.repr !== 'i32' && out.repr !== 'f32') throw new CompileError(`the last stage outputs ${out.repr} values; class scores must be int32 or float32`);
  return { spec, plan, stages, inputBytes: plan.input.shape.reduce((a, b) => a * b, 1), classes: spec.classes, scoresAreFloat: out.repr === 'f32' };
}

function layerWeights(trained: TrainedModel, layer: LayerSpec): LayerWeights {
  const w = trained.weights[layer.name];
  if (!w) throw new CompileError(`layer '${layer.name}' (${layer.type}) has no weights in the trained model`);
  return w;
}

function need(arr: ArrayLike<number> | undefined, length: number, what: string, layer: LayerSpec): ArrayLike<number> {
  if (!arr) throw new CompileError(`layer '${layer.name}' (${layer.type}): missing ${what}`);
  if (arr.length !== length) throw new CompileError(`layer '${layer.name}' (${layer.type}): ${what} has ${arr.length} values, expected ${length}`);
  return arr;
}

function batchNormParams(trained: TrainedModel, layer: BatchNormalizationLayer, channels: number): BatchNormParams {
  const w = layerWeights(trained, layer);
  return {
    gamma: layer.scale ? need(w.gamma, channels, 'gamma', layer) : undefined,
    beta: layer.center ? need(w.beta, channels, 'beta', layer) : undefined,
    mean: need(w.movingMean, channels, 'moving_mean', layer),
    variance: need(w.movingVariance, channels, 'moving_variance', layer),
    epsilon: layer.epsilon,
  };
}

function poolGeometry(layer: MaxPool2DLayer | AveragePooling2DLayer, inH: number, inW: number): PoolGeometry {
  const [ph, pw] = layer.poolSize;
  const { sh, sw, padTop, padLeft, outH, outW } = windowGeometry(inH, inW, layer.poolSize, layer.strides, layer.padding);
  // Keys in this order: hash.ts serializes the geometry as built, so a different order would change the model hash.
  return { inH, inW, ph, pw, sh, sw, padTop, padLeft, outH, outW };
}

const REAL: Domain = { repr: 'f32', scale: 1, bound: Infinity };

function lowerStage(trained: TrainedModel, plan: DeployPlan, stage: Stage, k: number, ins: Domain[]): { stage: LoweredStage; out: Domain } {
  const layers = trained.spec.layers;
  const dom = ins[0];
  switch (stage.kind) {
    case 'binarize': {
      const { positions, channels } = positionsAndChannels(stage.output.shape);
      const name = `input of '${layers[stage.for].name}'`;
      return { stage: { kind: 'binarize', name, inputRepr: dom.repr, positions, channels }, out: { repr: 'bits', scale: 1, bound: 1 } };
    }
    case 'maxpool': {
      const layer = layers[stage.layer] as MaxPool2DLayer;
      const [h, w, c] = stage.input.shape;
      return { stage: { kind: 'maxpool', name: layer.name, repr: dom.repr, channels: c, pool: poolGeometry(layer, h, w) }, out: dom };
    }
    case 'avgpool': {
      const layer = layers[stage.layer] as AveragePooling2DLayer;
      const [h, w, c] = stage.input.shape;
      return { stage: { kind: 'avgpool', name: layer.name, channels: c, pool: poolGeometry(layer, h, w) }, out: REAL };
    }
    case 'gap': {
      const [h, w, c] = stage.input.shape;
      return { stage: { kind: 'gap', name: layers[stage.layer].name, positions: h * w, channels: c }, out: REAL };
    }
    case 'add':
      return { stage: { kind: 'add', name: layers[stage.layer].name, inputs: stage.inputs.length, size: stage.output.shape.reduce((a, b) => a * b, 1) }, out: REAL };
    case 'concat': {
      const { positions } = positionsAndChannels(stage.output.shape);
      return { stage: { kind: 'concat', name: layers[stage.layer].name, positions, channels: stage.inputs.map((t) => t.shape[t.shape.length - 1]) }, out: REAL };
    }
    case 'relu':
    case 'prelu': {
      const layer = layers[stage.layer];
      const { positions, channels } = positionsAndChannels(stage.output.shape);
      let alpha: Float32Array | undefined;
      if (stage.kind === 'prelu') {
        const a = need(layerWeights(trained, layer).alpha, channels, 'alpha', layer);
        alpha = new Float32Array(channels);
        for (let c = 0; c < channels; c++) {
          if (!Number.isFinite(a[c])) throw new CompileError(`layer '${layer.name}' (PReLU): alpha ${c} is ${a[c]}`);
          alpha[c] = a[c];
        }
      }
      return { stage: { kind: stage.kind, name: layer.name, positions, channels, ...(alpha ? { alpha } : {}) }, out: REAL };
    }
    case 'batchnorm': {
      const layer = layers[stage.batchNorm] as BatchNormalizationLayer;
      const { positions, channels } = positionsAndChannels(stage.input.shape);
      const acc = dom.repr === 'f32' ? 'float' : 'int';
      if (dom.repr === 'bits') throw new CompileError(`layer '${layer.name}': a BatchNormalization on binarized values is not supported`);
      const fold = foldChannels(channels, dom.scale, undefined, batchNormParams(trained, layer, channels), `layer '${layer.name}'`);
      const outputRepr = stage.output.repr === 'bits' ? 'bits' : 'f32';
      const epilogue = outputRepr === 'bits' ? thresholdEpilogue(fold, acc) : affineEpilogue(fold, `layer '${layer.name}'`);
      return {
        stage: { kind: 'batchnorm', name: layer.name, inputRepr: dom.repr, outputRepr, acc, positions, channels, epilogue },
        out: outputRepr === 'bits' ? { repr: 'bits', scale: 1, bound: 1 } : { repr: 'f32', scale: 1, bound: Infinity },
      };
    }
    case 'conv':
    case 'dense':
      return lowerMac(trained, stage, dom);
  }
}

function lowerMac(trained: TrainedModel, stage: MacPlanStage, dom: Domain): { stage: MacStage; out: Domain } {
  const layers = trained.spec.layers;
  const layer = layers[stage.mac] as QuantConv2DLayer | QuantDenseLayer;
  const where = `layer '${layer.name}' (${layer.type})`;
  const w = layerWeights(trained, layer);
  let geom: MacGeometry;
  if (layer.type === 'QuantConv2D') {
    const [inH, inW, cin] = stage.input.shape;
    const [kh, kw] = layer.kernelSize;
    const { sh, sw, padTop, padLeft, outH, outW } = windowGeometry(inH, inW, layer.kernelSize, layer.strides, layer.padding);
    geom = { inH, inW, cin, kh, kw, sh, sw, padTop, padLeft, outH, outW, cout: layer.filters }; // key order: see poolGeometry
  } else {
    // A dense layer is the valid conv whose single window is its whole input (positions × channels).
    const { positions, channels } = positionsAndChannels(stage.input.shape);
    geom = { inH: 1, inW: positions, cin: channels, kh: 1, kw: positions, sh: 1, sw: 1, padTop: 0, padLeft: 0, outH: 1, outW: 1, cout: layer.units };
  }
  const fanIn = geom.kh * geom.kw * geom.cin;
  const kernel = need(w.kernel, fanIn * geom.cout, `kernel (${layer.type === 'QuantConv2D' ? `[${geom.kh}, ${geom.kw}, ${geom.cin}, ${geom.cout}]` : `[${fanIn}, ${geom.cout}]`})`, layer);
  const bias = layer.useBias ? need(w.bias, geom.cout, 'bias', layer) : undefined;

  const binaryKernel = stage.binaryKernel === true;
  const mode = dom.repr === 'bits' ? 'xnor' : binaryKernel ? 'binary' : 'float';
  const acc: 'int' | 'float' = mode === 'float' || dom.repr === 'f32' ? 'float' : 'int';
  let kernelBits: Uint32Array | undefined;
  let kernelFloat: Float32Array | undefined;
  if (binaryKernel) {
    for (let i = 0; i < kernel.length; i++) {
      const v = kernel[i];
      if (v !== 1 && v !== -1) throw new CompileError(`${where}: the kernel is quantized but value ${i} is ${v}, not ±1 (binarize latent weights with sign first)`);
    }
    kernelBits = packKernel(kernel, { binaryInput: mode === 'xnor', inputChannels: geom.cin, windowPositions: geom.kh * geom.kw, outputs: geom.cout });
  } else {
    kernelFloat = new Float32Array(fanIn * geom.cout);
    for (let o = 0; o < geom.cout; o++) {
      for (let i = 0; i < fanIn; i++) {
        const v = kernel[i * geom.cout + o];
        if (!Number.isFinite(v)) throw new CompileError(`${where}: kernel value ${i * geom.cout + o} is ${v}`);
        kernelFloat[o * fanIn + i] = v;
      }
    }
  }

  // Integer accumulators must not overflow int32 (and stay exact when converted to float32 for an affine epilogue).
  let accBound = Infinity;
  if (acc === 'int') {
    accBound = fanIn * (mode === 'xnor' ? 1 : dom.bound);
    if (accBound > INT32_MAX) throw new CompileError(`${where}: its int32 accumulators could reach ${accBound}, which overflows`);
  }
  const accScale = mode === 'xnor' ? 1 : dom.repr === 'f32' ? 1 : dom.scale;

  let pool: MacStage['pool'];
  if (stage.poolBefore !== undefined) pool = { at: 'before', geom: poolGeometry(layers[stage.poolBefore] as MaxPool2DLayer, geom.outH, geom.outW) };
  if (stage.poolAfter !== undefined) pool = { at: 'after', geom: poolGeometry(layers[stage.poolAfter] as MaxPool2DLayer, geom.outH, geom.outW) };
  const bn = stage.batchNorm !== undefined ? batchNormParams(trained, layers[stage.batchNorm] as BatchNormalizationLayer, geom.cout) : undefined;

  const outputRepr = stage.output.repr;
  let epilogue: Epilogue;
  let out: Domain;
  if (outputRepr === 'bits') {
    epilogue = thresholdEpilogue(foldChannels(geom.cout, accScale, bias, bn, where), acc);
    out = { repr: 'bits', scale: 1, bound: 1 };
  } else if (outputRepr === 'f32') {
    epilogue = affineEpilogue(foldChannels(geom.cout, accScale, bias, bn, where), where);
    out = { repr: 'f32', scale: 1, bound: Infinity };
  } else {
    if (acc !== 'int') {
      throw new CompileError(`${where}: a binary kernel on full-precision float input without BatchNormalization or bias is not supported (its sums are not integers); add a BatchNormalization after it or quantize its input`);
    }
    epilogue = { kind: 'none' };
    out = { repr: 'i32', scale: accScale, bound: accBound };
  }
  return {
    stage: {
      kind: stage.kind as 'conv' | 'dense', name: layer.name, inputRepr: dom.repr, outputRepr, mode, acc, geom,
      kernelBits, rowWords: stage.kernelRowWords, kernelFloat, pool, epilogue, scratch: stage.scratch, padded: stage.padded,
      ...(stage.residual ? { residual: true } : {}),
      outH: pool ? pool.geom.outH : geom.outH, outW: pool ? pool.geom.outW : geom.outW,
    },
    out,
  };
}

/** Bytes of the parameter arrays the C emits for a stage (kernel, epilogue). */
export function stageArrayBytes(s: LoweredStage): { kernel: number; epilogue: number } {
  if (s.kind === 'relu' || s.kind === 'prelu') return { kernel: 0, epilogue: s.alpha?.byteLength ?? 0 };
  if (s.kind !== 'conv' && s.kind !== 'dense' && s.kind !== 'batchnorm') return { kernel: 0, epilogue: 0 };
  const e = s.epilogue;
  const epilogue = e.kind === 'threshold' ? e.thresholds.byteLength + e.flips.byteLength : e.kind === 'affine' ? e.scale.byteLength + e.offset.byteLength : 0;
  const kernel = s.kind === 'batchnorm' ? 0 : (s.kernelBits?.byteLength ?? 0) + (s.kernelFloat?.byteLength ?? 0);
  return { kernel, epilogue };
}

function checkBytes(plan: DeployPlan, stage: Stage, k: number, s: LoweredStage): void {
  const b = stageArrayBytes(s);
  if (b.kernel !== stage.kernelBytes || b.epilogue !== stage.epilogueBytes) {
    throw new CompileError(`internal: stage ${k} (${stage.kind}) lowers to ${b.kernel} kernel + ${b.epilogue} epilogue bytes but the plan says ${stage.kernelBytes} + ${stage.epilogueBytes}`);
  }
  if (s.kind === 'conv' || s.kind === 'dense') {
    const want = stage.output.repr === 'bits' ? positionsAndChannels(stage.output.shape) : undefined;
    const expected = s.outH * s.outW * s.geom.cout;
    const planned = stage.output.shape.reduce((a, x) => a * x, 1);
    if (expected !== planned || (want && want.channels !== s.geom.cout)) throw new CompileError(`internal: stage ${k} computes ${s.outH}×${s.outW}×${s.geom.cout} but the plan says [${stage.output.shape.join(', ')}]`);
    if (s.rowWords !== undefined && s.kernelBits && s.kernelBits.length !== s.rowWords * s.geom.cout) throw new CompileError(`internal: stage ${k} kernel rows disagree with the plan`);
  }
}
