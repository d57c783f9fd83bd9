"""Failed training, interruption, reproducibility, pickling and long-lived use, at the
estimator level."""

import gc
import io
import os
import pickle
import signal
import subprocess
import sys
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skae._bridge
from skae import AutoencoderTransformer
from skae._versions import InconsistentVersionWarning
from skae.nn.training import Trainer

pytestmark = pytest.mark.timeout(300)


def small_ae(**params):
    params = {"latent_dim": 4, "hidden_layer_sizes": (32,), "max_iter": 6, "random_state": 0,
              **params}
    return AutoencoderTransformer(**params)


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:600]


def quiet_fit(estimator, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X)


# -- training that goes wrong ---------------------------------------------------------------------


def test_learning_rate_1e3_on_digits_gives_no_nan(X):
    # Adam moves each weight by about the learning rate per step: with a sigmoid output the
    # model saturates rather than overflowing. It is a poor model, but a finite one.
    with pytest.warns(RuntimeWarning, match="learned nothing.*lower learning_rate_init"):
        ae = quiet_fit(small_ae(learning_rate_init=1e3), X)
    assert np.isfinite(ae.transform(X)).all()
    assert np.isfinite(ae.score_samples(X)).all()
    assert np.isfinite(ae.inverse_transform(ae.transform(X))).all()


def test_learning_rate_1e3_on_standardised_data_warns_that_training_blew_up(X):
    with pytest.warns(RuntimeWarning, match="learned nothing"), \
            pytest.warns(RuntimeWarning, match="blew up.*Lower learning_rate_init"):
        ae = quiet_fit(small_ae(learning_rate_init=1e3, scaling="standard"), X)
    assert ae.loss_curve_[-1] > 1e6  # what the warning is about
    try:
        Z = ae.transform(X)
    except ValueError as exc:  # acceptable: said, not silent
        assert "overflow" in str(exc) or "not finite" in str(exc)
    else:
        assert np.isfinite(Z).all()


def test_divergence_in_the_first_epoch_is_an_error_that_suggests_the_fix(X):
    ae = small_ae(learning_rate_init=1e30, batch_size=32)
    with pytest.raises(ValueError, match=r"diverged.*first epoch.*Lower learning_rate_init"):
        ae.fit(X)
    with pytest.raises(NotFittedError):
        ae.transform(X)


def _poison_weights(module):
    with torch.no_grad():
        next(module.parameters()).fill_(float("nan"))


@pytest.mark.parametrize("when", ["end of epoch", "mid epoch"])
def test_divergence_mid_fit_keeps_the_last_finite_weights(X, monkeypatch, when):
    """Weights turn NaN in epoch 3: the model is the one of epoch 2, with a warning."""
    reference = quiet_fit(small_ae(max_iter=2), X)
    steps_per_epoch = -(-len(X) // 256)
    calls = {"epochs": 0, "steps": 0}
    run_epoch, train_step = Trainer.run_epoch, Trainer.train_step

    def poisoned_run_epoch(self, data):
        calls["epochs"] += 1
        out = run_epoch(self, data)
        if when == "end of epoch" and calls["epochs"] == 3:
            # The epoch's loss was finite; only its last step broke the weights.
            _poison_weights(self.module)
        return out

    def poisoned_train_step(self, batch):
        calls["steps"] += 1
        out = train_step(self, batch)
        if when == "mid epoch" and calls["steps"] == 2 * steps_per_epoch + 1:
            _poison_weights(self.module)
        return out

    monkeypatch.setattr(Trainer, "run_epoch", poisoned_run_epoch)
    monkeypatch.setattr(Trainer, "train_step", poisoned_train_step)
    with pytest.warns(RuntimeWarning, match="diverged at epoch 3.*last finite epoch"):
        ae = small_ae().fit(X)
    Z = ae.transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z, reference.transform(X))
    assert ae.n_iter_ == 3


def test_divergence_when_continuing_keeps_the_previous_model(X):
    ae = small_ae(max_iter=3, warm_start=True, batch_size=32)
    quiet_fit(ae, X)
    before = ae.transform(X)
    ae.set_params(learning_rate_init=1e30)
    with pytest.warns(RuntimeWarning, match="weights from before this call were kept"):
        ae.fit(X)
    np.testing.assert_array_equal(ae.transform(X), before)
    # The optimizer state of the failed call (inf/NaN moments) was not kept: a sane rate
    # trains on from here.
    ae.set_params(learning_rate_init=1e-3, max_iter=2)
    quiet_fit(ae, X)
    assert np.isfinite(ae.transform(X)).all()
    assert np.isfinite(ae.loss_curve_[-1]) and ae.loss_curve_[-1] < ae.loss_curve_[2]


def test_outputs_are_never_nan_or_inf(X):
    """Values a float32 model can hold but not compute with, and broken weights, are said."""
    ae = quiet_fit(small_ae(scaling="standard"), X)
    extreme = X.astype(np.float64) * 3e38
    for method in ("transform", "score_samples"):
        with pytest.raises(ValueError, match="overflow the model's float32 arithmetic"):
            getattr(ae, method)(extreme)
    broken = pickle.loads(pickle.dumps(ae))
    with torch.no_grad():
        for parameter in broken.module_.parameters():
            parameter.fill_(float("nan"))
    for method, data in (("transform", X), ("score_samples", X),
                         ("inverse_transform", ae.transform(X))):
        with pytest.raises(ValueError, match=f"{method} produced NaN.*weights are not finite"):
            getattr(broken, method)(data)


# -- interruption ----------------------------------------------------------------------------------


def _interrupt_at_step(monkeypatch, step, *, signal_it=False):
    """Raise KeyboardInterrupt (or deliver a real SIGINT) at the ``step``-th train step."""
    count = {"steps": 0}
    train_step = Trainer.train_step

    def interrupting(self, batch):
        count["steps"] += 1
        if count["steps"] == step:
            if signal_it:
                os.kill(os.getpid(), signal.SIGINT)  # Python raises at the next bytecode
            else:
                raise KeyboardInterrupt
        return train_step(self, batch)

    monkeypatch.setattr(Trainer, "train_step", interrupting)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("signal_it", [False, True], ids=["raise", "SIGINT"])
def test_keyboard_interrupt_mid_fit_keeps_a_usable_model(X, monkeypatch, request,
                                                         early_stopping, signal_it):
    if signal_it and sys.platform == "win32":
        pytest.skip("no SIGINT to self on Windows")
    if signal_it:
        # A background job starts with SIGINT ignored: give the test Python's own handler.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    params = {"early_stopping": early_stopping, "batch_size": 64, "max_iter": 50}
    # What training would give after three complete epochs: the latest weights, or the
    # best ones with early stopping.
    reference = quiet_fit(small_ae(**{**params, "max_iter": 3}), X)
    n_train = len(X) - (round(0.1 * len(X)) if early_stopping else 0)
    steps_per_epoch = -(-n_train // 64)
    _interrupt_at_step(monkeypatch, 3 * steps_per_epoch + 2, signal_it=signal_it)
    with pytest.warns(UserWarning, match="interrupted after 3 complete epochs"):
        ae = small_ae(**params).fit(X)
    assert ae.n_iter_ == 3
    Z = ae.transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z, reference.transform(X))
    assert ae.best_loss_ == reference.best_loss_


def test_keyboard_interrupt_with_early_stopping_keeps_the_best_not_the_latest(X, monkeypatch):
    # Validation losses made up so that epoch 2 is the best of four complete epochs.
    losses = [0.5, 0.2, 0.9, 0.8, 0.7, 0.5, 0.2]
    made_up = iter(losses)
    evaluate = Trainer.evaluate

    def scripted(self, data, batch_size=4096):
        row = evaluate(self, data, batch_size)
        return {**row, "loss": next(made_up)}

    monkeypatch.setattr(Trainer, "evaluate", scripted)
    params = {"early_stopping": True, "batch_size": 64}
    reference = quiet_fit(small_ae(**params, max_iter=2), X)  # epochs 1-2: keeps epoch 2
    made_up = iter(losses)
    steps_per_epoch = -(-(len(X) - 60) // 64)
    _interrupt_at_step(monkeypatch, 4 * steps_per_epoch + 1)
    with pytest.warns(UserWarning, match="interrupted after 4 complete epochs; keeping the best"):
        ae = small_ae(**params, max_iter=50).fit(X)
    assert ae.validation_loss_curve_ == [0.5, 0.2, 0.9, 0.8] and ae.best_loss_ == 0.2
    np.testing.assert_array_equal(ae.transform(X), reference.transform(X))


def test_keyboard_interrupt_in_the_first_epoch_leaves_a_usable_model(X, monkeypatch):
    _interrupt_at_step(monkeypatch, 1)
    with pytest.warns(UserWarning, match="interrupted after 0 complete epochs"):
        ae = small_ae().fit(X)
    assert ae.n_iter_ == 0 and ae.loss_curve_ == [] and ae.best_loss_ == np.inf
    assert np.isfinite(ae.transform(X)).all()


def test_keyboard_interrupt_in_partial_fit_keeps_the_previous_model(X, monkeypatch):
    ae = small_ae()
    ae.partial_fit(X)
    before = ae.transform(X)
    _interrupt_at_step(monkeypatch, 2)
    with pytest.warns(UserWarning, match="interrupted after 0 complete epochs"):
        ae.partial_fit(X)
    np.testing.assert_array_equal(ae.transform(X), before)
    assert ae.n_iter_ == 1


def test_keyboard_interrupt_outside_training_propagates(X, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(AutoencoderTransformer, "_initialize", interrupted)
    with pytest.raises(KeyboardInterrupt):
        small_ae().fit(X)


# -- reproducibility and round trips, checked in one fresh process ---------------------------

@pytest.fixture(scope="module")
def fitted(X):
    # Batches of 64: steps enough to learn something in 6 epochs (and not warn otherwise).
    return quiet_fit(small_ae(early_stopping=True, batch_size=64), X)


_CHILD = """
import pickle, sys, warnings
import numpy as np
import skae
from skae import AutoencoderTransformer
from skae.datasets import load_digits

d = sys.argv[1]
X = load_digits()[0][:600]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for seed in (0, 1):
        ae = AutoencoderTransformer(latent_dim=4, hidden_layer_sizes=(32,), max_iter=6,
                                    random_state=seed).fit(X)
        np.save(f"{d}/Z{seed}.npy", ae.transform(X))
# Loading must be silent here: same versions.
warnings.simplefilter("error")
for name, model in (("pickle", pickle.load(open(f"{d}/model.pkl", "rb"))),
                    ("safe", skae.load(f"{d}/model.skae"))):
    Z = model.transform(X)
    np.save(f"{d}/{name}_Z.npy", Z)
    np.save(f"{d}/{name}_S.npy", model.score_samples(X))
    np.save(f"{d}/{name}_R.npy", model.inverse_transform(Z))
"""


@pytest.fixture(scope="module")
def child(fitted, tmp_path_factory):
    """Outputs computed in a fresh Python process (torch loads once for all checks)."""
    import skae

    d = tmp_path_factory.mktemp("child")
    with open(d / "model.pkl", "wb") as f:
        pickle.dump(fitted, f, protocol=pickle.HIGHEST_PROTOCOL)
    skae.save(fitted, d / "model.skae")
    subprocess.run([sys.executable, "-c", _CHILD, str(d)], check=True,
                   env={**os.environ, "PYTHONPATH": os.getcwd()})
    return lambda name: np.load(d / f"{name}.npy")


# Six epochs in batches of 256, as in the child process: bits are compared, not quality.
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_same_seed_bit_identical_across_processes_other_seed_differs(X, child):
    here = quiet_fit(small_ae(random_state=0), X).transform(X)
    np.testing.assert_array_equal(child("Z0"), here)
    assert not np.allclose(child("Z1"), here)


@pytest.mark.parametrize("fmt", ["pickle", "safe"])
def test_round_trip_in_a_fresh_process(fitted, X, child, fmt):
    Z = fitted.transform(X)
    np.testing.assert_array_equal(child(f"{fmt}_Z"), Z)
    np.testing.assert_array_equal(child(f"{fmt}_S"), fitted.score_samples(X))
    np.testing.assert_array_equal(child(f"{fmt}_R"), fitted.inverse_transform(Z))


def _storage_locations(data):
    """Unpickle ``data`` and return the device tag of every tensor storage in it, as a
    machine without a GPU would read them."""
    seen = []

    class Recording(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) == ("torch.storage", "_load_from_bytes"):
                def load(payload):
                    return torch.load(io.BytesIO(payload), weights_only=False,
                                      map_location=lambda s, location: (seen.append(location),
                                                                        s)[1])
                return load
            return super().find_class(module, name)

    Recording(io.BytesIO(data)).load()
    return seen


def test_pickled_tensors_are_all_on_the_cpu(fitted):
    locations = _storage_locations(pickle.dumps(fitted))
    assert len(locations) >= 4  # weights, biases, shift, scale, optimizer moments
    assert set(locations) == {"cpu"}


def test_a_module_on_a_gpu_is_pickled_to_the_cpu(fitted, X, monkeypatch):
    """No GPU here: simulate one. Storages of the live module are tagged "cuda:0" as torch
    would tag them on a GPU, and the estimator is told its module is not on the CPU."""
    on_gpu = {t.untyped_storage().data_ptr() for t in fitted.module_.state_dict().values()}
    real_tag = torch.serialization.location_tag
    monkeypatch.setattr(torch.serialization, "location_tag",
                        lambda s: "cuda:0" if s.data_ptr() in on_gpu else real_tag(s))
    if not torch.cuda.is_available():
        # The failure being prevented: a module pickled as it sits cannot load here.
        with pytest.raises(RuntimeError, match="CUDA"):
            pickle.loads(pickle.dumps(fitted.module_))
    module = fitted.module_
    monkeypatch.setattr(skae._bridge, "_on_cpu", lambda module: False)
    data = pickle.dumps(fitted)
    assert set(_storage_locations(data)) == {"cpu"}
    # Pickling copied: the live model stays where it is, and gains no attribute.
    assert fitted.module_ is module and "_skae_versions" not in vars(fitted)
    loaded = pickle.loads(data)
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))
    if not torch.cuda.is_available():
        # A model told to run on CUDA says how to run it here instead of failing in torch.
        loaded.set_params(device="cuda")
        with pytest.raises(ValueError, match="no CUDA device.*device='auto' or 'cpu'"):
            loaded.transform(X)
        np.testing.assert_array_equal(loaded.set_params(device="cpu").transform(X),
                                      fitted.transform(X))


def test_versions_are_recorded_and_a_mismatch_warns(fitted, X):
    import skae

    data = pickle.dumps(fitted)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        pickle.loads(data)  # same versions: silent
    recorded = fitted.__getstate__()["_skae_versions"]
    import sklearn

    assert recorded == {"skae": skae.__version__, "torch": torch.__version__,
                        "scikit-learn": sklearn.__version__}
    fake = "9" * len(skae.__version__)  # same length keeps the pickle valid
    edited = data.replace(skae.__version__.encode(), fake.encode())
    assert edited != data
    with pytest.warns(InconsistentVersionWarning, match=f"skae {fake} \\(now "):
        loaded = pickle.loads(edited)
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))


def test_joblib_round_trip_keeps_training_state(fitted, X, tmp_path):
    # The optimizer state and the random generator survive: partial_fit goes on identically.
    joblib.dump(fitted, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    a = pickle.loads(pickle.dumps(fitted))
    a.partial_fit(X)
    loaded.partial_fit(X)
    np.testing.assert_array_equal(a.transform(X), loaded.transform(X))


# -- long-lived use ------------------------------------------------------------------------------


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux only")
def test_fifty_fits_do_not_grow_memory(X, monkeypatch):
    from skae.nn.training import Trainer

    trainers = []
    init = Trainer.__init__

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        trainers.append(weakref.ref(self))

    monkeypatch.setattr(Trainer, "__init__", recording_init)
    rss = []
    for i in range(1, 51):
        ae = quiet_fit(small_ae(hidden_layer_sizes=(2048,), manifold_weight=0, max_iter=3,
                                random_state=i), X)
        ae.transform(X)
        if i >= 10 and i % 5 == 0:
            gc.collect()
            rss.append(_rss_mb())
    # What leaked before: each fit's Trainer (module, optimizer, snapshots) kept alive.
    gc.collect()
    assert len(trainers) == 50 and not any(ref() is not None for ref in trainers)
    # Any other leak of what a fit holds shows in the resident size: with a 2048-unit layer,
    # keeping every fitted model alive grew it by 159 MB between the medians of the first
    # and the last three readings (measured). It also moves in steps of up to ~20 MB with
    # no trend (allocator arenas; 16 MB in one CI run), hence medians and a wide bound.
    growth = np.median(rss[-3:]) - np.median(rss[:3])
    print(f"RSS readings (MB): {[round(r) for r in rss]}; growth {growth:.1f} MB")
    assert growth < 50, f"RSS grew by {growth:.1f} MB over 30 fits (readings {rss})"


def test_transform_from_many_threads_equals_serial(fitted, X):
    chunks = [X[i::7] for i in range(7)] + [X, X[:1]]
    serial = [fitted.transform(c) for c in chunks]
    scores = [fitted.score_samples(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            parallel = list(pool.map(fitted.transform, chunks * 2))
            parallel_scores = list(pool.map(fitted.score_samples, chunks * 2))
            for got, want in zip(parallel, serial * 2):
                np.testing.assert_array_equal(got, want)
            for got, want in zip(parallel_scores, scores * 2):
                np.testing.assert_array_equal(got, want)
