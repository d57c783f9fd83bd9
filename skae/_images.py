"""The one image convention of skae: a row of X is a flattened (channels, height, width) image.

Estimators (``image_shape`` of the convolutional models) and the displays of
:mod:`skae.plotting` both read image shapes through :func:`check_image_shape`, so a shape
means the same thing everywhere: channels first, as torch's convolutions take them.
"""

import math
from numbers import Integral

import numpy as np
from scipy.ndimage import uniform_filter

__all__ = ["check_image_shape", "local_mean", "square_image_shape"]


def check_image_shape(image_shape, n_features=None, *, allow_2d=False):
    """Check an image shape and return it as ``(channels, height, width)``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(channels, height, width)``; with ``allow_2d``, ``(height, width)`` too, read as
        one channel.
    n_features : int, default=None
        The number of values in one flat row of ``X``, which the shape must hold; None
        skips that check.
    allow_2d : bool, default=False
        Accept ``(height, width)``.

    Returns
    -------
    shape : tuple of 3 int
        ``(channels, height, width)``.

    Raises
    ------
    ValueError
        If the shape is not two or three positive ints (as allowed), or holds a different
        number of values than ``n_features``.

    Examples
    --------
    >>> from skae._images import check_image_shape
    >>> check_image_shape((1, 8, 8), 64)
    (1, 8, 8)
    >>> check_image_shape((8, 8), 64, allow_2d=True)
    (1, 8, 8)
    """
    shape = tuple(image_shape)
    lengths = (2, 3) if allow_2d else (3,)
    if len(shape) not in lengths or not all(
            isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape):
        expected = ("(height, width) or (channels, height, width), two or three positive ints"
                    if allow_2d else "(channels, height, width), three positive ints")
        raise ValueError(f"image_shape must be {expected}, got {image_shape!r}.")
    shape = tuple(int(s) for s in shape)
    if n_features is not None and math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={shape} holds {math.prod(shape)} values but X has {n_features} "
            "features; each row of X must be one flattened image."
        )
    return shape if len(shape) == 3 else (1, *shape)


def square_image_shape(X, *, max_rows=1000):
    """``(1, side, side)`` when the rows of ``X`` look like square grey images, else None.

    They do when the values lie in [0, 1], the number of features is a square and
    neighbouring pixels of that grid are alike: their mean squared difference is under half
    that of pixels paired at random (MNIST: 0.21; the 8 x 8 digits: 0.49; tables scaled to
    [0, 1], whose columns have no grid order: 0.77-1.06).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    max_rows : int, default=1000
        Rows read for the comparison.

    Returns
    -------
    shape : tuple of 3 int or None

    Examples
    --------
    >>> import numpy as np
    >>> from skae._images import square_image_shape
    >>> ramps = np.tile(np.linspace(0, 1, 16), (5, 16)) * np.linspace(0.5, 1, 5)[:, None]
    >>> square_image_shape(ramps)
    (1, 16, 16)
    >>> square_image_shape(np.random.RandomState(0).rand(5, 256)) is None
    True
    """
    side = math.isqrt(X.shape[1])
    if side < 2 or side * side != X.shape[1] or X.min() < 0 or X.max() > 1:
        return None
    rows = np.asarray(X[:max_rows], dtype=np.float64)
    images = rows.reshape(-1, side, side)
    neighbours = (np.mean((images[:, :, 1:] - images[:, :, :-1]) ** 2)
                  + np.mean((images[:, 1:] - images[:, :-1]) ** 2)) / 2
    shuffled = np.random.RandomState(0).permutation(X.shape[1])
    paired = np.mean((rows - rows[:, shuffled]) ** 2)
    return (1, side, side) if neighbours < 0.5 * paired else None


def local_mean(X, image_shape, window):
    """Each pixel replaced by the mean of the ``window`` x ``window`` pixels around it, in
    each channel (edges repeated beyond the border).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Flattened images.
    image_shape : tuple of 3 int
        ``(channels, height, width)``.
    window : int
        Side of the window, odd.

    Returns
    -------
    means : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from skae._images import local_mean
    >>> dot = np.zeros((1, 9)); dot[0, 4] = 9.0     # one bright pixel in a 3 x 3 image
    >>> local_mean(dot, (1, 3, 3), 3).reshape(3, 3)
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    images = np.asarray(X, dtype=np.float64).reshape(-1, *image_shape)
    return uniform_filter(images, size=(1, 1, window, window), mode="nearest").reshape(
        X.shape[0], -1)
