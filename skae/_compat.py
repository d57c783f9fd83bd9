"""The one place that imports scikit-learn's private helpers, so a rename upstream is one edit."""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, Options, StrOptions
from sklearn.utils.validation import validate_data

__all__ = ["Constraint", "HasMethods", "Interval", "StrOptions", "_fit_context",
           "validate_data"]


class Constraint(Options):
    """Base of skae's own parameter constraints: define ``is_satisfied_by`` and ``__str__``.

    sklearn accepts only its own constraint classes in ``_parameter_constraints``; this one
    derives from ``Options`` to be accepted, and uses none of it.
    """

    def __init__(self):
        super().__init__(object, set())
