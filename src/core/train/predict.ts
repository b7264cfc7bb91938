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
 *   `scores` are the last layer's values, `classes` their argmax with ties to the lowest index.
 */
import type { ModelSpec } from '../model/spec';
import type { TrainedModel } from '../model/trained';
import { inferShapes } from '../deploy/shapes';
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
  const shapes = inferShapes(spec);
  const kernels = preparedKernels(trained);
  const classes: number[] = [];
  const scores: number[][] = [];
  for (let s = 0; s < n; s++) {
    const out = forwardOne(spec, trained, kernels, shapes, images.subarray(s * sample, (s + 1) * sample));
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
function preparedKernels(trained: TrainedModel): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const layer of trained.spec.layers) {
    if (layer.type !== 'QuantConv2D' && layer.type !== 'QuantDense') continue;
    const kernel = trained.weights[layer.name]?.kernel;
    if (!kernel) throw new Error(`layer '${layer.name}' has no kernel`);
    out.set(layer.name, layer.kernelQuantizer !== null ? Float64Array.from(kernel, (v) => (v >= 0 ? 1 : -1)) : Float64Array.from(kernel));
  }
  return out;
}

function forwardOne(spec: ModelSpec, trained: TrainedModel, kernels: Map<string, Float64Array>, shapes: number[][], u8: Uint8Array): Float64Array {
  let shape = spec.input.shape.slice();
  // `ints` holds the exact integers 2·u8 − 255 while the tensor is still the raw input (value = ints / 255)
  let ints: Int32Array | undefined = Int32Array.from(u8, (v) => 2 * v - 255);
  let vals = Float64Array.from(u8, (v) => v / 127.5 - 1);
  spec.layers.forEach((layer, li) => {
    const w = trained.weights[layer.name] ?? {};
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
        break;
    }
  });
  return vals;
}
