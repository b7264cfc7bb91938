/**
 * The fixed part of the generated Larq train.py — BNN Studio's experiment folder written from Python (lock, atomic
 * JSON documents, metrics lines, status), the checkpoint writer, experiment ids, and the IDX and tf.keras.datasets
 * loaders — which reads the script's MODEL, BINARY_LAYERS, WEIGHT_KINDS and TOPOLOGY constants and nothing model-
 * specific of its own. larqScript.ts puts it between those constants and build_model().
 */
export const LARQ_EXPERIMENT_PY = `def now_iso():
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
    # a layer the output does not depend on is not in a functional model (nor trained, as in BNN Studio)
    built = {l.name for l in model.layers}
    for layer in MODEL["layers"]:
        if layer["name"] not in built:
            continue
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


`;
