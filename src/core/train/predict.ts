/**
 * The reference inference forward pass, in plain TypeScript (no TensorFlow.js): what "the trained model's prediction"
 * means for the evaluator, the compiler's agreement test and the on-device comparison. Exact arithmetic where the
 * compiled C is exact:
 * - input x = u8/127.5 − 1 = (2·u8 − 255)/255. A layer on the real input with a binary kernel sums the integers
 *   (2·u8 − 255)·w exactly and divides by 255 once; with a real kernel it sums x·w in float64.
 * - binarized inputs are ±1 (sign(0) = +1); a binary-input binary-kernel layer's sums are exact integers;
 *   'same' padding adds +1 for binarized inputs and 0 for real ones, split as TensorFlow does.
 * - bias, BatchNormalization (moving statistics: (v − mean)/√(var + ε)·γ + β) in float64 from the float32 weights.
 * - MaxPool2D over the window's valid elements; Flatten is row-major [H, W, C]; the final softmax is not applied:
 *   `scores` are the output layer's values, `classes` their argmax with ties to the lowest index.
 * - graphs: layers run in listed order on the outputs they name (graph.ts), layers the output does not depend on are
 *   skipped; Add sums, Concatenate joins channels, AveragePooling2D and GlobalAveragePooling2D average the cells
 *   inside the input, relu and PReLU (x < 0 → alpha·x) act element-wise — all in float64.
 */
import type { ModelSpec } from '../model/spec';
import type { TrainedModel } from '../model/trained';
import { inferGraphShapes } from '../deploy/shapes';
import { INPUT_SOURCE, type ModelGraph } from '../model/graph';
import { padBefore } from '../deploy/geometry';

export interface Prediction {
  classes: number[];
  /** Pre-softmax scores, one array of `classes` values per sample. */
  scores: number[][];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs the model on `count` samples stored back to back in `images` (u8, H·W·C each, channels last). */
export function predict(trained: TrainedModel, images: Uint8Array, count?: number): Prediction {
  const spec = trained.spec;
  const sample = sizeOf(spec.input.shape);
  const n = count ?? Math.floor(images.length / sample);
  if (images.length < n * sample) throw new Error(`predict: ${images.length} bytes hold fewer than ${n} samples of ${sample} bytes`);
  const { graph, shapes } = inferGraphShapes(spec);
  const kernels = preparedKernels(trained, graph);
  const classes: number[] = [];
  const scores: number[][] = [];
  for (let s = 0; s < n; s++) {
    const out = forwardOne(spec, graph, trained, kernels, shapes, images.subarray(s * sample, (s + 1) * sample));
    let best = 0;
    for (let c = 1; c < out.length; c++) if (out[c] > out[best]) best = c;
    classes.push(best);
    scores.push(Array.from(out));
  }
  return { classes, scores };
}

/** Share of samples whose predicted class equals the label. */
export function accuracy(trained: TrainedModel, images: Uint8Array, labels: Uint8Array, count?: number): number {
  const n = count ?? labels.length;
  const { classes } = predict(trained, images, n);
  let ok = 0;
  for (let i = 0; i < n; i++) if (classes[i] === labels[i]) ok++;
  return n ? ok / n : 0;
}

/** Each conv/dense layer's kernel as float64 (binary ones as exactly ±1), once per call rather than once per sample. */
function preparedKernels(trained: TrainedModel, graph: ModelGraph): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [i, layer] of trained.spec.layers.entries()) {
    if (!graph.live[i] || (layer.type !== 'QuantConv2D' && layer.type !== 'QuantDense')) continue;
    const kernel = trained.weights[layer.name]?.kernel;
    if (!kernel) throw new Error(`layer '${layer.name}' has no kernel`);
    out.set(layer.name, layer.kernelQuantizer !== null ? Float64Array.from(kernel, (v) => (v >= 0 ? 1 : -1)) : Float64Array.from(kernel));
  }
  return out;
}

/** A tensor of one sample: float64 values; `ints` the exact integers 2·u8 − 255 while it is still the raw input
 *  (value = ints / 255). */
interface Value {
  vals: Float64Array;
  ints?: Int32Array;
  shape: number[];
}

function forwardOne(spec: ModelSpec, graph: ModelGraph, trained: TrainedModel, kernels: Map<string, Float64Array>, shapes: number[][], u8: Uint8Array): Float64Array {
  const modelInput: Value = { vals: Float64Array.from(u8, (v) => v / 127.5 - 1), ints: Int32Array.from(u8, (v) => 2 * v - 255), shape: spec.input.shape.slice() };
  const outs: Value[] = [];
  spec.layers.forEach((layer, li) => {
    if (!graph.live[li]) return;
    const ins = graph.inputs[li].map((s) => (s === INPUT_SOURCE ? modelInput : outs[s]));
    const w = trained.weights[layer.name] ?? {};
    let { vals, ints, shape } = ins[0];
    switch (layer.type) {
      case 'QuantConv2D':
      case 'QuantDense': {
        const binIn = layer.inputQuantizer !== null;
        const binK = layer.kernelQuantizer !== null;
        const k = kernels.get(layer.name)!;
        let input: Float64Array;
        let scale = 1;
        if (binIn) {
          input = Float64Array.from(vals, (v) => (v >= 0 ? 1 : -1));
        } else if (ints && binK) {
          input = Float64Array.from(ints);
          scale = 1 / 255;
        } else {
          input = vals;
        }
        const outShape = shapes[li];
        const out = new Float64Array(sizeOf(outShape));
        if (layer.type === 'QuantDense') {
          const inN = input.length;
          const units = layer.units;
          for (let i = 0; i < inN; i++) {
            const xi = input[i];
            if (xi === 0) continue;
            const row = i * units;
            for (let o = 0; o < units; o++) out[o] += xi * k[row + o];
          }
        } else {
          const [H, W, C] = shape;
          const [kh, kw] = layer.kernelSize;
          const [sh, sw] = layer.strides;
          const [OH, OW, F] = outShape;
          const padV = binIn ? 1 : 0;
          const ph = padBefore(H, kh, sh, layer.padding);
          const pw = padBefore(W, kw, sw, layer.padding);
          for (let oh = 0; oh < OH; oh++) {
            for (let ow = 0; ow < OW; ow++) {
              const ob = (oh * OW + ow) * F;
              for (let a = 0; a < kh; a++) {
                const ih = oh * sh + a - ph;
                for (let b = 0; b < kw; b++) {
                  const iw = ow * sw + b - pw;
                  const inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                  for (let c = 0; c < C; c++) {
                    const xv = inside ? input[(ih * W + iw) * C + c] : padV;
                    if (xv === 0) continue;
                    const kb = ((a * kw + b) * C + c) * F;
                    for (let f = 0; f < F; f++) out[ob + f] += xv * k[kb + f];
                  }
                }
              }
            }
          }
        }
        const bias = w.bias;
        const F = outShape[outShape.length - 1];
        for (let i = 0; i < out.length; i++) {
          let v = out[i] * scale;
          if (bias) v += bias[i % F];
          out[i] = v;
        }
        vals = out;
        ints = undefined;
        shape = outShape.slice();
        break;
      }
      case 'BatchNormalization': {
        const C = shape[shape.length - 1];
        const mean = w.movingMean;
        const variance = w.movingVariance;
        if (!mean || !variance) throw new Error(`layer '${layer.name}' has no moving statistics`);
        const mul = new Float64Array(C);
        for (let c = 0; c < C; c++) mul[c] = (w.gamma ? w.gamma[c] : 1) / Math.sqrt(variance[c] + layer.epsilon);
        const out = new Float64Array(vals.length);
        for (let i = 0; i < vals.length; i++) {
          const c = i % C;
          out[i] = (vals[i] - mean[c]) * mul[c] + (w.beta ? w.beta[c] : 0);
        }
        vals = out;
        ints = undefined;
        break;
      }
      case 'MaxPool2D': {
        const [H, W, C] = shape;
        const [kh, kw] = layer.poolSize;
        const [sh, sw] = layer.strides;
        const [OH, OW] = shapes[li];
        const ph = padBefore(H, kh, sh, layer.padding);
        const pw = padBefore(W, kw, sw, layer.padding);
        const out = new Float64Array(OH * OW * C).fill(-Infinity);
        for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) for (let a = 0; a < kh; a++) {
          const ih = oh * sh + a - ph;
          if (ih < 0 || ih >= H) continue;
          for (let b = 0; b < kw; b++) {
            const iw = ow * sw + b - pw;
            if (iw < 0 || iw >= W) continue;
            for (let c = 0; c < C; c++) {
              const v = vals[(ih * W + iw) * C + c];
              const o = (oh * OW + ow) * C + c;
              if (v > out[o]) out[o] = v;
            }
          }
        }
        if (ints) ints = Int32Array.from(out, (v) => Math.round(v * 255)); // pooling the raw input keeps it exact
        vals = out;
        shape = shapes[li].slice();
        break;
      }
      case 'Flatten':
        shape = [sizeOf(shape)];
        break;
      case 'Activation':
        if (layer.activation === 'relu') {
          vals = vals.map((v) => (v > 0 ? v : 0));
          ints = undefined;
        }
        break;
      case 'PReLU': {
        const alpha = w.alpha;
        if (!alpha) throw new Error(`layer '${layer.name}' has no alpha`);
        const C = shape[shape.length - 1];
        vals = vals.map((v, i) => (v >= 0 ? v : alpha[i % C] * v));
        ints = undefined;
        break;
      }
      case 'Add': {
        const out = new Float64Array(vals.length);
        for (const t of ins) for (let i = 0; i < out.length; i++) out[i] += t.vals[i];
        vals = out;
        ints = undefined;
        break;
      }
      case 'Concatenate': {
        const outShape = shapes[li];
        const C = outShape[outShape.length - 1];
        const positions = sizeOf(outShape) / C;
        const out = new Float64Array(positions * C);
        let at = 0;
        for (const t of ins) {
          const c = t.shape[t.shape.length - 1];
          for (let p = 0; p < positions; p++) for (let k = 0; k < c; k++) out[p * C + at + k] = t.vals[p * c + k];
          at += c;
        }
        vals = out;
        ints = undefined;
        shape = outShape.slice();
        break;
      }
      case 'AveragePooling2D':
      case 'GlobalAveragePooling2D': {
        const [H, W, C] = shape;
        const global = layer.type === 'GlobalAveragePooling2D';
        const [kh, kw] = global ? [H, W] : layer.poolSize;
        const [sh, sw] = global ? [1, 1] : layer.strides;
        const padding = global ? 'valid' : layer.padding;
        const outShape = shapes[li];
        const [OH, OW] = global ? [1, 1] : outShape;
        const ph = padBefore(H, kh, sh, padding);
        const pw = padBefore(W, kw, sw, padding);
        const out = new Float64Array(OH * OW * C);
        for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
          let cells = 0;
          for (let a = 0; a < kh; a++) {
            const ih = oh * sh + a - ph;
            if (ih < 0 || ih >= H) continue;
            for (let b = 0; b < kw; b++) {
              const iw = ow * sw + b - pw;
              if (iw < 0 || iw >= W) continue;
              cells++;
              for (let c = 0; c < C; c++) out[(oh * OW + ow) * C + c] += vals[(ih * W + iw) * C + c];
            }
          }
          for (let c = 0; c < C; c++) out[(oh * OW + ow) * C + c] /= cells;
        }
        vals = out;
        ints = undefined;
        shape = outShape.slice();
        break;
      }
    }
    outs[li] = { vals, ints, shape };
  });
  return outs[graph.output].vals;
}
