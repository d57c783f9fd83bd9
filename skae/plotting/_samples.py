"""SampleDisplay: new samples drawn from a generative estimator."""

import math

import numpy as np

from ._base import Display, check_fitted, estimator_name, new_axes
from ._images import check_rows, image_grid, resolve_image_shape


class SampleDisplay(Display):
    """New samples drawn from a generative estimator (one with ``sample``), as images.

    Parameters
    ----------
    samples : ndarray of shape (n_samples, n_features)
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(channels, height, width)`` of one image; without it the
        samples are drawn as a heat map, one row each.
    estimator_name : str, default=None

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        One per sample in the image view, a single heat map otherwise.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skae.plotting import SampleDisplay
    >>> samples = np.random.RandomState(0).uniform(size=(8, 64))
    >>> len(SampleDisplay(samples, image_shape=(8, 8)).plot().images_)
    8
    """

    def __init__(self, samples, *, image_shape=None, estimator_name=None):
        self.samples = samples
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, n_samples=32, random_state=None, image_shape=None,
                       n_cols=None, ax=None, cmap="gray_r"):
        """Draw ``estimator.sample(n_samples, random_state=random_state)`` and plot it.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``sample(n_samples, random_state=...)`` returning an array of
            shape (n_samples, n_features) (or a tuple whose first item is that array).
        n_samples : int, default=32
        random_state : int, RandomState instance or None, default=None
        image_shape : tuple of int, default=None
            ``(height, width)`` or ``(channels, height, width)``; inferred from an array
            of images, the estimator's ``image_shape`` or a square number of features;
            without one, the samples are drawn as a heat map.
        n_cols : int, default=None
            Images per row; about the square root of ``n_samples`` by default.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : SampleDisplay
        """
        check_fitted(estimator)
        if not hasattr(estimator, "sample"):
            raise TypeError(f"{estimator_name(estimator)} has no sample method; "
                            "SampleDisplay needs a generative model.")
        samples = estimator.sample(n_samples, random_state=random_state)
        if isinstance(samples, tuple):
            samples = samples[0]
        samples, array_shape = check_rows(samples, "samples")
        shape = resolve_image_shape(samples.shape[1], image_shape or array_shape, estimator)
        return cls(samples, image_shape=shape, estimator_name=estimator_name(estimator)).plot(
            ax=ax, n_cols=n_cols, cmap=cmap)

    def plot(self, ax=None, *, n_cols=None, cmap="gray_r"):
        """Draw the samples in a grid of images (or a heat map without ``image_shape``).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        n_cols : int, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : SampleDisplay
        """
        samples = np.asarray(self.samples, dtype=float)
        samples = samples.reshape(len(samples), -1)
        n = len(samples)
        if self.image_shape is None:
            ax = new_axes(ax, figsize=(7.0, max(3.0, 0.25 * n + 1)))
            heat = ax.imshow(samples, aspect="auto", cmap="viridis", interpolation="nearest")
            self.images_ = [heat]
            ax.figure.colorbar(heat, ax=ax, label="value")
            ax.set_xlabel("feature")
            ax.set_ylabel("sample")
        else:
            n_cols = n_cols or math.ceil(math.sqrt(n))
            n_rows = math.ceil(n / n_cols)
            ax = new_axes(ax, figsize=(min(1.0 * n_cols + 0.5, 12),
                                       min(1.0 * n_rows + 0.8, 12)))
            self.images_ = image_grid(ax, samples, self.image_shape, n_cols=n_cols, cmap=cmap,
                                      vmin=min(0.0, samples.min()),
                                      vmax=max(1.0, samples.max()))
            ax.set_axis_off()
        return self._finish(ax, f"{n} generated samples")
