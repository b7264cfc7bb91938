/**
 * "BNN: Export Larq Training Script": a runnable Python project that trains a BNN Studio model with Larq on
 * TensorFlow — GPUs, and several through tf.distribute.MirroredStrategy — and writes BNN Studio's experiment folder
 * (config.json, status.json, metrics.jsonl with the same events as the built-in trainer), so a run on a GPU box shows
 * up in the Experiments tree with the same charts, and ends with a BNN Studio checkpoint (checkpoints/last, TF.js layers
 * format with ±1 kernels) that the evaluator and compiler read like the built-in trainer's.
 *
 * The generated script keeps TensorFlow imports inside functions, so its experiment writer can be imported and tested
 * without TensorFlow.
 */
import type { LayerSpec, ModelSpec, Quantizer } from '../model/spec';
import type { OptimizerConfig, Schedule } from '../experiments/types';
import { py } from './python';
import { markdownText, pyDocText } from '../escape';
import { specToKerasJson } from './kerasExport';

export interface LarqScriptOptions {
  spec: ModelSpec;
  optimizer: OptimizerConfig;
  dataset: 'fashion-mnist' | 'mnist' | 'cifar10' | string;
  epochs: number;
  batchSize: number;
  seed: number;
  valSplit: number;
  /** Metrics step events every N optimizer steps. */
  logEvery?: number;
  generator: string;
}

export class LarqExportError extends Error {}

function scheduleExpr(s: Schedule | undefined, fallback: number): string {
  if (!s) return py(fallback);
  switch (s.kind) {
    case 'constant':
      return py(s.value);
    case 'exponential':
      return `tf.keras.optimizers.schedules.ExponentialDecay(${py(s.initial)}, decay_steps=${py(s.decaySteps)}, decay_rate=${py(s.decayRate)}, staircase=${py(s.staircase)})`;
    case 'linear':
      return `tf.keras.optimizers.schedules.PolynomialDecay(${py(s.initial)}, decay_steps=${py(Math.max(1, s.steps))}, end_learning_rate=${py(s.final)}, power=1.0)`;
  }
}

function quantizer(q: Quantizer): string {
  return q === null ? 'None' : py(q);
}

function layerLine(l: LayerSpec): string {
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
      return `tf.keras.layers.Concatenate(name=${py(l.name)})`;
    case 'GlobalAveragePooling2D':
      return `tf.keras.layers.GlobalAveragePooling2D(name=${py(l.name)})`;
    case 'AveragePooling2D':
      return `tf.keras.layers.AveragePooling2D(pool_size=${py(l.poolSize)}, strides=${py(l.strides)}, padding=${py(l.padding)}, name=${py(l.name)})`;
    case 'PReLU':
      return `tf.keras.layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(${py(l.alphaInitializer)}), shared_axes=[1, 2], name=${py(l.name)})`;
  }
}

function optimizerCode(o: OptimizerConfig): string {
  const lr = scheduleExpr(o.lr, o.kind === 'latent' ? 5e-3 : 1e-2);
  if (o.kind === 'latent') {
    return [
      '    # Latent-weight baseline (BinaryNet): Adam on real-valued latent weights, STE, weights clipped to [-1, 1].',
      `    return tf.keras.optimizers.Adam(${lr})`,
    ].join('\n');
  }
  if (o.kind === 'bop2') {
    throw new LarqExportError('Bop2ndOrder is not part of Larq: export the run with optimizer "bop" or "latent", or train it in BNN Studio');
  }
  return [
    '    # Bop flips binary weights directly; Adam trains the rest (BatchNorm, full-precision layers), as in the paper.',
    '    return lq.optimizers.CaseOptimizer(',
    `        (lq.optimizers.Bop.is_binary_variable, lq.optimizers.Bop(threshold=${scheduleExpr(o.threshold, 1e-8)}, gamma=${scheduleExpr(o.gamma, 1e-4)})),`,
    `        default_optimizer=tf.keras.optimizers.Adam(${lr}),`,
    '    )',
  ].join('\n');
}

export function generateLarqProject(o: LarqScriptOptions): Record<string, string> {
  const { spec } = o;
  const logEvery = o.logEvery ?? 10;
  const binaryLayers = spec.layers.filter((l) => (l.type === 'QuantConv2D' || l.type === 'QuantDense') && l.kernelQuantizer !== null).map((l) => l.name);
  const hyper = {
    dataset: o.dataset, epochs: o.epochs, batch_size: o.batchSize, seed: o.seed, val_split: o.valSplit, log_every: logEvery,
  };
  const train = `#!/usr/bin/env python3
"""Train the BNN Studio model '${pyDocText(spec.name)}' with Larq on TensorFlow.

Generated by ${pyDocText(o.generator)}. Runs on CPU, one GPU, or several GPUs (tf.distribute.MirroredStrategy), and writes a
BNN Studio experiment folder (config.json, status.json, metrics.jsonl) that the Experiments tree and the training
charts read, live while it runs when the folder is in (or mounted into) the workspace. At the end it writes
checkpoints/last in BNN Studio's checkpoint format, so the run is evaluated, compiled to C and flashed like a built-in one.

    pip install -r requirements.txt
    python train.py --experiments /path/to/workspace/.bnn/experiments

Semantics match BNN Studio: inputs x = u8 / 127.5 - 1, sign(0) = +1, binarized inputs padded with +1 (pad_values=1.0).
"""
import argparse
import datetime
import json
import os
import platform
import socket
import sys
import time

MODEL = ${py(specForPython(spec))}
OPTIMIZER = ${py(o.optimizer)}
HYPER = ${py(hyper)}
BINARY_LAYERS = ${py(binaryLayers)}
# The checkpoint's Keras topology, as BNN Studio's trainer writes it (src/core/interop/keras.ts).
TOPOLOGY = ${py({ ...specToKerasJson(spec), keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' })}
WEIGHT_KINDS = ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance")


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ExperimentWriter:
    """Writes BNN Studio's experiment files: JSON documents atomically (temp file + rename), metrics as JSON lines."""

    def __init__(self, root, experiment_id):
        self.dir = os.path.join(root, experiment_id)
        self.id = experiment_id
        os.makedirs(os.path.join(self.dir, "checkpoints"), exist_ok=True)
        self.lock()
        self.metrics = open(os.path.join(self.dir, "metrics.jsonl"), "a", encoding="utf-8")
        self.started = now_iso()

    def lock(self):
        """Takes lock.json as BNN Studio's trainer does (src/core/experiments/lock.ts), so nothing else writes the run."""
        def proc(path, pick):
            try:
                with open(path, encoding="utf-8") as f:
                    return pick(f.read())
            except OSError:
                return None
        info = {"formatVersion": 1, "pid": os.getpid(), "host": socket.gethostname(), "purpose": "larq training",
                "createdAt": now_iso(), "token": os.urandom(8).hex(),
                "startTime": proc("/proc/self/stat", lambda t: t[t.rindex(")") + 2:].split(" ")[19]),
                "bootId": proc("/proc/sys/kernel/random/boot_id", lambda t: t.strip())}
        self.lock_token = info["token"]
        path = os.path.join(self.dir, "lock.json")
        tmp = os.path.join(self.dir, ".lock.json.tmp-%d" % os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({k: v for k, v in info.items() if v is not None}, f, indent=2)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise RuntimeError("experiment folder %s is in use (%s exists): another process writes to it" % (self.dir, path))
        finally:
            os.unlink(tmp)

    def release(self):
        path = os.path.join(self.dir, "lock.json")
        try:
            with open(path, encoding="utf-8") as f:
                if json.load(f).get("token") == self.lock_token:
                    os.unlink(path)
        except (OSError, ValueError):
            pass

    def write_json(self, name, value):
        path = os.path.join(self.dir, name)
        tmp = path + ".tmp-%d" % os.getpid()
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def event(self, event):
        self.metrics.write(json.dumps(event, allow_nan=False) + "\\n")
        self.metrics.flush()

    def status(self, state, epoch, step, total_steps=None, error=None, final=None, last_checkpoint=None):
        status = {"formatVersion": 1, "state": state, "pid": os.getpid(), "startedAt": self.started, "updatedAt": now_iso(), "epoch": epoch, "step": step}
        if last_checkpoint is not None:
            status["lastCheckpoint"] = last_checkpoint
        if total_steps is not None:
            status["totalSteps"] = total_steps
        if state != "running":
            status["endedAt"] = now_iso()
        if error is not None:
            status["error"] = error
        if final is not None:
            status["final"] = final
        self.write_json("status.json", status)


def keras_layer_weights(model):
    """{layer name: [(kind, array)]} of a Keras model's BNN Studio layers (kinds: WEIGHT_KINDS)."""
    out = {}
    for layer in MODEL["layers"]:
        weights = model.get_layer(layer["name"]).weights
        # Keras 2 names weights "layer/kernel:0", Keras 3 just "kernel"
        out[layer["name"]] = [(w.name.split("/")[-1].split(":")[0], w.numpy()) for w in weights]
    return out


def write_checkpoint(writer, layer_weights, epoch, step, name="last"):
    """Writes checkpoints/<name>/model.json + weights.bin in BNN Studio's checkpoint format (the TensorFlow.js layers
    format its trainer writes), so the run can be evaluated, compiled to C and flashed like a built-in one. Binary
    kernels are written as sign(latent) with sign(0) = +1. The folder is written aside and renamed into place."""
    import shutil
    import numpy as np
    manifest, chunks = [], []
    for layer in MODEL["layers"]:
        arrays = dict(layer_weights.get(layer["name"], []))
        unknown = sorted(set(arrays) - set(WEIGHT_KINDS))
        if unknown:
            raise ValueError("layer %s has weights %s that BNN Studio does not know" % (layer["name"], ", ".join(unknown)))
        for kind in WEIGHT_KINDS:
            if kind not in arrays:
                continue
            a = np.asarray(arrays[kind], dtype=np.float32)
            if kind == "kernel" and layer["name"] in BINARY_LAYERS:
                a = np.where(a >= 0, 1.0, -1.0).astype(np.float32)
            if not np.all(np.isfinite(a)):
                raise ValueError("layer %s: %s holds NaN or infinity" % (layer["name"], kind))
            manifest.append({"name": "%s/%s" % (layer["name"], kind), "shape": [int(d) for d in a.shape], "dtype": "float32"})
            chunks.append(a.astype("<f4").tobytes())
    model_json = {
        "format": "layers-model", "generatedBy": "BNN Studio Larq project (train.py)", "convertedBy": None, "modelTopology": TOPOLOGY,
        "weightsManifest": [{"paths": ["weights.bin"], "weights": manifest}],
        "userDefinedMetadata": {"bnnStudio": {"formatVersion": 1, "spec": MODEL, "experimentId": writer.id, "epoch": epoch, "step": step, "createdAt": now_iso()}},
    }
    root = os.path.join(writer.dir, "checkpoints")
    final, tmp, old = os.path.join(root, name), os.path.join(root, ".%s.%d.tmp" % (name, os.getpid())), os.path.join(root, ".%s.old" % name)
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for file, data in (("weights.bin", b"".join(chunks)), ("model.json", json.dumps(model_json).encode("utf-8"))):
        with open(os.path.join(tmp, file), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(final):
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def id_slug(text, fallback):
    """As BNN Studio's idSlug (src/core/experiments/id.ts): the id is one safe folder name whatever the model is called."""
    import re
    slug = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]+", "-", text)).strip("-.")[:40].rstrip("-.")
    return slug or fallback


def experiment_id(model_name, optimizer):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return "%s-%s-%s-larq" % (stamp, id_slug(model_name, "model"), id_slug(optimizer, "opt"))


def read_idx(path):
    import gzip
    import numpy as np
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise ValueError("%s: not an IDX file of unsigned bytes" % path)
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError("%s: truncated (expected %d values, found %d)" % (path, int(np.prod(dims)), arr.size))
    return arr.reshape(dims)


def load_dataset(name, data_dir):
    """Returns (x_train, y_train, x_test, y_test) as uint8 images (N, H, W, C) and integer labels."""
    import numpy as np
    import tensorflow as tf
    if data_dir:
        find = lambda *names: next((os.path.join(data_dir, n) for n in names if os.path.exists(os.path.join(data_dir, n))), None)
        files = [find(a, a + ".gz") for a in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]
        if all(files):
            x_train, y_train, x_test, y_test = (read_idx(f) for f in files)
            return x_train[..., None], y_train, x_test[..., None], y_test
        raise SystemExit("%s: expected train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]" % data_dir)
    loaders = {"fashion-mnist": tf.keras.datasets.fashion_mnist, "mnist": tf.keras.datasets.mnist, "cifar10": tf.keras.datasets.cifar10}
    if name not in loaders:
        raise SystemExit("dataset %r: use fashion-mnist, mnist or cifar10, or --data-dir with IDX files" % name)
    (x_train, y_train), (x_test, y_test) = loaders[name].load_data()
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    return x_train, np.asarray(y_train).reshape(-1), x_test, np.asarray(y_test).reshape(-1)


def build_model():
    import tensorflow as tf
    import larq as lq
    return tf.keras.Sequential([
        tf.keras.Input(shape=(${spec.input.shape.map(py).join(', ')},)),
${spec.layers.map((l) => `        ${layerLine(l)},`).join('\n')}
    ], name=${py(spec.name)})


def make_optimizer():
    import tensorflow as tf
    import larq as lq
${optimizerCode(o.optimizer)}


def hyper_value(value, step):
    """The value of a float or a Keras schedule at an optimizer step."""
    return float(value(step)) if callable(value) else float(value)


def make_callback(writer, steps_per_epoch, total_steps, batch_size, log_every):
    import numpy as np
    import tensorflow as tf

    class BnnStudioMetrics(tf.keras.callbacks.Callback):
        """Appends BNN Studio metrics events: every log_every steps a 'step' event with the per-layer flip ratio
        (the fraction of a layer's binary weights whose sign changed in that step, Larq's FlipRatio), each epoch an
        'epoch' event with validation loss and accuracy."""

        def on_train_begin(self, logs=None):
            self.t0 = time.time()
            self.last_time = self.t0
            self.last_step = 0
            self.step = 0
            self.epoch = 0
            self.before = None
            writer.status("running", 0, 0, total_steps)

        def _signs(self):
            return {name: np.sign(np.sign(self.model.get_layer(name).kernel.numpy()) + 0.1) for name in BINARY_LAYERS}

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            if (self.step + 1) % log_every == 0:
                self.before = self._signs()

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            if self.before is None:
                return
            after = self._signs()
            flips = {name: float(np.mean(after[name] != self.before[name])) for name in BINARY_LAYERS}
            self.before = None
            t = time.time()
            opt = self.model.optimizer
            event = {"kind": "step", "step": self.step, "epoch": self.epoch, "time": round((t - self.t0) * 1000),
                     "loss": float(logs.get("loss", float("nan"))), "accuracy": float(logs.get("accuracy", 0.0)),
                     "flipRatio": flips,
                     "samplesPerSec": (self.step - self.last_step) * batch_size / max(t - self.last_time, 1e-9)}
            if OPTIMIZER["kind"] == "bop":
                bop = opt.optimizers[0] if hasattr(opt, "optimizers") else None
                if bop is not None:
                    event["gamma"] = hyper_value(bop._get_hyper("gamma") if hasattr(bop, "_get_hyper") else bop.gamma, self.step)
                    event["threshold"] = hyper_value(bop._get_hyper("threshold") if hasattr(bop, "_get_hyper") else bop.threshold, self.step)
                adam = opt.default_optimizer if hasattr(opt, "default_optimizer") else opt
            else:
                adam = opt
            lr = adam.learning_rate if hasattr(adam, "learning_rate") else adam.lr
            event["lr"] = hyper_value(lr, self.step) if callable(lr) else float(tf.keras.backend.get_value(lr))
            writer.event(event)
            self.last_time, self.last_step = t, self.step
            writer.status("running", self.epoch, self.step, total_steps)

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            event = {"kind": "epoch", "step": self.step, "epoch": epoch + 1, "time": round((time.time() - self.t0) * 1000),
                     "loss": float(logs.get("loss", float("nan"))), "accuracy": float(logs.get("accuracy", 0.0))}
            if "val_loss" in logs:
                event["valLoss"] = float(logs["val_loss"])
                event["valAccuracy"] = float(logs["val_accuracy"])
            writer.event(event)
            self.final = {"trainLoss": event["loss"], "trainAccuracy": event["accuracy"],
                          "valLoss": event.get("valLoss"), "valAccuracy": event.get("valAccuracy")}
            writer.status("running", epoch + 1, self.step, total_steps)

    return BnnStudioMetrics()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    parser.add_argument("--experiments", default=os.path.join(".bnn", "experiments"), help="BNN Studio experiments folder")
    parser.add_argument("--data-dir", default=None, help="folder with IDX files instead of tf.keras.datasets")
    parser.add_argument("--epochs", type=int, default=HYPER["epochs"])
    parser.add_argument("--batch-size", type=int, default=HYPER["batch_size"], help="global batch size")
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf
    import larq as lq

    tf.keras.utils.set_random_seed(HYPER["seed"])
    x_train, y_train, x_test, y_test = load_dataset(HYPER["dataset"], args.data_dir)
    if tuple(x_train.shape[1:]) != tuple(MODEL["input"]["shape"]):
        raise SystemExit("dataset images are %s but the model expects %s" % (tuple(x_train.shape[1:]), tuple(MODEL["input"]["shape"])))
    encode = lambda x: x.astype("float32") / 127.5 - 1.0
    order = np.random.default_rng(HYPER["seed"]).permutation(len(x_train))
    n_val = int(round(len(x_train) * HYPER["val_split"]))
    val_idx, train_idx = order[:n_val], order[n_val:]
    x_tr, y_tr = encode(x_train[train_idx]), y_train[train_idx]
    x_val, y_val = encode(x_train[val_idx]), y_train[val_idx]

    gpus = tf.config.list_physical_devices("GPU")
    strategy = tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    with strategy.scope():
        model = build_model()
        model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    writer = ExperimentWriter(args.experiments, experiment_id(MODEL["name"], OPTIMIZER["kind"]))
    steps_per_epoch = int(np.ceil(len(x_tr) / args.batch_size))
    config = {
        "formatVersion": 1, "id": writer.id, "createdAt": now_iso(), "modelPath": MODEL["name"] + ".bnn.json", "model": MODEL,
        "dataset": {"name": HYPER["dataset"], "path": args.data_dir, "trainSamples": int(len(x_tr)), "valSamples": int(len(x_val)),
                    "testSamples": int(len(x_test)), "normalization": "x = u8 / 127.5 - 1"},
        "optimizer": OPTIMIZER, "epochs": args.epochs, "batchSize": args.batch_size, "seed": HYPER["seed"], "valSplit": HYPER["val_split"],
        "backend": "tensorflow %s (%s)" % (tf.__version__, "%d GPU" % len(gpus) if gpus else "CPU"), "engine": "larq",
        "versions": {"tensorflow": tf.__version__, "larq": lq.__version__, "python": platform.python_version()},
    }
    writer.write_json("config.json", config)
    callback = make_callback(writer, steps_per_epoch, steps_per_epoch * args.epochs, args.batch_size, HYPER["log_every"])
    try:
        model.fit(x_tr, y_tr, batch_size=args.batch_size, epochs=args.epochs, validation_data=(x_val, y_val) if len(x_val) else None,
                  callbacks=[callback], verbose=2)
        test_loss, test_acc = model.evaluate(encode(x_test), y_test, batch_size=args.batch_size, verbose=0)
        model.save_weights(os.path.join(writer.dir, "checkpoints", "larq-final.weights.h5"))
        write_checkpoint(writer, keras_layer_weights(model), args.epochs, callback.step)
        final = dict(getattr(callback, "final", {}), testAccuracy=float(test_acc))
        writer.status("completed", args.epochs, callback.step, steps_per_epoch * args.epochs, final=final, last_checkpoint="last")
        print("test accuracy %.4f; experiment %s" % (test_acc, writer.dir))
    except KeyboardInterrupt:
        # the weights so far are still a usable model: keep them as the run's checkpoint
        write_checkpoint(writer, keras_layer_weights(model), callback.epoch, callback.step)
        writer.status("cancelled", callback.epoch, callback.step, steps_per_epoch * args.epochs, last_checkpoint="last")
        raise
    except Exception as err:
        writer.status("failed", callback.epoch, callback.step, steps_per_epoch * args.epochs, error={"message": str(err), "step": callback.step})
        raise
    finally:
        writer.release()


if __name__ == "__main__":
    sys.exit(main())
`;
  const requirements = 'larq>=0.13\ntensorflow>=2.10,<2.16\nnumpy\n';
  const readme = `# ${markdownText(spec.name)} — Larq training project

Generated by ${markdownText(o.generator)} from the model ${markdownText(spec.name)}. It trains the same model with Larq on TensorFlow (CPU, a GPU, or
several GPUs through \`tf.distribute.MirroredStrategy\`) and writes a BNN Studio experiment folder, so the run appears
in BNN Studio's Experiments tree with the same charts. When training ends (or you stop it with Ctrl+C) it writes
\`checkpoints/last\` in BNN Studio's checkpoint format (binary kernels as sign(latent), sign(0) = +1), so \`bnn eval\`,
\`bnn compile\` and "Flash to Board" take the Larq run like a built-in one.

\`\`\`sh
pip install -r requirements.txt
python train.py --experiments <workspace>/.bnn/experiments
\`\`\`

- Optimizer: ${o.optimizer.kind === 'latent' ? 'Adam on latent weights (BinaryNet baseline)' : 'Bop for the binary weights inside `lq.optimizers.CaseOptimizer`, Adam for the rest'}${o.optimizer.preset ? ` (preset ${markdownText(o.optimizer.preset)})` : ''}.
- Dataset: ${markdownText(o.dataset)}, ${o.epochs} epochs, batch ${o.batchSize}, seed ${o.seed}, validation split ${o.valSplit}.
- Inputs are encoded as x = u8 / 127.5 − 1; binarized inputs are padded with +1 (\`pad_values=1.0\`), as BNN Studio does.
- TensorFlow < 2.16 keeps Keras 2, which Larq needs.
`;
  return { 'train.py': train, 'requirements.txt': requirements, 'README.md': readme };
}

/** The spec as plain JSON for the script's MODEL constant (pairs stay lists). */
function specForPython(spec: ModelSpec): object {
  return JSON.parse(JSON.stringify(spec));
}
