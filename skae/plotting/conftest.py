"""The displays' doctests draw off screen and close their figures, so the examples need not."""

import pytest


@pytest.fixture(autouse=True)
def _draw_off_screen():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
