import type { ModelSpec } from './spec';

/**
 * A trained model as every consumer after the trainer sees it (compiler, exporter, evaluator): the spec plus each
 * layer's weights, keyed by layer name, in Keras layouts. Binary kernels hold exactly ±1 (Bop keeps no latent
 * weights; a latent-baseline checkpoint is binarized with sign, sign(0) = +1, before it gets here).
 */
export interface LayerWeights {
  /** QuantConv2D: [kh, kw, cin, cout]; QuantDense: [in, out] (row-major, Keras order). */
  kernel?: Float32Array;
  bias?: Float32Array;
  /** BatchNormalization: absent gamma means scale=false (gamma ≡ 1); absent beta means center=false (beta ≡ 0). */
  gamma?: Float32Array;
  beta?: Float32Array;
  movingMean?: Float32Array;
  movingVariance?: Float32Array;
  /** PReLU: one alpha per channel (Keras stores [1, 1, C] for a conv input; flattened here). */
  alpha?: Float32Array;
}

export interface TrainedModel {
  spec: ModelSpec;
  weights: Record<string, LayerWeights>;
}
