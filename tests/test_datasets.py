"""Loaders: the embedded digits, IDX reading, and MNIST from a local folder."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from skae.datasets import load_digits, load_mnist, read_idx

MNIST_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mnist"


def _write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)


def test_digits_in_unit_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert X.min() == 0 and X.max() == 1
    assert set(np.unique(y)) == set(range(10))


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_idx_round_trip(tmp_path, suffix):
    array = np.arange(24).reshape(2, 3, 4)
    _write_idx(tmp_path / f"a{suffix}", array)
    np.testing.assert_array_equal(read_idx(tmp_path / f"a{suffix}"), array)


def test_read_idx_rejects_truncated_and_foreign_files(tmp_path):
    _write_idx(tmp_path / "a", np.zeros((2, 3)))
    (tmp_path / "b").write_bytes((tmp_path / "a").read_bytes()[:-1])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "b")
    (tmp_path / "c").write_bytes(b"PK\x03\x04 not an idx file")
    with pytest.raises(ValueError, match="magic"):
        read_idx(tmp_path / "c")


def test_load_mnist_from_a_small_local_folder(tmp_path):
    images = np.random.RandomState(0).randint(0, 256, size=(5, 28, 28))
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([0, 1, 2, 3, 4]))
    X, y = load_mnist(tmp_path, split="test")
    assert X.shape == (5, 784) and X.dtype == np.float32
    np.testing.assert_allclose(X[1], images[1].ravel() / 255)
    assert y.tolist() == [0, 1, 2, 3, 4]


def test_load_mnist_missing_files_never_downloads(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_mnist(tmp_path, split="train")
    with pytest.raises(ValueError, match="split"):
        load_mnist(tmp_path, split="validation")


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason="the shared MNIST folder is not beside the repo")
def test_real_mnist_test_split():
    X, y = load_mnist(MNIST_DIR, split="test")
    assert X.shape == (10000, 784) and 0 <= X.min() and X.max() == 1
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
