#!/usr/bin/python3
"""Writes the trained-model import fixtures of test/unit/importWeights*.test.ts into test/fixtures/import/.

A small binary CNN is trained here in PyTorch (one epoch of the bundled Fashion-MNIST subset, latent weights with a
straight-through sign), then saved the ways users bring models to BNN Studio:

  cnn.onnx            torch.onnx.export of the model itself (input x' = u8 / 255, NCHW)
  cnn.h5              Keras 2 `model.save()` layout: root attribute `model_config` (the Larq/Keras JSON with a leading
                      Rescaling(1/255)), group `model_weights` with `layer_names`, each layer group with `weight_names`
  cnn.weights.h5      Keras 2 `save_weights()` layout (no architecture): `layer_names` on the root
  cnn.json            the architecture as `model.to_json()` writes it (for cnn.weights.h5)
  cnn.keras           Keras 3 archive: config.json, metadata.json, model.weights.h5 (`layers/<name>/vars/<i>`)
  cnn-arch-only.h5    `model_config` and no weights (architecture only)
  relu.onnx           a real-valued net with a ReLU; relu-reference.npy its scores on the first 300 test images
  residual.onnx       a residual binary net (Add, GlobalAveragePool); residual-reference.npy likewise
  tanh.onnx           a net with an op BNN Studio does not have (Tanh): the import must name it
  dynamic.onnx        the CNN exported with dynamic H and W (must be refused)
  reference.npy       PyTorch's class scores (float32 [1000, 10]) on the 1,000 bundled test images

No Keras or TensorFlow can be installed here: the .h5/.keras files follow Keras' documented layouts and source
(keras/saving/legacy/hdf5_format.py, keras/src/saving/saving_lib.py), written with h5py; they are not files Keras wrote.
Kernels are written as the latent real values, as Larq saves a QuantConv2D's kernel variable.

Run: /usr/bin/python3 scripts/make-import-fixtures.py   (needs python3-torch, python3-h5py, python3-onnx, python3-numpy)
"""
import gzip
import io
import json
import os
import zipfile

import h5py
import numpy as np
import onnx
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'examples', 'data', 'fashion-mnist-small')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'import')


def idx(name):
    with gzip.open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


class SignSTE(torch.autograd.Function):
    """sign with sign(0) = +1 and the clipped straight-through gradient (Larq's ste_sign)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


def ste_sign(x):
    # exported as the subgraph PyTorch users' STE functions become: Where(GreaterOrEqual(x, 0), 1, -1)
    if torch.onnx.is_in_onnx_export():
        return torch.where(x >= 0, torch.tensor(1.0), torch.tensor(-1.0))
    return SignSTE.apply(x)


class BinConv(nn.Conv2d):
    def __init__(self, cin, cout, k, binary_input):
        super().__init__(cin, cout, k, bias=False)
        self.binary_input = binary_input

    def forward(self, x):
        if self.binary_input:
            x = ste_sign(x)
        return nn.functional.conv2d(x, ste_sign(self.weight), None, self.stride, self.padding)


class BinLinear(nn.Linear):
    def forward(self, x):
        return nn.functional.linear(ste_sign(x), ste_sign(self.weight), None)


def make_cnn():
    torch.manual_seed(7)
    return nn.Sequential(
        BinConv(1, 16, 3, binary_input=False), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.MaxPool2d(2),
        BinConv(16, 32, 3, binary_input=True), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01), nn.MaxPool2d(2),
        nn.Flatten(), BinLinear(800, 10, bias=False), nn.BatchNorm1d(10, eps=1e-3, momentum=0.01), nn.Softmax(dim=1),
    )


class Residual(nn.Module):
    """x → real conv → BN → (shortcut + BN(binary 1×1 conv(sign x))) → global average pool → Linear."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2), nn.BatchNorm2d(8, eps=1e-3))
        self.conv = BinConv(8, 8, 1, binary_input=True)
        self.bn = nn.BatchNorm2d(8, eps=1e-3)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        x = self.stem(x)
        x = x + self.bn(self.conv(x))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def train(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    model.train()
    for i in range(0, len(x), 50):
        xb = torch.from_numpy(x[i:i + 50]).float().unsqueeze(1) / 255
        yb = torch.from_numpy(y[i:i + 50]).long()
        logits = model[:-1](xb)
        loss = nn.functional.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for m in model:
                if isinstance(m, (BinConv, BinLinear)):
                    m.weight.clamp_(-1, 1)
    # BatchNorm statistics of the final weights, as BNN Studio's trainer re-estimates them
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.reset_running_stats()
                m.momentum = None
        for i in range(0, len(x), 500):
            model(torch.from_numpy(x[i:i + 500]).float().unsqueeze(1) / 255)
    model.eval()


# Keras layer configs (Keras 2 / Larq `to_json()` and Keras 3 `get_config()` share these keys)
def keras_layers(keras3):
    q = (lambda: {'module': 'larq.quantizers', 'class_name': 'SteSign', 'config': {'clip_value': 1.0}, 'registered_name': 'larq>SteSign'}) if keras3 \
        else (lambda: {'class_name': 'SteSign', 'config': {'clip_value': 1.0}})
    bn = lambda name: {'class_name': 'BatchNormalization', 'config': {'name': name, 'axis': -1, 'momentum': 0.99, 'epsilon': 0.001, 'center': True, 'scale': True}}
    layers = [
        {'class_name': 'InputLayer', 'config': ({'batch_shape': [None, 28, 28, 1], 'name': 'input'} if keras3 else {'batch_input_shape': [None, 28, 28, 1], 'name': 'input', 'dtype': 'float32'})},
        {'class_name': 'Rescaling', 'config': {'name': 'rescaling', 'scale': 1 / 255, 'offset': 0.0}},
        {'class_name': 'QuantConv2D', 'config': {'name': 'conv1', 'filters': 16, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'valid', 'use_bias': False, 'input_quantizer': None, 'kernel_quantizer': q(), 'activation': 'linear', 'pad_values': 0.0}},
        bn('bn1'),
        {'class_name': 'MaxPooling2D', 'config': {'name': 'pool1', 'pool_size': [2, 2], 'strides': [2, 2], 'padding': 'valid'}},
        {'class_name': 'QuantConv2D', 'config': {'name': 'conv2', 'filters': 32, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'valid', 'use_bias': False, 'input_quantizer': q(), 'kernel_quantizer': q(), 'activation': 'linear', 'pad_values': 0.0}},
        bn('bn2'),
        {'class_name': 'MaxPooling2D', 'config': {'name': 'pool2', 'pool_size': [2, 2], 'strides': [2, 2], 'padding': 'valid'}},
        {'class_name': 'Flatten', 'config': {'name': 'flatten'}},
        {'class_name': 'QuantDense', 'config': {'name': 'dense', 'units': 10, 'use_bias': False, 'input_quantizer': q(), 'kernel_quantizer': q(), 'activation': 'linear'}},
        bn('bn3'),
        {'class_name': 'Activation', 'config': {'name': 'softmax', 'activation': 'softmax'}},
    ]
    if keras3:
        for l in layers:
            l['module'] = 'larq.layers' if l['class_name'].startswith('Quant') else 'keras.layers'
    return layers


def keras_weights(model):
    """Each Keras layer's weights in Keras' order and layouts (HWIO kernels; a Dense kernel [in, out] whose rows are in
    Keras' Flatten order, H, W, C — PyTorch flattens C, H, W)."""
    conv1, bn1, _, conv2, bn2, _, _, dense, bn3, _ = model
    t = lambda p: p.detach().numpy().astype(np.float32)
    bn = lambda b: [('gamma', t(b.weight)), ('beta', t(b.bias)), ('moving_mean', t(b.running_mean)), ('moving_variance', t(b.running_var))]
    w = t(dense.weight).reshape(10, 32, 5, 5).transpose(2, 3, 1, 0).reshape(800, 10)
    return [
        ('rescaling', []),
        ('conv1', [('kernel', t(conv1.weight).transpose(2, 3, 1, 0))]), ('bn1', bn(bn1)), ('pool1', []),
        ('conv2', [('kernel', t(conv2.weight).transpose(2, 3, 1, 0))]), ('bn2', bn(bn2)), ('pool2', []), ('flatten', []),
        ('dense', [('kernel', np.ascontiguousarray(w))]), ('bn3', bn(bn3)), ('softmax', []),
    ]


def write_keras2_weights(group, weights):
    # hdf5_format.save_weights_to_hdf5_group: layer_names, then per layer weight_names "<layer>/<weight>:0"
    group.attrs['layer_names'] = [n.encode('utf8') for n, _ in weights]
    group.attrs['backend'] = b'tensorflow'
    group.attrs['keras_version'] = b'2.13.1'
    for name, ws in weights:
        g = group.create_group(name)
        g.attrs['weight_names'] = [f'{name}/{k}:0'.encode('utf8') for k, _ in ws]
        for k, v in ws:
            g.create_dataset(f'{name}/{k}:0', data=v)


def main():
    os.makedirs(OUT, exist_ok=True)
    x, y = idx('train-images-idx3-ubyte.gz'), idx('train-labels-idx1-ubyte.gz')
    xt = idx('t10k-images-idx3-ubyte.gz')
    model = make_cnn()
    train(model, x, y)
    with torch.no_grad():
        scores = model[:-1](torch.from_numpy(xt).float().unsqueeze(1) / 255).numpy().astype(np.float32)
    np.save(os.path.join(OUT, 'reference.npy'), scores)
    acc = float((scores.argmax(1) == idx('t10k-labels-idx1-ubyte.gz')).mean())
    print(f'PyTorch test accuracy on the bundled images: {acc:.3f}')

    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, os.path.join(OUT, 'cnn.onnx'), input_names=['image'], output_names=['probs'], opset_version=13)
    torch.onnx.export(model, dummy, os.path.join(OUT, 'dynamic.onnx'), input_names=['image'], output_names=['probs'], opset_version=13,
                      dynamic_axes={'image': {0: 'batch', 2: 'height', 3: 'width'}})
    # a real-valued net with a ReLU (its input encoding folds into the first conv's kernel and bias), a residual binary
    # net (Add of a real shortcut and a binary 1×1 conv, global average pooling), and one with an op BNN Studio lacks
    x300 = torch.from_numpy(xt[:300]).float().unsqueeze(1) / 255
    relu = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(2 * 6 * 6, 10)).eval()
    torch.onnx.export(relu, dummy, os.path.join(OUT, 'relu.onnx'), input_names=['image'], opset_version=13)
    residual = Residual().eval()
    with torch.no_grad():
        residual.train()
        residual(torch.from_numpy(x[:1000]).float().unsqueeze(1) / 255)  # BatchNorm statistics of real data
        residual.eval()
        np.save(os.path.join(OUT, 'relu-reference.npy'), relu(x300).numpy().astype(np.float32))
        np.save(os.path.join(OUT, 'residual-reference.npy'), residual(x300).numpy().astype(np.float32))
    torch.onnx.export(residual, dummy, os.path.join(OUT, 'residual.onnx'), input_names=['image'], opset_version=13)
    torch.onnx.export(nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Tanh()), dummy, os.path.join(OUT, 'tanh.onnx'), input_names=['image'], opset_version=13)

    for name in ('cnn', 'dynamic', 'relu', 'residual', 'tanh'):
        onnx.checker.check_model(onnx.load(os.path.join(OUT, f'{name}.onnx')))  # what torch wrote is valid ONNX

    weights = keras_weights(model)
    config2 = {'class_name': 'Sequential', 'config': {'name': 'torch_cnn', 'layers': keras_layers(False)}}
    with h5py.File(os.path.join(OUT, 'cnn.h5'), 'w') as f:
        # hdf5_format.save_model_to_hdf5: model_config and training_config as JSON attributes
        f.attrs['model_config'] = json.dumps(config2).encode('utf8')
        f.attrs['keras_version'] = b'2.13.1'
        f.attrs['backend'] = b'tensorflow'
        write_keras2_weights(f.create_group('model_weights'), weights)
    with open(os.path.join(OUT, 'cnn.json'), 'w') as f:
        json.dump(config2, f, indent=1)  # model.to_json(), the architecture save_weights() leaves out
    with h5py.File(os.path.join(OUT, 'cnn.weights.h5'), 'w') as f:
        write_keras2_weights(f, weights)
    with h5py.File(os.path.join(OUT, 'cnn-arch-only.h5'), 'w') as f:
        f.attrs['model_config'] = json.dumps(config2).encode('utf8')

    # Keras 3: saving_lib writes the weights by object path, each layer's variables as vars/0, vars/1, … in
    # layer.weights order (kernel, bias; gamma, beta, moving_mean, moving_variance)
    buf = io.BytesIO()
    with h5py.File(buf, 'w') as f:
        f.create_group('vars')
        layers = f.create_group('layers')
        for name, ws in weights:
            v = layers.create_group(name).create_group('vars')
            for i, (_, arr) in enumerate(ws):
                v.create_dataset(str(i), data=arr)
    config3 = {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'torch_cnn', 'trainable': True, 'layers': keras_layers(True)}, 'registered_name': None}
    with zipfile.ZipFile(os.path.join(OUT, 'cnn.keras'), 'w', compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr('metadata.json', json.dumps({'keras_version': '3.3.3', 'date_saved': '2026-12-02@17:30:00'}))
        z.writestr('config.json', json.dumps(config3))
        z.writestr('model.weights.h5', buf.getvalue())


if __name__ == '__main__':
    main()
