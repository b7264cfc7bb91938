#!/usr/bin/env python3
"""Writes the functional-model import fixtures in test/fixtures/keras/ as Keras' model.to_json() writes them.

No TensorFlow is installed where BNN Studio is built, so this builds the documents itself, following Keras'
serialization: layers listed as Functional.get_config lists them (by decreasing depth from the output, ties in the
order the layers were created), each with `inbound_nodes`; Keras 2 (tf.keras 2.15 with Larq 0.13) writes a node as
[[layer, node_index, tensor_index, kwargs], ...], Keras 3 as {"args": [...], "kwargs": {}} with __keras_tensor__
entries. Layer names are Keras' automatic ones (conv2d, conv2d_1, ...).

    /usr/bin/python3 scripts/make-functional-fixtures.py
"""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "keras")


class Graph:
    """A minimal functional API: call(layer config, inputs) returns the new layer's name."""

    def __init__(self, keras3):
        self.keras3 = keras3
        self.layers = []  # (class_name, config, input names, output shape)
        self.counts = {}
        self.shapes = {}

    def name(self, base):
        n = self.counts.get(base, 0)
        self.counts[base] = n + 1
        return base if n == 0 else "%s_%d" % (base, n)

    def add(self, class_name, base, config, inputs, shape):
        name = self.name(base)
        config = dict(name=name, **config) if class_name == "InputLayer" else dict(name=name, trainable=True, dtype=self.dtype(), **config)
        self.layers.append((class_name, config, inputs, shape))
        self.shapes[name] = shape
        return name

    def dtype(self):
        if self.keras3:
            return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
        return "float32"

    def tensor(self, name):
        return {"class_name": "__keras_tensor__", "config": {"shape": [None] + self.shapes[name], "dtype": "float32", "keras_history": [name, 0, 0]}}

    def node(self, class_name, inputs):
        if not self.keras3:
            return [[[i, 0, 0, {}] for i in inputs]]
        merge = class_name in ("Add", "Concatenate")
        args = [[self.tensor(i) for i in inputs]] if merge else [self.tensor(inputs[0])]
        return [{"args": args, "kwargs": {}}]

    def order(self, output):
        """Keras' order: a layer's depth is one more than the deepest of its readers (the output at 0)."""
        depth = {output: 0}
        for class_name, config, inputs, _ in reversed(self.layers):
            d = depth.get(config["name"])
            if d is None:
                continue
            for i in inputs:
                depth[i] = max(depth.get(i, 0), d + 1)
        created = {config["name"]: k for k, (_, config, _, _) in enumerate(self.layers)}
        return sorted((l for l in self.layers if l[1]["name"] in depth), key=lambda l: (-depth[l[1]["name"]], created[l[1]["name"]]))

    def to_json(self, model_name, output):
        inp = self.layers[0][1]["name"]
        layers = []
        for class_name, config, inputs, _ in self.order(output):
            entry = {"class_name": class_name, "config": config, "name": config["name"], "inbound_nodes": self.node(class_name, inputs) if inputs else []}
            if self.keras3:
                entry = {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None, "name": config["name"], "inbound_nodes": entry["inbound_nodes"]}
                if inputs and class_name != "InputLayer":
                    shapes = [[None] + self.shapes[i] for i in inputs]
                    entry["build_config"] = {"input_shape": shapes if len(shapes) > 1 else shapes[0]}
            layers.append(entry)
        if self.keras3:
            return {"module": "keras", "class_name": "Functional", "config": {"name": model_name, "trainable": True, "layers": layers,
                                                                              "input_layers": [inp, 0, 0], "output_layers": [output, 0, 0]},
                    "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
        return {"class_name": "Functional", "config": {"name": model_name, "trainable": True, "layers": layers,
                                                       "input_layers": [[inp, 0, 0]], "output_layers": [[output, 0, 0]]},
                "keras_version": "2.15.0", "backend": "tensorflow"}


def init(class_name, **config):
    return {"class_name": class_name, "config": config}


def conv_shape(shape, k, s, padding, filters):
    h, w, _ = shape
    if padding == "same":
        return [-(-h // s), -(-w // s), filters]
    return [(h - k) // s + 1, (w - k) // s + 1, filters]


def conv2d(g, x, filters, k, strides=1, padding="valid", use_bias=True, activation="linear", quant=None):
    """Keras Conv2D, or Larq's QuantConv2D when quant = (input_quantizer, kernel_quantizer, kernel_constraint)."""
    config = {"filters": filters, "kernel_size": [k, k], "strides": [strides, strides], "padding": padding, "data_format": "channels_last",
              "dilation_rate": [1, 1], "groups": 1, "activation": activation, "use_bias": use_bias,
              "kernel_initializer": init("GlorotNormal" if quant else "GlorotUniform", seed=None), "bias_initializer": init("Zeros"),
              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if quant is None:
        return g.add("Conv2D", "conv2d", config, [x], conv_shape(g.shapes[x], k, strides, padding, filters))
    iq, kq, constraint = quant
    config.update(input_quantizer=iq, kernel_quantizer=kq, kernel_constraint=constraint, metrics=[], pad_values=0.0)
    return g.add("QuantConv2D", "quant_conv2d", config, [x], conv_shape(g.shapes[x], k, strides, padding, filters))


def batch_norm(g, x, momentum=0.99):
    config = {"axis": -1 if g.keras3 else ([3] if len(g.shapes[x]) == 3 else [1]), "momentum": momentum, "epsilon": 0.001, "center": True, "scale": True,
              "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"), "moving_mean_initializer": init("Zeros"),
              "moving_variance_initializer": init("Ones"), "beta_regularizer": None, "gamma_regularizer": None,
              "beta_constraint": None, "gamma_constraint": None}
    return g.add("BatchNormalization", "batch_normalization", config, [x], g.shapes[x])


def pool(g, class_name, base, x, size, strides, padding):
    config = {"pool_size": [size, size], "padding": padding, "strides": [strides, strides], "data_format": "channels_last"}
    return g.add(class_name, base, config, [x], conv_shape(g.shapes[x], size, strides, padding, g.shapes[x][2]))


def dense(g, x, units, activation):
    config = {"units": units, "activation": activation, "use_bias": True, "kernel_initializer": init("GlorotUniform", seed=None),
              "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None}
    return g.add("Dense", "dense", config, [x], [units])


def birealnet():
    """Larq zoo's BiRealNetFactory (larq_zoo/literature/birealnet.py) at CIFAR-10 size and 16 filters: a 7×7 stem with
    max-pooling, residual blocks of a binary 3×3 QuantConv2D (approx_sign inputs, magnitude_aware_sign kernels,
    weight_clip) and BatchNormalization around an identity shortcut, a downsampling shortcut of AvgPool2D, 1×1 Conv2D
    and BatchNormalization, global average pooling and a softmax Dense."""
    g = Graph(keras3=False)
    quant = ({"class_name": "ApproxSign", "config": {}}, {"class_name": "MagnitudeAwareSign", "config": {"clip_value": 1.0}},
             {"class_name": "WeightClip", "config": {"clip_value": 1}})
    x = g.add("InputLayer", "input_1", {"batch_input_shape": [None, 32, 32, 3], "dtype": "float32", "sparse": False, "ragged": False}, [], [32, 32, 3])
    x = conv2d(g, x, 16, 7, strides=2, padding="same", use_bias=False)
    x = batch_norm(g, x, momentum=0.8)
    x = pool(g, "MaxPooling2D", "max_pooling2d", x, 3, 2, "same")

    def block(x, out_filters):
        in_filters = g.shapes[x][2]
        shortcut = x
        if in_filters != out_filters:
            shortcut = pool(g, "AveragePooling2D", "average_pooling2d", shortcut, 2, 2, "same")
            shortcut = conv2d(g, shortcut, out_filters, 1, use_bias=False)
            shortcut = batch_norm(g, shortcut, momentum=0.8)
        y = conv2d(g, x, out_filters, 3, strides=1 if in_filters == out_filters else 2, padding="same", use_bias=False, quant=quant)
        y = batch_norm(g, y, momentum=0.8)
        return g.add("Add", "add", {}, [y, shortcut], g.shapes[y])

    x = block(x, 16)
    x = block(x, 16)
    x = block(x, 32)
    x = block(x, 32)
    x = g.add("GlobalAveragePooling2D", "global_average_pooling2d", {"data_format": "channels_last", "keepdims": False}, [x], [g.shapes[x][2]])
    x = dense(g, x, 10, "softmax")
    return g.to_json("birealnet18", x)


def densenet_prelu():
    """A Keras 3 functional model with the real-valued graph layers: a stem with ReLU, dense blocks that Concatenate
    each block's input with a new Conv2D → BatchNormalization → PReLU (shared_axes=[1, 2]), a transition of
    AveragePooling2D, and a head of GlobalAveragePooling2D, a relu Dense and a softmax Dense."""
    g = Graph(keras3=True)
    x = g.add("InputLayer", "input_layer", {"batch_shape": [None, 28, 28, 1], "dtype": "float32", "sparse": False}, [], [28, 28, 1])
    x = conv2d(g, x, 8, 3, padding="same")
    x = batch_norm(g, x)
    x = g.add("ReLU", "re_lu", {"max_value": None, "negative_slope": 0.0, "threshold": 0.0}, [x], g.shapes[x])
    for _ in range(2):
        y = conv2d(g, x, 8, 3, padding="same", use_bias=False)
        y = batch_norm(g, y)
        y = g.add("PReLU", "p_re_lu", {"alpha_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.25}, "registered_name": None},
                                      "alpha_regularizer": None, "alpha_constraint": None, "shared_axes": [1, 2]}, [y], g.shapes[y])
        x = g.add("Concatenate", "concatenate", {"axis": -1}, [x, y], g.shapes[x][:2] + [g.shapes[x][2] + g.shapes[y][2]])
    x = pool(g, "AveragePooling2D", "average_pooling2d", x, 2, 2, "valid")
    x = g.add("GlobalAveragePooling2D", "global_average_pooling2d", {"data_format": "channels_last", "keepdims": False}, [x], [g.shapes[x][2]])
    x = dense(g, x, 32, "relu")
    x = dense(g, x, 10, "softmax")
    return g.to_json("densenet_prelu", x)


def main():
    for name, doc in (("birealnet-functional-keras2.json", birealnet()), ("densenet-prelu-keras3.json", densenet_prelu())):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
