/**
 * The trainable network built from a ModelSpec, as plain TensorFlow.js variables and ops (no tfjs-layers: Bop needs
 * binary weights stored as ±1 with no latent copy, and the forward semantics must be exactly the ones the compiler
 * reproduces — see spec.ts):
 * - x = u8/127.5 − 1; sign(0) = +1; 'same' padding pads a binarized input with +1 and a real input with 0 (explicit
 *   pad, then a 'valid' convolution), split as TensorFlow does;
 * - Bop: a binary kernel is a ±1 variable used as is (its kernel quantizer is the identity on ±1; the gradient passes
 *   straight through, as ste_sign's does at |w| = 1); latent baseline: a real variable binarized by its quantizer;
 * - BatchNormalization: batch statistics and moving averages in training, moving statistics in inference;
 * - the final softmax is folded into the cross-entropy loss; forward() returns the pre-softmax scores;
 * - a graph model (graph.ts) runs its layers in listed order, each on the outputs it names; layers the output does not
 *   depend on get no variables and are not run (the compiled model leaves them out too).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormalizationLayer, LayerSpec, ModelSpec } from '../model/spec';
import { BINARY_PAD_VALUE, REAL_PAD_VALUE, hasBinaryKernel } from '../model/spec';
import type { LayerWeights, TrainedModel } from '../model/trained';
import { inferGraphShapes } from '../deploy/shapes';
import { INPUT_SOURCE, type ModelGraph } from '../model/graph';
import { paddedConv2d, samePadding, dense, maxPool, type Pads } from './conv';
import { avgPool } from './pooling';
import { quantize } from './quantizers';
import { batchNormTraining } from './batchNorm';
import type { TrainableParam } from './optimizers';
import { Rng } from './rng';

export type WeightKind = 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance' | 'alpha';

export interface ModelParam extends TrainableParam {
  kind: WeightKind;
  trainable: boolean;
  shape: number[];
}

export interface ModelOptions {
  /** Latent-weight baseline: binary kernels are real latent weights (glorot init), binarized in the forward. */
  latent: boolean;
  seed: number;
}

/** Pending BatchNormalization moving-average updates of one training forward pass. */
export type MovingUpdates = Array<{ variable: tf.Variable; value: tf.Tensor }>;

/** The batch mean and variance of every live BatchNormalization layer (BnnModel.batchNormLayers) of one training
 *  forward pass, in layer order (the data-parallel coordinator pools the shards' statistics into the moving averages). */
export type BatchStats = Array<{ mean: tf.Tensor; variance: tf.Tensor }>;

let modelCount = 0;

/** Layer types that carry weights. */
const WEIGHTED = /^(QuantConv2D|QuantDense|BatchNormalization|PReLU)$/;

function glorotLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

export class BnnModel {
  readonly params: ModelParam[] = [];
  readonly byName = new Map<string, ModelParam>();
  /** Output shape of every layer (without the batch axis). */
  readonly shapes: number[][];
  readonly graph: ModelGraph;
  /** The BatchNormalization layers that run (live), in layer order: the order of BatchStats. */
  readonly batchNormLayers: BatchNormalizationLayer[];
  /** Per layer: is its input a function of the data alone (no weight before it)? Such a layer needs no input
   *  gradient — the first conv's dx is the costliest one of a step. */
  private readonly readsDataOnly: boolean[] = [];
  private readonly uid = ++modelCount;

  constructor(readonly spec: ModelSpec, readonly options: ModelOptions, initial?: Record<string, LayerWeights>) {
    const { graph, shapes } = inferGraphShapes(spec);
    this.graph = graph;
    this.shapes = shapes;
    this.batchNormLayers = spec.layers.filter((l, i): l is BatchNormalizationLayer => graph.live[i] && l.type === 'BatchNormalization');
    const rng = new Rng(options.seed);
    spec.layers.forEach((layer, i) => {
      if (!graph.live[i]) return;
      const src = graph.inputs[i][0];
      const inShape = src === INPUT_SOURCE ? spec.input.shape : shapes[src];
      const w = initial?.[layer.name];
      this.readsDataOnly[i] = graph.inputs[i].every((s) => s === INPUT_SOURCE || (this.readsDataOnly[s] && !this.spec.layers[s].type.match(WEIGHTED)));
      const add = (kind: WeightKind, shape: number[], values: Float32Array, binary = false, trainable = true): void => {
        const name = `${layer.name}/${kind}`;
        const n = shape.reduce((a, b) => a * b, 1);
        if (values.length !== n) throw new Error(`weight ${name}: expected ${n} values for shape [${shape.join(', ')}], got ${values.length}`);
        // tfjs variable names are global to the engine: make them unique per model instance
        const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, `bnn${this.uid}:${name}`));
        const p: ModelParam = { name, variable, binary, layer: layer.name, kind, trainable, shape };
        this.params.push(p);
        this.byName.set(name, p);
      };
      if (layer.type === 'QuantConv2D' || layer.type === 'QuantDense') {
        const cin = inShape[inShape.length - 1];
        const shape = layer.type === 'QuantConv2D' ? [layer.kernelSize[0], layer.kernelSize[1], cin, layer.filters] : [inShape[0], layer.units];
        const outputs = shape[shape.length - 1];
        const n = shape.reduce((a, b) => a * b, 1);
        const binary = hasBinaryKernel(layer);
        let kernel = w?.kernel;
        if (!kernel) {
          kernel = new Float32Array(n);
          const lim = glorotLimit(n / outputs, (n / outputs / cin) * outputs);
          for (let k = 0; k < n; k++) {
            const u = rng.uniform(-lim, lim);
            // Bop starts from the signs of the same glorot draw Larq's latent initialiser would give.
            kernel[k] = binary && !options.latent ? (u >= 0 ? 1 : -1) : u;
          }
        } else if (binary && !options.latent) {
          kernel = Float32Array.from(kernel, (v) => (v >= 0 ? 1 : -1));
        }
        add('kernel', shape, kernel, binary);
        if (layer.useBias) add('bias', [outputs], w?.bias ?? new Float32Array(outputs));
      } else if (layer.type === 'BatchNormalization') {
        const c = inShape[inShape.length - 1];
        if (layer.scale) add('gamma', [c], w?.gamma ?? new Float32Array(c).fill(1));
        if (layer.center) add('beta', [c], w?.beta ?? new Float32Array(c));
        add('moving_mean', [c], w?.movingMean ?? new Float32Array(c), false, false);
        add('moving_variance', [c], w?.movingVariance ?? new Float32Array(c).fill(1), false, false);
      } else if (layer.type === 'PReLU') {
        const c = inShape[inShape.length - 1];
        add('alpha', [c], w?.alpha ?? new Float32Array(c).fill(layer.alphaInitializer));
      }
    });
  }

  get trainableParams(): ModelParam[] {
    return this.params.filter((p) => p.trainable);
  }

  get binaryParams(): ModelParam[] {
    return this.params.filter((p) => p.binary);
  }

  private v(layer: LayerSpec, kind: WeightKind): tf.Variable | undefined {
    return this.byName.get(`${layer.name}/${kind}`)?.variable;
  }

  /**
   * Pre-softmax scores for a batch of encoded inputs ([N, ...input shape], values in [−1, 1]). In training mode,
   * BatchNormalization uses batch statistics and pushes its moving-average updates into `updates` and the batch
   * statistics themselves into `stats`.
   */
  forward(x: tf.Tensor, training: boolean, updates?: MovingUpdates, stats?: BatchStats): tf.Tensor2D {
    const { inputs, live, output } = this.graph;
    const outs: tf.Tensor[] = [];
    this.spec.layers.forEach((layer, i) => {
      if (!live[i]) return;
      const ins = inputs[i].map((s) => (s === INPUT_SOURCE ? x : outs[s]));
      outs[i] = this.layerForward(layer, ins, !this.readsDataOnly[i], training, updates, stats);
    });
    return outs[output] as tf.Tensor2D;
  }

  private layerForward(layer: LayerSpec, ins: tf.Tensor[], needsInputGrad: boolean, training: boolean, updates?: MovingUpdates, stats?: BatchStats): tf.Tensor {
    let h = ins[0];
    switch (layer.type) {
      case 'QuantConv2D':
      case 'QuantDense': {
        const binIn = layer.inputQuantizer !== null;
        if (binIn) h = quantize(layer.inputQuantizer!, h);
        const kv = this.v(layer, 'kernel')!;
        const kernel = layer.kernelQuantizer !== null && this.options.latent ? quantize(layer.kernelQuantizer, kv) : kv;
        if (layer.type === 'QuantConv2D') {
          const h4 = h as tf.Tensor4D;
          const [, H, W] = h4.shape;
          const pads: Pads = layer.padding === 'same'
            ? [samePadding(H, layer.kernelSize[0], layer.strides[0]), samePadding(W, layer.kernelSize[1], layer.strides[1])]
            : [[0, 0], [0, 0]];
          h = paddedConv2d(h4, kernel as tf.Tensor4D, layer.strides, pads, binIn ? BINARY_PAD_VALUE : REAL_PAD_VALUE, needsInputGrad);
        } else {
          h = dense(h as tf.Tensor2D, kernel as tf.Tensor2D, needsInputGrad);
        }
        const bias = this.v(layer, 'bias');
        return bias ? tf.add(h, bias) : h;
      }
      case 'BatchNormalization': {
        const mm = this.v(layer, 'moving_mean')!;
        const mv = this.v(layer, 'moving_variance')!;
        const gamma = this.v(layer, 'gamma');
        const beta = this.v(layer, 'beta');
        if (training) {
          // batch statistics and the closed-form gradient in one op (batchNorm.ts)
          const bn = batchNormTraining(h, gamma, beta, layer.epsilon);
          const { mean, variance } = bn;
          stats?.push({ mean, variance });
          if (updates) {
            const k = layer.momentum;
            updates.push({ variable: mm, value: tf.add(tf.mul(mm, k), tf.mul(mean, 1 - k)) });
            updates.push({ variable: mv, value: tf.add(tf.mul(mv, k), tf.mul(variance, 1 - k)) });
          }
          return bn.y;
        }
        // one per-channel multiplier (γ/√(var+ε)) keeps the big [N, …, C] tensor to one sub and one mul
        let mul: tf.Tensor = tf.rsqrt(tf.add(mv, layer.epsilon));
        if (gamma) mul = tf.mul(mul, gamma);
        const y = tf.mul(tf.sub(h, mm), mul);
        return beta ? tf.add(y, beta) : y;
      }
      case 'MaxPool2D':
        return maxPool(h as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
      case 'AveragePooling2D':
        return avgPool(h as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
      case 'GlobalAveragePooling2D':
        return tf.mean(h, [1, 2]);
      case 'Flatten':
        return tf.reshape(h, [h.shape[0], -1]);
      case 'Add':
        return tf.addN(ins);
      case 'Concatenate':
        return tf.concat(ins, -1);
      case 'PReLU':
        return tf.prelu(h, this.v(layer, 'alpha')!);
      case 'Activation':
        // softmax is folded into the loss; the scores stay pre-softmax (as the compiled model reports them)
        return layer.activation === 'relu' ? tf.relu(h) : h;
    }
  }

  /** Current weights in TrainedModel form (binary kernels as stored: ±1 for Bop; signs taken for latent). */
  toTrained(): TrainedModel {
    const weights: Record<string, LayerWeights> = {};
    for (const p of this.params) {
      const lw = (weights[p.layer] ??= {});
      let data = p.variable.dataSync() as Float32Array;
      data = Float32Array.from(data);
      if (p.binary) for (let i = 0; i < data.length; i++) data[i] = data[i] >= 0 ? 1 : -1;
      const key = ({ kernel: 'kernel', bias: 'bias', gamma: 'gamma', beta: 'beta', moving_mean: 'movingMean', moving_variance: 'movingVariance', alpha: 'alpha' } as const)[p.kind];
      lw[key] = data;
    }
    return { spec: this.spec, weights };
  }

  /** Raw variable values by weight name (latent weights unbinarized), for checkpoints. */
  rawWeights(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const p of this.params) out.set(p.name, Float32Array.from(p.variable.dataSync() as Float32Array));
    return out;
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
  }
}

/** Encodes u8 samples as the network input x = u8/127.5 − 1 (INPUT_ENCODING). */
export function encodeInputs(u8: Uint8Array, indices: ArrayLike<number>, sampleSize: number, out?: Float32Array): Float32Array {
  const n = indices.length;
  const buf = out && out.length === n * sampleSize ? out : new Float32Array(n * sampleSize);
  const lut = ENCODE_LUT;
  for (let i = 0; i < n; i++) {
    const src = indices[i] * sampleSize;
    const dst = i * sampleSize;
    for (let j = 0; j < sampleSize; j++) buf[dst + j] = lut[u8[src + j]];
  }
  return buf;
}

const ENCODE_LUT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);
