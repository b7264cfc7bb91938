/**
 * The `build_model()` of the generated Larq train.py: Larq's and Keras' layer constructors for a spec. A chain is a
 * `tf.keras.Sequential`; any other graph is built with the Keras functional API, one tensor per layer in the listed
 * order (a layer reads only earlier ones, graph.ts), the layers the output does not depend on left out as BNN Studio
 * leaves them out of training.
 */
import type { LayerSpec, ModelSpec, Quantizer } from '../model/spec';
import { INPUT_SOURCE, modelGraph, type ModelGraph } from '../model/graph';
import { py } from './python';
import { inputRanks } from './kerasExport';

function quantizer(q: Quantizer): string {
  return q === null ? 'None' : py(q);
}

/** The layer's constructor call; `inRank` is its input's rank, which PReLU's shared axes follow. */
export function layerLine(l: LayerSpec, inRank: number): string {
  switch (l.type) {
    case 'QuantConv2D':
      return `lq.layers.QuantConv2D(${py(l.filters)}, ${py(l.kernelSize)}, strides=${py(l.strides)}, padding=${py(l.padding)}, pad_values=${l.inputQuantizer !== null ? '1.0' : '0.0'}, `
        + `input_quantizer=${quantizer(l.inputQuantizer)}, kernel_quantizer=${quantizer(l.kernelQuantizer)}, `
        + `kernel_constraint=${l.kernelQuantizer ? '"weight_clip"' : 'None'}, use_bias=${py(l.useBias)}, name=${py(l.name)})`;
    case 'QuantDense':
      return `lq.layers.QuantDense(${py(l.units)}, input_quantizer=${quantizer(l.inputQuantizer)}, kernel_quantizer=${quantizer(l.kernelQuantizer)}, `
        + `kernel_constraint=${l.kernelQuantizer ? '"weight_clip"' : 'None'}, use_bias=${py(l.useBias)}, name=${py(l.name)})`;
    case 'BatchNormalization':
      return `tf.keras.layers.BatchNormalization(momentum=${py(l.momentum)}, epsilon=${py(l.epsilon)}, center=${py(l.center)}, scale=${py(l.scale)}, name=${py(l.name)})`;
    case 'MaxPool2D':
      return `tf.keras.layers.MaxPooling2D(pool_size=${py(l.poolSize)}, strides=${py(l.strides)}, padding=${py(l.padding)}, name=${py(l.name)})`;
    case 'Flatten':
      return `tf.keras.layers.Flatten(name=${py(l.name)})`;
    case 'Activation':
      return `tf.keras.layers.Activation(${py(l.activation)}, name=${py(l.name)})`;
    case 'Add':
      return `tf.keras.layers.Add(name=${py(l.name)})`;
    case 'Concatenate':
      return `tf.keras.layers.Concatenate(axis=-1, name=${py(l.name)})`;
    case 'GlobalAveragePooling2D':
      return `tf.keras.layers.GlobalAveragePooling2D(name=${py(l.name)})`;
    case 'AveragePooling2D':
      return `tf.keras.layers.AveragePooling2D(pool_size=${py(l.poolSize)}, strides=${py(l.strides)}, padding=${py(l.padding)}, name=${py(l.name)})`;
    case 'PReLU':
      // one alpha per channel: shared over H and W of an image; a vector's features are its channels
      return `tf.keras.layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(${py(l.alphaInitializer)}), shared_axes=${inRank === 1 ? 'None' : '[1, 2]'}, name=${py(l.name)})`;
  }
}

/** The Python source of `def build_model(): …`. */
export function buildModelCode(spec: ModelSpec): string {
  let graph: ModelGraph | undefined;
  try {
    graph = modelGraph(spec);
  } catch {
    graph = undefined; // an invalid graph never reaches an export (the loader refuses it); build the listed chain
  }
  const ranks = inputRanks(spec, graph);
  const shape = `(${spec.input.shape.map(py).join(', ')},)`;
  const head = 'def build_model():\n    import tensorflow as tf\n    import larq as lq\n';
  if (!graph || graph.isChain) {
    return `${head}    return tf.keras.Sequential([
        tf.keras.Input(shape=${shape}),
${spec.layers.map((l, i) => `        ${layerLine(l, ranks[i])},`).join('\n')}
    ], name=${py(spec.name)})`;
  }
  const g = graph;
  // tensors by layer name; "input" is the model input, a name no layer may have (graph.ts)
  const ref = (s: number): string => `x[${py(s === INPUT_SOURCE ? 'input' : spec.layers[s].name)}]`;
  const lines = spec.layers.flatMap((l, i) => {
    if (!g.live[i]) return [];
    const srcs = g.inputs[i].map(ref);
    return [`    x[${py(l.name)}] = ${layerLine(l, ranks[i])}(${srcs.length > 1 ? `[${srcs.join(', ')}]` : srcs[0]})`];
  });
  return `${head}    x = {"input": tf.keras.Input(shape=${shape})}
${lines.join('\n')}
    return tf.keras.Model(inputs=x["input"], outputs=${ref(g.output)}, name=${py(spec.name)})`;
}
