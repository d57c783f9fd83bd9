"""Helpers every display shares: new axes, titles, the fitted check, the attributes it sets."""

from sklearn.utils.validation import check_is_fitted


def pyplot():
    import matplotlib.pyplot as plt

    return plt


def new_axes(ax, figsize):
    if ax is None:
        _, ax = pyplot().subplots(figsize=figsize, layout="constrained")
    return ax


def check_fitted(estimator):
    # Duck typing: a stand-in without ``fit`` (already fitted, say) is fine too.
    if hasattr(estimator, "fit"):
        check_is_fitted(estimator)


def estimator_name(estimator):
    return type(estimator).__name__


def set_title(ax, estimator_name, text):
    """Title ``name: text``, on two lines when one would not fit the figure's width."""
    title = f"{estimator_name}: {text}" if estimator_name else text
    width_chars = 10 * ax.figure.get_figwidth() * ax.get_position().width / 0.8
    if estimator_name and len(title) > width_chars:
        title = f"{estimator_name}\n{text}"
    ax.set_title(title)


class Display:
    """What every display ends ``plot`` with: a title, then ``ax_`` and ``figure_``."""

    def _finish(self, ax, title):
        set_title(ax, self.estimator_name, title)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
