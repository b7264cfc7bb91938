"""PyTorch's side of the training-throughput bench (scripts/bench/train.mjs): the same network, batch, optimizer and
synthetic samples as the TensorFlow.js configurations, built with the exported PyTorch project's own modules
(python/bnn_torch: BNN Studio's semantics, Bop on the binary kernels and Adam on the rest), on the CPU.

    /usr/bin/python3 scripts/bench/torch-train.py <model spec .json> <batch> <threads>

Prints one JSON line when it is warm, then answers every line "N" on stdin with one JSON line: the wall and CPU
milliseconds per step of N training steps (CPU: all of this process's threads, time.process_time). The bench sends
blocks to it in turn with its own configurations, so machine load hits them alike; the process idles in between.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "bnn_torch"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from bnn_model import BnnModel, encode_u8  # noqa: E402
from bnn_optim import BnnOptimizer  # noqa: E402


def main():
    spec_file, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    with open(spec_file, encoding="utf-8") as f:
        spec = json.load(f)
    size = 1
    for d in spec["input"]["shape"]:
        size *= d
    # the bench's samples: u8 pixels (i * 2654435761) >>> 24, labels i mod classes
    pixels = torch.tensor([((i * 2654435761) & 0xFFFFFFFF) >> 24 for i in range(batch * size)], dtype=torch.uint8)
    x = encode_u8(pixels.reshape([batch] + list(spec["input"]["shape"])))
    y = torch.tensor([i % spec["classes"] for i in range(batch)], dtype=torch.long)
    torch.manual_seed(1)
    model = BnnModel(spec)
    model.init_weights(torch.Generator().manual_seed(1))
    model.train()
    binary = [p for _, p in model.binary_kernels()]
    optimizer = BnnOptimizer([p for p in model.parameters() if p.requires_grad], binary,
                             {"kind": "bop", "lr": {"kind": "constant", "value": 0.01}})

    def step():
        out = model(x)
        loss = F.cross_entropy(out, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()  # reads the flip counts back, as the trainer does every step
        float(loss)

    for _ in range(3):
        step()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        n = int(line)
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            step()
        wall = (time.perf_counter() - t0) * 1000 / n
        cpu = (time.process_time() - c0) * 1000 / n
        print(json.dumps({"wallMs": wall, "cpuMs": cpu}), flush=True)


if __name__ == "__main__":
    main()
