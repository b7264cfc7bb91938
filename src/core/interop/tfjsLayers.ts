/**
 * BNN Studio's layers for TensorFlow.js (`tf.layers.Layer` subclasses registered with `tf.serialization`), so stock
 * `tf.loadLayersModel` loads an exported experiment (or a checkpoint's model.json) and predicts what BNN Studio's
 * reference forward pass (src/core/train/predict.ts) predicts. Semantics are spec.ts's: sign(0) = +1, a binarized
 * input is padded with +1 and a real-valued one with 0 for 'same', TensorFlow's 'same' split (extra pixel bottom/right).
 *
 * Everything here takes the `tf` namespace as an argument and imports TensorFlow.js for types only, so the same code is
 * bundled on its own into `bnn-layers.js` (scripts/build.mjs) for users' apps, whichever tfjs build they load.
 * Inference only: sign has no straight-through gradient here, so fine-tuning in TF.js is not supported.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** What the layers need of `tf`: `@tensorflow/tfjs` itself, or tfjs-core's namespace plus tfjs-layers' `layers` and `initializers`. */
export type TfNamespace = typeof tfc & {
  layers: { Layer: typeof tfl.layers.Layer };
  initializers: Pick<typeof tfl.initializers, 'glorotUniform' | 'zeros'>;
};

type Config = Record<string, unknown>;
type Quant = 'ste_sign' | 'approx_sign' | 'swish_sign' | null;

/** All of Larq's sign quantizers binarize the same way in the forward pass; they differ only in their gradients. */
const QUANTIZERS: Record<string, Exclude<Quant, null>> = {
  ste_sign: 'ste_sign', steSign: 'ste_sign', SteSign: 'ste_sign',
  approx_sign: 'approx_sign', approxSign: 'approx_sign', ApproxSign: 'approx_sign',
  swish_sign: 'swish_sign', swishSign: 'swish_sign', SwishSign: 'swish_sign',
};

function quantizerOf(layer: string, key: string, v: unknown): Quant {
  if (v === null || v === undefined) return null;
  const id = typeof v === 'string' ? v : typeof v === 'object' ? String((v as Config).className ?? (v as Config).class_name) : String(v);
  const q = QUANTIZERS[id];
  if (!q) throw new Error(`BNN layer '${layer}': ${key} '${id}' is not supported (BNN Studio layers binarize with ste_sign, approx_sign or swish_sign)`);
  return q;
}

function pair(layer: string, key: string, v: unknown, fallback: number): [number, number] {
  const p = v === undefined || v === null ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 1)) throw new Error(`BNN layer '${layer}': ${key} must be a positive integer or a pair of them (got ${JSON.stringify(v)})`);
  return [p[0], p[1]];
}

/** TensorFlow's 'same' padding of one axis: [before, after], the odd pixel after. */
export function tfSamePadding(inSize: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(inSize / s) - 1) * s + k - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function positiveInt(layer: string, key: string, v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BNN layer '${layer}': ${key} must be a positive integer (got ${JSON.stringify(v)})`);
  return n;
}

interface QuantSettings {
  inputQuantizer: Quant;
  kernelQuantizer: Quant;
  useBias: boolean;
}

/** The settings both layers read, after the checks both make: only what BNN Studio computes is accepted, never ignored. */
function quantSettings(name: string, c: Config): QuantSettings {
  if (c.activation !== undefined && c.activation !== null && c.activation !== 'linear') throw new Error(`BNN layer '${name}': activation '${String(c.activation)}' is not supported (use a separate Activation layer)`);
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new Error(`BNN layer '${name}': data format '${String(c.dataFormat)}' is not supported (channels last only)`);
  return {
    inputQuantizer: quantizerOf(name, 'input quantizer', c.inputQuantizer),
    kernelQuantizer: quantizerOf(name, 'kernel quantizer', c.kernelQuantizer),
    useBias: c.useBias !== false,
  };
}

/** getConfig's quantizer entries: what the loaded config said (a Larq quantizer object stays an object), null if absent. */
function quantConfig(raw: Config): tfc.serialization.ConfigDict {
  return {
    inputQuantizer: (raw.inputQuantizer ?? null) as tfc.serialization.ConfigDictValue,
    kernelQuantizer: (raw.kernelQuantizer ?? null) as tfc.serialization.ConfigDictValue,
    kernelConstraint: (raw.kernelConstraint ?? null) as tfc.serialization.ConfigDictValue,
  };
}

export interface BnnLayerClasses {
  QuantConv2D: typeof tfl.layers.Layer;
  QuantDense: typeof tfl.layers.Layer;
}

/** Defines QuantConv2D and QuantDense on the given `tf` and registers them for deserialization. Idempotent. */
export function registerBnnLayers(tf: TfNamespace): BnnLayerClasses {
  const Layer = tf.layers.Layer;
  type Tensor = tfc.Tensor;
  type Var = ReturnType<InstanceType<typeof Layer>['addWeight']>;

  /** sign with sign(0) = +1, as Larq's ste_sign. */
  const sign = (x: Tensor): Tensor => tf.sub(tf.mul(tf.cast(tf.greaterEqual(x, 0), 'float32'), 2), 1);
  const one = (inputs: Tensor | Tensor[]): Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
  const baseArgs = (c: Config): Config => {
    const out: Config = {};
    for (const k of ['name', 'trainable', 'dtype', 'inputShape', 'batchInputShape', 'batchSize', 'inputDType']) if (c[k] !== undefined) out[k] = c[k];
    return out;
  };

  class QuantConv2D extends Layer {
    static className = 'QuantConv2D';
    readonly filters: number;
    readonly kernelSize: [number, number];
    readonly strides: [number, number];
    readonly padding: 'same' | 'valid';
    readonly inputQuantizer: Quant;
    readonly kernelQuantizer: Quant;
    readonly useBias: boolean;
    private readonly raw: Config;
    private kernel?: Var;
    private bias?: Var;

    constructor(c: Config) {
      super(baseArgs(c));
      this.raw = c;
      this.filters = positiveInt(this.name, 'filters', c.filters);
      this.kernelSize = pair(this.name, 'kernel size', c.kernelSize, 1);
      this.strides = pair(this.name, 'strides', c.strides, 1);
      const dil = pair(this.name, 'dilation rate', c.dilationRate, 1);
      if (dil[0] !== 1 || dil[1] !== 1) throw new Error(`BNN layer '${this.name}': dilation is not supported`);
      if (c.groups !== undefined && c.groups !== 1) throw new Error(`BNN layer '${this.name}': grouped convolutions are not supported`);
      if (c.padding !== undefined && c.padding !== 'same' && c.padding !== 'valid') throw new Error(`BNN layer '${this.name}': padding '${String(c.padding)}' is not supported (same or valid)`);
      this.padding = c.padding === 'same' ? 'same' : 'valid';
      ({ inputQuantizer: this.inputQuantizer, kernelQuantizer: this.kernelQuantizer, useBias: this.useBias } = quantSettings(this.name, c));
      // BNN Studio's padding is fixed by the input's kind (spec.ts); a model that asks for another value would
      // silently predict differently at the borders, so it is refused.
      const expectedPad = this.inputQuantizer !== null ? 1 : 0;
      if (this.padding === 'same' && c.padValues !== undefined && c.padValues !== null && Number(c.padValues) !== expectedPad && this.inputQuantizer !== null) {
        throw new Error(`BNN layer '${this.name}': pad values ${String(c.padValues)} for a binarized input are not supported (BNN Studio pads with +1)`);
      }
    }

    override build(inputShape: tfl.Shape | tfl.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
      if (shape.length !== 4) throw new Error(`BNN layer '${this.name}': expects [batch, height, width, channels] inputs, got ${JSON.stringify(shape)}`);
      const cin = shape[3];
      if (cin === null) throw new Error(`BNN layer '${this.name}': the number of input channels must be known`);
      this.kernel = this.addWeight('kernel', [this.kernelSize[0], this.kernelSize[1], cin, this.filters], 'float32', tf.initializers.glorotUniform({}));
      if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
      const [b, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
      const out = (n: number | null, i: 0 | 1): number | null => {
        if (n === null) return null;
        return this.padding === 'same' ? Math.ceil(n / this.strides[i]) : Math.floor((n - this.kernelSize[i]) / this.strides[i]) + 1;
      };
      return [b, out(h, 0), out(w, 1), this.filters];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        let x = one(inputs) as tfc.Tensor4D;
        if (this.inputQuantizer !== null) x = sign(x) as tfc.Tensor4D;
        if (this.padding === 'same') {
          const [ph0, ph1] = tfSamePadding(x.shape[1], this.kernelSize[0], this.strides[0]);
          const [pw0, pw1] = tfSamePadding(x.shape[2], this.kernelSize[1], this.strides[1]);
          if (ph0 + ph1 + pw0 + pw1 > 0) x = tf.pad(x, [[0, 0], [ph0, ph1], [pw0, pw1], [0, 0]], this.inputQuantizer !== null ? 1 : 0);
        }
        let k = this.kernel!.read() as tfc.Tensor4D;
        if (this.kernelQuantizer !== null) k = sign(k) as tfc.Tensor4D;
        let y: Tensor = tf.conv2d(x, k, this.strides, 'valid');
        if (this.bias) y = tf.add(y, this.bias.read());
        return y;
      });
    }

    override getConfig(): tfc.serialization.ConfigDict {
      return {
        ...super.getConfig(),
        filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
        padValues: this.inputQuantizer !== null ? 1 : 0, dataFormat: 'channelsLast', dilationRate: [1, 1], activation: 'linear',
        useBias: this.useBias, ...quantConfig(this.raw),
      };
    }
  }

  class QuantDense extends Layer {
    static className = 'QuantDense';
    readonly units: number;
    readonly inputQuantizer: Quant;
    readonly kernelQuantizer: Quant;
    readonly useBias: boolean;
    private readonly raw: Config;
    private kernel?: Var;
    private bias?: Var;

    constructor(c: Config) {
      super(baseArgs(c));
      this.raw = c;
      this.units = positiveInt(this.name, 'units', c.units);
      ({ inputQuantizer: this.inputQuantizer, kernelQuantizer: this.kernelQuantizer, useBias: this.useBias } = quantSettings(this.name, c));
    }

    override build(inputShape: tfl.Shape | tfl.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
      if (shape.length !== 2 || shape[1] === null) throw new Error(`BNN layer '${this.name}': expects [batch, features] inputs (put a Flatten before it), got ${JSON.stringify(shape)}`);
      this.kernel = this.addWeight('kernel', [shape[1], this.units], 'float32', tf.initializers.glorotUniform({}));
      if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
      return [shape[0], this.units];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        let x = one(inputs) as tfc.Tensor2D;
        if (this.inputQuantizer !== null) x = sign(x) as tfc.Tensor2D;
        let k = this.kernel!.read() as tfc.Tensor2D;
        if (this.kernelQuantizer !== null) k = sign(k) as tfc.Tensor2D;
        let y: Tensor = tf.matMul(x, k);
        if (this.bias) y = tf.add(y, this.bias.read());
        return y;
      });
    }

    override getConfig(): tfc.serialization.ConfigDict {
      return {
        ...super.getConfig(),
        units: this.units, activation: 'linear', useBias: this.useBias, ...quantConfig(this.raw),
      };
    }
  }

  tf.serialization.registerClass(QuantConv2D as unknown as tfc.serialization.SerializableConstructor<tfc.serialization.Serializable>);
  tf.serialization.registerClass(QuantDense as unknown as tfc.serialization.SerializableConstructor<tfc.serialization.Serializable>);
  return { QuantConv2D, QuantDense };
}
