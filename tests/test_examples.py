"""Every examples/plot_*.py runs to the end in quick mode, so none of them rots.

The examples run in this process, as sphinx-gallery runs a gallery's scripts: each one is a
script run as ``__main__`` in a fresh namespace, in its own working directory. A separate
process per example paid again for importing torch and for numba compiling UMAP (about 18 s
an example that uses UMAP, 4 s one that does not).
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


# Quick mode trains for a few epochs: the examples' models stop at max_iter and the shortest
# runs (5 epochs of the variants) may not beat predicting the mean, which they say. umap-learn
# notes that a seed turns its parallelism off, which is what the examples ask for.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:n_jobs value .* overridden:UserWarning")
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKAE_EXAMPLES_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
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
