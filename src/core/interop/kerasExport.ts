/**
 * BNN Studio model specs → Keras model JSON with Larq's classes (what Larq reads back: `lq.layers.QuantConv2D` with
 * pad_values=1.0), and → the `*.bnn.json` document. Apart from the importer (keras.ts) so the exporters and the
 * checkpoint writer do not bring the model loader with them.
 */
import type { ModelSpec, Quantizer } from '../model/spec';

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
