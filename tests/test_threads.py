"""The thread policy: chosen from the work's size, capped, overridable, and always undone."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_wine
from threadpoolctl import threadpool_limits

import skae
from skae import AutoencoderTransformer, DeepEmbeddedClustering
from skae import _threads
from skae._threads import WORK_PER_THREAD, choose_threads, module_work, usable_cores
from skae.nn.training import Trainer


@pytest.fixture(autouse=True)
def _caller_threads():
    """Each test sets the caller's torch setting itself; it is put back afterwards."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def seen(monkeypatch):
    """torch.get_num_threads() at every training step."""
    record = []
    original = Trainer.train_step

    def train_step(self, batch):
        record.append(torch.get_num_threads())
        return original(self, batch)

    monkeypatch.setattr(Trainer, "train_step", train_step)
    return record


def _wine():
    return load_wine().data.astype(np.float32)


def _fit(X, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AutoencoderTransformer(random_state=0, **params).fit(X)


def test_tiny_model_trains_on_one_thread_and_restores_the_callers_setting(seen):
    torch.set_num_threads(3)
    est = _fit(_wine(), max_iter=3, manifold_weight=0)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == 3

    inside = []
    est.module_.encoder.register_forward_pre_hook(
        lambda m, a: inside.append(torch.get_num_threads()))
    est.transform(_wine())
    est.score(_wine())
    assert inside and set(inside) == {1}
    assert torch.get_num_threads() == 3


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_setting_restored_after_an_exception(monkeypatch, error):
    # Trainer.fit itself raising: the Trainer turns a Ctrl-C inside a step into a clean
    # stop, so the interrupt is raised around it, where only the policy stands.
    def failing_fit(self, *args, **kwargs):
        assert torch.get_num_threads() == 1
        raise error("stop")

    monkeypatch.setattr(Trainer, "fit", failing_fit)
    torch.set_num_threads(3)
    with pytest.raises(error):
        _fit(_wine(), max_iter=3, manifold_weight=0)
    assert torch.get_num_threads() == 3


def test_config_context_overrides_and_is_undone(seen):
    torch.set_num_threads(1)
    with skae.config_context(n_threads=3):
        est = _fit(_wine(), max_iter=2)
        assert torch.get_num_threads() == 1  # only skae's own calls change
        inside = []
        est.module_.encoder.register_forward_pre_hook(
            lambda m, a: inside.append(torch.get_num_threads()))
        est.transform(_wine())
    assert set(seen) == {3} and set(inside) == {3}
    assert torch.get_num_threads() == 1
    assert _threads._config["n_threads"] == "auto"
    seen.clear()
    _fit(_wine(), max_iter=2)
    assert set(seen) == {1}


def test_config_context_rejects_bad_values():
    with pytest.raises(ValueError, match="n_threads must be 'auto', a positive int or -1, "
                                         "got 0"):
        with skae.config_context(n_threads=0):
            pass


def test_refinement_runs_under_the_policy(seen):
    torch.set_num_threads(3)
    X = _wine()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        DeepEmbeddedClustering(AutoencoderTransformer(max_iter=2, manifold_weight=0),
                               n_clusters=3, max_iter=2, random_state=0).fit(X)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == 3


def _reference_module():
    sizes = (784, 128, 64, 16, 2, 16, 64, 128, 784)
    return torch.nn.Sequential(*[torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])


def test_decision_from_work_size():
    wine = _fit(_wine(), max_iter=1).module_
    digits = _fit(np.random.RandomState(0).rand(300, 64).astype(np.float32), max_iter=1).module_
    reference = _reference_module()
    # The defaults on wine (178 rows a batch) and the digits (256) are tiny: one thread.
    assert choose_threads(module_work(wine, 178), 2) == 1
    assert choose_threads(module_work(digits, 256), 2) == 1
    # The 784-128-64-16-2 reference model at batch 256 gets the second core ...
    assert module_work(reference, 256) > 2 * WORK_PER_THREAD
    assert choose_threads(module_work(reference, 256), 2) == 2
    # ... and more when there are more, but never more than the cores.
    assert choose_threads(module_work(reference, 256), 64) == 5
    assert choose_threads(module_work(reference, 256), 1) == 1
    # Two calls running at once in threads share the cores.
    assert choose_threads(module_work(reference, 256), 2, active=2) == 1
    assert choose_threads(module_work(reference, 256), 2, n_threads=7) == 7


@pytest.mark.skipif(usable_cores() < 2, reason="needs 2 usable cores")
def test_the_neighbour_graph_terms_rows_count_as_work(seen, monkeypatch):
    # The default objective encodes both ends of 8 x batch graph edges a step: 17 x the
    # batch's rows through the encoder, enough work on wine for two threads (measured
    # faster: benchmarks/speed.py, table 6); without the term the same model stays on one.
    monkeypatch.setattr(_threads, "free_cpus", lambda: 2)
    torch.set_num_threads(2)
    _fit(_wine(), max_iter=12)
    assert set(seen) == {2}
    seen.clear()
    _fit(_wine(), max_iter=12, manifold_weight=0)
    assert set(seen) == {1}


def test_a_program_passing_by_leaves_the_cores_free(monkeypatch):
    # One reading of another runnable thread in three is a passer-by; one at every reading
    # holds a core.
    import os

    readings = iter([1, 0, 1])
    monkeypatch.setattr(_threads, "others_running", lambda: next(readings))
    assert _threads.free_cpus() == os.cpu_count()
    monkeypatch.setattr(_threads, "others_running", lambda: 1)
    assert _threads.free_cpus() == os.cpu_count() - 1


class _OwnObjective(AutoencoderTransformer):
    """A variant with an objective of its own that does not declare ``extra_rows``."""

    def training_objective(self):
        plain = super().training_objective()

        class Own:
            reconstruction = plain.reconstruction

            def __call__(self, module, x, *, training=False, generator=None):
                return plain(module, x, training=training, generator=generator)

        return Own()


def test_an_objective_of_ones_own_trains_and_refines(seen):
    # It declares no rows beyond its batch: the policy counts the batch alone, in the fit
    # and in a refinement that reuses the objective.
    torch.set_num_threads(2)
    ae = _OwnObjective(max_iter=3, manifold_weight=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        DeepEmbeddedClustering(ae, n_clusters=3, max_iter=2, random_state=0).fit(_wine())
    assert seen and set(seen) == {1}


def test_usable_cores_respects_affinity():
    import os

    assert 1 <= usable_cores() <= len(os.sched_getaffinity(0))


def _big_fit(**params):
    X = np.random.RandomState(0).rand(2048, 784).astype(np.float32)
    return _fit(X, latent_dim=2, batch_size=256, max_iter=2, tol=0, **params)


@pytest.mark.skipif(usable_cores() < 2, reason="needs 2 usable cores")
def test_large_work_trains_on_its_chosen_threads_under_its_ceiling(seen, monkeypatch):
    monkeypatch.setattr(_threads, "free_cpus", lambda: 2)  # whatever else runs here
    torch.set_num_threads(2)
    _big_fit()
    assert set(seen) == {2}
    assert torch.get_num_threads() == 2

    # An active threadpoolctl limit (or OMP_NUM_THREADS, or a joblib worker's limit) is the
    # ceiling: nothing above it is tried.
    seen.clear()
    with threadpool_limits(limits=1):
        _big_fit()
        assert torch.get_num_threads() == 1
    assert set(seen) == {1}


@pytest.mark.skipif(usable_cores() < 2, reason="needs 2 usable cores")
def test_a_fit_on_an_idle_machine_is_reproducible(seen, monkeypatch):
    # The thread count changes torch's rounding and training amplifies it (a default fit
    # of the digits on one thread and on two differ by half the codes' range), so an idle
    # machine must train every step of every run on the same count.
    monkeypatch.setattr(_threads, "free_cpus", lambda: 2)
    torch.set_num_threads(2)
    X = np.random.RandomState(0).rand(600, 64).astype(np.float32)
    first, second = (_fit(X, latent_dim=4, max_iter=8).transform(X) for _ in range(2))
    assert set(seen) == {2}
    np.testing.assert_array_equal(first, second)


@pytest.mark.skipif(usable_cores() < 2, reason="needs 2 usable cores")
def test_a_program_running_beside_leaves_one_thread(seen, monkeypatch):
    monkeypatch.setattr(_threads, "free_cpus", lambda: 1)
    torch.set_num_threads(2)
    _big_fit()
    assert set(seen) == {1}
    assert torch.get_num_threads() == 2


def test_load_watch_gives_up_threads_while_the_machine_is_busy(monkeypatch):
    clock = [0.0]
    free = [2]
    monkeypatch.setattr(_threads.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(_threads, "free_cpus", lambda: free[0])
    module = torch.nn.Linear(2, 2)
    torch.set_num_threads(1)
    watch = _threads._LoadWatch(2)
    used = []

    def steps(n):
        with torch.enable_grad():
            for _ in range(n):
                watch(module, ())
                used.append(torch.get_num_threads())
                clock[0] += 0.5

    steps(10)  # idle: the chosen two threads from the first step on
    assert set(used) == {2}
    free[0] = 1  # a program starts beside: one thread from the next check on
    steps(10)
    assert used[-1] == 1 and used[10:].count(2) <= watch.PERIOD / 0.5
    free[0] = 2  # it ends: two threads again
    steps(10)
    assert used[-1] == 2


def test_config_context_takes_numpy_integers_and_refuses_bools():
    with skae.config_context(n_threads=np.int64(2)):
        assert _threads._config["n_threads"] == 2
    for value in (True, np.bool_(True), 0, -2, 1.5, "x"):
        with pytest.raises(ValueError, match="n_threads must be"), \
                skae.config_context(n_threads=value):
            pass
