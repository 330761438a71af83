"""IDX files (the MNIST / Fashion-MNIST container), gzipped or plain, read into numpy.

Layout: two zero bytes, a data-type byte (0x08 = unsigned byte, the only one used here), the
number of dimensions, then one big-endian u32 per dimension, then the values in C order.
Images are [count, rows, cols] uint8; labels are [count] uint8.
"""
import gzip
import os

import numpy as np

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


class IdxError(ValueError):
    pass


def _read_bytes(path):
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as e:
        raise IdxError(f"{path}: cannot decompress: {e}") from e


def read_idx(path, ndims):
    data = _read_bytes(path)
    if len(data) < 4:
        raise IdxError(f"{path}: truncated: {len(data)} bytes, the IDX header needs 4")
    if data[0] != 0 or data[1] != 0:
        raise IdxError(f"{path}: bad magic {data[:4].hex()}: expected 0000 08 0{ndims}")
    if data[2] != 0x08:
        raise IdxError(f"{path}: data type 0x{data[2]:02x}: only 0x08 (unsigned byte) is supported")
    if data[3] != ndims:
        raise IdxError(f"{path}: {data[3]} dimensions, expected {ndims}")
    head = 4 + 4 * ndims
    if len(data) < head:
        raise IdxError(f"{path}: truncated header")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    size = int(np.prod(dims))
    if len(data) != head + size:
        raise IdxError(f"{path}: {len(data) - head} data bytes, dimensions {dims} need {size}")
    return np.frombuffer(data, dtype=np.uint8, offset=head).reshape(dims)


def read_images(path):
    """[count, rows, cols] uint8 array."""
    return read_idx(path, 3)


def read_labels(path):
    """[count] uint8 array."""
    return read_idx(path, 1)


def fashion_mnist(split, root=FASHION_MNIST_DIR):
    """(images, labels) of split 'train' (60,000) or 'test' (10,000) from the Debian package."""
    prefix = {"train": "train", "test": "t10k"}[split]
    images = os.path.join(root, f"{prefix}-images-idx3-ubyte.gz")
    labels = os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz")
    if not os.path.exists(images):
        raise IdxError(f"{images}: not found; install the data set with "
                       "`bash scripts/train/ensure_packages.sh` (Debian package dataset-fashion-mnist)")
    x, y = read_images(images), read_labels(labels)
    if len(x) != len(y):
        raise IdxError(f"{images}: {len(x)} images but {labels} has {len(y)} labels")
    return x, y


def test_images_path(root=FASHION_MNIST_DIR):
    return os.path.join(root, "t10k-images-idx3-ubyte.gz")
