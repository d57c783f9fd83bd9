"""Data loaders: the embedded digits that ship with scikit-learn, and MNIST from local files."""

import gzip
import os
from pathlib import Path

import numpy as np

_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def load_digits():
    """The 8 x 8 digits bundled with scikit-learn, scaled to [0, 1].

    Returns
    -------
    X : ndarray of shape (1797, 64), dtype float32
        Pixel intensities in [0, 1].
    y : ndarray of shape (1797,), dtype int64
        The digit, 0 to 9.

    Examples
    --------
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, float(X.max())
    ((1797, 64), 1.0)
    """
    from sklearn.datasets import load_digits as sklearn_digits

    X, y = sklearn_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y.astype(np.int64)


def load_mnist(data_dir=None, *, split="train", download=False):
    """MNIST from IDX files in a local folder, scaled to [0, 1] and flattened.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        Folder holding ``train-images-idx3-ubyte`` and friends, gzip-compressed
        (``.gz``) or not, directly or under ``MNIST/raw/`` (torchvision's layout). Default:
        the ``SKAE_MNIST_DIR`` environment variable.
    split : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both (train first).
    download : bool, default=False
        When the files are missing, fetch them with torchvision into ``data_dir``. Needs
        internet; nothing is ever downloaded unless this is True.

    Returns
    -------
    X : ndarray of shape (n_samples, 784), dtype float32
    y : ndarray of shape (n_samples,), dtype int64
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}.")
    if data_dir is None:
        data_dir = os.environ.get("SKAE_MNIST_DIR")
        if data_dir is None:
            raise ValueError(
                "load_mnist needs data_dir (a folder with the MNIST IDX files) or the "
                "SKAE_MNIST_DIR environment variable."
            )
    data_dir = Path(data_dir)
    if split == "all":
        parts = [load_mnist(data_dir, split=s, download=download) for s in ("train", "test")]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    images, labels = (_find_idx(data_dir, name) for name in _MNIST_FILES[split])
    if images is None or labels is None:
        if not download:
            raise FileNotFoundError(
                f"No MNIST {split} files ({', '.join(_MNIST_FILES[split])}, optionally .gz) "
                f"in {data_dir}. Point data_dir at them, or pass download=True on a machine "
                "with internet."
            )
        from torchvision.datasets import MNIST

        MNIST(str(data_dir), train=split == "train", download=True)
        return load_mnist(data_dir, split=split, download=False)
    X = read_idx(images)
    y = read_idx(labels)
    if X.ndim != 3 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"{images} and {labels} do not hold matching images and labels.")
    return (X.reshape(len(X), -1) / np.float32(255)).astype(np.float32), y.astype(np.int64)


def _find_idx(data_dir, name):
    for folder in (data_dir, data_dir / "MNIST" / "raw"):
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read an IDX file (the MNIST format), gzip-compressed or not, into an ndarray."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number).")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(
            f"{path} is truncated or corrupt: the header promises {expected} bytes of data, "
            f"the file holds {len(data) - header}."
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
