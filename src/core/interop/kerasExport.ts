/**
 * BNN Studio model specs → Keras model JSON with Larq's classes (what Larq reads back: `lq.layers.QuantConv2D` with
 * pad_values=1.0), and → the `*.bnn.json` document. Apart from the importer (keras.ts) so the exporters and the
 * checkpoint writer do not bring the model loader with them.
 */
import type { LayerSpec, ModelSpec, Quantizer } from '../model/spec';
import { INPUT_SOURCE, modelGraph, type ModelGraph } from '../model/graph';
import { inferShapes } from '../deploy/shapes';

type Obj = Record<string, unknown>;

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
  if (spec.outputs) doc.outputs = spec.outputs;
  return doc;
}

const quant = (q: Quantizer): Obj | null => (q === null ? null : { class_name: { ste_sign: 'SteSign', approx_sign: 'ApproxSign', swish_sign: 'SwishSign' }[q], config: q === 'ste_sign' ? { clip_value: 1.0 } : q === 'swish_sign' ? { beta: 5.0 } : {} });

/** One layer's `{ class_name, config }`; `inRank` is the rank of its input ([H, W, C] → 3), which PReLU's axes follow. */
function kerasLayer(l: LayerSpec, inRank: number): Obj {
  const common = { name: l.name, trainable: true, dtype: 'float32' };
  switch (l.type) {
    case 'QuantConv2D':
      return { class_name: 'QuantConv2D', config: {
        ...common, filters: l.filters, kernel_size: l.kernelSize, strides: l.strides, padding: l.padding,
        // spec.ts: binarized inputs are padded with +1, the real-valued input with 0
        pad_values: l.inputQuantizer !== null ? 1.0 : 0.0, data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: l.useBias,
        input_quantizer: quant(l.inputQuantizer), kernel_quantizer: quant(l.kernelQuantizer),
        kernel_constraint: l.kernelQuantizer ? 'weight_clip' : null,
      } };
    case 'QuantDense':
      return { class_name: 'QuantDense', config: {
        ...common, units: l.units, activation: 'linear', use_bias: l.useBias,
        input_quantizer: quant(l.inputQuantizer), kernel_quantizer: quant(l.kernelQuantizer), kernel_constraint: l.kernelQuantizer ? 'weight_clip' : null,
      } };
    case 'BatchNormalization':
      return { class_name: 'BatchNormalization', config: { ...common, axis: -1, momentum: l.momentum, epsilon: l.epsilon, center: l.center, scale: l.scale } };
    case 'MaxPool2D':
      return { class_name: 'MaxPooling2D', config: { ...common, pool_size: l.poolSize, strides: l.strides, padding: l.padding, data_format: 'channels_last' } };
    case 'AveragePooling2D':
      return { class_name: 'AveragePooling2D', config: { ...common, pool_size: l.poolSize, strides: l.strides, padding: l.padding, data_format: 'channels_last' } };
    case 'GlobalAveragePooling2D':
      return { class_name: 'GlobalAveragePooling2D', config: { ...common, data_format: 'channels_last', keepdims: false } };
    case 'Flatten':
      return { class_name: 'Flatten', config: { ...common, data_format: 'channels_last' } };
    case 'Activation':
      return { class_name: 'Activation', config: { ...common, activation: l.activation } };
    case 'Add':
      return { class_name: 'Add', config: { ...common } };
    case 'Concatenate':
      return { class_name: 'Concatenate', config: { ...common, axis: -1 } };
    case 'PReLU':
      // one alpha per channel: shared over H and W of an image ([1, 1, C] in Keras), one per feature of a vector
      return { class_name: 'PReLU', config: {
        ...common, alpha_initializer: { class_name: 'Constant', config: { value: l.alphaInitializer } }, alpha_regularizer: null, alpha_constraint: null,
        shared_axes: inRank === 1 ? null : [1, 2],
      } };
  }
}

/** Every layer's input rank; 3 where the shapes cannot be inferred (only PReLU reads it, and images are its usual input). */
export function inputRanks(spec: ModelSpec, graph: ModelGraph | undefined): number[] {
  try {
    const shapes = inferShapes(spec);
    return spec.layers.map((_, i) => {
      const src = graph ? graph.inputs[i][0] : i - 1;
      return (src === INPUT_SOURCE || src < 0 ? spec.input.shape : shapes[src]).length;
    });
  } catch {
    return spec.layers.map(() => 3);
  }
}

/**
 * The Keras 2 `model.to_json()` document for a spec, with Larq's classes. Binarized 'same' convs get pad_values=1.0,
 * BNN Studio's padding; binary kernels get Larq's "weight_clip" constraint (what the latent baseline trains with).
 * A chain is a Sequential model; any other graph a functional one (class "Functional", each layer's `inbound_nodes`,
 * an InputLayer named "input" as `inputs` names it), its dead layers left out as training and the compiler leave them.
 * The one Keras topology of BNN Studio: the trainer's checkpoints (TF.js layers format) embed it too.
 */
export function specToKerasJson(spec: ModelSpec): Obj {
  let graph: ModelGraph | undefined;
  try {
    graph = modelGraph(spec);
  } catch {
    graph = undefined; // not a valid graph: written as the chain it is listed as, for the loader to report
  }
  const ranks = inputRanks(spec, graph);
  if (!graph || graph.isChain) {
    const layers = spec.layers.map((l, i) => kerasLayer(l, ranks[i]));
    // The input shape rides on the first layer (as Keras 2 writes `Sequential([...], input_shape=…)`): Keras 2, Larq and
    // tf.loadLayersModel all read it, and there is no InputLayer whose name could clash with a model layer's.
    if (layers.length) (layers[0].config as Obj).batch_input_shape = [null, ...spec.input.shape];
    return { class_name: 'Sequential', config: { name: spec.name, layers }, keras_version: '2.15.0', backend: 'tensorflow' };
  }
  const g = graph;
  // graph.ts: no layer may be called "input", so the InputLayer's name clashes with none
  const inputName = 'input';
  const node = (srcs: number[]): unknown[] => [srcs.map((s) => [s === INPUT_SOURCE ? inputName : spec.layers[s].name, 0, 0, {}])];
  const layers: Obj[] = [{
    class_name: 'InputLayer', name: inputName, inbound_nodes: [],
    config: { batch_input_shape: [null, ...spec.input.shape], dtype: 'float32', sparse: false, ragged: false, name: inputName },
  }];
  spec.layers.forEach((l, i) => {
    if (!g.live[i]) return;
    layers.push({ ...kerasLayer(l, ranks[i]), name: l.name, inbound_nodes: node(g.inputs[i]) });
  });
  return {
    class_name: 'Functional',
    config: { name: spec.name, trainable: true, layers, input_layers: [[inputName, 0, 0]], output_layers: [[spec.layers[g.output].name, 0, 0]] },
    keras_version: '2.15.0', backend: 'tensorflow',
  };
}
