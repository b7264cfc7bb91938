/**
 * Folding a per-output-channel affine map of a binary layer's result into the BatchNormalization after it. A ±1 kernel
 * cannot carry a scale, but BatchNormalization can: when the source model computes z' = s·z + c where BNN Studio
 * computes z (Larq's MagnitudeAwareSign: s = mean |w|, c = 0; an input encoding folded into a binary first layer),
 *
 *   (s·z + c − μ) / √(σ² + ε) · γ + β  =  (z − (μ − c)/s) / √(σ² + ε) · (s·γ) + β,
 *
 * so μ' = (μ − c)/s and γ' = s·γ, exactly, with σ² and ε unchanged. A MaxPool2D between them commutes with the map
 * only when every s is positive (max of s·z + c is s·max z + c). The one implementation for both uses.
 */
import type { TrainedModel } from '../model/trained';
import type { ModelSpec } from '../model/spec';
import { modelGraph, type ModelGraph } from '../model/graph';

/**
 * The BatchNormalization that alone reads layer `index`, through MaxPool2Ds that alone read it (a graph model's other
 * readers — an Add, a second branch — would see the scale), or why there is none. The import report's note on
 * MagnitudeAwareSign (magnitudeAware.ts) names the same one.
 */
export function foldTarget(spec: ModelSpec, graph: ModelGraph, index: number): { bn: number; pooled: boolean } | { reason: string } {
  let j = index;
  let pooled = false;
  for (;;) {
    const readers = graph.consumers[j];
    if (readers.length !== 1) return { reason: `${readers.length ? `${readers.length} layers read the layer's output` : 'nothing reads the layer'}, and only a BatchNormalization that alone reads it can take the scale` };
    j = readers[0];
    if (spec.layers[j].type !== 'MaxPool2D') break;
    pooled = true;
  }
  if (spec.layers[j].type !== 'BatchNormalization') return { reason: `no BatchNormalization follows the layer${pooled ? ' (after its MaxPool2D)' : ''} to take it` };
  return { bn: j, pooled };
}

/** Folds z' = s·z + c of layer `index` into the next BatchNormalization; a reason when it cannot. Mutates `trained`. */
export function foldChannelScale(trained: TrainedModel, index: number, s: readonly number[], c: readonly number[]): string | undefined {
  const layers = trained.spec.layers;
  const target = foldTarget(trained.spec, modelGraph(trained.spec), index);
  if ('reason' in target) return `cannot be folded: ${target.reason}`;
  const { pooled } = target;
  const j = target.bn;
  const bn = layers[j];
  if (bn.type !== 'BatchNormalization') return 'cannot be folded: no BatchNormalization follows the layer to take it';
  if (s.some((v) => v === 0 || !Number.isFinite(v))) return 'cannot be folded: a scale of 0 would lose the layer\'s output';
  if (pooled && s.some((v) => v < 0)) return 'cannot be folded: a negative scale turns the MaxPool2D between the layer and its BatchNormalization into a min-pool';
  const w = trained.weights[bn.name] ??= {};
  const mean = w.movingMean!;
  if (mean.length !== s.length) return `cannot be folded: the BatchNormalization has ${mean.length} channels, the layer ${s.length}`;
  const gamma = w.gamma ?? new Float32Array(s.length).fill(1);
  for (let o = 0; o < s.length; o++) {
    mean[o] = (mean[o] - c[o]) / s[o];
    gamma[o] *= s[o];
  }
  w.gamma = gamma;
  // γ is no longer 1: the BatchNormalization learns (and stores) a scale from now on
  if (!bn.scale) layers[j] = { ...bn, scale: true };
  return undefined;
}
