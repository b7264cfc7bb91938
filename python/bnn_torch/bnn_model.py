"""BNN Studio's layers as torch.nn modules, with BNN Studio's exact semantics (src/core/model/spec.ts):

- inputs are x = u8 / 127.5 - 1 (encode_u8);
- sign(0) = +1 for kernels and activations, with Larq's pseudo-gradients (ste_sign, approx_sign, swish_sign);
- 'same' padding splits as TensorFlow does (the extra pixel after) and pads a binarized input with +1;
- tensors are NHWC and kernels keep Keras' layout ([kh, kw, cin, cout], dense [in, out]), so the flatten order and
  the checkpoint BNN Studio's compiler reads need no conversion.
"""
import math

import torch
import torch.nn.functional as F

SWISH_SIGN_BETA = 5.0


def encode_u8(x):
    """BNN Studio's 8-bit input encoding."""
    return x.to(torch.float32) / 127.5 - 1.0


def sign_pm(x):
    """sign with sign(0) = +1 (torch.sign maps 0 to 0)."""
    return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))


def quantizer_gradient(name, x):
    ax = x.abs()
    inside = (ax <= 1).to(x.dtype)
    if name == "ste_sign":
        return inside
    if name == "approx_sign":
        return inside * (2 - 2 * ax)
    if name == "swish_sign":
        bx = SWISH_SIGN_BETA * x
        return SWISH_SIGN_BETA * (2 - bx * torch.tanh(bx / 2)) / (1 + torch.cosh(bx))
    raise ValueError("unknown quantizer %r" % name)


class _Sign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, name):
        ctx.save_for_backward(x)
        ctx.name = name
        return sign_pm(x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * quantizer_gradient(ctx.name, x), None


def quantize(name, x):
    return x if name is None else _Sign.apply(x, name)


def same_padding(size, k, s):
    """TensorFlow 'same': total = max((ceil(in/s) - 1)*s + k - in, 0), the extra pixel after."""
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class QuantConv2D(torch.nn.Module):
    def __init__(self, spec, cin):
        super().__init__()
        self.spec = spec
        kh, kw = spec["kernelSize"]
        self.kernel = torch.nn.Parameter(torch.empty(kh, kw, cin, spec["filters"]))
        self.bias = torch.nn.Parameter(torch.zeros(spec["filters"])) if spec["useBias"] else None
        self.binary = spec["kernelQuantizer"] is not None

    def forward(self, x):
        s = self.spec
        x = quantize(s["inputQuantizer"], x)
        kh, kw = s["kernelSize"]
        sh, sw = s["strides"]
        if s["padding"] == "same":
            top, bottom = same_padding(x.shape[1], kh, sh)
            left, right = same_padding(x.shape[2], kw, sw)
            # a binarized input is padded with +1 (Larq pad_values=1.0): every window stays a pure ±1 dot product
            value = 1.0 if s["inputQuantizer"] is not None else 0.0
            x = F.pad(x, (0, 0, left, right, top, bottom), value=value)
        w = quantize(s["kernelQuantizer"], self.kernel)
        y = F.conv2d(x.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1), self.bias, stride=(sh, sw))
        return y.permute(0, 2, 3, 1)


class QuantDense(torch.nn.Module):
    def __init__(self, spec, fan_in):
        super().__init__()
        self.spec = spec
        self.kernel = torch.nn.Parameter(torch.empty(fan_in, spec["units"]))
        self.bias = torch.nn.Parameter(torch.zeros(spec["units"])) if spec["useBias"] else None
        self.binary = spec["kernelQuantizer"] is not None

    def forward(self, x):
        x = quantize(self.spec["inputQuantizer"], x)
        y = x @ quantize(self.spec["kernelQuantizer"], self.kernel)
        return y if self.bias is None else y + self.bias


class BatchNormalization(torch.nn.Module):
    """Keras BatchNormalization over the last (channel) axis, as BNN Studio's trainer computes it: in training the
    batch mean and the *biased* batch variance normalize and update the moving averages (moving = m * moving +
    (1 - m) * batch). torch.nn.BatchNorm1d would update its running variance with the unbiased one (n / (n - 1) more:
    2 % at a batch of 50)."""

    def __init__(self, spec, channels):
        super().__init__()
        self.spec = spec
        self.gamma = torch.nn.Parameter(torch.ones(channels)) if spec["scale"] else None
        self.beta = torch.nn.Parameter(torch.zeros(channels)) if spec["center"] else None
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))

    def forward(self, x):
        s = self.spec
        axes = tuple(range(x.dim() - 1))
        if self.training:
            mean = x.mean(dim=axes)
            var = x.var(dim=axes, unbiased=False)
            with torch.no_grad():
                self.moving_mean.mul_(s["momentum"]).add_(mean.detach(), alpha=1 - s["momentum"])
                self.moving_variance.mul_(s["momentum"]).add_(var.detach(), alpha=1 - s["momentum"])
        else:
            mean, var = self.moving_mean, self.moving_variance
        y = (x - mean) * torch.rsqrt(var + s["epsilon"])
        if self.gamma is not None:
            y = y * self.gamma
        return y if self.beta is None else y + self.beta


class MaxPool2D(torch.nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def forward(self, x):
        s = self.spec
        ph, pw = s["poolSize"]
        sh, sw = s["strides"]
        if s["padding"] == "same":
            top, bottom = same_padding(x.shape[1], ph, sh)
            left, right = same_padding(x.shape[2], pw, sw)
            x = F.pad(x, (0, 0, left, right, top, bottom), value=float("-inf"))
        return F.max_pool2d(x.permute(0, 3, 1, 2), (ph, pw), (sh, sw)).permute(0, 2, 3, 1)


class Flatten(torch.nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)  # NHWC order, as Keras and BNN Studio flatten


class Identity(torch.nn.Module):
    def forward(self, x):
        return x


class ReLU(torch.nn.Module):
    def forward(self, x):
        return torch.relu(x)


class PReLU(torch.nn.Module):
    """y = x for x >= 0, alpha * x below, one alpha per channel (the last axis), as BNN Studio's PReLU."""

    def __init__(self, spec, channels):
        super().__init__()
        self.spec = spec
        self.alpha = torch.nn.Parameter(torch.full((channels,), float(spec["alphaInitializer"])))

    def forward(self, x):
        return torch.where(x >= 0, x, self.alpha * x)


class Add(torch.nn.Module):
    def forward(self, *xs):
        y = xs[0]
        for x in xs[1:]:
            y = y + x  # in the order listed, as the reference sums
        return y


class Concatenate(torch.nn.Module):
    def forward(self, *xs):
        return torch.cat(xs, dim=-1)  # the channel axis of NHWC


class AveragePooling2D(torch.nn.Module):
    """Mean over each window; a 'same' window averages only the cells inside the input, as TensorFlow does."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def forward(self, x):
        s = self.spec
        ph, pw = s["poolSize"]
        sh, sw = s["strides"]
        x = x.permute(0, 3, 1, 2)
        if s["padding"] == "same":
            top, bottom = same_padding(x.shape[2], ph, sh)
            left, right = same_padding(x.shape[3], pw, sw)
            pad = (left, right, top, bottom)
            ones = F.pad(torch.ones_like(x[:1, :1]), pad)
            sums = F.avg_pool2d(F.pad(x, pad), (ph, pw), (sh, sw), divisor_override=1)
            y = sums / F.avg_pool2d(ones, (ph, pw), (sh, sw), divisor_override=1)
        else:
            y = F.avg_pool2d(x, (ph, pw), (sh, sw))
        return y.permute(0, 2, 3, 1)


class GlobalAveragePooling2D(torch.nn.Module):
    def forward(self, x):
        return x.mean(dim=(1, 2))


def pooled_shape(shape, l):
    h, w, c = shape
    ph, pw = l["poolSize"]
    sh, sw = l["strides"]
    if l["padding"] == "same":
        return [math.ceil(h / sh), math.ceil(w / sw), c]
    return [(h - ph) // sh + 1, (w - pw) // sw + 1, c]


def model_graph(spec):
    """(sources per layer, output index, live per layer), the rules of src/core/model/graph.ts: a layer reads the
    layers its "inputs" name ("input" is the model input, -1 here), else the layer listed before it; the output is
    "outputs"[0], else the last layer; a layer the output does not depend on is not live (not built nor trained)."""
    layers = spec["layers"]
    index = {}
    for i, l in enumerate(layers):
        index.setdefault(l["name"], i)
    sources = []
    for i, l in enumerate(layers):
        names = l.get("inputs") or ["input" if i == 0 else layers[i - 1]["name"]]
        sources.append([-1 if n == "input" else index[n] for n in names])
    output = index[spec["outputs"][0]] if spec.get("outputs") else len(layers) - 1
    live = [False] * len(layers)
    stack = [output]
    while stack:
        i = stack.pop()
        if i < 0 or live[i]:
            continue
        live[i] = True
        stack.extend(sources[i])
    return sources, output, live


class BnnModel(torch.nn.Module):
    """The model of a BNN Studio spec. forward() returns the scores before a final softmax (the loss applies
    log-softmax itself); argmax is the class either way."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.sources, self.output, self.live = model_graph(spec)
        shapes = []
        layers = []
        self.input_shapes = []
        for i, l in enumerate(spec["layers"]):
            t = l["type"]
            ins = [list(spec["input"]["shape"]) if s < 0 else shapes[s] for s in self.sources[i]]
            self.input_shapes.append(ins[0])
            shape = ins[0]
            if t == "QuantConv2D":
                m = QuantConv2D(l, shape[2])
                h, w = shape[0], shape[1]
                kh, kw = l["kernelSize"]
                sh, sw = l["strides"]
                shape = [math.ceil(h / sh), math.ceil(w / sw)] if l["padding"] == "same" else [(h - kh) // sh + 1, (w - kw) // sw + 1]
                shape.append(l["filters"])
            elif t == "QuantDense":
                m = QuantDense(l, shape[-1])
                shape = [l["units"]]
            elif t == "BatchNormalization":
                m = BatchNormalization(l, shape[-1])
            elif t == "MaxPool2D":
                m = MaxPool2D(l)
                shape = pooled_shape(shape, l)
            elif t == "AveragePooling2D":
                m = AveragePooling2D(l)
                shape = pooled_shape(shape, l)
            elif t == "GlobalAveragePooling2D":
                m = GlobalAveragePooling2D()
                shape = [shape[2]]
            elif t == "Flatten":
                m = Flatten()
                shape = [int(math.prod(shape))]
            elif t == "Activation":
                # softmax (the last layer only) leaves argmax unchanged and the loss applies log-softmax itself
                m = ReLU() if l["activation"] == "relu" else Identity()
            elif t == "PReLU":
                m = PReLU(l, shape[-1])
            elif t == "Add":
                m = Add()
            elif t == "Concatenate":
                m = Concatenate()
                shape = shape[:-1] + [sum(s[-1] for s in ins)]
            else:
                raise ValueError("layer %s: type %r is not supported by the PyTorch project" % (l.get("name"), t))
            shapes.append(shape)
            # a layer the output does not depend on gets no parameters: BNN Studio neither trains nor compiles it
            layers.append(m if self.live[i] else Identity())
        self.layers = torch.nn.ModuleList(layers)

    def forward(self, x):
        outs = []
        for i, m in enumerate(self.layers):
            if not self.live[i]:
                outs.append(None)
                continue
            ins = [x if s < 0 else outs[s] for s in self.sources[i]]
            outs.append(m(*ins))
        return outs[self.output]

    def named_layers(self):
        return [(l["name"], m) for l, m in zip(self.spec["layers"], self.layers)]

    def binary_kernels(self):
        """[(layer name, kernel parameter)] of the layers whose kernels are binary."""
        return [(name, m.kernel) for name, m in self.named_layers() if getattr(m, "binary", False)]

    def init_weights(self, generator):
        """Binary kernels start as random ±1 (Bop trains signs); real kernels as Glorot uniform, as Keras does."""
        for name, m in self.named_layers():
            if not hasattr(m, "kernel"):
                continue
            k = m.kernel
            with torch.no_grad():
                if m.binary:
                    k.copy_(sign_pm(torch.rand(k.shape, generator=generator) - 0.5))
                else:
                    fan_in = int(math.prod(k.shape[:-1]))
                    fan_out = int(math.prod(k.shape[:-2])) * k.shape[-1] if k.dim() == 4 else k.shape[-1]
                    limit = math.sqrt(6.0 / (fan_in + fan_out))
                    k.copy_((torch.rand(k.shape, generator=generator) * 2 - 1) * limit)
