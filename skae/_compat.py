"""The one place that imports scikit-learn's private helpers, so a rename upstream is one edit."""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import validate_data

__all__ = ["HasMethods", "Interval", "StrOptions", "_fit_context", "validate_data"]
