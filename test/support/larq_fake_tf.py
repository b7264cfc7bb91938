"""Stand-ins for `tensorflow` and `larq` that record how a generated train.py calls them.

TensorFlow is not installed where the unit tests run, so the generated project cannot build its Keras model for real.
These modules let its build_model(), make_optimizer() and the metrics callback run anyway: every constructor records
its arguments, and `recorded()` turns the result into JSON that the test compares with numbers it works out from the
model spec itself. Only the names the script is expected to use exist, so a call to anything else fails with an
AttributeError instead of passing unnoticed.

Usage (from python -c):  import larq_fake_tf; larq_fake_tf.install(); import train; ...
"""
import sys
import types


class Call:
    """One recorded constructor call: `qualname(*args, **kwargs)`. Calling it on tensors, as the functional API calls a
    layer, records that too (Applied)."""

    def __init__(self, qualname, args, kwargs):
        self.qualname = qualname
        self.args = args
        self.kwargs = kwargs

    def __call__(self, inputs):
        return Applied(self, inputs)


class Applied:
    """A layer applied to tensors (a Call, another Applied, or a list of them): the functional API's output tensor."""

    def __init__(self, layer, inputs):
        self.layer = layer
        self.inputs = inputs


def recorder(qualname):
    def make(*args, **kwargs):
        return Call(qualname, args, kwargs)
    make.__qualname__ = qualname
    return make


class Ref:
    """A function the script passes by reference (e.g. Bop.is_binary_variable): recorded by name."""

    def __init__(self, qualname):
        self.qualname = qualname

    def __call__(self, *args, **kwargs):
        raise AssertionError("%s is only passed to CaseOptimizer, never called by the script" % self.qualname)


def recorded(value):
    """JSON-able form of what the script built: calls as {"call", "args", "kwargs"}, tuples as lists."""
    if isinstance(value, Call):
        return {"call": value.qualname, "args": [recorded(a) for a in value.args],
                "kwargs": {k: recorded(v) for k, v in value.kwargs.items()}}
    if isinstance(value, Applied):
        return {"apply": recorded(value.layer), "to": recorded(value.inputs)}
    if isinstance(value, Ref):
        return {"ref": value.qualname}
    if isinstance(value, (list, tuple)):
        return [recorded(v) for v in value]
    if isinstance(value, dict):
        return {k: recorded(v) for k, v in value.items()}
    return value


class Callback:
    """tf.keras.callbacks.Callback as far as a callback subclass relies on it: Keras sets `model` before training."""

    def __init__(self):
        self.model = None

    def set_model(self, model):
        self.model = model


def namespace(name, **members):
    m = types.ModuleType(name)
    for k, v in members.items():
        setattr(m, k, v)
    return m


def install():
    layers = namespace("tensorflow.keras.layers", **{n: recorder("tf.keras.layers." + n) for n in ("BatchNormalization", "MaxPooling2D", "Flatten", "Activation", "Add", "Concatenate",
                                                                                                     "GlobalAveragePooling2D", "AveragePooling2D", "PReLU")})
    schedules = namespace("tensorflow.keras.optimizers.schedules", ExponentialDecay=recorder("tf.keras.optimizers.schedules.ExponentialDecay"),
                          PolynomialDecay=recorder("tf.keras.optimizers.schedules.PolynomialDecay"))
    optimizers = namespace("tensorflow.keras.optimizers", Adam=recorder("tf.keras.optimizers.Adam"), schedules=schedules)
    initializers = namespace("tensorflow.keras.initializers", Constant=recorder("tf.keras.initializers.Constant"))
    keras = namespace("tensorflow.keras", Sequential=recorder("tf.keras.Sequential"), Model=recorder("tf.keras.Model"), Input=recorder("tf.keras.Input"),
                      layers=layers, initializers=initializers,
                      optimizers=optimizers, callbacks=namespace("tensorflow.keras.callbacks", Callback=Callback),
                      backend=namespace("tensorflow.keras.backend", get_value=lambda v: v))
    tf = namespace("tensorflow", keras=keras, __version__="fake")
    bop = recorder("lq.optimizers.Bop")
    bop.is_binary_variable = Ref("lq.optimizers.Bop.is_binary_variable")
    lq = namespace("larq", layers=namespace("larq.layers", QuantConv2D=recorder("lq.layers.QuantConv2D"), QuantDense=recorder("lq.layers.QuantDense")),
                   optimizers=namespace("larq.optimizers", Bop=bop, CaseOptimizer=recorder("lq.optimizers.CaseOptimizer")), __version__="fake")
    sys.modules["tensorflow"] = tf
    sys.modules["larq"] = lq
