/**
 * Larq/Keras model JSON (`model.to_json()`, Keras 2 and 3) and TensorFlow.js layers models (`model.json` with
 * `modelTopology`) → a BNN Studio model spec. Every layer BNN Studio cannot train and compile is named instead of
 * dropped. This is the conversion only: keras.ts's importKerasModel passes its result through the *.bnn.json loader.
 *
 * A layer is named as BNN Studio's own errors name it (model/layerLabel.ts) — `layer 4 (QuantConv2D 'conv1')`, 4 being
 * its 1-based place in the converted model (InputLayer and Dropout take none) — so an import message and a later shape
 * error agree.
 */
import type { LayerSpec, ModelSpec, Quantizer } from '../model/spec';
import { QUANTIZER_NAMES } from '../model/spec';
import { toPair } from '../model/normalize';
import { layerLabel } from '../model/layerLabel';
import { findExcessiveNesting, nestingMessage } from '../model/jsonDepth';
import { LAYER_NAME_RULE, MODEL_NAME_RULE } from '../model/names';
import { basename } from 'node:path';
import { readFunctionalGraph, wireFunctional } from './kerasFunctional';
import { checkRanks, convertGraphLayer, GRAPH_LAYER_CLASSES, type RankCheck } from './kerasGraphLayers';

export interface ImportProblem {
  severity: 'error' | 'warning';
  /** Position of the Keras layer in the source's layer list (0-based) and its name, when the problem is a layer's. */
  layerIndex?: number;
  layerName?: string;
  message: string;
}

/** The Keras layer a layer of the converted spec came from. */
export interface LayerOrigin {
  kerasIndex: number;
  kerasName: string;
  kerasClass: string;
}

/**
 * A leading preprocessing layer of the Keras model: Rescaling (x·scale + offset) or Normalization ((x − mean)/√variance,
 * its statistics in the config or, once adapted, in its weights). The weights import folds them into the first layer.
 */
export type PreprocessingStep =
  | { kind: 'rescaling'; layer: string; scale: number | number[]; offset: number | number[] }
  | { kind: 'normalization'; layer: string; mean?: number | number[]; variance?: number | number[] };

export interface Conversion {
  format: 'keras' | 'tfjs-layers';
  /** The model's own input encoding, from leading Rescaling/Normalization layers (absent: none there). */
  preprocessing: PreprocessingStep[];
  /** Spec layers whose Keras kernel quantizer was Larq's MagnitudeAwareSign (a per-output-channel scale to fold). */
  magnitudeAware: Set<number>;
  spec?: ModelSpec;
  /** Index-aligned with spec.layers. */
  origins: LayerOrigin[];
  /** Keys the spec does not keep but the loader must see, by layer index (a BatchNormalization's Keras axis). */
  documentExtras: Map<number, Record<string, unknown>>;
  problems: ImportProblem[];
  /** The parsed source document (for the weights manifest of a TF.js model). */
  doc?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Larq's quantizer classes and their string names, as they appear in serialized configs. */
const QUANTIZER_CLASSES: Record<string, Exclude<Quantizer, null>> = {
  SteSign: 'ste_sign', ApproxSign: 'approx_sign', SwishSign: 'swish_sign',
  ste_sign: 'ste_sign', approx_sign: 'approx_sign', swish_sign: 'swish_sign',
  // sign times a positive per-channel scale, which a following BatchNormalization absorbs (magnitudeAware.ts checks)
  MagnitudeAwareSign: 'ste_sign', magnitude_aware_sign: 'ste_sign',
};

/** True when the parsed JSON looks like a Keras model or a TF.js layers model. */
export function looksLikeKerasModel(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  const top = isObj(doc.modelTopology) ? doc.modelTopology : doc;
  const cfg = isObj(top.model_config) ? top.model_config : top;
  return typeof cfg.class_name === 'string' && isObj(cfg.config) && Array.isArray((cfg.config as Obj).layers);
}

const MAX_NAME = 100;

/** Layer names have the shape of C identifiers (LAYER_NAME_RULE). */
function sanitizeLayerName(n: string): string {
  let s = n.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(s)) s = `l_${s}`;
  return s.slice(0, MAX_NAME);
}

function sanitizeModelName(n: string): string {
  // the model-name rule (src/core/model/names.ts): no leading '-' or '.', no trailing '.'
  const s = n.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX_NAME).replace(/^[.-]/, '_').replace(/\.$/, '_');
  return s || 'imported_model';
}

export function convertKerasModel(text: string, fileName: string): Conversion {
  const problems: ImportProblem[] = [];
  const preprocessing: PreprocessingStep[] = [];
  const magnitudeAware = new Set<number>();
  const fail = (message: string): Conversion => ({ format: 'keras', preprocessing, magnitudeAware, origins: [], documentExtras: new Map(), problems: [{ severity: 'error', message }] });
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep) return fail(`${fileName}: ${nestingMessage(tooDeep)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail(`${fileName}: not valid JSON (${(err as Error).message})`);
  }
  if (!looksLikeKerasModel(doc)) {
    return fail(`${fileName}: not a Keras model JSON (expected "class_name" and "config.layers", as written by model.to_json()) nor a TensorFlow.js layers model.json ("modelTopology")`);
  }
  const d = doc as Obj;
  const format = isObj(d.modelTopology) ? 'tfjs-layers' : 'keras';
  const top = isObj(d.modelTopology) ? d.modelTopology : d;
  const model = (isObj(top.model_config) ? top.model_config : top) as Obj;
  if (model.class_name !== 'Sequential' && model.class_name !== 'Functional' && model.class_name !== 'Model') {
    problems.push({ severity: 'error', message: `model class "${String(model.class_name)}" is not supported: export a Sequential or a functional model` });
    return { format, preprocessing, magnitudeAware, origins: [], documentExtras: new Map(), problems, doc: d };
  }
  const cfg = model.config as Obj;
  const kerasLayers = (cfg.layers as unknown[]).map((l) => (isObj(l) ? l : {}));
  const wantedName = typeof cfg.name === 'string' ? cfg.name : basename(fileName).replace(/\.[^.]*$/, '');
  const name = sanitizeModelName(wantedName);
  if (name !== wantedName) problems.push({ severity: 'warning', message: `model name '${wantedName}' becomes '${name}' (model names are ${MODEL_NAME_RULE})` });
  let inputShape: number[] | undefined;
  const layers: LayerSpec[] = [];
  const origins: LayerOrigin[] = [];
  const documentExtras = new Map<number, Record<string, unknown>>();
  const functional = model.class_name !== 'Sequential' ? readFunctionalGraph(kerasLayers, cfg) : undefined;
  for (const message of functional?.modelProblems ?? []) problems.push({ severity: 'error', message });
  const rankChecks: RankCheck[] = [];
  /** Names given so far and the slot that has each: later duplicates get a numbered suffix, first come first served. */
  const taken = new Map<string, number>();
  let slots = 0;

  // a functional model's layers are converted in an order where each follows what it reads (Keras lists them so)
  (functional?.order ?? kerasLayers.map((_, i) => i)).forEach((index) => {
    const kl = kerasLayers[index];
    const cls = String(kl.class_name);
    const c = (isObj(kl.config) ? kl.config : {}) as Obj;
    const lname = typeof c.name === 'string' ? c.name : `${cls.toLowerCase()}_${index}`;
    const origin: LayerOrigin = { kerasIndex: index, kerasName: lname, kerasClass: cls };
    // InputLayer, Dropout and the leading preprocessing layers (the input encoding) are not layers of the converted
    // model, so they take no place in its numbering.
    const leadingPreprocessing = (cls === 'Rescaling' || cls === 'Normalization') && layers.length === 0;
    const slot = cls === 'InputLayer' || cls === 'Dropout' || leadingPreprocessing ? undefined : slots++;
    const label = slot !== undefined ? layerLabel(slot, cls, lname) : `${cls} '${lname}'${slots ? ` (after ${layerLabel(slots - 1)})` : ''}`;
    const err = (message: string, severity: 'error' | 'warning' = 'error'): void => { problems.push({ severity, layerIndex: index, layerName: lname, message: `${label}: ${message}` }); };
    const unique = (wanted: string, at: number, renamedFrom?: string): string => {
      const base = sanitizeLayerName(wanted);
      let n = base;
      for (let k = 1; taken.has(n); k++) n = `${base.slice(0, MAX_NAME - `_${k}`.length)}_${k}`;
      taken.set(n, at);
      if (renamedFrom !== undefined && n !== renamedFrom) {
        const why = n !== base ? `'${base}' is already the name of ${layerLabel(taken.get(base)!)}` : `BNN Studio layer names are C identifiers: ${LAYER_NAME_RULE}`;
        err(`renamed '${n}' (${why})`, 'warning');
      }
      return n;
    };
    const push = (l: LayerSpec): void => { layers.push(l); origins.push(origin); };
    for (const message of functional?.layerProblems.get(index) ?? []) err(message);
    const shapeFrom = (s: unknown): number[] | undefined => (Array.isArray(s) ? (s.slice(1) as number[]) : undefined);
    const declared = shapeFrom(c.batch_input_shape) ?? shapeFrom(c.batch_shape) ?? shapeFrom(isObj(kl.build_config) ? (kl.build_config as Obj).input_shape : undefined);
    if (cls === 'InputLayer') { inputShape = declared; return; }
    if (!inputShape && declared) inputShape = declared;
    if (leadingPreprocessing) {
      const numbers = (v: unknown): number | number[] | undefined => (typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number')) ? v as number | number[] : undefined);
      if (cls === 'Rescaling') {
        const scale = numbers(c.scale ?? 1);
        const offset = numbers(c.offset ?? 0);
        if (scale === undefined || offset === undefined) err(`"scale" and "offset" must be numbers or lists of numbers, got ${JSON.stringify(c.scale)} and ${JSON.stringify(c.offset)}`);
        else preprocessing.push({ kind: 'rescaling', layer: lname, scale, offset });
      } else {
        if (c.invert === true) err('an inverted Normalization (invert=True) is not an input encoding BNN Studio can fold');
        const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
        if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== null && axis[0] !== (declared?.length ?? 0))) err(`normalizes over axis ${JSON.stringify(c.axis)}: only a per-channel (last axis) Normalization can be folded`);
        preprocessing.push({ kind: 'normalization', layer: lname, mean: numbers(c.mean), variance: numbers(c.variance) });
      }
      return;
    }
    const activation = typeof c.activation === 'string' ? c.activation : isObj(c.activation) ? String((c.activation as Obj).class_name ?? (c.activation as Obj).config) : 'linear';
    const quant = (key: string): Quantizer => {
      const v = c[key];
      if (v === null || v === undefined) return null;
      const id = typeof v === 'string' ? v : isObj(v) ? String(v.class_name) : '';
      if (key === 'kernel_quantizer' && (id === 'MagnitudeAwareSign' || id === 'magnitude_aware_sign')) {
        // sign times the kernel's mean |w| per output channel: a positive scale the weights import folds into the
        // following BatchNormalization (scaleFold.ts)
        magnitudeAware.add(layers.length);
        return 'ste_sign';
      }
      const q = QUANTIZER_CLASSES[id];
      if (!q) { err(`${key} "${id}" is not supported (BNN Studio has ${QUANTIZER_NAMES.join(', ')})`); return null; }
      const conf = isObj(v) && isObj(v.config) ? v.config : {};
      if ((q === 'ste_sign') && typeof conf.clip_value === 'number' && conf.clip_value !== 1) err(`${key} SteSign clip_value ${conf.clip_value} becomes 1.0 (BNN Studio's ste_sign)`, 'warning');
      if (q === 'swish_sign' && typeof conf.beta === 'number' && conf.beta !== 5) err(`${key} SwishSign beta ${conf.beta} becomes 5.0 (BNN Studio's swish_sign)`, 'warning');
      return q;
    };
    /** A count Keras always writes (filters, units): a missing one is an error here, not a `null` in the model file. */
    const count = (key: string): number => {
      const v = c[key];
      if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
      err(`"${key}" must be a positive integer, got ${v === undefined ? 'nothing (the key is missing)' : JSON.stringify(v)}`);
      return 1;
    };
    /** An int-or-pair setting; what is neither is an error here rather than Keras's default taken silently. */
    const pair = (key: string, fallback: [number, number]): [number, number] => {
      const v = c[key];
      if (v === undefined || v === null) return fallback;
      if (typeof v === 'number' || (Array.isArray(v) && v.length === 2)) return toPair(v, fallback);
      err(`"${key}" must be an integer or a pair of them, got ${JSON.stringify(v)}`);
      return fallback;
    };
    const supported = ['QuantConv2D', 'Conv2D', 'QuantDense', 'Dense', 'BatchNormalization', 'MaxPooling2D', 'MaxPool2D', 'Flatten'].includes(cls)
      || GRAPH_LAYER_CLASSES.has(cls) || (cls === 'Activation' && (activation === 'softmax' || activation === 'linear' || activation === 'relu'));
    const base = { name: supported ? unique(lname, slot!, lname) : lname };
    switch (cls) {
      case 'QuantConv2D': case 'Conv2D': {
        if (c.data_format === 'channels_first') err('data_format "channels_first" is not supported (BNN Studio is channels-last)');
        const dil = pair('dilation_rate', [1, 1]);
        if (dil[0] !== 1 || dil[1] !== 1) err('dilation is not supported');
        if (typeof c.groups === 'number' && c.groups !== 1) err('grouped convolutions are not supported');
        if (c.kernel_size === undefined || c.kernel_size === null) err('"kernel_size" is missing');
        const l: LayerSpec = {
          type: 'QuantConv2D', ...base, filters: count('filters'), kernelSize: pair('kernel_size', [1, 1]), strides: pair('strides', [1, 1]),
          padding: c.padding === 'same' ? 'same' : 'valid', inputQuantizer: cls === 'Conv2D' ? null : quant('input_quantizer'),
          kernelQuantizer: cls === 'Conv2D' ? null : quant('kernel_quantizer'), useBias: c.use_bias !== false,
        };
        if (l.padding === 'same' && l.inputQuantizer !== null && Number(c.pad_values ?? 0) !== 1) {
          err(`pads its binarized input with ${Number(c.pad_values ?? 0)}; BNN Studio pads with +1 (pad_values=1.0), so retrain or expect different outputs at the borders`, 'warning');
        }
        if (l.padding === 'same' && l.inputQuantizer === null && Number(c.pad_values ?? 0) !== 0) {
          err(`pads its real-valued input with ${Number(c.pad_values)}; BNN Studio pads real-valued inputs with 0, so retrain or expect different outputs at the borders`, 'warning');
        }
        push(l);
        break;
      }
      case 'QuantDense': case 'Dense':
        push({ type: 'QuantDense', ...base, units: count('units'), inputQuantizer: cls === 'Dense' ? null : quant('input_quantizer'), kernelQuantizer: cls === 'Dense' ? null : quant('kernel_quantizer'), useBias: c.use_bias !== false });
        break;
      case 'BatchNormalization': {
        // the loader judges the axis against the layer's input (batchNormAxis.ts); -1 is what the spec means anyway
        const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis;
        if (axis !== undefined && axis !== -1) documentExtras.set(layers.length, { axis: c.axis });
        push({ type: 'BatchNormalization', ...base, scale: c.scale !== false, center: c.center !== false, momentum: typeof c.momentum === 'number' ? c.momentum : 0.99, epsilon: typeof c.epsilon === 'number' ? c.epsilon : 1e-3 });
        break;
      }
      case 'MaxPooling2D': case 'MaxPool2D': {
        const poolSize = pair('pool_size', [2, 2]);
        push({ type: 'MaxPool2D', ...base, poolSize, strides: pair('strides', poolSize), padding: c.padding === 'same' ? 'same' : 'valid' });
        break;
      }
      case 'Flatten':
        push({ type: 'Flatten', ...base });
        break;
      case 'Activation':
        if (supported) push({ type: 'Activation', ...base, activation: activation as 'softmax' | 'linear' | 'relu' });
        else err(`activation "${activation}" is not supported (BNN Studio has relu, and softmax as the last layer)`);
        return;
      case 'Dropout':
        err('is dropped: Dropout only acts while training, and BNN Studio does not train with it', 'warning');
        return;
      default: {
        const graphLayer = GRAPH_LAYER_CLASSES.has(cls) ? convertGraphLayer(cls, { ...base, at: layers.length, config: c, err, pair, rankChecks }) : undefined;
        if (graphLayer) { push(graphLayer); break; }
        if (!GRAPH_LAYER_CLASSES.has(cls)) err('is not a layer BNN Studio can train and compile (it has QuantConv2D, QuantDense, BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Add, Concatenate, Activation, ReLU, PReLU)');
        return;
      }
    }
    if (activation !== 'linear') {
      if (activation === 'softmax' || activation === 'relu') {
        push({ type: 'Activation', name: unique(`${base.name}_${activation}`, slots++), activation });
      } else err(`activation "${activation}" inside the layer is not supported (BNN Studio has relu, and softmax as the last layer)`);
    }
  });
  if (!inputShape || inputShape.some((v) => typeof v !== 'number' || v < 1)) {
    problems.push({ severity: 'error', message: 'the model has no fixed input shape (build it with input_shape=…, or give the InputLayer a shape)' });
  }
  const last = [...layers].reverse().find((l) => l.type === 'QuantDense');
  const classes = last?.type === 'QuantDense' ? last.units : 0;
  if (!last) problems.push({ severity: 'error', message: 'the model has no Dense/QuantDense layer to produce class scores' });
  const outputs = functional && !problems.some((p) => p.severity === 'error') ? wireFunctional(functional, kerasLayers, layers, origins.map((o) => o.kerasIndex)) : undefined;
  // a functional model's output may be listed before other layers: its class count is the last Dense up to it
  const outputDense = outputs ? layers.slice(0, layers.findIndex((l) => l.name === outputs[0]) + 1).reverse().find((l) => l.type === 'QuantDense') : undefined;
  const spec: ModelSpec = { name, input: { shape: inputShape ?? [] }, classes: outputDense?.type === 'QuantDense' ? outputDense.units : classes, layers, ...(outputs ? { outputs } : {}) };
  if (!problems.some((p) => p.severity === 'error')) checkRanks(spec, rankChecks);
  if (problems.some((p) => p.severity === 'error')) return { format, preprocessing, magnitudeAware, origins, documentExtras, problems, doc: d };
  return { format, preprocessing, magnitudeAware, spec, origins, documentExtras, problems, doc: d };
}
