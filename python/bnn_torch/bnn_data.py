"""The IDX datasets BNN Studio reads (MNIST, Fashion-MNIST and the bundled subset), gzip'd or not, as uint8 NHWC."""
import gzip

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:
        raise SystemExit("%s: cannot read the dataset file (%s)" % (path, err))
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise SystemExit("%s: not an IDX file of unsigned bytes" % path)
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    expected = int(np.prod(dims))
    if arr.size != expected:
        raise SystemExit("%s: truncated (expected %d values, found %d)" % (path, expected, arr.size))
    return arr.reshape(dims).copy()  # writable, as torch.from_numpy wants


def load_idx(files):
    """files: {trainImages, trainLabels, testImages, testLabels} paths. Returns (x_train, y_train, x_test, y_test)."""
    x_train, y_train, x_test, y_test = (read_idx(files[k]) for k in ("trainImages", "trainLabels", "testImages", "testLabels"))
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise SystemExit("images and labels disagree in count (train %d/%d, test %d/%d)" % (len(x_train), len(y_train), len(x_test), len(y_test)))
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)


def split_train_val(n, val_split, seed):
    """A seeded permutation: the first round(n * val_split) indices validate, the rest train."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = int(round(n * val_split))
    return order[n_val:], order[:n_val]
