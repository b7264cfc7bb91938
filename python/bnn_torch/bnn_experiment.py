"""Writes a BNN Studio experiment folder, the layout src/core/experiments/types.ts documents and its validator
(src/core/experiments/files.ts) checks: config.json and status.json written whole under a temp name and renamed into
place, metrics.jsonl appended one event per line, lock.json taken by hard link as src/core/experiments/lock.ts does, and
checkpoints/<name>/ (model.json + weights.bin, the TensorFlow.js layers format BNN Studio's trainer writes) staged
aside and swapped in, so `bnn compile`, eval and flash read a PyTorch run with no conversion.
"""
import datetime
import json
import os
import re
import shutil
import socket

import numpy as np
import torch

WEIGHT_KINDS = ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance", "alpha")


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def id_slug(text, fallback):
    """As idSlug in src/core/experiments/id.ts."""
    slug = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]+", "-", text)).strip("-.")[:40].rstrip("-.")
    return slug or fallback


def _read(path, pick):
    try:
        with open(path, encoding="utf-8") as f:
            return pick(f.read())
    except OSError:
        return None


def _write_whole(path, data):
    tmp = os.path.join(os.path.dirname(path), ".%s.tmp-%d" % (os.path.basename(path), os.getpid()))
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class ExperimentWriter:
    def __init__(self, root, model_name, optimizer_kind):
        """Creates <root>/<yyyymmdd-hhmmss>-<model>-<optimizer>-torch; a clash (two runs in one second) takes -2, -3…
        as the TypeScript store does: mkdir is the atomic claim."""
        os.makedirs(root, exist_ok=True)
        base = "%s-%s-%s-torch" % (datetime.datetime.now().strftime("%Y%m%d-%H%M%S"), id_slug(model_name, "model"), id_slug(optimizer_kind, "opt"))
        for attempt in range(1, 1000):
            self.id = base if attempt == 1 else "%s-%d" % (base, attempt)
            self.dir = os.path.join(root, self.id)
            try:
                os.mkdir(self.dir)
                break
            except FileExistsError:
                continue
        else:
            raise RuntimeError("no free experiment id under %s" % root)
        os.makedirs(os.path.join(self.dir, "checkpoints"))
        self._lock()
        self.metrics = open(os.path.join(self.dir, "metrics.jsonl"), "a", encoding="utf-8")
        self.started = now_iso()

    def _lock(self):
        info = {"formatVersion": 1, "pid": os.getpid(), "host": socket.gethostname(), "purpose": "pytorch training",
                "createdAt": now_iso(), "token": os.urandom(8).hex(),
                "startTime": _read("/proc/self/stat", lambda t: t[t.rindex(")") + 2:].split(" ")[19]),
                "bootId": _read("/proc/sys/kernel/random/boot_id", lambda t: t.strip())}
        self.lock_token = info["token"]
        path = os.path.join(self.dir, "lock.json")
        tmp = os.path.join(self.dir, ".lock.json.tmp-%d" % os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({k: v for k, v in info.items() if v is not None}, f, indent=2)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise RuntimeError("experiment folder %s is in use (%s exists)" % (self.dir, path))
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
        self.metrics.close()

    def write_json(self, name, value):
        _write_whole(os.path.join(self.dir, name), json.dumps(value, indent=2, allow_nan=False).encode("utf-8"))

    def event(self, event):
        self.metrics.write(json.dumps(event, allow_nan=False) + "\n")
        self.metrics.flush()

    def status(self, state, epoch, step, total_steps, **extra):
        s = {"formatVersion": 1, "state": state, "pid": os.getpid(), "startedAt": self.started, "updatedAt": now_iso(),
             "epoch": epoch, "step": step, "totalSteps": total_steps}
        if state != "running":
            s["endedAt"] = now_iso()
        s.update({k: v for k, v in extra.items() if v is not None})
        self.write_json("status.json", s)

    def checkpoint(self, name, model, topology, meta):
        """checkpoints/<name>: the model's weights in Keras order (per layer kernel, bias, gamma, beta, moving_mean,
        moving_variance; a PReLU's alpha), binary kernels exactly ±1 (sign(0) = +1). Layers the output does not depend
        on have no weights, as in BNN Studio's own checkpoints."""
        manifest, chunks = [], []
        for (layer_name, m), spec, live, in_shape in zip(model.named_layers(), model.spec["layers"], model.live, model.input_shapes):
            arrays = {}
            if not live:
                continue
            if spec["type"] == "PReLU":
                # [1, 1, C] on an image, as Keras keeps alphas shared over H and W (and BNN Studio's checkpoints write them)
                a = m.alpha.detach().cpu().numpy()
                arrays["alpha"] = a.reshape(1, 1, -1) if len(in_shape) == 3 else a
            elif hasattr(m, "kernel"):
                k = m.kernel.detach().cpu().numpy()
                arrays["kernel"] = np.where(k >= 0, 1.0, -1.0) if m.binary else k
                if m.bias is not None:
                    arrays["bias"] = m.bias.detach().cpu().numpy()
            elif spec["type"] == "BatchNormalization":
                for kind in ("gamma", "beta", "moving_mean", "moving_variance"):
                    if getattr(m, kind) is not None:
                        arrays[kind] = getattr(m, kind).detach().cpu().numpy()
            for kind in WEIGHT_KINDS:
                if kind not in arrays:
                    continue
                a = np.asarray(arrays[kind], dtype="<f4")
                if not np.all(np.isfinite(a)):
                    raise ValueError("layer %s: %s holds NaN or infinity" % (layer_name, kind))
                manifest.append({"name": "%s/%s" % (layer_name, kind), "shape": [int(d) for d in a.shape], "dtype": "float32"})
                chunks.append(a.tobytes())
        model_json = {
            "format": "layers-model", "generatedBy": "BNN Studio PyTorch project (train.py)", "convertedBy": None,
            "modelTopology": topology, "weightsManifest": [{"paths": ["weights.bin"], "weights": manifest}],
            "userDefinedMetadata": {"bnnStudio": dict(meta, formatVersion=1, spec=model.spec, experimentId=self.id, createdAt=now_iso())},
        }
        # The names of src/core/experiments/write.ts: staged in .staging-<name>-<suffix>, the old copy moved aside to
        # .old-<name>-<suffix>, where a reader finds it (read.ts readableDir) if a kill lands between the two renames.
        root = os.path.join(self.dir, "checkpoints")
        suffix = "%d-%s" % (os.getpid(), os.urandom(4).hex())
        final, staging, old = os.path.join(root, name), os.path.join(root, ".staging-%s-%s" % (name, suffix)), os.path.join(root, ".old-%s-%s" % (name, suffix))
        os.makedirs(staging)
        for file, data in (("weights.bin", b"".join(chunks)), ("model.json", json.dumps(model_json, allow_nan=False).encode("utf-8"))):
            with open(os.path.join(staging, file), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        moved = os.path.exists(final)
        if moved:
            os.replace(final, old)
        os.replace(staging, final)
        if moved:
            shutil.rmtree(old, ignore_errors=True)
        return final


def load_checkpoint(model, checkpoint_dir):
    """Sets the model's weights from a BNN Studio checkpoint folder (model.json + weights.bin): a run's initial weights
    (train.py --init), e.g. another run's checkpoint. The spec must have the same layers and shapes."""
    with open(os.path.join(checkpoint_dir, "model.json"), encoding="utf-8") as f:
        manifest = json.load(f)["weightsManifest"][0]
    data = np.fromfile(os.path.join(checkpoint_dir, manifest["paths"][0]), dtype="<f4")
    layers = dict(model.named_layers())
    offset = 0
    for w in manifest["weights"]:
        n = int(np.prod(w["shape"]))
        if offset + n > data.size:
            raise SystemExit("%s: weights.bin is shorter than its manifest" % checkpoint_dir)
        layer, kind = w["name"].rsplit("/", 1)
        target = getattr(layers.get(layer), kind, None)
        # a PReLU's alpha is [C] here, [1, 1, C] in a checkpoint when it follows an image
        if target is not None and kind == "alpha" and target.numel() == n:
            w = dict(w, shape=list(target.shape))
        if target is None or list(target.shape) != list(w["shape"]):
            raise SystemExit("%s: weight %s %s does not fit the model" % (checkpoint_dir, w["name"], w["shape"]))
        with torch.no_grad():
            target.copy_(torch.from_numpy(data[offset:offset + n].reshape(w["shape"]).copy()))
        offset += n
