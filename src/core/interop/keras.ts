/**
 * Larq/Keras model JSON (`model.to_json()`, Keras 2 and 3) and TensorFlow.js layers models (`model.json` with
 * `modelTopology`) ↔ BNN Studio model specs. Import names every layer BNN Studio cannot train and compile with its
 * position instead of dropping it; export writes what Larq reads back (`lq.layers.QuantConv2D` with pad_values=1.0).
 */
import type { LayerSpec, ModelSpec, Quantizer } from '../model/spec';
import { QUANTIZER_NAMES } from '../model/spec';
import { inferShapes, SpecError } from '../deploy/plan';
import { toPair } from '../model/normalize';
import { findExcessiveNesting, nestingMessage } from '../model/jsonDepth';

export interface ImportProblem {
  severity: 'error' | 'warning';
  /** Position of the Keras layer in the source model (0-based) and its name, when the problem is a layer's. */
  layerIndex?: number;
  layerName?: string;
  message: string;
}

export interface ImportResult {
  format: 'keras' | 'tfjs-layers';
  spec?: ModelSpec;
  problems: ImportProblem[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Larq's quantizer classes and their string names, as they appear in serialized configs. */
const QUANTIZER_CLASSES: Record<string, Exclude<Quantizer, null>> = {
  SteSign: 'ste_sign', ApproxSign: 'approx_sign', SwishSign: 'swish_sign',
  ste_sign: 'ste_sign', approx_sign: 'approx_sign', swish_sign: 'swish_sign',
};

/** True when the parsed JSON looks like a Keras model or a TF.js layers model. */
export function looksLikeKerasModel(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  const top = isObj(doc.modelTopology) ? doc.modelTopology : doc;
  const cfg = isObj(top.model_config) ? top.model_config : top;
  return typeof cfg.class_name === 'string' && isObj(cfg.config) && Array.isArray((cfg.config as Obj).layers);
}

export function importKerasModel(text: string, fileName: string): ImportResult {
  const problems: ImportProblem[] = [];
  let doc: unknown;
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep) return { format: 'keras', problems: [{ severity: 'error', message: `${fileName}: ${nestingMessage(tooDeep)}` }] };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { format: 'keras', problems: [{ severity: 'error', message: `${fileName}: not valid JSON (${(err as Error).message})` }] };
  }
  if (!looksLikeKerasModel(doc)) {
    return { format: 'keras', problems: [{ severity: 'error', message: `${fileName}: not a Keras model JSON (expected "class_name" and "config.layers", as written by model.to_json()) nor a TensorFlow.js layers model.json ("modelTopology")` }] };
  }
  const d = doc as Obj;
  const format = isObj(d.modelTopology) ? 'tfjs-layers' : 'keras';
  const top = isObj(d.modelTopology) ? d.modelTopology : d;
  const model = (isObj(top.model_config) ? top.model_config : top) as Obj;
  if (model.class_name !== 'Sequential' && model.class_name !== 'Functional' && model.class_name !== 'Model') {
    problems.push({ severity: 'error', message: `model class "${String(model.class_name)}" is not supported: export a Sequential model (or a Functional model that is a simple chain)` });
    return { format, problems };
  }
  const cfg = model.config as Obj;
  const kerasLayers = cfg.layers as Obj[];
  const name = sanitizeName(typeof cfg.name === 'string' ? cfg.name : fileName.replace(/\.[^.]*$/, ''));
  let inputShape: number[] | undefined;
  const layers: LayerSpec[] = [];
  const chainCheck = model.class_name !== 'Sequential';

  kerasLayers.forEach((kl, index) => {
    const cls = String(kl.class_name);
    const c = (isObj(kl.config) ? kl.config : {}) as Obj;
    const lname = typeof c.name === 'string' ? c.name : `${cls.toLowerCase()}_${index}`;
    const err = (message: string, severity: 'error' | 'warning' = 'error'): void => { problems.push({ severity, layerIndex: index, layerName: lname, message: `layer ${index} (${cls} '${lname}'): ${message}` }); };
    if (chainCheck && index > 0) {
      const inbound = kl.inbound_nodes;
      const prev = kerasLayers[index - 1];
      const prevName = isObj(prev.config) ? (prev.config as Obj).name : prev.name;
      if (Array.isArray(inbound) && !JSON.stringify(inbound).includes(JSON.stringify(prevName))) err('is not fed by the layer before it: only simple chains of layers can be imported');
    }
    const shapeFrom = (s: unknown): number[] | undefined => (Array.isArray(s) ? (s.slice(1) as number[]) : undefined);
    const declared = shapeFrom(c.batch_input_shape) ?? shapeFrom(c.batch_shape) ?? shapeFrom(isObj(kl.build_config) ? (kl.build_config as Obj).input_shape : undefined);
    if (cls === 'InputLayer') { inputShape = declared; return; }
    if (!inputShape && declared) inputShape = declared;
    const activation = typeof c.activation === 'string' ? c.activation : isObj(c.activation) ? String((c.activation as Obj).class_name ?? (c.activation as Obj).config) : 'linear';
    const quant = (key: string): Quantizer => {
      const v = c[key];
      if (v === null || v === undefined) return null;
      const id = typeof v === 'string' ? v : isObj(v) ? String(v.class_name) : '';
      const q = QUANTIZER_CLASSES[id];
      if (!q) { err(`${key} "${id}" is not supported (BNN Studio has ${QUANTIZER_NAMES.join(', ')})`); return null; }
      const conf = isObj(v) && isObj(v.config) ? v.config : {};
      if ((q === 'ste_sign') && typeof conf.clip_value === 'number' && conf.clip_value !== 1) err(`${key} SteSign clip_value ${conf.clip_value} becomes 1.0 (BNN Studio's ste_sign)`, 'warning');
      if (q === 'swish_sign' && typeof conf.beta === 'number' && conf.beta !== 5) err(`${key} SwishSign beta ${conf.beta} becomes 5.0 (BNN Studio's swish_sign)`, 'warning');
      return q;
    };
    const base = { name: sanitizeLayerName(lname) };
    switch (cls) {
      case 'QuantConv2D': case 'Conv2D': {
        if (c.data_format === 'channels_first') err('data_format "channels_first" is not supported (BNN Studio is channels-last)');
        const dil = toPair(c.dilation_rate, [1, 1]);
        if (dil[0] !== 1 || dil[1] !== 1) err('dilation is not supported');
        if (typeof c.groups === 'number' && c.groups !== 1) err('grouped convolutions are not supported');
        const l: LayerSpec = {
          type: 'QuantConv2D', ...base, filters: Number(c.filters), kernelSize: toPair(c.kernel_size, [1, 1]), strides: toPair(c.strides, [1, 1]),
          padding: c.padding === 'same' ? 'same' : 'valid', inputQuantizer: cls === 'Conv2D' ? null : quant('input_quantizer'),
          kernelQuantizer: cls === 'Conv2D' ? null : quant('kernel_quantizer'), useBias: c.use_bias !== false,
        };
        if (l.padding === 'same' && l.inputQuantizer !== null && Number(c.pad_values ?? 0) !== 1) {
          err(`pads its binarized input with ${Number(c.pad_values ?? 0)}; BNN Studio pads with +1 (pad_values=1.0), so retrain or expect different outputs at the borders`, 'warning');
        }
        if (l.padding === 'same' && l.inputQuantizer === null && Number(c.pad_values ?? 0) !== 0) {
          err(`pads its real-valued input with ${Number(c.pad_values)}; BNN Studio pads real-valued inputs with 0, so retrain or expect different outputs at the borders`, 'warning');
        }
        layers.push(l);
        break;
      }
      case 'QuantDense': case 'Dense':
        layers.push({ type: 'QuantDense', ...base, units: Number(c.units), inputQuantizer: cls === 'Dense' ? null : quant('input_quantizer'), kernelQuantizer: cls === 'Dense' ? null : quant('kernel_quantizer'), useBias: c.use_bias !== false });
        break;
      case 'BatchNormalization': {
        const axis = Array.isArray(c.axis) ? c.axis[0] : c.axis;
        if (axis !== undefined && axis !== -1 && axis !== 3 && axis !== 1) err(`axis ${JSON.stringify(c.axis)} is not supported (channels-last only)`);
        layers.push({ type: 'BatchNormalization', ...base, scale: c.scale !== false, center: c.center !== false, momentum: typeof c.momentum === 'number' ? c.momentum : 0.99, epsilon: typeof c.epsilon === 'number' ? c.epsilon : 1e-3 });
        break;
      }
      case 'MaxPooling2D': case 'MaxPool2D': {
        const poolSize = toPair(c.pool_size, [2, 2]);
        layers.push({ type: 'MaxPool2D', ...base, poolSize, strides: c.strides === null || c.strides === undefined ? poolSize : toPair(c.strides, poolSize), padding: c.padding === 'same' ? 'same' : 'valid' });
        break;
      }
      case 'Flatten':
        layers.push({ type: 'Flatten', ...base });
        break;
      case 'Activation':
        if (activation === 'softmax' || activation === 'linear') layers.push({ type: 'Activation', ...base, activation });
        else err(`activation "${activation}" is not supported (only a final softmax)`);
        return;
      case 'Dropout':
        err('is dropped: Dropout only acts while training, and BNN Studio does not train with it', 'warning');
        return;
      default:
        err('is not a layer BNN Studio can train and compile (it has QuantConv2D, QuantDense, BatchNormalization, MaxPooling2D, Flatten, Activation)');
        return;
    }
    if (activation !== 'linear') {
      if (activation === 'softmax') layers.push({ type: 'Activation', name: `${base.name}_softmax`, activation: 'softmax' });
      else err(`activation "${activation}" inside the layer is not supported (binary layers are followed by BatchNormalization and the next layer's sign)`);
    }
  });
  if (!inputShape || inputShape.some((v) => typeof v !== 'number' || v < 1)) {
    problems.push({ severity: 'error', message: 'the model has no fixed input shape (build it with input_shape=…, or give the InputLayer a shape)' });
  }
  const last = [...layers].reverse().find((l) => l.type === 'QuantDense');
  const classes = last?.type === 'QuantDense' ? last.units : 0;
  if (!last) problems.push({ severity: 'error', message: 'the model has no Dense/QuantDense layer to produce class scores' });
  if (problems.some((p) => p.severity === 'error')) return { format, problems };
  const spec: ModelSpec = { name, input: { shape: inputShape! }, classes, layers };
  try {
    inferShapes(spec);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    for (const issue of e.issues) problems.push({ severity: 'error', message: issue.message });
    return { format, problems };
  }
  return { format, spec, problems };
}

function sanitizeName(n: string): string {
  const s = n.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
  return s || 'imported_model';
}

function sanitizeLayerName(n: string): string {
  let s = n.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(s)) s = `l_${s}`;
  return s.slice(0, 100);
}

/** The model document (`*.bnn.json` content) for a spec, with only what differs from the defaults left out. */
export function specToDocument(spec: ModelSpec): Obj {
  const doc: Obj = { name: spec.name };
  if (spec.description) doc.description = spec.description;
  doc.input = { shape: spec.input.shape };
  doc.classes = spec.classes;
  doc.layers = spec.layers.map((l) => {
    const o: Obj = { ...l };
    if (l.type === 'QuantConv2D' || l.type === 'MaxPool2D') {
      const k = l.type === 'QuantConv2D' ? 'kernelSize' : 'poolSize';
      const pair = (l as unknown as Obj)[k] as [number, number];
      o[k] = pair[0] === pair[1] ? pair[0] : pair;
      o.strides = l.strides[0] === l.strides[1] ? l.strides[0] : l.strides;
    }
    return o;
  });
  return doc;
}

/**
 * The Keras 2 `model.to_json()` document for a spec, with Larq's classes. Binarized 'same' convs get pad_values=1.0,
 * BNN Studio's padding; binary kernels get Larq's "weight_clip" constraint (what the latent baseline trains with).
 * The one Keras topology of BNN Studio: the trainer's checkpoints (TF.js layers format) embed it too.
 */
export function specToKerasJson(spec: ModelSpec): Obj {
  const quant = (q: Quantizer): Obj | null => (q === null ? null : { class_name: { ste_sign: 'SteSign', approx_sign: 'ApproxSign', swish_sign: 'SwishSign' }[q], config: q === 'ste_sign' ? { clip_value: 1.0 } : q === 'swish_sign' ? { beta: 5.0 } : {} });
  const layers: Obj[] = [];
  for (const l of spec.layers) {
    switch (l.type) {
      case 'QuantConv2D':
        layers.push({ class_name: 'QuantConv2D', config: {
          name: l.name, trainable: true, dtype: 'float32', filters: l.filters, kernel_size: l.kernelSize, strides: l.strides, padding: l.padding,
          // spec.ts: binarized inputs are padded with +1, the real-valued input with 0
          pad_values: l.inputQuantizer !== null ? 1.0 : 0.0, data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: l.useBias,
          input_quantizer: quant(l.inputQuantizer), kernel_quantizer: quant(l.kernelQuantizer),
          kernel_constraint: l.kernelQuantizer ? 'weight_clip' : null,
        } });
        break;
      case 'QuantDense':
        layers.push({ class_name: 'QuantDense', config: {
          name: l.name, trainable: true, dtype: 'float32', units: l.units, activation: 'linear', use_bias: l.useBias,
          input_quantizer: quant(l.inputQuantizer), kernel_quantizer: quant(l.kernelQuantizer), kernel_constraint: l.kernelQuantizer ? 'weight_clip' : null,
        } });
        break;
      case 'BatchNormalization':
        layers.push({ class_name: 'BatchNormalization', config: { name: l.name, trainable: true, dtype: 'float32', axis: -1, momentum: l.momentum, epsilon: l.epsilon, center: l.center, scale: l.scale } });
        break;
      case 'MaxPool2D':
        layers.push({ class_name: 'MaxPooling2D', config: { name: l.name, trainable: true, dtype: 'float32', pool_size: l.poolSize, strides: l.strides, padding: l.padding, data_format: 'channels_last' } });
        break;
      case 'Flatten':
        layers.push({ class_name: 'Flatten', config: { name: l.name, trainable: true, dtype: 'float32', data_format: 'channels_last' } });
        break;
      case 'Activation':
        layers.push({ class_name: 'Activation', config: { name: l.name, trainable: true, dtype: 'float32', activation: l.activation } });
        break;
    }
  }
  // The input shape rides on the first layer (as Keras 2 writes `Sequential([...], input_shape=…)`): Keras 2, Larq and
  // tf.loadLayersModel all read it, and there is no InputLayer whose name could clash with a model layer's.
  if (layers.length) (layers[0].config as Obj).batch_input_shape = [null, ...spec.input.shape];
  return { class_name: 'Sequential', config: { name: spec.name, layers }, keras_version: '2.15.0', backend: 'tensorflow' };
}
