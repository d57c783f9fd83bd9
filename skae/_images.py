"""The one image convention of skae: a row of X is a flattened (channels, height, width) image.

Estimators (``image_shape`` of the convolutional models) and the displays of
:mod:`skae.plotting` both read image shapes through :func:`check_image_shape`, so a shape
means the same thing everywhere: channels first, as torch's convolutions take them.
"""

import math
import warnings
from numbers import Integral

import numpy as np
from scipy.ndimage import uniform_filter

__all__ = ["check_image_shape", "local_mean"]


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
    if len(shape) == 3 and shape[2] in (1, 3, 4) and shape[0] > 4:
        # Read as given: shape[0] channels of shape[1] x shape[2] images; meant, likely:
        # (height, width, channels).
        height, width, channels = shape
        warnings.warn(
            f"image_shape={shape} reads as {height} channels of {width} x {channels} images. "
            "Rows of X must be flattened channel-first images, (channels, height, width); "
            "for height-width-channel images (numpy, PIL, matplotlib) pass image_shape="
            f"{(channels, height, width)} and X = images.transpose(0, 3, 1, 2).reshape("
            "len(images), -1).", UserWarning, stacklevel=3)
    if n_features is not None and math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={shape} holds {math.prod(shape)} values but X has {n_features} "
            "features; each row of X must be one flattened image."
        )
    return shape if len(shape) == 3 else (1, *shape)


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
