"""The progress bar: fits 80 columns, shows each distinct loss once, says when it stopped."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skae import AutoencoderClassifier, AutoencoderTransformer, VariationalAutoencoder
from skae.nn.callbacks import ProgressBar


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:200]


def _bar_lines(text):
    """Every state the bar was drawn in, as the terminal shows them."""
    return [line.rstrip() for line in re.split(r"[\r\n]", text) if line.strip()]


def _fit(estimator, X, capsys, monkeypatch, *args):
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: the bar still keeps to 80
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(verbose=1).fit(X, *args)
    lines = _bar_lines(capsys.readouterr().err)
    assert lines and all(line.startswith(f"{type(estimator).__name__}: ") for line in lines)
    assert max(len(line) for line in lines) <= 80, lines
    return lines


def test_single_term_objective_shows_loss_and_val_loss_once(X, capsys, monkeypatch):
    ae = AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=3, early_stopping=True,
                                n_iter_no_change=50, random_state=0)
    last = _fit(ae, X, capsys, monkeypatch)[-1]
    # train_loss equals train_reconstruction here: only one of them is shown.
    assert re.search(r"\| 3/3 \[[\d:]+, loss=[\d.e+-]+ val_loss=[\d.e+-]+\]$", last), last
    assert "rec=" not in last and last.count("loss=") == 2
    value = float(re.search(r" loss=([\d.e+-]+)", last).group(1))
    assert value == pytest.approx(ae.loss_curve_[-1], rel=5e-3)  # 3 significant digits


def test_several_terms_are_shown_each_once(X, capsys, monkeypatch):
    vae = VariationalAutoencoder(hidden_layer_sizes=(16,), max_iter=2, random_state=0)
    last = _fit(vae, X, capsys, monkeypatch)[-1]
    keys = re.findall(r"(\w+)=", last)
    assert keys == ["loss", "rec", "kl"], last
    clf = AutoencoderClassifier(
        AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=2, random_state=0),
        max_iter=2, random_state=0)
    y = np.where(np.arange(len(X)) < 50, np.arange(len(X)) % 3, -1)
    last = _fit(clf, X, capsys, monkeypatch, y)[-1]
    keys = re.findall(r"(\w+)=", last)
    assert len(keys) == len(set(keys)) and keys[0] == "loss" and "clf" in keys, last


def test_an_early_stop_closes_the_bar_saying_so(X, capsys, monkeypatch):
    ae = AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=500, early_stopping=True,
                                n_iter_no_change=2, tol=1.0, random_state=0)
    lines = _fit(ae, X, capsys, monkeypatch)
    assert ae.n_iter_ < ae.max_iter
    assert f"stopped early at epoch {ae.n_iter_} " in lines[-1], lines[-1]
    assert "val_loss=" in lines[-1] and "/500" not in lines[-1]


def test_the_bar_is_drawn_on_a_terminal_that_reports_zero_size(monkeypatch):
    """A pseudo-terminal of 0 x 0 (``script``, CI runners) made tqdm draw nothing."""
    import io
    import os
    import shutil
    import sys

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda *a: os.terminal_size((0, 0)))
    assert shutil.get_terminal_size((80, 24)) == (80, 24)

    class Trainer:
        diverged = interrupted = stop_training = False

    class Terminal(io.StringIO):
        def fileno(self):
            return 2

    out = Terminal()
    monkeypatch.setattr(sys, "stderr", out)  # tqdm asks the size of stderr only
    bar = ProgressBar(2, "Model")
    bar.on_train_begin(Trainer())
    for epoch in (1, 2):
        bar.on_epoch_end(Trainer(), {"epoch": epoch, "train_reconstruction": 0.5,
                                     "train_loss": 0.5})
    bar.on_train_end(Trainer())
    lines = _bar_lines(out.getvalue())
    assert lines[-1].startswith("Model: |") and lines[-1].endswith("2/2 [00:00, loss=0.5]")
    assert len(lines[-1]) == 80
