"""LossCurveDisplay: the loss terms per epoch, training and validation."""

import numpy as np

from ._base import Display, check_fitted, estimator_name, pyplot

_SPLIT_LABELS = {"train": "training", "valid": "validation"}


class LossCurveDisplay(Display):
    """Training and validation loss per epoch, one panel per loss term.

    Use :meth:`from_estimator` on a fitted estimator with ``history_`` (or ``loss_curve_``).

    Parameters
    ----------
    history : list of dict
        One dict per epoch with ``"epoch"`` and ``"train_<term>"`` / ``"valid_<term>"``
        values, such as the estimator's ``history_``.
    estimator_name : str, default=None
        Shown in the title.

    Attributes
    ----------
    terms_ : list of str
        The loss terms drawn, ``"loss"`` (the total) first.
    lines_ : dict of (str, str) -> matplotlib Line2D
        The line of each ``(split, term)``, split being ``"train"`` or ``"valid"``.
    axes_ : ndarray of matplotlib Axes
        One axes per term, or a single one when ``ax`` was a single axes.
    ax_ : matplotlib Axes
        The first axes (the total loss).
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> from skae.plotting import LossCurveDisplay
    >>> X, _ = load_digits()
    >>> ae = AutoencoderTransformer(max_iter=5, early_stopping=True, random_state=0).fit(X)
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> display.terms_
    ['loss', 'reconstruction', 'manifold']
    >>> sorted(display.lines_)[:3]
    [('train', 'loss'), ('train', 'manifold'), ('train', 'reconstruction')]
    """

    def __init__(self, history, *, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, yscale="linear"):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``history_`` (every loss term per epoch) or ``loss_curve_``.
        ax : matplotlib Axes or array of Axes, default=None
            Where to draw: one axes per term, or a single axes for every term.
            ``None`` makes a new figure.
        yscale : {"linear", "log"}, default="linear"
            Scale of the loss axis.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_fitted(estimator)
        history = getattr(estimator, "history_", None)
        if history is None:
            curve = getattr(estimator, "loss_curve_", None)
            if curve is None:
                raise ValueError(
                    f"{estimator_name(estimator)} has neither history_ nor loss_curve_; "
                    "LossCurveDisplay needs one of them."
                )
            history = [{"epoch": i + 1, "train_loss": v} for i, v in enumerate(curve)]
        return cls(history, estimator_name=estimator_name(estimator)).plot(
            ax=ax, yscale=yscale)

    def _terms(self):
        names = []
        for row in self.history:
            for key in row:
                split, _, term = key.partition("_")
                if split in _SPLIT_LABELS and term and term not in names:
                    names.append(term)
        if "loss" not in names:
            raise ValueError(
                "history must hold 'train_loss' for each epoch, got keys "
                f"{sorted({k for row in self.history for k in row})}."
            )
        others = [t for t in names if t != "loss"]
        # With no penalty the reconstruction term is the loss itself: one panel says it all.
        if others == ["reconstruction"]:
            others = []
        return ["loss", *others]

    def _series(self, split, term):
        key = f"{split}_{term}"
        values = np.array([row.get(key, np.nan) for row in self.history], dtype=float)
        return None if np.all(np.isnan(values)) else values

    def plot(self, ax=None, *, yscale="linear"):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            One axes per term, or a single axes that gets every term. ``None`` makes a
            new figure with one panel per term.
        yscale : {"linear", "log"}, default="linear"

        Returns
        -------
        display : LossCurveDisplay
        """
        if not self.history:
            raise ValueError("history is empty: the estimator has not trained any epoch.")
        terms = self._terms()
        epochs = np.array([row.get("epoch", i + 1) for i, row in enumerate(self.history)])
        if ax is None:
            _, axes = pyplot().subplots(1, len(terms), figsize=(4.8 * len(terms), 3.6),
                                        layout="constrained", squeeze=False)
            axes = axes.ravel()
        else:
            axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
            if len(axes) not in (1, len(terms)):
                raise ValueError(
                    f"ax must be a single Axes or one per loss term ({len(terms)}: "
                    f"{', '.join(terms)}), got {len(axes)}."
                )
        shared = len(axes) == 1 and len(terms) > 1
        self.lines_ = {}
        for i, term in enumerate(terms):
            panel = axes[0] if shared else axes[i]
            for split, style in (("train", "-"), ("valid", "--")):
                values = self._series(split, term)
                if values is None:
                    continue
                label = f"{_SPLIT_LABELS[split]} {term}" if shared else _SPLIT_LABELS[split]
                color = f"C{i}" if shared else ("C0" if split == "train" else "C1")
                (self.lines_[split, term],) = panel.plot(epochs, values, style, color=color,
                                                         label=label)
            if not shared:
                panel.set_title(f"{term} per epoch" if term != "loss" else "total loss")
                panel.set_ylabel(term)
        valid = self._series("valid", "loss")
        if valid is not None and np.any(np.isfinite(valid)):
            best = int(np.nanargmin(valid))
            axes[0].axvline(epochs[best], color="0.5", linestyle=":",
                            label=f"best validation epoch ({epochs[best]})")
        for panel in axes:
            panel.set_xlabel("epoch")
            panel.set_yscale(yscale)
            panel.grid(alpha=0.3)
            panel.legend()
        if shared:
            axes[0].set_ylabel("loss")
        self.terms_ = terms
        self.axes_ = axes
        return self._finish(axes[0], axes[0].get_title() or "loss per epoch")
