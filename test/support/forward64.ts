/**
 * A straightforward float64 forward pass written from the model-format semantics (spec.ts), independent of the
 * compiler: Keras-layout kernels, explicit padding, the BatchNorm formula as written, TF max-pooling. It is the
 * oracle the compiled C is checked against.
 *
 * One concession to exactness: the raw input x = u8/127.5 − 1 = (2·u8 − 255)/255 is carried as the integer numerator
 * with a denominator, divided out after the first layer's sums, so a sum that is exactly 0 stays 0 (sign(0) = +1).
 */
import { inferGraphShapes } from '../../src/core/deploy/shapes';
import { INPUT_SOURCE } from '../../src/core/model/graph';
import { windowGeometry } from '../../src/core/deploy/geometry';
import type { TrainedModel } from '../../src/core/model/trained';

export function forward64(trained: TrainedModel, input: Uint8Array): { class: number; scores: number[] } {
  const { spec, weights } = trained;
  const { graph, shapes } = inferGraphShapes(spec);
  // Every layer's output by index (a graph: a layer reads the outputs its "inputs" name), each with its denominator.
  const outs: { data: Float64Array; den: number }[] = [];
  const source = (src: number): { data: Float64Array; den: number } => (src === INPUT_SOURCE ? { data: Float64Array.from(input, (u) => 2 * u - 255), den: 255 } : outs[src]);
  const real = (src: number): Float64Array => { const t = source(src); return t.den === 1 ? t.data : t.data.map((v) => v / t.den); };
  let data: Float64Array = new Float64Array(0);
  let den = 1;
  spec.layers.forEach((layer, li) => {
    if (!graph.live[li]) { outs.push({ data: new Float64Array(0), den: 1 }); return; }
    const srcs = graph.inputs[li];
    ({ data, den } = source(srcs[0]));
    let shape = srcs[0] === INPUT_SOURCE ? spec.input.shape.slice() : shapes[srcs[0]];
    const undenominate = (): void => { if (den !== 1) { data = data.map((v) => v / den); den = 1; } };
    const outShape = shapes[li];
    switch (layer.type) {
      case 'Add': {
        const ins = srcs.map(real);
        data = ins[0].map((_, i) => ins.reduce((a, t) => a + t[i], 0));
        den = 1;
        break;
      }
      case 'Concatenate': {
        const ins = srcs.map(real);
        const cs = srcs.map((s2) => (s2 === INPUT_SOURCE ? spec.input.shape : shapes[s2]).slice(-1)[0]);
        const total = outShape[outShape.length - 1];
        const positions = data.length / cs[0];
        const out = new Float64Array(positions * total);
        for (let p = 0; p < positions; p++) { let off = 0; ins.forEach((t, k) => { for (let c = 0; c < cs[k]; c++) out[p * total + off + c] = t[p * cs[k] + c]; off += cs[k]; }); }
        data = out;
        den = 1;
        break;
      }
      case 'AveragePooling2D': {
        undenominate();
        const [h, wd, c] = shape;
        const [oh, ow] = [outShape[0], outShape[1]];
        const { padTop: pt, padLeft: pl } = windowGeometry(h, wd, layer.poolSize, layer.strides, layer.padding);
        const out = new Float64Array(oh * ow * c);
        for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          let n = 0;
          for (let py = 0; py < layer.poolSize[0]; py++) for (let px = 0; px < layer.poolSize[1]; px++) {
            const iy = y * layer.strides[0] - pt + py;
            const ix = x * layer.strides[1] - pl + px;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue; // TensorFlow averages the cells inside only
            sum += data[(iy * wd + ix) * c + ch];
            n++;
          }
          out[(y * ow + x) * c + ch] = sum / n;
        }
        data = out;
        break;
      }
      case 'GlobalAveragePooling2D': {
        undenominate();
        const c = shape[2];
        const positions = shape[0] * shape[1];
        const out = new Float64Array(c);
        for (let p = 0; p < positions; p++) for (let ch = 0; ch < c; ch++) out[ch] += data[p * c + ch];
        data = out.map((v) => v / positions);
        break;
      }
      case 'PReLU': {
        undenominate();
        const alpha = weights[layer.name].alpha!;
        const c = shape[shape.length - 1];
        data = data.map((x, i) => (x >= 0 ? x : alpha[i % c] * x));
        break;
      }
      case 'Flatten': shape = outShape; break;
      case 'Activation':
        if (layer.activation === 'relu') { undenominate(); data = data.map((x) => (x > 0 ? x : 0)); }
        break;
      case 'BatchNormalization': {
        undenominate();
        const w = weights[layer.name];
        const c = shape[shape.length - 1];
        data = data.map((x, i) => {
          const ch = i % c;
          const g = layer.scale ? w.gamma![ch] : 1;
          const b = layer.center ? w.beta![ch] : 0;
          return (g * (x - w.movingMean![ch])) / Math.sqrt(w.movingVariance![ch] + layer.epsilon) + b;
        });
        break;
      }
      case 'MaxPool2D': {
        const [h, wd, c] = shape;
        const [oh, ow] = [outShape[0], outShape[1]];
        const { padTop: pt, padLeft: pl } = windowGeometry(h, wd, layer.poolSize, layer.strides, layer.padding);
        const out = new Float64Array(oh * ow * c).fill(-Infinity);
        for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let py = 0; py < layer.poolSize[0]; py++) for (let px = 0; px < layer.poolSize[1]; px++) {
          const iy = y * layer.strides[0] - pt + py;
          const ix = x * layer.strides[1] - pl + px;
          if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
          for (let ch = 0; ch < c; ch++) out[(y * ow + x) * c + ch] = Math.max(out[(y * ow + x) * c + ch], data[(iy * wd + ix) * c + ch]);
        }
        data = out;
        shape = outShape;
        break;
      }
      case 'QuantDense':
      case 'QuantConv2D': {
        const w = weights[layer.name];
        let a = data;
        if (layer.inputQuantizer) { a = data.map((v) => (v >= 0 ? 1 : -1)); }
        const curDen = layer.inputQuantizer ? 1 : den;
        const padValue = layer.inputQuantizer ? 1 : 0;
        const k = w.kernel!;
        let out: Float64Array;
        if (layer.type === 'QuantDense') {
          const n = shape[0];
          out = new Float64Array(layer.units);
          for (let o = 0; o < layer.units; o++) { let s = 0; for (let i = 0; i < n; i++) s += a[i] * k[i * layer.units + o]; out[o] = s; }
        } else {
          const [h, wd, c] = shape;
          const [kh, kw] = layer.kernelSize;
          const { sh, sw, outH: oh, outW: ow, padTop: pt, padLeft: pl } = windowGeometry(h, wd, layer.kernelSize, layer.strides, layer.padding);
          const f = layer.filters;
          out = new Float64Array(oh * ow * f);
          for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let o = 0; o < f; o++) {
            let s = 0;
            for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ch = 0; ch < c; ch++) {
              const iy = y * sh - pt + ky;
              const ix = x * sw - pl + kx;
              const v = iy < 0 || iy >= h || ix < 0 || ix >= wd ? padValue : a[(iy * wd + ix) * c + ch];
              s += v * k[((ky * kw + kx) * c + ch) * f + o];
            }
            out[(y * ow + x) * f + o] = s;
          }
        }
        const units = layer.type === 'QuantDense' ? layer.units : layer.filters;
        data = out.map((v, i) => v / curDen + (layer.useBias ? w.bias![i % units] : 0));
        den = 1;
        shape = outShape;
        break;
      }
    }
    outs.push({ data, den });
  });
  const result = outs[graph.output];
  const scores = Array.from(result.den === 1 ? result.data : result.data.map((v) => v / result.den));
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return { class: best, scores };
}
