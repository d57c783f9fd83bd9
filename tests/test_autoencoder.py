"""AutoencoderTransformer: the mission's three uses, learning, scaling, determinism, errors."""

import copy
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

from skae import AutoencoderTransformer, config_context

# Most tests here check a mechanism on a fit cut short so that it runs in a moment: stopping at
# max_iter is expected (test_max_iter_reached_warns checks that warning itself).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")


def small_ae(**params):
    params = {"hidden_layer_sizes": (64,), "max_iter": 60, "random_state": 0, **params}
    return AutoencoderTransformer(**params)


@pytest.fixture(scope="module")
def digits_split():
    from skae.datasets import load_digits

    X, y = load_digits()
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def fitted(digits_split):
    X_train = digits_split[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return small_ae(latent_dim=8).fit(X_train)


# -- the mission's three uses -------------------------------------------------------------


def test_pipeline_with_logistic_regression(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    pipe = Pipeline([("ae", small_ae(latent_dim=16)),
                     ("clf", LogisticRegression(max_iter=2000))])
    pipe.fit(X_train, y_train)
    assert pipe.named_steps["ae"].n_features_in_ == 64
    assert pipe.score(X_test, y_test) > 0.85


def test_grid_search_over_latent_dim(digits_split):
    X_train, _, y_train, _ = digits_split
    pipe = Pipeline([("ae", small_ae(max_iter=30)), ("clf", LogisticRegression(max_iter=2000))])
    search = GridSearchCV(pipe, {"ae__latent_dim": [2, 8, 16]}, cv=3)
    search.fit(X_train, y_train)
    scores = dict(zip(search.cv_results_["param_ae__latent_dim"],
                      search.cv_results_["mean_test_score"]))
    # Two dimensions cannot separate ten digits as well as eight or sixteen.
    assert search.best_params_["ae__latent_dim"] in (8, 16)
    assert scores[2] < scores[search.best_params_["ae__latent_dim"]] - 0.1
    refit_ae = search.best_estimator_.named_steps["ae"]
    assert refit_ae.transform(X_train).shape[1] == search.best_params_["ae__latent_dim"]


def test_grid_search_on_autoencoder_score_alone(digits_split):
    X_train = digits_split[0]
    search = GridSearchCV(small_ae(max_iter=30), {"latent_dim": [1, 16]}, cv=2).fit(X_train)
    # No labels: score is the negative reconstruction error, so the bigger code wins.
    assert search.best_params_ == {"latent_dim": 16}


def test_joblib_round_trip_in_a_fresh_process(fitted, digits_split, tmp_path):
    X_test = digits_split[1]
    joblib.dump(fitted, tmp_path / "model.joblib")
    np.save(tmp_path / "X.npy", X_test)
    code = (
        "import joblib, numpy as np, sys; d = sys.argv[1];"
        "m = joblib.load(d + '/model.joblib');"
        "np.save(d + '/Z.npy', m.transform(np.load(d + '/X.npy')))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "Z.npy"), fitted.transform(X_test))


# -- it learns, on images and on tabular data ---------------------------------------------


def test_learns_far_better_than_the_mean_image(fitted, digits_split):
    X_test = digits_split[1]
    mean_image_error = np.mean((X_test - digits_split[0].mean(axis=0)) ** 2)
    assert -fitted.score(X_test) < 0.5 * mean_image_error
    assert fitted.output_activation_ == "logistic"
    reconstruction = fitted.inverse_transform(fitted.transform(X_test))
    np.testing.assert_allclose(np.mean((reconstruction - X_test) ** 2), -fitted.score(X_test),
                               rtol=1e-5)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_tabular_data_with_arbitrary_scales(loader):
    X, _ = loader(return_X_y=True)
    for scaling in ("auto", "standard"):
        ae = small_ae(latent_dim=4, max_iter=200, scaling=scaling).fit(X)
        assert ae.output_activation_ == "identity"
        # In standardised units predicting the column means scores an error of 1.
        assert -ae.score(X) < 0.5
        # inverse_transform answers in the user's units: the error relative to each
        # column's spread is small, though the columns differ in scale by orders of
        # magnitude (and the skewed ones went through a power, undone on the way out).
        reconstruction = ae.inverse_transform(ae.transform(X))
        relative = np.mean(((reconstruction - X) / X.std(axis=0)) ** 2)
        assert relative < 0.5
        if scaling == "standard":  # an affine map: the same error in either space
            np.testing.assert_allclose(relative, -ae.score(X), rtol=1e-3)


def test_tabular_data_unscaled_is_worse():
    # What scaling="auto" protects against: raw columns spanning 1e-3 to 1e3. Without the
    # masking noise of tables (noise="auto"), whose noisy loss stops the unscaled fit early
    # (62 epochs; errors 0.20 scaled, 2.7e5 unscaled), so the warning below is the fit's.
    X, _ = load_breast_cancer(return_X_y=True)
    errors = {}
    for scaling in ("auto", None):
        ae = small_ae(latent_dim=4, max_iter=100, scaling=scaling, noise=None)
        if scaling is None:
            # Unscaled, the loss is still falling slowly at max_iter, and the fit says so.
            with pytest.warns(ConvergenceWarning, match="max_iter=100"):
                ae.fit(X)
        else:
            ae.fit(X)
        R = ae.inverse_transform(ae.transform(X))
        errors[scaling] = np.mean(((R - X) / X.std(axis=0)) ** 2)
    assert errors["auto"] < 0.5 * errors[None]


def test_images_on_another_scale_are_brought_into_the_unit_interval():
    """scaling="auto" on scikit-learn's digits as they come (0-16 integers): one range for
    every column, a sigmoid output, the same model as on the digits divided by 16; in
    [-1, 1] too. Tables in mixed units stay standardised."""
    from sklearn.datasets import load_digits, load_iris

    X = load_digits().data[:200]
    params = {"latent_dim": 4, "hidden_layer_sizes": (16,), "max_iter": 3, "random_state": 0}
    raw = AutoencoderTransformer(**params).fit(X)
    scaled = AutoencoderTransformer(**params).fit(X / 16)
    assert raw.output_activation_ == "logistic"
    np.testing.assert_allclose(raw.transform(X), scaled.transform(X / 16), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(raw.inverse_transform(raw.transform(X)),
                               16 * scaled.inverse_transform(scaled.transform(X / 16)),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(raw.score_samples(X), scaled.score_samples(X / 16), rtol=1e-5)
    # One shift and one scale for all columns: a column lifted off the floor keeps its place.
    lifted = X.copy()
    lifted[:, 10] += 3
    top = lifted.max()
    np.testing.assert_allclose(AutoencoderTransformer(**params).fit(lifted).transform(lifted),
                               AutoencoderTransformer(**params).fit(lifted / top).transform(
                                   lifted / top), rtol=1e-5, atol=1e-6)
    centred = AutoencoderTransformer(**params).fit(X / 8 - 1)
    np.testing.assert_allclose(centred.transform(X / 8 - 1), scaled.transform(X / 16),
                               rtol=1e-5, atol=1e-6)
    forced = AutoencoderTransformer(**params, scaling="standard").fit(X)
    assert forced.output_activation_ == "identity"
    assert not np.allclose(forced.transform(X), raw.transform(X))

    rng = np.random.RandomState(0)
    for table in (load_breast_cancer().data, load_wine().data, load_iris().data,
                  rng.normal(size=(50, 2))):
        ae = AutoencoderTransformer(**params).fit(table)
        assert ae.output_activation_ == "identity", table.shape


def _with_rows(first, rest, n_rows=12):
    """An array whose first row is ``first`` and whose other rows are ``rest``."""
    return np.vstack([first, np.tile(rest, (n_rows - 1, 1))]).astype(float)


_RNG = np.random.RandomState(0)
_STROKES = np.vstack([np.eye(8), np.eye(8)[::-1] / 4, np.zeros((8, 8))])
_LOGNORMAL = _RNG.lognormal(size=(300, 30))
_MOSTLY_MISSING = np.where(_RNG.rand(300, 30) < 0.4, -999, _LOGNORMAL)
_LOGNORMAL[_RNG.rand(300, 30) < 0.1] = -999


@pytest.mark.parametrize("X, expected", [
    (_STROKES * 255, "global"),  # strokes, faint and full, on a background
    (_STROKES * 2 - 1, "global"),  # the same in [-1, 1]
    (_STROKES, None),  # already in [0, 1]
    # Full strokes only: nothing rises from the background (a gap, as a -999 code leaves).
    (np.vstack([np.eye(8) * 255, np.zeros((8, 8))]), "power"),
    # Every column on the floor, but only one reaches halfway up: a column in other units.
    (_with_rows([2, 2, 2, 100], [0, 0, 0, 0]), "power"),
    # One varying column (the others constant): nothing to share a range with.
    (_with_rows([5, 0, 0, 0], [0, 0, 0, 0]), "power"),
    # Exactly half of the varying columns on one scale is not most of them.
    (_with_rows([9, 9, 9, 9], [0, 0, 5, 5]), "power"),
    # One scale but no background: answers on a 1-5 scale, counts, a -999 missing code.
    (_RNG.randint(1, 6, size=(200, 20)), "power"),
    (_RNG.poisson(3, size=(200, 15)), "power"),
    (_LOGNORMAL, "power"),
    # A -999 code on 40% of the entries is a background in number, but leaves a gap.
    (_MOSTLY_MISSING, "power"),
])
def test_auto_scaling_rule(X, expected):
    from skae._base import auto_scaling

    def auto_scaling_of(X):
        return auto_scaling(X, X.min(axis=0), X.max(axis=0))

    X = np.asarray(X, dtype=float)
    assert auto_scaling_of(X) == expected
    if expected == "global":
        # Constant columns (an image's empty border) are no columns of another scale.
        padded = np.hstack([X, np.full((len(X), 5), X.min())])
        assert auto_scaling_of(padded) == expected


def _skewed_table(n=400, seed=0):
    """Columns: log-normal (skewed right), its negative (skewed left), Gaussian, uniform,
    a rare 0/1 flag, constant; on scales of their own."""
    rng = np.random.RandomState(seed)
    return np.column_stack([
        1e3 * rng.lognormal(size=n), -rng.lognormal(sigma=0.8, size=n), rng.normal(5, 2, n),
        rng.uniform(size=n) * 40, (rng.rand(n) < 0.1).astype(float), np.full(n, 0.1)])


def test_power_scaling_makes_skewed_features_gaussian():
    """scaling="auto" on a table (``"power"``): the skewed features go through a
    Yeo-Johnson power into the working space, standardised again; the others are
    standardised as before (``"standard"``, which has no power step). The map is undone
    exactly on the way out, so ``inverse_transform`` answers in the input's units."""
    from scipy.stats import skew

    from skae._base import SKEWNESS_LIMIT

    X = _skewed_table()
    params = {"latent_dim": 2, "hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0}
    ae = AutoencoderTransformer(**params).fit(X)
    module = ae.module_
    power = module.power.numpy()
    skewed = np.abs(np.nan_to_num(skew(X, axis=0))) > SKEWNESS_LIMIT
    assert skewed.tolist() == [True, True, False, False, True, False]
    assert (power[~skewed] == 1).all() and (power[skewed] != 1).all()
    assert power[0] < 1 < power[1]  # a power below 1 pulls in a long right tail
    x = torch.as_tensor(X, dtype=torch.float32)
    working = module.normalize(x).numpy()
    np.testing.assert_allclose(working[:, :5].mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(working[:, :5].std(axis=0), 1, rtol=1e-3)
    # Much less skewed: the power is held within [0, 2] (see ``skewed_power``), where
    # the log-normal's standardised values keep some skew.
    assert np.all(np.abs(skew(working[:, :2], axis=0)) < SKEWNESS_LIMIT)
    assert np.all(np.abs(skew(working[:, :2], axis=0)) < np.abs(skew(X[:, :2], axis=0)) / 2)
    np.testing.assert_allclose(module.denormalize(module.normalize(x)).numpy(), X,
                               rtol=1e-4, atol=1e-4)
    R = ae.inverse_transform(ae.transform(X))
    assert np.isfinite(R).all()
    # "standard" keeps the plain map; data with no skewed feature gets no power step.
    assert not AutoencoderTransformer(**params, scaling="standard").fit(X).module_.has_power
    assert not AutoencoderTransformer(**params).fit(X[:, 2:4]).module_.has_power
    # Neither does a constant column's round-off (0.3 with one 0.1 + 0.2), nor the chance
    # skew of a few rows (-1.18 in a column of two blobs of 10).
    almost = np.full(len(X), 0.3)
    almost[0] = 0.1 + 0.2
    assert not AutoencoderTransformer(**params).fit(
        np.c_[X[:, 2:4], almost]).module_.has_power
    blobs = np.random.RandomState(0).randn(20, 4)
    blobs[10:] += 3
    assert abs(skew(blobs[:, 0])) > SKEWNESS_LIMIT
    assert not AutoencoderTransformer(**params).fit(blobs).module_.has_power


def test_yeo_johnson_matches_scikit_learn_and_its_inverse_stays_finite():
    """The torch transform is scikit-learn's, in float32 too for a power near 0 or 2; its
    inverse undoes it, and maps whatever a decoder writes (past the edge of a bounded
    transform, or far out in a steep tail) to at most ``_INVERSE_REACH``, never inf."""
    from sklearn.preprocessing import PowerTransformer

    from skae.nn.modules import _INVERSE_REACH, inverse_yeo_johnson, yeo_johnson

    x = torch.linspace(-30, 30, 601, dtype=torch.float64)[:, None].repeat(1, 9)
    power = torch.tensor([-1.5, -0.2, 0.0, 1e-6, 0.7, 1.0, 2 - 1e-7, 2.0, 3.5],
                         dtype=torch.float64)
    reference = PowerTransformer(standardize=False)
    reference.lambdas_ = power.numpy()
    expected = reference.transform(x.numpy())
    np.testing.assert_allclose(yeo_johnson(x, power), expected, rtol=1e-9, atol=1e-9)
    # float32: within its precision of each column's largest value.
    error = np.abs(yeo_johnson(x.float(), power.float()).double().numpy() - expected)
    assert (error / np.abs(expected).max(axis=0) < 1e-5).all()
    np.testing.assert_allclose(inverse_yeo_johnson(yeo_johnson(x, power), power), x,
                               rtol=1e-9, atol=1e-9)
    back = inverse_yeo_johnson(torch.as_tensor(expected, dtype=torch.float32), power.float())
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-5)
    beyond = inverse_yeo_johnson(torch.tensor([[50.0, 50.0, 1e3, 1e3, -50.0, -1e3]]),
                                 torch.tensor([-1.5, -0.2, 0.0, 0.01, 2.5, 2.0]))
    assert torch.isfinite(beyond).all()
    assert (beyond.abs() > 1e5).all() and (beyond.abs() <= 1.001 * _INVERSE_REACH).all()


def test_a_model_with_the_power_step_saves_pickles_and_judges_itself(tmp_path):
    """The power step travels with the model (``skae.save``, pickle) and the learned-nothing
    yardstick is measured in its working space, powers included."""
    import pickle

    import skae
    from skae._bridge import mean_prediction_error

    X = _skewed_table()
    ae = AutoencoderTransformer(latent_dim=2, hidden_layer_sizes=(8,), max_iter=3,
                                random_state=0).fit(X)
    assert ae.module_.has_power
    expected = ae.transform(X), ae.inverse_transform(ae.transform(X))
    skae.save(ae, tmp_path / "power.skae")
    for copy_ in (skae.load(tmp_path / "power.skae"), pickle.loads(pickle.dumps(ae))):
        assert copy_.module_.has_power
        torch.testing.assert_close(copy_.module_.power, ae.module_.power)
        np.testing.assert_allclose(copy_.transform(X), expected[0], rtol=1e-6)
        np.testing.assert_allclose(copy_.inverse_transform(expected[0]), expected[1],
                                   rtol=1e-6)
    x = torch.as_tensor(X, dtype=torch.float32)
    working = ae.module_.normalize(x).double()
    np.testing.assert_allclose(mean_prediction_error(ae.module_, x, x[:100]),
                               float((working[:100] - working.mean(0)).pow(2).mean()),
                               rtol=1e-5)


def test_models_without_the_power_step_still_load(tmp_path):
    """Files and pickles written before the power step existed hold no ``power``
    buffers: they load as models whose map is the plain affine one they were fit with."""
    import json
    import pickle

    from safetensors import safe_open
    from safetensors.torch import save_file

    import skae

    X = _skewed_table()[:, 2:4]  # nothing skewed: the step does nothing, as before
    ae = AutoencoderTransformer(latent_dim=2, hidden_layer_sizes=(8,), max_iter=3,
                                random_state=0).fit(X)
    expected = ae.transform(X)
    skae.save(ae, tmp_path / "new.skae")
    with safe_open(tmp_path / "new.skae", framework="pt") as f:
        header = f.metadata()
        stored = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    tensors = {k: v for k, v in stored.items() if not k.endswith(("power", "power_shift",
                                                                    "power_scale"))}
    assert len(stored) - len(tensors) == 3
    save_file(tensors, tmp_path / "old.skae", metadata=header)
    loaded = skae.load(tmp_path / "old.skae")
    np.testing.assert_allclose(loaded.transform(X), expected, rtol=1e-6)
    assert json.loads(header["skae"])  # the header was kept as it was
    # The module itself fills them in, for a plain load_state_dict too.
    module = ae.untrained_module()
    module.load_state_dict({k: v for k, v in ae.module_.state_dict().items()
                            if not k.endswith(("power", "power_shift", "power_scale"))})
    torch.testing.assert_close(module.power, torch.ones_like(module.power))

    module = pickle.loads(pickle.dumps(ae.module_))
    state = module.__dict__
    for name in ("power", "power_shift", "power_scale"):
        del state["_buffers"][name]
    del state["has_power"]
    module.__setstate__(state)
    np.testing.assert_allclose(module.encode(module.normalize(torch.as_tensor(
        X, dtype=torch.float32))).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_noise_auto_masks_for_features_and_on_tables(digits_split):
    """noise="auto" (the default): masking noise at noise_level with the neighbour-graph
    term (the features recipe) on any data and on data decoded linearly (standardised
    tables); none on images with the plain reconstruction or with image_shape."""
    from skae.nn.corruption import masking_noise

    images = digits_split[0][:60]
    # A table: columns on scales of their own (the same columns on one scale are images).
    table = (images * 16 - 3) * np.linspace(0.5, 4.0, images.shape[1])
    params = {"latent_dim": 2, "hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0}
    plain = {**params, "manifold_weight": 0.0}

    def corruption(**kw):
        return AutoencoderTransformer(**kw).training_objective().corruption

    # Unfitted: the features recipe masks; the plain recipe waits for the data.
    assert corruption().func is masking_noise
    assert corruption(manifold_weight=0.0) is None
    for X, kw in ((table, params), (table, plain), (images, params)):
        auto = AutoencoderTransformer(**kw).fit(X)
        assert auto.get_params()["noise"] == "auto"
        fitted = auto.training_objective().corruption
        assert fitted.func is masking_noise and fitted.keywords == {"fraction": 0.25}
    assert AutoencoderTransformer(**plain).fit(images).training_objective().corruption is None
    for X in (images, table):
        conv = AutoencoderTransformer(**params, image_shape=(1, 8, 8)).fit(X)
        assert conv.training_objective().corruption is None

    def codes(X, **kw):
        return AutoencoderTransformer(**kw).fit(X).transform(X)

    # "auto" trains as "mask" (the same draws) and unlike no noise where it masks.
    for X, kw in ((table, plain), (images, params)):
        np.testing.assert_array_equal(codes(X, **kw), codes(X, **kw, noise="mask"))
        assert not np.allclose(codes(X, **kw), codes(X, **kw, noise=None))
    np.testing.assert_array_equal(codes(images, **plain), codes(images, **plain, noise=None))


# -- reproducibility ------------------------------------------------------------------------


# Five epochs: what is compared is the weights' bits, not what they learned. The thread
# count is pinned, as the thread policy's docs tell users to for exact repeats: under "auto"
# the two fits may run on different counts when the load moves between them (seen once in a
# CI run: 2% apart), and the count changes torch's rounding.
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_same_seed_same_model_other_seed_other_model(digits_split):
    X = digits_split[0][:500]
    with config_context(n_threads=1):
        first = small_ae(max_iter=5, random_state=3).fit_transform(X)
        again = small_ae(max_iter=5, random_state=3).fit_transform(X)
        other = small_ae(max_iter=5, random_state=4).fit_transform(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_fit_leaves_global_torch_and_numpy_rng_alone(digits_split):
    import torch

    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state().clone()
    small_ae(max_iter=2).fit(digits_split[0][:100])
    assert np.array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


# -- training behaviour ----------------------------------------------------------------------


def test_history_and_curves(digits_split):
    X = digits_split[0]
    ae = small_ae(max_iter=8, early_stopping=True).fit(X)
    assert ae.n_iter_ == len(ae.loss_curve_) == len(ae.validation_loss_curve_) == 8
    assert [row["train_loss"] for row in ae.history_] == ae.loss_curve_
    assert {"train_reconstruction", "valid_reconstruction"} <= set(ae.history_[0])
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    assert ae.best_loss_ == min(ae.validation_loss_curve_)


def test_max_iter_reached_warns(digits_split):
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        small_ae(max_iter=2).fit(digits_split[0][:200])


def test_stops_when_loss_stops_improving(digits_split):
    ae = small_ae(max_iter=500, tol=1e-2, n_iter_no_change=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ae.fit(digits_split[0][:300])
    assert ae.n_iter_ < 500


def test_partial_fit_trains_one_epoch_per_call(digits_split):
    X = digits_split[0]
    ae = small_ae(batch_size=64)  # steps enough per call to learn (and not warn otherwise)
    for _ in range(5):
        ae.partial_fit(X[:600])
        ae.partial_fit(X[600:])
    assert ae.n_iter_ == 10
    assert ae.loss_curve_[-1] < 0.75 * ae.loss_curve_[0]
    with pytest.raises(ValueError, match="features"):
        ae.partial_fit(X[:, :10])


def test_warm_start_continues(digits_split):
    X = digits_split[0]
    ae = small_ae(max_iter=5, warm_start=True).fit(X)
    first_epoch_loss = ae.loss_curve_[0]
    ae.fit(X)
    assert ae.n_iter_ == 10
    assert ae.loss_curve_[5] < first_epoch_loss
    cold = small_ae(max_iter=5).fit(X)
    cold.fit(X)
    assert cold.n_iter_ == 5


def _check_curves(ae):
    """The invariants the attribute docs state, over every epoch since the model was built."""
    assert ae.n_iter_ == len(ae.history_) == len(ae.loss_curve_)
    assert ae.loss_curve_ == [row["train_loss"] for row in ae.history_]
    validation = [row["valid_loss"] for row in ae.history_ if "valid_loss" in row]
    if validation:
        assert ae.validation_loss_curve_ == validation
        assert ae.best_loss_ == min(validation)
    else:
        assert not hasattr(ae, "validation_loss_curve_")
        assert ae.best_loss_ == min(ae.loss_curve_)


def test_curves_accumulate_across_warm_start_and_partial_fit(digits_split):
    """Bug B4: a second warm_start fit kept only its own validation losses (and its own best)
    while loss_curve_ and history_ held both fits; partial_fit then turned best_loss_ into a
    training loss; a fresh fit without early stopping kept the old validation curve."""
    X = digits_split[0][:400]
    ae = small_ae(max_iter=4, early_stopping=True, warm_start=True, batch_size=32)
    with pytest.warns(ConvergenceWarning, match="max_iter=4"):  # 4 epochs: not converged
        ae.fit(X)
    first = list(ae.validation_loss_curve_)
    assert len(first) == 4
    _check_curves(ae)
    with pytest.warns(ConvergenceWarning, match="max_iter=4"):
        ae.fit(X)
    assert ae.n_iter_ == 8 and ae.validation_loss_curve_[:4] == first
    _check_curves(ae)
    validation_before = list(ae.validation_loss_curve_)
    ae.partial_fit(X)  # one epoch, no validation set
    assert ae.n_iter_ == 9 and ae.validation_loss_curve_ == validation_before
    assert "valid_loss" not in ae.history_[-1]
    _check_curves(ae)
    # A fit that builds the model afresh starts every curve anew.
    ae.set_params(warm_start=False, early_stopping=False)
    with pytest.warns(ConvergenceWarning, match="max_iter=4"):
        ae.fit(X)
    assert ae.n_iter_ == 4
    _check_curves(ae)
    ae.partial_fit(X)
    assert ae.n_iter_ == 5
    _check_curves(ae)


def test_verbose_shows_progress_and_quiet_prints_nothing(digits_split, capsys):
    X = digits_split[0][:200]
    small_ae(max_iter=2, verbose=0).fit(X)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    small_ae(max_iter=2, verbose=1).fit(X)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err


# -- output formats ---------------------------------------------------------------------------


def test_pandas_in_and_out(fitted, digits_split):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(digits_split[0], columns=[f"px{i}" for i in range(64)])
    ae = small_ae(latent_dim=3, max_iter=3).set_output(transform="pandas").fit(X)
    Z = ae.transform(X)
    assert isinstance(Z, pd.DataFrame)
    assert list(Z.columns) == ["autoencodertransformer0", "autoencodertransformer1",
                               "autoencodertransformer2"]
    assert list(ae.feature_names_in_) == list(X.columns)
    assert list(ae.get_feature_names_out()) == list(Z.columns)


def test_output_dtype_follows_input(fitted, digits_split):
    X = digits_split[1]
    assert fitted.transform(X.astype(np.float32)).dtype == np.float32
    assert fitted.transform(X.astype(np.float64)).dtype == np.float64
    np.testing.assert_allclose(fitted.transform(X.astype(np.float64)),
                               fitted.transform(X.astype(np.float32)))


# -- clear errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_rejected(fitted, digits_split, bad):
    X = digits_split[1].copy()
    X[3, 5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.transform(X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        small_ae().fit(X)


def test_wrong_feature_count(fitted, digits_split):
    with pytest.raises(ValueError, match="64 features"):
        fitted.transform(digits_split[1][:, :20])


def test_one_dimensional_input(fitted, digits_split):
    with pytest.raises(ValueError, match="2D array"):
        fitted.transform(digits_split[1][0])
    with pytest.raises(ValueError, match="2D array"):
        small_ae().fit(digits_split[1][0])


def test_inverse_transform_wrong_width(fitted):
    with pytest.raises(ValueError, match="8 columns"):
        fitted.inverse_transform(np.zeros((3, 5)))


@pytest.mark.parametrize("params, match", [
    ({"latent_dim": 0}, "latent_dim"),
    ({"learning_rate_init": -1.0}, "learning_rate_init"),
    ({"activation": "swish"}, "activation"),
    ({"hidden_layer_sizes": (32, 0)}, "hidden_layer_sizes"),
    ({"device": "tpu9"}, "device"),
    ({"early_stopping": True, "validation_fraction": 0.01}, "validation"),
])
def test_invalid_parameters_name_themselves(digits_split, params, match):
    with pytest.raises(ValueError, match=match):
        small_ae(**params).fit(digits_split[0][:50])


def test_does_not_mutate_the_input(digits_split):
    X = digits_split[0][:300].copy()
    before = X.copy()
    ae = small_ae(max_iter=2, scaling="standard").fit(X)
    ae.transform(X)
    ae.score_samples(X)
    np.testing.assert_array_equal(X, before)


def test_reversed_and_strided_views_are_accepted(fitted, digits_split):
    X = digits_split[1]
    np.testing.assert_allclose(fitted.transform(X[::-1]), fitted.transform(X)[::-1], rtol=1e-6)
    np.testing.assert_allclose(fitted.transform(X[::2]), fitted.transform(X)[::2], rtol=1e-6)


@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
def test_a_rows_outputs_do_not_depend_on_the_other_rows_in_the_call():
    """sklearn's check_methods_subset_invariance on the same model and data, at float32's
    tolerance: test_common lists that check as an expected failure because float32 matrix
    products round the last bit differently with the number of rows (1.3e-7 relative, over
    the check's 1e-7); anything larger is a real dependence on the other rows."""
    X = 3 * np.random.RandomState(0).uniform(size=(20, 3))
    ae = AutoencoderTransformer(latent_dim=2, hidden_layer_sizes=(8,), max_iter=3,
                                random_state=0).fit(X)
    codes = ae.transform(X)
    for method, inputs in (("transform", X), ("score_samples", X),
                           ("inverse_transform", codes)):
        whole = getattr(ae, method)(inputs)
        for rows in (slice(0, 10), slice(10, 20), [3], [19, 0, 7]):
            np.testing.assert_allclose(getattr(ae, method)(inputs[rows]), whole[rows],
                                       rtol=1e-5, atol=1e-6, err_msg=method)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_history_numbers_epochs_across_warm_starts_and_partial_fits():
    """history_ (what LossCurveDisplay plots) counts epochs from the build on: restarting at
    1 at each call drew the curve back to the start and put the best-epoch marker at the
    wrong epoch."""
    from skae.plotting import LossCurveDisplay

    X = np.random.RandomState(0).rand(80, 5)
    model = AutoencoderTransformer(latent_dim=2, hidden_layer_sizes=(8,), max_iter=3,
                                   early_stopping=True, warm_start=True, random_state=0)
    model.fit(X).fit(X).partial_fit(X)
    assert [row["epoch"] for row in model.history_] == list(range(1, 8)) and model.n_iter_ == 7
    display = LossCurveDisplay.from_estimator(model)
    np.testing.assert_array_equal(display.lines_["train", "loss"].get_xdata(), range(1, 8))
    best = 1 + int(np.argmin(model.validation_loss_curve_))
    assert f"best validation epoch ({best})" in [
        line.get_label() for line in display.ax_.get_lines()]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_and_partial_fit_refuse_a_changed_architecture():
    """They continue the model built before: a parameter that would build another one is
    refused by name rather than ignored; training parameters may change; the feature names
    follow the fitted model, not a parameter set since."""
    X = np.random.RandomState(0).rand(60, 8).astype(np.float32)
    model = AutoencoderTransformer(latent_dim=2, hidden_layer_sizes=(8,), max_iter=2,
                                   random_state=0).fit(X)
    model.set_params(latent_dim=4)
    assert model.transform(X).shape[1] == len(model.get_feature_names_out()) == 2
    with pytest.raises(ValueError, match="latent_dim 2 -> 4"):
        model.partial_fit(X)
    model.set_params(latent_dim=2, warm_start=True, activation="tanh")
    with pytest.raises(ValueError, match="activation 'relu' -> 'tanh'"):
        model.fit(X)
    model.set_params(activation="relu", learning_rate_init=1e-4, max_iter=1)
    model.fit(X).partial_fit(X)  # training parameters: the built model trains on
    assert model.n_iter_ == 4
    with pytest.raises(ValueError, match="scaling 'auto' -> 'standard'"):
        copy.deepcopy(model).set_params(scaling="standard").partial_fit(X)
    # A model from an older file (without the record of its build) is checked all the same.
    old = copy.deepcopy(model)
    del old._built_params
    old.set_params(latent_dim=5)
    assert len(old.get_feature_names_out()) == 2
    with pytest.raises(ValueError, match="another architecture"):
        old.partial_fit(X)
    assert not AutoencoderTransformer(max_iter=1).partial_fit(X).do_early_stopping_
