/**
 * A straightforward float64 forward pass written from the model-format semantics (spec.ts), independent of the
 * compiler: Keras-layout kernels, explicit padding, the BatchNorm formula as written, TF max-pooling. It is the
 * oracle the compiled C is checked against.
 *
 * One concession to exactness: the raw input x = u8/127.5 − 1 = (2·u8 − 255)/255 is carried as the integer numerator
 * with a denominator, divided out after the first layer's sums, so a sum that is exactly 0 stays 0 (sign(0) = +1).
 */
import { inferShapes } from '../../src/core/deploy/shapes';
import { windowGeometry } from '../../src/core/deploy/geometry';
import type { TrainedModel } from '../../src/core/model/trained';

export function forward64(trained: TrainedModel, input: Uint8Array): { class: number; scores: number[] } {
  const { spec, weights } = trained;
  const shapes = inferShapes(spec);
  let shape = spec.input.shape.slice();
  let data = Float64Array.from(input, (u) => 2 * u - 255);
  let den = 255;
  const undenominate = (): void => { if (den !== 1) { data = data.map((v) => v / den); den = 1; } };
  spec.layers.forEach((layer, li) => {
    const outShape = shapes[li];
    switch (layer.type) {
      case 'Flatten': shape = outShape; break;
      case 'Activation': break;
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
  });
  undenominate();
  const scores = Array.from(data);
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return { class: best, scores };
}
