"""Fashion-MNIST as QNStudio's fashion-mnist task reads it, with numpy and torch only.

The four IDX files are looked up in a folder (default: Debian's dataset-fashion-mnist
package, /usr/share/datasets/fashion-mnist), each as NAME.gz or NAME, the .gz first, as
core/data/labelled_images.cpp does. Pixels are scaled to [0, 1], then standardised with one
scalar mean and one scalar standard deviation over every pixel of the training split
(core/data/task_data.cpp: `images.mean()`, `images.std().clamp_min(1e-6)`, torch's std being
the unbiased one); the test split uses the training split's statistics.
"""
import gzip
import os

import numpy as np
import torch

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def find_idx(folder, stem):
    for candidate in (os.path.join(folder, stem + ".gz"), os.path.join(folder, stem)):
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(f"'{folder}' has no {stem} (nor {stem}.gz)")


def read_idx(path):
    """An IDX file of unsigned bytes (gzipped or raw) as a numpy array of its shape."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] == b"\x1f\x8b":  # the gzip magic: decompress, whatever the name says
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"'{path}' is not an IDX file (wrong magic number)")
    if raw[2] != 0x08:
        raise ValueError(f"'{path}': element type {raw[2]} is not unsigned byte (8)")
    dimensions = raw[3]
    header = 4 + 4 * dimensions
    shape = tuple(int.from_bytes(raw[4 + 4 * d:8 + 4 * d], "big") for d in range(dimensions))
    count = int(np.prod(shape))
    if len(raw) != header + count:
        raise ValueError(f"'{path}': header declares {count} bytes of data, file has "
                         f"{len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_split(folder, split):
    images = read_idx(find_idx(folder, FILES[split + "_images"]))
    labels = read_idx(find_idx(folder, FILES[split + "_labels"]))
    if images.ndim != 3 or labels.shape != (images.shape[0],):
        raise ValueError(f"'{folder}': {split} images {images.shape} and labels {labels.shape} "
                         "do not match")
    # (N, 1, H, W) float32 in [0, 1], as the C++ side: to(kFloat).div_(255.0)
    images = torch.from_numpy(images.copy()).unsqueeze(1).to(torch.float32).div_(255.0)
    return images, torch.from_numpy(labels.astype(np.int64))


def standardisation(train_images):
    """One scalar mean and one scalar (unbiased) standard deviation over all training pixels."""
    return train_images.mean(), train_images.std().clamp_min(1e-6)


def load_fashion_mnist(folder=DEFAULT_DIR, test_only=False, train_limit=0):
    """{"train": (x, y), "test": (x, y), "mean": float, "std": float}, standardised.

    The statistics always come from the training split, so it is read even with test_only
    (then only the test split is returned). train_limit > 0 keeps only the first
    train_limit training images, statistics included, as QNStudio's data.train_limit does."""
    train_x, train_y = load_split(folder, "train")
    if train_limit > 0:
        train_x, train_y = train_x[:train_limit], train_y[:train_limit]
    mean, std = standardisation(train_x)
    test_x, test_y = load_split(folder, "test")
    data = {"test": ((test_x - mean) / std, test_y), "mean": mean.item(), "std": std.item()}
    if not test_only:
        data["train"] = ((train_x - mean) / std, train_y)
    return data


@torch.no_grad()
def accuracy(model, images, labels, batch_size=1000):
    """Top-1 accuracy of a module mapping (N, 1, 28, 28) to (N, classes) logits."""
    correct = 0
    for start in range(0, images.shape[0], batch_size):
        logits = model(images[start:start + batch_size])
        correct += (logits.argmax(1) == labels[start:start + batch_size]).sum().item()
    return correct / images.shape[0]
