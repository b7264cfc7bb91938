/**
 * Shape inference and the semantic checks that need shapes, over the model graph (graph.ts): every layer's output
 * shape, Add/Concatenate shape agreement, the layer combinations the trainer and compiler can run, and the limits.
 */
import { GraphError, INPUT_SOURCE, modelGraph, type ModelGraph } from '../model/graph';
import { layerLabel } from '../model/layerLabel';
import type { ModelSpec } from '../model/spec';
import { convOutputSize } from './geometry';

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


/** Output shape of each layer ([] for a layer whose input could not be inferred). Throws SpecError with every issue. */
export function inferShapes(spec: ModelSpec): number[][] {
  return inferGraphShapes(spec).shapes;
}

/** The graph and every layer's output shape. Throws SpecError (graph errors included) with every issue found. */
export function inferGraphShapes(spec: ModelSpec): { graph: ModelGraph; shapes: number[][] } {
  let graph: ModelGraph;
  try {
    graph = modelGraph(spec);
  } catch (err) {
    if (err instanceof GraphError) throw new SpecError(err.issues.map(({ path, message }) => ({ path, message })));
    throw err;
  }
  const issues: SpecIssue[] = [];
  const shapes: number[][] = [];
  const inputShape = spec.input.shape.slice();
  const inElements = inputShape.reduce((a, b) => a * b, 1);
  if (inElements > LIMITS.maxElements) issues.push({ path: ['input', 'shape'], message: `input has ${inElements} elements, more than the limit of ${LIMITS.maxElements}` });
  const broken: boolean[] = [];
  let params = 0;
  const fmt = (s: number[]): string => `[${s.join(', ')}]`;
  spec.layers.forEach((layer, i) => {
    const srcs = graph.inputs[i];
    if (srcs.some((s) => s !== INPUT_SOURCE && broken[s])) { broken.push(true); shapes.push([]); return; }
    const ins = srcs.map((s) => (s === INPUT_SOURCE ? inputShape : shapes[s]));
    const srcName = (k: number): string => (srcs[k] === INPUT_SOURCE ? 'input' : spec.layers[srcs[k]].name);
    let failed = false;
    const fail = (message: string, key?: string): void => {
      issues.push({ path: key ? ['layers', i, key] : ['layers', i], message: `${layerLabel(i, layer.type, layer.name)}: ${message}` });
      failed = true;
    };
    let shape = ins[0].slice();
    switch (layer.type) {
      case 'QuantConv2D': {
        if (shape.length !== 3) { fail(`expects an [H, W, C] input, got ${fmt(shape)}${shape.length === 1 ? ' (a Conv2D cannot follow Flatten or Dense)' : ''}`); break; }
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
        if (shape.length !== 1) { fail(`expects a flat input, got ${fmt(shape)}: add a Flatten layer before it${shape.length === 3 ? ' (or a GlobalAveragePooling2D)' : ''}`); break; }
        if (layer.inputQuantizer !== null && layer.kernelQuantizer === null) { fail('a binarized input with a full-precision kernel is not supported: quantize the kernel too, or set inputQuantizer to null', 'inputQuantizer'); break; }
        params += shape[0] * layer.units + (layer.useBias ? layer.units : 0);
        shape = [layer.units];
        break;
      }
      case 'BatchNormalization':
        params += 4 * shape[shape.length - 1];
        break;
      case 'PReLU':
        params += shape[shape.length - 1];
        break;
      case 'MaxPool2D':
      case 'AveragePooling2D': {
        if (shape.length !== 3) { fail(`expects an [H, W, C] input, got ${fmt(shape)}`); break; }
        const [h, w, c] = shape;
        const [ph, pw] = layer.poolSize;
        if (layer.padding === 'valid' && (ph > h || pw > w)) { fail(`pool ${ph}×${pw} is larger than its ${h}×${w} input`, 'poolSize'); break; }
        shape = [convOutputSize(h, ph, layer.strides[0], layer.padding), convOutputSize(w, pw, layer.strides[1], layer.padding), c];
        break;
      }
      case 'GlobalAveragePooling2D':
        if (shape.length !== 3) { fail(`expects an [H, W, C] input, got ${fmt(shape)}`); break; }
        shape = [shape[2]];
        break;
      case 'Flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'Activation':
        if (layer.activation === 'softmax' && i !== graph.output) fail('a softmax Activation is only supported as the last layer, the model\'s output (the compiled model reports pre-softmax scores)');
        break;
      case 'Add': {
        const differ = ins.findIndex((s) => fmt(s) !== fmt(ins[0]));
        if (differ >= 0) fail(`adds tensors of different shapes: '${srcName(0)}' ${fmt(ins[0])} and '${srcName(differ)}' ${fmt(ins[differ])} (a downsampling shortcut needs an AveragePooling2D and a 1×1 QuantConv2D to match)`, 'inputs');
        break;
      }
      case 'Concatenate': {
        const rank = ins[0].length;
        const bad = ins.findIndex((s) => s.length !== rank || s.slice(0, -1).some((d, k) => d !== ins[0][k]));
        if (bad >= 0) { fail(`joins tensors whose shapes differ outside the channel axis: '${srcName(0)}' ${fmt(ins[0])} and '${srcName(bad)}' ${fmt(ins[bad])}`, 'inputs'); break; }
        shape = [...ins[0].slice(0, -1), ins.reduce((a, s) => a + s[rank - 1], 0)];
        break;
      }
    }
    if (!failed && shape.some((d) => d < 1)) fail(`output shape ${fmt(shape)} has an empty dimension`);
    if (!failed && params > LIMITS.maxParams) fail(`the model passes ${LIMITS.maxParams.toExponential()} parameters here`);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (!failed && elements > LIMITS.maxElements) fail(`output has ${elements} elements, more than the limit of ${LIMITS.maxElements}`);
    broken.push(failed);
    shapes.push(failed ? [] : shape);
  });
  const out = graph.output;
  if (!issues.length) {
    const last = shapes[out];
    const lastMac = [...spec.layers.keys()].reverse().find((i) => i <= out && (spec.layers[i].type === 'QuantDense' || spec.layers[i].type === 'QuantConv2D'));
    const outLabel = spec.outputs ? ` ('${spec.layers[out].name}')` : '';
    if (last.length !== 1) {
      issues.push({ path: ['layers', out], message: `the model's output${outLabel} has shape ${fmt(last)}; it must be a vector of ${spec.classes} class scores (end with Flatten or GlobalAveragePooling2D, and QuantDense)` });
    } else if (last[0] !== spec.classes) {
      const path = lastMac !== undefined && spec.layers[lastMac].type === 'QuantDense' ? ['layers', lastMac, 'units'] : ['classes'];
      issues.push({ path, message: `the ${spec.outputs ? 'output' : 'last'} layer outputs ${last[0]} values but "classes" is ${spec.classes}` });
    }
  }
  if (issues.length) throw new SpecError(issues);
  return { graph, shapes };
}
