"""Every examples/plot_*.py runs to the end in quick mode, so none of them rots.

The examples run in this process, as sphinx-gallery runs a gallery's scripts: each one is a
script run as ``__main__`` in a fresh namespace, in its own working directory. A separate
process per example paid again for its imports (torch, sklearn and umap-learn: 4.4 s) and, in
an example that runs UMAP, for numba compiling it (plot_latent_clustering: 28.4 s in a
process of its own, 12-14 s in the suite's).
"""

import runpy
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 3


# Quick mode trains for a few epochs, so the examples' models stop at max_iter; in the two
# examples below the shortest runs (20 epochs of a 32-unit model on wine-sized data, 5 epochs
# of the variants) do not yet beat predicting the mean, which they say. umap-learn notes that
# a seed turns its parallelism off, which is what the examples ask for.
_LEARNS_NOTHING_IN_QUICK_MODE = {"plot_anomaly_detection.py", "plot_compare_variants.py"}


def _example(path):
    marks = ()
    if path.name in _LEARNS_NOTHING_IN_QUICK_MODE:
        marks = pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
    return pytest.param(path, marks=marks, id=path.name)


@pytest.mark.timeout(120)
@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:n_jobs value .* overridden:UserWarning")
@pytest.mark.parametrize("script", [_example(path) for path in EXAMPLES])
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKAE_EXAMPLES_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script)])
    try:
        # An example may set warning filters for its reader; they stay in the example.
        with warnings.catch_warnings():
            runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    # Each example writes its figure into the working directory.
    assert list(tmp_path.rglob("*.png")), f"{script.name} wrote no figure"
    assert capsys.readouterr().out, f"{script.name} printed nothing"
