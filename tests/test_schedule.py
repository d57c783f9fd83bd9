"""The learning-rate schedule and early_stopping="auto"."""

import math
import warnings

import numpy as np
import pytest
import torch

from skae import AutoencoderTransformer
from skae.nn.callbacks import CosineSchedule


class _FakeTrainer:
    def __init__(self, lr):
        param = torch.nn.Parameter(torch.zeros(1))
        self.optimizer = torch.optim.SGD([param], lr=lr)


def test_cosine_schedule_values():
    schedule = CosineSchedule(0.01, total=12, warmup=2)
    # Warm-up: 1/2 then 2/2 of the peak.
    assert schedule.lr_at(1) == pytest.approx(0.005)
    assert schedule.lr_at(2) == pytest.approx(0.01)
    # Decay over the 10 epochs after it: the peak, half way at t = 1/2, near zero at the end.
    assert schedule.lr_at(3) == pytest.approx(0.01)
    assert schedule.lr_at(8) == pytest.approx(0.005)
    assert schedule.lr_at(12) == pytest.approx(0.01 * (1 + math.cos(0.9 * math.pi)) / 2)
    assert schedule.lr_at(13) == pytest.approx(0.0)
    assert CosineSchedule(1.0, 3, final_lr=0.5).lr_at(5) == pytest.approx(0.5)


def test_cosine_schedule_sets_the_optimizer():
    trainer = _FakeTrainer(lr=1.0)
    schedule = CosineSchedule(0.01, total=12, warmup=2)
    schedule.on_epoch_begin(trainer, 8)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.005)


@pytest.mark.parametrize("n_samples, expected", [(10_000, False), (10_001, True)])
def test_early_stopping_auto_switches_on_above_10000_samples(n_samples, expected):
    X = np.random.RandomState(0).rand(n_samples, 3)
    est = AutoencoderTransformer(latent_dim=1, hidden_layer_sizes=(2,), max_iter=1,
                                 batch_size=4096, random_state=0)
    assert est.early_stopping == "auto"
    with pytest.warns(Warning):  # max_iter=1: not converged
        est.fit(X)
    assert est.do_early_stopping_ is expected
    assert hasattr(est, "validation_loss_curve_") is expected


@pytest.mark.parametrize("early_stopping", [True, False])
def test_early_stopping_bool_overrides_the_size_rule(early_stopping):
    X = np.random.RandomState(0).rand(200, 3)
    est = AutoencoderTransformer(latent_dim=1, hidden_layer_sizes=(2,), max_iter=1,
                                 early_stopping=early_stopping, random_state=0)
    with pytest.warns(Warning):
        est.fit(X)
    assert est.do_early_stopping_ is early_stopping
    assert hasattr(est, "validation_loss_curve_") is early_stopping


def test_cosine_learning_rate_is_what_fit_trains_with():
    X = np.random.RandomState(0).rand(64, 3)
    seen = []

    class Spy:
        def on_epoch_end(self, trainer, row):
            seen.append(trainer.optimizer.param_groups[0]["lr"])

    est = AutoencoderTransformer(latent_dim=1, hidden_layer_sizes=(2,), max_iter=40,
                                 learning_rate="cosine", learning_rate_init=0.01,
                                 tol=0.0, n_iter_no_change=40, random_state=0)
    # max_iter // 20 = 2 warm-up epochs, then the decay over the other 38.
    expected = [CosineSchedule(0.01, 40, warmup=2).lr_at(e) for e in range(1, 41)]
    est._schedule = lambda max_iter, partial, schedule=est._schedule: (
        *schedule(max_iter, partial), Spy())
    est.fit(X)
    assert seen == pytest.approx(expected)
    assert seen[0] == pytest.approx(0.005) and seen[2] == pytest.approx(0.01)


def test_constant_learning_rate_and_partial_fit_have_no_schedule():
    est = AutoencoderTransformer(learning_rate="cosine")
    assert est._schedule(10, partial=True) == ()
    assert AutoencoderTransformer()._schedule(10, partial=False) == ()


def test_learning_rate_is_validated():
    with pytest.raises(ValueError, match="learning_rate"):
        AutoencoderTransformer(learning_rate="adaptive").fit(np.ones((4, 2)))


def test_documented_fast_setting_is_a_valid_fit_that_runs_its_budget():
    # The learning_rate docs name a setting for users to copy; it must stay one that
    # AutoencoderTransformer accepts, that trains at its high peak rate without blowing up,
    # and that runs the whole cosine budget (no early stop cutting the decay short).
    import re

    from sklearn.datasets import load_digits

    doc = " ".join(AutoencoderTransformer.__doc__.split())
    found = re.search(r"``(manifold_weight=0, learning_rate=\"cosine\"[^`]*)``", doc)
    assert found, "the fast setting is no longer documented under learning_rate"
    params = eval(f"dict({found.group(1)})")  # noqa: S307 - our own docstring
    assert params["learning_rate"] == "cosine" and params["early_stopping"] is False
    X = load_digits().data[:600] / 16.0
    est = AutoencoderTransformer(latent_dim=2, random_state=0,
                                 **{**params, "max_iter": 8})
    est.fit(X)
    assert est.n_iter_ == 8 and not est.do_early_stopping_
    assert all(math.isfinite(loss) for loss in est.loss_curve_)
    assert est.loss_curve_[-1] < 0.5 * est.loss_curve_[0]


def test_reaching_max_iter_warns_only_without_a_schedule():
    # A cosine schedule spends max_iter by design (it is the budget the decay spans), so
    # reaching it is no reason to tell the user to raise it; at a constant rate it is.
    from sklearn.exceptions import ConvergenceWarning

    X = np.random.RandomState(0).rand(64, 3)
    params = dict(latent_dim=1, hidden_layer_sizes=(2,), max_iter=3, manifold_weight=0,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        AutoencoderTransformer(learning_rate="cosine", **params).fit(X)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        AutoencoderTransformer(learning_rate="constant", **params).fit(X)
