"""Images in the displays: which shape a row of X has, and the one routine that draws a grid.

Shapes follow skae's convention (:mod:`skae._images`): ``(channels, height, width)``, or
``(height, width)`` for one channel. One channel is drawn with a colour map, three or four
as RGB or RGBA.
"""

import math

import numpy as np
from sklearn.utils.validation import check_array

from .._images import check_image_shape

_CHANNELS = {1: "grey", 3: "RGB", 4: "RGBA"}


def check_rows(X, name="X"):
    """Flat rows of an array of samples, and the shape of one sample when X holds images.

    Arrays of images, ``(n_samples, height, width)`` or ``(n_samples, channels, height,
    width)``, are flattened and their image shape returned; 2-D arrays come back with None.
    """
    X = np.asarray(X)
    if X.ndim > 2:
        return X.reshape(len(X), -1), X.shape[1:]
    return check_array(X, input_name=name, dtype=np.float64, ensure_all_finite=False), None


def drawable_shape(image_shape, n_features):
    """``(channels, height, width)`` of an image shape the displays can draw."""
    shape = check_image_shape(image_shape, n_features, allow_2d=True)
    if shape[0] not in _CHANNELS:
        raise ValueError(
            f"image_shape={shape} has {shape[0]} channels; images are drawn from 1 (grey), "
            "3 (RGB) or 4 (RGBA) channels, given first: (channels, height, width)."
        )
    return shape


def resolve_image_shape(n_features, image_shape, estimator=None, *, required=False):
    """The shape of one image of ``n_features`` values, or None when there is none.

    Order: the ``image_shape`` argument, the estimator's own ``image_shape`` parameter (as
    convolutional models have), then a square ``side x side`` when ``n_features`` is a
    perfect square of at least 16.
    """
    if image_shape is None and estimator is not None:
        image_shape = getattr(estimator, "image_shape", None)
    if image_shape is not None:
        drawable_shape(image_shape, n_features)
        return tuple(int(s) for s in image_shape)
    side = math.isqrt(n_features)
    if side * side == n_features and n_features >= 16:
        return (side, side)
    if required:
        raise ValueError(
            f"Cannot infer the image shape of {n_features} features (not a square); pass "
            "image_shape=(height, width) or (channels, height, width)."
        )
    return None


def _as_image(row, shape, vmin, vmax):
    """One flat row as an array imshow draws: (H, W) for grey, (H, W, C) in [0, 1] for colour."""
    channels, height, width = shape
    image = np.asarray(row, dtype=float).reshape(shape)
    if channels == 1:
        return image[0]
    # Colour bypasses the colour map, so it is scaled to [0, 1] over the same range as grey.
    return np.clip((np.moveaxis(image, 0, -1) - vmin) / ((vmax - vmin) or 1.0), 0.0, 1.0)


def _step(centers):
    return abs(centers[1] - centers[0]) if len(centers) > 1 else 1.0


def image_grid(ax, images, image_shape, *, n_cols, cmap="gray_r", vmin, vmax, centers=None):
    """Draw flat images in a grid on ``ax``, row by row from the top; return their AxesImages.

    Parameters
    ----------
    ax : matplotlib Axes
    images : array-like of shape (n_images, n_features)
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    n_cols : int
        Images per row of the grid.
    cmap : str, default="gray_r"
        Colour map of one-channel images.
    vmin, vmax : float
        Range of the values drawn: the colour map's for one channel, mapped to [0, 1] for
        colour images.
    centers : tuple of 2 array-like, default=None
        ``(x of each column, y of each row)`` in data coordinates, the top row first and the
        y axis pointing up: images are centred there, a little smaller than the grid step
        (the latent axes of ``ManifoldDisplay``). None lays the grid out in pixels, images
        separated by a gap, with the y axis pointing down as in an image.

    Returns
    -------
    images : list of matplotlib AxesImage
    """
    images = np.asarray(images, dtype=float)
    images = images.reshape(len(images), -1)
    shape = drawable_shape(image_shape, images.shape[1])
    _, height, width = shape
    if centers is None:
        gap = 0.12 * max(height, width)
        xs = np.arange(n_cols) * (width + gap) + width / 2
        ys = np.arange(math.ceil(len(images) / n_cols)) * (height + gap) + height / 2
        # A negative half height puts each image's first row at the smaller y.
        half_w, half_h = width / 2, -height / 2
        step_x, step_y = width + gap, height + gap
    else:
        xs, ys = (np.asarray(c, dtype=float) for c in centers)
        step_x, step_y = _step(xs), _step(ys)
        # Cells a little smaller than the grid step leave a white gap between images.
        half_w, half_h = 0.44 * step_x, 0.44 * step_y
    drawn = []
    for i, row in enumerate(images):
        cx, cy = xs[i % n_cols], ys[i // n_cols]
        drawn.append(ax.imshow(_as_image(row, shape, vmin, vmax), cmap=cmap, vmin=vmin,
                               vmax=vmax, interpolation="nearest", origin="upper",
                               extent=(cx - half_w, cx + half_w, cy - half_h, cy + half_h)))
    ax.set_xlim(xs.min() - step_x / 2, xs.max() + step_x / 2)
    y_lim = (ys.min() - step_y / 2, ys.max() + step_y / 2)
    ax.set_ylim(y_lim[::-1] if centers is None else y_lim)
    ax.set_aspect(1.0 if centers is None else step_x / step_y)
    return drawn
