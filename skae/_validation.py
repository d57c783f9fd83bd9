"""Input and parameter checks: scikit-learn's ``validate_data`` and parameter constraints,
plus what they lack for a float32 torch model."""

from collections.abc import Iterable
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array

from ._bridge import is_device
from ._compat import Constraint, validate_data
from ._images import check_image_shape

FLOAT_DTYPES = (np.float64, np.float32)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def validate_X(estimator, X, *, reset):
    """``validate_data`` (``check_array`` when ``reset`` is None: latent codes, not the
    estimator's input) to a float array, plus what a float32 torch model needs.

    Every skae estimator checks its ``X`` here, so bad input meets the same messages
    whichever estimator or method receives it.
    """
    name = type(estimator).__name__
    if X is None:
        # sklearn's own message speaks of a "scalar array ... nan".
        raise ValueError("X is None; expected an array-like of shape (n_samples, n_features).")
    dtypes = getattr(X, "dtypes", None)  # a pandas DataFrame's: one per column
    # A numpy array has none, a pandas Series one (sklearn then names its 1-D shape).
    dtypes = (list(dtypes) if isinstance(dtypes, Iterable)
              else [getattr(X, "dtype", None)])
    if any(getattr(dtype, "kind", None) in ("M", "m") for dtype in dtypes):
        # sklearn turns datetime64 arrays into floats without a word.
        raise TypeError(
            f"{name} expects numeric input, got dates or durations (datetime64 or "
            "timedelta64). Turn them into numeric features first, e.g. days since a "
            "reference date."
        )
    text = _text_columns(X, dtypes)
    if text:
        which = (f"columns {', '.join(map(repr, text))} hold" if len(text) > 1
                 else f"column {text[0]!r} holds")
        raise ValueError(
            f"{name} expects numeric input, but X's {which} text or categories. Encode "
            "them first, e.g. with "
            "sklearn.preprocessing.OneHotEncoder in a sklearn.compose.ColumnTransformer "
            "before this estimator in a Pipeline, or drop them."
        )
    if reset is None:
        X = check_array(X, dtype=FLOAT_DTYPES, input_name="X")
    else:
        X = validate_data(estimator, X, dtype=FLOAT_DTYPES, reset=reset)
    if X.dtype == np.float64 and X.size:
        # The model computes in float32: larger values would turn into inf on the cast.
        largest = max(-float(X.min()), float(X.max()))
        if largest > _FLOAT32_MAX:
            raise ValueError(
                f"X holds values up to {largest:.3g} in magnitude, beyond the float32 "
                f"range (+-{_FLOAT32_MAX:.3g}) that {name} computes in. Rescale X first, "
                "e.g. with sklearn.preprocessing.StandardScaler."
            )
    return X


def _text_columns(X, dtypes):
    """The names of a DataFrame's columns that do not convert to numbers (words,
    categories): scikit-learn's own message names a value, not its column."""
    columns = getattr(X, "columns", None)
    if columns is None or len(dtypes) != len(columns):
        return []
    names = []
    for column, dtype in zip(columns, dtypes):
        if getattr(dtype, "kind", None) not in ("O", "U", "S"):
            continue
        try:
            np.asarray(X[column], dtype=np.float64)
        except (ValueError, TypeError):
            names.append(str(column))
    return names


def check_float32_range(values, message):
    """Raise ``ValueError(message)`` unless ``values`` fit in float32; return them as such."""
    with np.errstate(over="ignore"):
        values = values.astype(np.float32)
    if not np.isfinite(values).all():
        raise ValueError(message)
    return values


def _positive_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool) and value > 0


class PositiveIntSequence(Constraint):
    """A sequence of positive ints of length ``length`` (any length when None); with
    ``allow_empty``, the empty sequence too."""

    def __init__(self, length=None, *, allow_empty=False):
        super().__init__()
        self.length = length
        self.allow_empty = allow_empty

    def is_satisfied_by(self, val):
        if isinstance(val, (str, bytes)) or not hasattr(val, "__iter__"):
            return False
        try:
            values = list(val)
        except TypeError:
            return False
        if self.length is not None and len(values) != self.length:
            return False
        return (bool(values) or self.allow_empty) and all(_positive_int(v) for v in values)

    def __str__(self):
        what = "a sequence" if self.length is None else f"a sequence of {self.length}"
        empty = " (possibly empty)" if self.allow_empty else ""
        return f"{what}{empty} of positive ints"


class Device(Constraint):
    """``"auto"``, or a torch device (or its name) of type cpu, cuda or mps."""

    def is_satisfied_by(self, val):
        return is_device(val)

    def __str__(self):
        return "'auto', 'cpu', 'cuda', 'cuda:N', 'mps' or a torch.device"


class ImageShape(Constraint):
    """``(channels, height, width)``, three positive ints (with ``allow_2d``, or
    ``(height, width)``): the image convention of :mod:`skae._images`, checked by its
    ``check_image_shape``. Whether the shape holds a row of ``X`` is checked at fit time,
    where ``X`` is known."""

    def __init__(self, allow_2d=False):
        super().__init__()
        self.allow_2d = allow_2d

    def is_satisfied_by(self, val):
        if isinstance(val, str):
            return False
        try:
            check_image_shape(val, allow_2d=self.allow_2d)
        except (TypeError, ValueError):
            return False
        return True

    def __str__(self):
        if self.allow_2d:
            return "(height, width) or (channels, height, width), positive ints"
        return "(channels, height, width), three positive ints"
