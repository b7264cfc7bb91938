/**
 * Seeded random TrainedModels for compiler tests: ±1 kernels, BatchNorm statistics scaled to each layer's fan-in so
 * the signs actually vary, negative γ, and a γ = 0 channel in every BatchNorm.
 */
import { Mulberry32 } from '../../src/core/data/prng';
import { inferGraphShapes } from '../../src/core/deploy/shapes';
import { INPUT_SOURCE } from '../../src/core/model/graph';
import type { ModelSpec } from '../../src/core/model/spec';
import type { LayerWeights, TrainedModel } from '../../src/core/model/trained';

/** A seeded uniform [0, 1) source: data/prng.ts's mulberry32 as a function. */
export function mulberry32(seed: number): () => number {
  const m = new Mulberry32(seed);
  return () => m.nextFloat();
}

export function syntheticModel(spec: ModelSpec, seed: number): TrainedModel {
  const rnd = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const { graph, shapes } = inferGraphShapes(spec);
  const weights: Record<string, LayerWeights> = {};
  let fanIn = 1;
  spec.layers.forEach((layer, i) => {
    const src = graph.inputs[i][0];
    const inShape = src === INPUT_SOURCE ? spec.input.shape : shapes[src];
    if (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') {
      fanIn = layer.type === 'QuantConv2D' ? layer.kernelSize[0] * layer.kernelSize[1] * inShape[2] : inShape[0];
      const outs = layer.type === 'QuantConv2D' ? layer.filters : layer.units;
      const kernel = new Float32Array(fanIn * outs);
      for (let k = 0; k < kernel.length; k++) kernel[k] = layer.kernelQuantizer ? (rnd() < 0.5 ? -1 : 1) : normal() * 0.3;
      const w: LayerWeights = { kernel };
      if (layer.useBias) w.bias = Float32Array.from({ length: outs }, () => normal() * Math.sqrt(fanIn) * 0.3);
      weights[layer.name] = w;
    } else if (layer.type === 'BatchNormalization') {
      const c = shapes[i][shapes[i].length - 1];
      const spread = Math.sqrt(fanIn);
      const w: LayerWeights = {
        movingMean: Float32Array.from({ length: c }, () => normal() * spread * 0.5),
        movingVariance: Float32Array.from({ length: c }, () => spread * spread * (0.3 + rnd())),
      };
      if (layer.scale) {
        w.gamma = Float32Array.from({ length: c }, () => (rnd() < 0.3 ? -1 : 1) * (0.2 + rnd()));
        w.gamma[Math.floor(rnd() * c)] = 0;
      }
      if (layer.center) w.beta = Float32Array.from({ length: c }, () => normal() * 0.5);
      weights[layer.name] = w;
    } else if (layer.type === 'PReLU') {
      // Negative, zero and positive slopes (PReLU alphas are unconstrained).
      weights[layer.name] = { alpha: Float32Array.from({ length: shapes[i][shapes[i].length - 1] }, (_, c) => (c === 0 ? 0 : normal() * 0.5)) };
    }
  });
  return { spec, weights };
}

export function randomInputs(n: number, size: number, seed: number): Uint8Array[] {
  const rnd = mulberry32(seed);
  const out: Uint8Array[] = [new Uint8Array(size), new Uint8Array(size).fill(255), new Uint8Array(size).fill(127), new Uint8Array(size).fill(128)];
  while (out.length < n) {
    const x = new Uint8Array(size);
    // Mostly 0/255 like MNIST strokes, some mid-range values around the 127/128 sign boundary.
    for (let i = 0; i < size; i++) { const r = rnd(); x[i] = r < 0.4 ? 0 : r < 0.6 ? 255 : r < 0.7 ? 127 + Math.floor(rnd() * 2) : Math.floor(rnd() * 256); }
    out.push(x);
  }
  return out;
}
