#!/usr/bin/env python3
"""Train a BNN Studio model with PyTorch, on one process or many (torchrun / DistributedDataParallel).

The project folder holds this file, the bnn_*.py modules beside it and config.json, which `bnn export-torch` wrote
(model spec, Keras topology for the checkpoint, optimizer with its schedules, epochs, batch size, seed, dataset files).
Rank 0 writes a BNN Studio experiment folder under --experiments: config.json, status.json, metrics.jsonl (the same
events as BNN Studio's trainer, so the Experiments view charts the run live) and, after every epoch,
checkpoints/last (and checkpoints/best, by validation accuracy) that `bnn compile`, eval and flash read as they are.

    python3 train.py --experiments <workspace>/.bnn/experiments                      # one process
    python3 -m torch.distributed.run --nproc_per_node 2 train.py --experiments …     # two (gloo on CPU, NCCL on GPUs)
"""
import argparse
import json
import os
import platform
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from bnn_data import load_idx, split_train_val  # noqa: E402
from bnn_experiment import ExperimentWriter, now_iso  # noqa: E402
from bnn_model import BnnModel, encode_u8  # noqa: E402
from bnn_optim import BnnOptimizer  # noqa: E402


class Stop(Exception):
    """Ctrl+C or SIGTERM (torchrun stopping the group, a cluster's scheduler): end the run, keeping the weights so far."""


STOP = {"signal": None}


def on_stop_signal(signum, frame):
    # Only noted here and acted on between steps: an exception raised inside autograd's backward (the quantizers'
    # backward is Python, called from C++) would come out as a RuntimeError and the run would read 'failed'.
    STOP["signal"] = signum


def load_config(path):
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    if cfg.get("formatVersion") != 1 or cfg.get("kind") != "bnn-studio-torch-project":
        raise SystemExit("%s: not a BNN Studio PyTorch project config (formatVersion 1)" % path)
    return cfg


def evaluate(model, x, y, batch, device):
    """(loss, accuracy, predicted classes) of the model in inference mode (BatchNorm's moving statistics)."""
    model.eval()
    loss, correct, preds = 0.0, 0, []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = encode_u8(torch.from_numpy(x[i:i + batch]).to(device))
            yb = torch.from_numpy(y[i:i + batch]).to(device)
            out = model(xb)
            loss += float(F.cross_entropy(out, yb, reduction="sum"))
            p = out.argmax(1)
            correct += int((p == yb).sum())
            preds.append(p.cpu().numpy())
    model.train()
    n = max(len(x), 1)
    return loss / n, correct / n, np.concatenate(preds) if preds else np.zeros(0, np.int64)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.path.join(HERE, "config.json"))
    parser.add_argument("--experiments", default=os.path.join(".bnn", "experiments"), help="BNN Studio experiments folder")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int, help="global batch size (split across processes)")
    parser.add_argument("--max-train-samples", type=int, help="train on the first N training samples only (a quick check)")
    parser.add_argument("--data-dir", help="folder with the IDX files, when they are elsewhere on this machine than at export")
    args = parser.parse_args(argv)
    cfg = load_config(args.config)
    epochs = args.epochs or cfg["epochs"]
    batch = args.batch_size or cfg["batchSize"]

    distributed = "WORLD_SIZE" in os.environ
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if batch % world:
        raise SystemExit("--batch-size %d does not split over %d processes: use a multiple of %d" % (batch, world, world))
    per_rank = batch // world

    files = cfg["dataset"]["files"]
    if args.data_dir:
        files = {role: os.path.join(args.data_dir, os.path.basename(f)) for role, f in files.items()}
        cfg["dataset"]["path"] = os.path.abspath(args.data_dir)
    x_train, y_train, x_test, y_test = load_idx(files)
    spec = cfg["model"]
    if tuple(x_train.shape[1:]) != tuple(spec["input"]["shape"]):
        raise SystemExit("dataset images are %s but the model expects %s" % (tuple(x_train.shape[1:]), tuple(spec["input"]["shape"])))
    if args.max_train_samples:
        x_train, y_train = x_train[:args.max_train_samples], y_train[:args.max_train_samples]
    tr, va = split_train_val(len(x_train), cfg["valSplit"], cfg["seed"])
    x_tr, y_tr, x_val, y_val = x_train[tr], y_train[tr], x_train[va], y_train[va]

    torch.manual_seed(cfg["seed"])
    model = BnnModel(spec)
    model.init_weights(torch.Generator().manual_seed(cfg["seed"]))
    model.to(device)
    binary = model.binary_kernels()
    binary_sizes = [(name, p.numel()) for name, p in binary]
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = BnnOptimizer(trainable, [p for _, p in binary], cfg["optimizer"])
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local] if cuda else None) if distributed else model

    data = torch.utils.data.TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(y_tr))
    sampler = torch.utils.data.distributed.DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=cfg["seed"]) if distributed else None
    loader = torch.utils.data.DataLoader(data, batch_size=per_rank, sampler=sampler, shuffle=sampler is None,
                                         generator=None if sampler else torch.Generator().manual_seed(cfg["seed"]))
    steps_per_epoch = len(loader)
    total = steps_per_epoch * epochs
    log_every = cfg.get("logEvery", 10)

    writer = None
    if rank == 0:
        writer = ExperimentWriter(args.experiments, spec["name"], cfg["optimizer"]["kind"])
        writer.write_json("config.json", {
            "formatVersion": 1, "id": writer.id, "createdAt": now_iso(), "modelPath": cfg["modelPath"], "model": spec,
            "dataset": {"name": cfg["dataset"]["name"], "path": cfg["dataset"]["path"], "trainSamples": int(len(x_tr)),
                        "valSamples": int(len(x_val)), "testSamples": int(len(x_test)), "normalization": "x = u8 / 127.5 - 1"},
            "optimizer": cfg["optimizer"], "epochs": epochs, "batchSize": batch, "seed": cfg["seed"], "valSplit": cfg["valSplit"],
            "backend": "pytorch %s (%s, %s) × %d process%s" % (torch.__version__, "CUDA" if cuda else "CPU", dist.get_backend() if distributed else "no DDP", world, "" if world == 1 else "es"),
            "threads": world, "engine": "torch",
            "versions": {"torch": torch.__version__, "python": platform.python_version(), "numpy": np.__version__},
        })
        writer.status("running", 0, 0, total)
        print("experiment %s" % writer.dir, flush=True)
    signal.signal(signal.SIGTERM, on_stop_signal)
    signal.signal(signal.SIGINT, on_stop_signal)

    step, epoch, best, final = 0, 0, None, {}
    t0 = last_t = time.time()
    last_step = 0
    try:
        for epoch in range(epochs):
            if sampler:
                sampler.set_epoch(epoch)
            loss_sum, correct, seen = 0.0, 0, 0
            for xb, yb in loader:
                xb, yb = encode_u8(xb.to(device)), yb.to(device)
                out = net(xb)
                loss = F.cross_entropy(out, yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                flips = optimizer.step()
                step += 1
                if STOP["signal"] is not None:
                    raise Stop()
                acc = float((out.argmax(1) == yb).float().mean())
                loss_sum += float(loss) * len(yb)
                correct += int((out.argmax(1) == yb).sum())
                seen += len(yb)
                if writer and step % log_every == 0:
                    t = time.time()
                    h = optimizer.hyper(step - 1)
                    ev = {"kind": "step", "step": step, "epoch": epoch, "time": round((t - t0) * 1000), "loss": float(loss), "accuracy": acc,
                          "flipRatio": {name: f / n for (name, n), f in zip(binary_sizes, flips)}, "lr": h["lr"],
                          "samplesPerSec": (step - last_step) * batch / max(t - last_t, 1e-9)}
                    for k in ("gamma", "threshold"):
                        if k in h:
                            ev[k] = h[k]
                    writer.event(ev)
                    writer.status("running", epoch, step, total)
                    last_t, last_step = t, step
            # the epoch's training loss and accuracy over every process's samples
            sums = torch.tensor([loss_sum, correct, seen], dtype=torch.float64, device=device)
            if distributed:
                dist.all_reduce(sums)
            if writer:
                ev = {"kind": "epoch", "step": step, "epoch": epoch + 1, "time": round((time.time() - t0) * 1000),
                      "loss": float(sums[0] / sums[2]), "accuracy": float(sums[1] / sums[2])}
                final = {"trainLoss": ev["loss"], "trainAccuracy": ev["accuracy"]}
                meta = {"epoch": epoch + 1, "step": step}
                if len(x_val):
                    ev["valLoss"], ev["valAccuracy"], _ = evaluate(model, x_val, y_val, 256, device)
                    final.update(valLoss=ev["valLoss"], valAccuracy=ev["valAccuracy"])
                    meta["valAccuracy"] = ev["valAccuracy"]
                writer.event(ev)
                writer.checkpoint("last", model, cfg["topology"], meta)
                if len(x_val) and (best is None or ev["valAccuracy"] > best):
                    best = ev["valAccuracy"]
                    writer.checkpoint("best", model, cfg["topology"], meta)
                writer.status("running", epoch + 1, step, total, lastCheckpoint="last", bestCheckpoint="best" if best is not None else None)
            if distributed:
                dist.barrier()
        if writer:
            test_loss, test_acc, preds = evaluate(model, x_test, y_test, 256, device)
            # the classes the trained model predicts, so BNN Studio can check its compiled model against PyTorch's
            writer.write_json("torch-predictions.json", {"checkpoint": "last", "split": "test", "classes": [int(c) for c in preds]})
            final["testAccuracy"] = test_acc
            writer.status("completed", epochs, step, total, final=final, lastCheckpoint="last", bestCheckpoint="best" if best is not None else None)
            print("test accuracy %.4f; experiment %s" % (test_acc, writer.dir), flush=True)
    except (KeyboardInterrupt, Stop):
        if writer:
            writer.checkpoint("last", model, cfg["topology"], {"epoch": epoch, "step": step})
            writer.status("cancelled", epoch, step, total, lastCheckpoint="last")
        return 130
    except Exception as err:
        if writer:
            writer.status("failed", epoch, step, total, error={"message": "%s: %s" % (type(err).__name__, err), "step": step})
        raise
    finally:
        if writer:
            writer.release()
        if distributed:
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
