/**
 * A straightforward float64 forward pass written from the model-format semantics (spec.ts), independent of the
 * compiler: Keras-layout kernels, explicit padding, the BatchNorm formula as written, TF max-pooling. It is the
 * oracle the compiled C is checked against.
 *
 * One concession to exactness: the raw input x = u8/127.5 − 1 = (2·u8 − 255)/255 is carried as the integer numerator
 * with a denominator, divided out after the first layer's sums, so a sum that is exactly 0 stays 0 (sign(0) = +1).
 *
 * Graphs: each layer reads the tensors its `inputs` name (the previous layer's without them; "input" is the model
 * input), resolved here from the names alone; the output is `outputs[0]` or the last layer. Only the layers the
 * output depends on run (the others have no trained weights), found by walking back from the output by name.
 */
import { inferShapes } from '../../src/core/deploy/shapes';
import { windowGeometry } from '../../src/core/deploy/geometry';
import type { TrainedModel } from '../../src/core/model/trained';

export function forward64(trained: TrainedModel, input: Uint8Array): { class: number; scores: number[] } {
  const { spec, weights } = trained;
  const shapes = inferShapes(spec);
  type T = { data: Float64Array; den: number; shape: number[] };
  const byName = new Map<string, T>([['input', { data: Float64Array.from(input, (u) => 2 * u - 255), den: 255, shape: spec.input.shape.slice() }]]);
  const real = (t: T): Float64Array => (t.den === 1 ? t.data : t.data.map((v) => v / t.den));
  const sources = (li: number): string[] => spec.layers[li].inputs ?? [li === 0 ? 'input' : spec.layers[li - 1].name];
  const outName = spec.outputs?.[0] ?? spec.layers[spec.layers.length - 1].name;
  const needed = new Set<string>();
  const visit = (name: string): void => {
    const li = spec.layers.findIndex((l) => l.name === name);
    if (li < 0 || needed.has(name)) return;
    needed.add(name);
    sources(li).forEach(visit);
  };
  visit(outName);
  spec.layers.forEach((layer, li) => {
    if (!needed.has(layer.name)) return;
    const outShape = shapes[li];
    const srcs = sources(li).map((n) => byName.get(n)!);
    let { data, den, shape } = srcs[0];
    const undenominate = (): void => { if (den !== 1) { data = data.map((v) => v / den); den = 1; } };
    switch (layer.type) {
      case 'Flatten': shape = outShape; break;
      case 'Activation':
        if (layer.activation === 'relu') { undenominate(); data = data.map((v) => Math.max(v, 0)); }
        break;
      case 'PReLU': {
        undenominate();
        const c = shape[shape.length - 1];
        const alpha = weights[layer.name].alpha!;
        data = data.map((v, i) => (v < 0 ? alpha[i % c] * v : v));
        break;
      }
      case 'Add': {
        const parts = srcs.map(real);
        data = parts[0].map((_, i) => parts.reduce((acc, p) => acc + p[i], 0));
        den = 1;
        break;
      }
      case 'Concatenate': {
        const parts = srcs.map((t) => ({ d: real(t), c: t.shape[t.shape.length - 1] }));
        const cOut = outShape[outShape.length - 1];
        const n = outShape.reduce((a, b) => a * b, 1) / cOut;
        const out: number[] = [];
        for (let p = 0; p < n; p++) for (const part of parts) for (let k = 0; k < part.c; k++) out.push(part.d[p * part.c + k]);
        data = Float64Array.from(out);
        den = 1;
        shape = outShape;
        break;
      }
      case 'GlobalAveragePooling2D': {
        undenominate();
        const [h, wd, c] = shape;
        const out = new Float64Array(c);
        for (let i = 0; i < h * wd * c; i++) out[i % c] += data[i] / (h * wd);
        data = out;
        shape = outShape;
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
          let cells = 0;
          for (let py = 0; py < layer.poolSize[0]; py++) for (let px = 0; px < layer.poolSize[1]; px++) {
            const iy = y * layer.strides[0] - pt + py;
            const ix = x * layer.strides[1] - pl + px;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            sum += data[(iy * wd + ix) * c + ch];
            cells++;
          }
          out[(y * ow + x) * c + ch] = sum / cells;
        }
        data = out;
        shape = outShape;
        break;
      }
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
    byName.set(layer.name, { data, den, shape });
  });
  const out = byName.get(outName)!;
  const scores = Array.from(real(out));
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return { class: best, scores };
}
