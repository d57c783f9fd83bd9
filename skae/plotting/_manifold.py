"""ManifoldDisplay: a regular grid of a 2-D latent space, decoded into images."""

from numbers import Integral

import numpy as np

from ._base import Display, check_fitted, estimator_name, new_axes
from ._images import image_grid, resolve_image_shape


class ManifoldDisplay(Display):
    """A grid of points of a 2-D latent space decoded into images.

    Parameters
    ----------
    images : ndarray of shape (n_rows * n_cols, n_features)
        The decoded images, row by row from the top (highest second coordinate).
    grid_x : ndarray of shape (n_cols,)
        First latent coordinate of each column.
    grid_y : ndarray of shape (n_rows,)
        Second latent coordinate of each row, decreasing (top row first).
    image_shape : tuple of int
        ``(height, width)`` or ``(channels, height, width)`` of one image.
    estimator_name : str, default=None

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
    ax_ : matplotlib Axes
        Its axes are the latent coordinates.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> from skae.plotting import ManifoldDisplay
    >>> X, _ = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=2, max_iter=5, random_state=0).fit(X)
    >>> len(ManifoldDisplay.from_estimator(ae, X, n_per_side=5).images_)
    25
    """

    def __init__(self, images, grid_x, grid_y, *, image_shape, estimator_name=None):
        self.images = images
        self.grid_x = grid_x
        self.grid_y = grid_y
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X=None, *, n_per_side=15, extent=None,
                       quantiles=(0.02, 0.98), image_shape=None, ax=None, cmap="gray_r"):
        """Decode a regular grid of the estimator's 2-D latent space.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with a 2-D ``transform`` and ``inverse_transform``.
        X : array-like of shape (n_samples, n_features), default=None
            Data whose codes set the extent of the grid (between ``quantiles`` of each
            coordinate). Without it, pass ``extent``; an estimator with ``sample`` (a
            variational model, whose prior is a standard normal) defaults to the
            standard normal quantiles.
        n_per_side : int, default=15
            Grid points along each axis.
        extent : tuple of 4 floats, default=None
            ``(x_min, x_max, y_min, y_max)`` of the grid in latent coordinates.
        quantiles : tuple of 2 floats, default=(0.02, 0.98)
            Extent of the grid from the codes of ``X``.
        image_shape : tuple of int, default=None
            ``(height, width)`` or ``(channels, height, width)``; inferred from the
            estimator's ``image_shape`` or a square number of features.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : ManifoldDisplay
        """
        check_fitted(estimator)
        if not isinstance(n_per_side, Integral) or n_per_side < 2:
            raise ValueError(f"n_per_side must be an int of at least 2, got {n_per_side!r}.")
        if extent is None and X is not None:
            Z = np.asarray(estimator.transform(X), dtype=float)
            if Z.shape[1] != 2:
                raise ValueError(
                    f"ManifoldDisplay needs a 2-D latent space, {estimator_name(estimator)} "
                    f"has {Z.shape[1]} dimensions."
                )
            lo, hi = np.quantile(Z, quantiles, axis=0)
            extent = (lo[0], hi[0], lo[1], hi[1])
        elif extent is None and hasattr(estimator, "sample"):
            from scipy.stats import norm

            lo, hi = norm.ppf(quantiles)
            extent = (lo, hi, lo, hi)
        elif extent is None:
            raise ValueError("Pass X (data whose codes set the grid) or extent=(x_min, x_max, "
                             "y_min, y_max).")
        if len(extent) != 4:
            raise ValueError(f"extent must be (x_min, x_max, y_min, y_max), got {extent!r}.")
        grid_x = np.linspace(extent[0], extent[1], n_per_side)
        grid_y = np.linspace(extent[3], extent[2], n_per_side)
        codes = np.array([[gx, gy] for gy in grid_y for gx in grid_x])
        images = np.asarray(estimator.inverse_transform(codes), dtype=float)
        images = images.reshape(len(images), -1)
        shape = resolve_image_shape(images.shape[1], image_shape, estimator, required=True)
        return cls(images, grid_x, grid_y, image_shape=shape,
                   estimator_name=estimator_name(estimator)).plot(ax=ax, cmap=cmap)

    def plot(self, ax=None, *, cmap="gray_r"):
        """Draw each decoded image centred on its latent coordinates.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : ManifoldDisplay
        """
        images = np.asarray(self.images, dtype=float)
        gx, gy = np.asarray(self.grid_x, float), np.asarray(self.grid_y, float)
        if len(images) != len(gx) * len(gy):
            raise ValueError(f"images must hold {len(gx)} x {len(gy)} = {len(gx) * len(gy)} "
                             f"images, got {len(images)}.")
        ax = new_axes(ax, figsize=(7.0, 7.0))
        self.images_ = image_grid(ax, images, self.image_shape, n_cols=len(gx), cmap=cmap,
                                  vmin=min(0.0, images.min()), vmax=max(1.0, images.max()),
                                  centers=(gx, gy))
        ax.set_xlabel("latent 1")
        ax.set_ylabel("latent 2")
        return self._finish(ax, f"decoded latent grid ({len(gx)} x {len(gy)})")
