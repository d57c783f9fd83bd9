"""The package's doctests: examples that train a few epochs, so that they run in a moment."""

import pytest


def pytest_collection_modifyitems(items):
    # An example fits a handful of epochs to show the API, not to train a good model:
    # stopping at max_iter is what it means to do, so that ConvergenceWarning is expected.
    # (A model that learned nothing still warns: an example must not show one.)
    expected = pytest.mark.filterwarnings(
        "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
    for item in items:
        if type(item).__name__ == "DoctestItem":
            item.add_marker(expected)
