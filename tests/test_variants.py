"""The autoencoder family: each variant does what it is for, and would fail as a no-op."""

import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from skae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    VariationalAutoencoder,
)
from skae.nn.corruption import gaussian_noise, masking_noise, salt_and_pepper_noise
from skae.nn.losses import jacobian_frobenius

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
SMALL = {"hidden_layer_sizes": (64,), "max_iter": 60, "random_state": 0}
# The textbook autoencoder (AutoencoderTransformer's defaults add the features recipe):
# these tests compare the regularisers with it.
PLAIN = {"manifold_weight": 0.0, "latent_norm": None, "hidden_norm": None,
         "linear_path": False}
SMALL_VAE = SMALL
SMALL = {**SMALL, **PLAIN}

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def split():
    from skae.datasets import load_digits

    X, _ = load_digits()
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    return X_train, X_test


@pytest.fixture(scope="module")
def plain8(split):
    return AutoencoderTransformer(latent_dim=8, **SMALL).fit(split[0])


def _reconstruct(model, X):
    return model.inverse_transform(model.transform(X))


# -- sparse ---------------------------------------------------------------------------------


def test_sparse_code_fires_near_the_target_rate(split):
    X_train, X_test = split
    # Overcomplete: 100 code units for 64 pixels.
    params = {**SMALL, "batch_size": 64, "learning_rate_init": 3e-3}
    sparse = SparseAutoencoder(latent_dim=100, sparsity_weight=0.3, **params).fit(X_train)
    plain = AutoencoderTransformer(latent_dim=100, latent_activation="logistic",
                                   **params).fit(X_train)
    rate, plain_rate = sparse.transform(X_test).mean(), plain.transform(X_test).mean()
    assert abs(rate - 0.05) < 0.02
    assert plain_rate > 0.3
    assert {"train_sparsity", "train_reconstruction"} <= set(sparse.history_[-1])
    assert sparse.history_[-1]["train_sparsity"] < sparse.history_[0]["train_sparsity"]
    # Still an autoencoder: far better than predicting the mean image.
    assert -sparse.score(X_test) < 0.5 * np.mean((X_test - X_train.mean(axis=0)) ** 2)


def test_l1_sparsity_shrinks_relu_codes(split):
    X_train, X_test = split
    params = dict(latent_dim=100, latent_activation="relu", **{**SMALL, "max_iter": 30})
    l1 = AutoencoderTransformer(sparsity_weight=0.1, sparsity_penalty="l1",
                                **params).fit(X_train)
    plain = AutoencoderTransformer(**params).fit(X_train)
    assert l1.transform(X_test).mean() < 0.2 * plain.transform(X_test).mean()
    assert (l1.transform(X_test) == 0).mean() > (plain.transform(X_test) == 0).mean()


# -- denoising ----------------------------------------------------------------------------------


@pytest.mark.parametrize("noise, level, corrupt", [
    ("gaussian", 0.3, lambda x, g: gaussian_noise(x, g, std=0.3).clamp(0, 1)),
    ("mask", 0.3, lambda x, g: masking_noise(x, g, fraction=0.3)),
    ("salt_and_pepper", 0.2, lambda x, g: salt_and_pepper_noise(x, g, fraction=0.2)),
])
def test_denoising_restores_noisy_digits_better_than_plain(split, noise, level, corrupt):
    X_train, X_test = split
    X_noisy = corrupt(torch.as_tensor(X_test), torch.Generator().manual_seed(1)).numpy()
    plain = AutoencoderTransformer(latent_dim=16, **SMALL).fit(X_train)
    denoising = DenoisingAutoencoder(latent_dim=16, noise=noise, noise_level=level,
                                     **SMALL).fit(X_train)
    plain_error = np.mean((_reconstruct(plain, X_noisy) - X_test) ** 2)
    denoising_error = np.mean((_reconstruct(denoising, X_noisy) - X_test) ** 2)
    assert denoising_error < 0.97 * plain_error


def test_noise_only_in_training(split):
    X_train, X_test = split
    dae = DenoisingAutoencoder(latent_dim=4, noise="gaussian", noise_level=1.0,
                               hidden_layer_sizes=(16,), max_iter=2, random_state=0).fit(X_train)
    np.testing.assert_array_equal(dae.transform(X_test), dae.transform(X_test))
    with torch.no_grad():
        clean = dae.module_.encode(torch.as_tensor(X_test)).numpy()
    np.testing.assert_allclose(dae.transform(X_test), clean, rtol=1e-6)
    # Validation losses see clean inputs: with heavy noise they sit below training losses.
    dae.set_params(early_stopping=True, max_iter=3).fit(X_train)
    assert dae.history_[-1]["valid_reconstruction"] < dae.history_[-1]["train_reconstruction"]


def test_noise_is_reproducible_from_random_state(split):
    X = split[0][:300]
    params = {"latent_dim": 4, "hidden_layer_sizes": (16,), "max_iter": 3, "noise": "mask"}
    first = DenoisingAutoencoder(random_state=3, **params).fit_transform(X)
    again = DenoisingAutoencoder(random_state=3, **params).fit_transform(X)
    np.testing.assert_array_equal(first, again)
    # The noise matters: with the same weights seed, a run without it ends elsewhere.
    clean = DenoisingAutoencoder(random_state=3, **{**params, "noise": None}).fit_transform(X)
    assert not np.allclose(first, clean)


# -- contractive --------------------------------------------------------------------------------


def _jacobian_norm(model, X):
    module = model.module_
    return jacobian_frobenius(module.encode, module.normalize(torch.as_tensor(X))).mean().item()


def test_contractive_flattens_the_encoder_on_held_out_data(split, plain8):
    X_train, X_test = split
    cae = ContractiveAutoencoder(latent_dim=8, **SMALL).fit(X_train)
    assert _jacobian_norm(cae, X_test) < 0.25 * _jacobian_norm(plain8, X_test)
    history = cae.history_
    assert "train_contractive" in history[-1]
    # The recorded term is the weighted one's raw value: loss = reconstruction + λ term.
    assert history[-1]["train_loss"] == pytest.approx(
        history[-1]["train_reconstruction"] + 1e-3 * history[-1]["train_contractive"], rel=1e-4)
    assert -cae.score(X_test) < 1.5 * -plain8.score(X_test)


# -- combinations and grid search ----------------------------------------------------------------


def test_contractive_code_keeps_its_scale_and_reconstructs(split):
    """The penalty shrinks the code; behind the latent norm that "auto" chose before, it
    shrank it into the norm's epsilon and the model reconstructed worse than predicting each
    feature's mean (0.113 against 0.073 on the digits), with no warning."""
    X_train, X_test = split
    model = AutoencoderTransformer(latent_dim=4, hidden_layer_sizes=(32,), manifold_weight=0,
                                   contractive_weight=0.01, max_iter=60,
                                   random_state=0).fit(X_train)
    mean_prediction = np.mean((X_test - X_train.mean(axis=0)) ** 2)
    assert -model.score(X_test) < 0.7 * mean_prediction


def test_sparse_denoising_contractive_combine(split):
    X_train = split[0][:400]
    ae = AutoencoderTransformer(latent_dim=80, sparsity_weight=0.1, noise="mask",
                                contractive_weight=1e-4, hidden_layer_sizes=(16,), max_iter=3,
                                random_state=0, **PLAIN).fit(X_train)
    row = ae.history_[-1]
    assert {"train_reconstruction", "train_sparsity", "train_contractive"} <= set(row)
    expected = row["train_reconstruction"] + 0.1 * row["train_sparsity"] \
        + 1e-4 * row["train_contractive"]
    assert row["train_loss"] == pytest.approx(expected, rel=1e-4)
    assert ((ae.transform(X_train) > 0) & (ae.transform(X_train) < 1)).all()


# contractive_weight=1.0 holds the codes so still that in 20 epochs the model does not beat
# predicting the mean, and warns so: the cost of a heavy penalty this test shows.
@pytest.mark.filterwarnings("ignore:ContractiveAutoencoder learned nothing:RuntimeWarning")
def test_grid_search_over_the_regularisation_strength(split):
    X_train = split[0]
    search = GridSearchCV(
        ContractiveAutoencoder(latent_dim=8, hidden_layer_sizes=(32,), max_iter=20,
                               random_state=0),
        {"contractive_weight": [0.0, 1.0]}, cv=2).fit(X_train)
    # With no labels the score is the reconstruction error: a heavy penalty costs some.
    assert search.best_params_ == {"contractive_weight": 0.0}
    assert search.cv_results_["mean_test_score"][1] < search.cv_results_["mean_test_score"][0]


@pytest.mark.parametrize("make", [
    lambda: SparseAutoencoder(latent_dim=70, hidden_layer_sizes=(16,), max_iter=3),
    lambda: DenoisingAutoencoder(latent_dim=3, hidden_layer_sizes=(16,), max_iter=3),
    lambda: ContractiveAutoencoder(latent_dim=3, hidden_layer_sizes=(16,), max_iter=3),
    lambda: VariationalAutoencoder(latent_dim=3, hidden_layer_sizes=(16,), max_iter=3),
    lambda: AutoencoderTransformer(latent_dim=3, hidden_layer_sizes=(4,), max_iter=3,
                                   image_shape=(1, 8, 8)),
])
def test_joblib_round_trip(make, split, tmp_path):
    X_train, X_test = split
    model = make().set_params(random_state=0).fit(X_train[:300])
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.transform(X_test), model.transform(X_test))
    np.testing.assert_array_equal(loaded.score_samples(X_test), model.score_samples(X_test))
    assert loaded.get_params() == model.get_params()


def test_convenience_classes_differ_only_in_defaults():
    assert SparseAutoencoder().get_params()["sparsity_weight"] == 0.1
    assert DenoisingAutoencoder().get_params()["noise"] == "mask"
    assert ContractiveAutoencoder().get_params()["contractive_weight"] == 1e-3
    assert set(SparseAutoencoder().get_params()) == set(AutoencoderTransformer().get_params())
    assert SparseAutoencoder(3, sparsity_weight=0.5).get_params()["latent_dim"] == 3
    assert repr(DenoisingAutoencoder(noise="gaussian")) == \
        "DenoisingAutoencoder(noise='gaussian')"


# -- variational -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vae(split):
    return VariationalAutoencoder(latent_dim=2, **SMALL_VAE).fit(split[0])


def _posterior(model, X):
    module = model.module_
    with torch.no_grad():
        mean, logvar = module.posterior(module.normalize(torch.as_tensor(X)))
    return mean.numpy(), np.exp(0.5 * logvar.numpy())


def test_vae_kl_is_positive_and_beta_pulls_the_posterior_to_the_prior(vae, split):
    X_train, X_test = split
    assert all(row["train_kl"] > 0 for row in vae.history_)
    mean, std = _posterior(vae, X_test)
    # The data narrows each posterior well below the prior's unit spread ...
    assert std.mean() < 0.7
    # ... and a larger beta keeps posteriors closer to N(0, I): wider and with a smaller KL.
    heavy = VariationalAutoencoder(latent_dim=2, beta=4.0, **SMALL_VAE).fit(X_train)
    _, heavy_std = _posterior(heavy, X_test)
    assert heavy_std.mean() > std.mean() + 0.1
    assert heavy.history_[-1]["train_kl"] < 0.5 * vae.history_[-1]["train_kl"]
    assert heavy.history_[-1]["train_loss"] == pytest.approx(
        heavy.history_[-1]["train_reconstruction"] + 4.0 * heavy.history_[-1]["train_kl"],
        rel=1e-4)
    np.testing.assert_array_equal(vae.transform(X_test), mean)


def test_vae_samples_look_like_data_not_noise(vae):
    samples = vae.sample(300, random_state=0)
    assert samples.shape == (300, 64)
    assert samples.min() >= 0 and samples.max() <= 1
    np.testing.assert_array_equal(samples, vae.sample(300, random_state=0))
    noise = np.random.RandomState(0).uniform(size=(300, 64))

    def error(A):
        return np.mean((_reconstruct(vae, A) - A) ** 2)

    # Samples lie on the learned manifold: the model reconstructs them, unlike noise.
    assert error(samples) < 0.1 * error(noise)
    assert vae.score_samples(samples).mean() > vae.score_samples(noise).mean()
    with pytest.raises(ValueError, match="n_samples must be a positive int, got 0"):
        vae.sample(0)


def test_vae_score_samples_is_the_elbo(vae, split):
    X_test = split[1][:50]
    scores = vae.score_samples(X_test)
    # Deterministic, and independent of which other rows are scored alongside.
    np.testing.assert_array_equal(scores, vae.score_samples(X_test))
    reverse = np.ascontiguousarray(X_test[::-1])
    np.testing.assert_allclose(vae.score_samples(reverse)[::-1], scores, rtol=1e-5)
    # A Monte Carlo ELBO with fresh draws agrees on average.
    from skae.nn.losses import gaussian_kl, negative_log_likelihood

    module = vae.module_.eval()
    with torch.no_grad():
        x = torch.as_tensor(X_test)
        mean, logvar = module.posterior(x)
        nll = torch.stack([negative_log_likelihood(module(x)["reconstruction"], x, "bernoulli")
                           for _ in range(400)]).mean(0)
    elbo = -(nll + gaussian_kl(mean, logvar)).numpy()
    assert np.mean(np.abs(elbo - scores)) < 0.02 * np.mean(np.abs(scores))
    assert vae.score(X_test) == pytest.approx(scores.mean())


def test_vae_scores_data_outside_the_unit_range(vae, split):
    # A Bernoulli model cannot produce such data: finite scores, lower the further out.
    X = split[1][:20]
    scores = [vae.score_samples(X * k).mean() for k in (1, 2, 100)]
    assert np.isfinite(scores).all()
    assert scores[0] > scores[1] > scores[2]
    # partial_fit on a later chunk outside the range of the first trains on, finite.
    model = VariationalAutoencoder(latent_dim=2, hidden_layer_sizes=(8,), random_state=0)
    model.partial_fit(split[0]).partial_fit(split[0] * 1.5)
    assert np.isfinite(model.loss_curve_).all()


def test_vae_reproducible_and_leaves_global_rng_alone(split):
    X = split[0][:300]
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state().clone()
    params = {"latent_dim": 2, "hidden_layer_sizes": (16,), "max_iter": 3}
    first = VariationalAutoencoder(random_state=5, **params).fit_transform(X)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], np_state)
    again = VariationalAutoencoder(random_state=5, **params).fit_transform(X)
    other = VariationalAutoencoder(random_state=6, **params).fit_transform(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_vae_validation_loss_scores_the_same_draws_every_epoch(split):
    """Early stopping compares validation losses across epochs: each is computed on the same
    sampling noise, so the same weights give the same loss (one draw per call moved it by
    about as much as an epoch's progress), and the training's random stream is untouched."""
    from skae.nn.training import Trainer

    X = split[0][:200]
    model = VariationalAutoencoder(latent_dim=2, hidden_layer_sizes=(16,), max_iter=2,
                                   random_state=0).fit(X)
    trainer = Trainer(model.module_, model.training_objective(),
                      torch.optim.Adam(model.module_.parameters()), batch_size=32)
    data = torch.as_tensor(X, dtype=torch.float32)
    state = torch.get_rng_state().clone()
    assert trainer.evaluate(data) == trainer.evaluate(data)
    assert torch.equal(torch.get_rng_state(), state)


def test_vae_grid_search_on_elbo(split):
    X_train = split[0]
    search = GridSearchCV(VariationalAutoencoder(latent_dim=2, hidden_layer_sizes=(32,),
                                                 max_iter=15, random_state=0),
                          {"beta": [1.0, 20.0]}, cv=2).fit(X_train)
    # The ELBO (beta = 1) is what beta = 1 maximises.
    assert search.best_params_ == {"beta": 1.0}


def test_vae_on_tabular_data_uses_a_gaussian_likelihood():
    from sklearn.datasets import load_wine

    X, _ = load_wine(return_X_y=True)
    vae = VariationalAutoencoder(latent_dim=2, hidden_layer_sizes=(16,), max_iter=100,
                                 random_state=0).fit(X)
    assert vae.output_activation_ == "identity"
    assert vae.module_.likelihood == "gaussian"
    assert np.isfinite(vae.score_samples(X)).all()
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]
    assert vae.sample(4, random_state=0).shape == (4, 13)


# -- convolutional ---------------------------------------------------------------------------------


def test_conv_autoencoder_on_digits(split):
    X_train, X_test = split
    conv = AutoencoderTransformer(latent_dim=8, image_shape=(1, 8, 8), hidden_layer_sizes=(8, 16),
                                  max_iter=20, learning_rate_init=1e-2,
                                  random_state=0).fit(X_train)
    convs = [m for m in conv.module_.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [8, 16]
    assert conv.transform(X_test).shape == (len(X_test), 8)
    assert -conv.score(X_test) < 0.6 * np.mean((X_test - X_train.mean(axis=0)) ** 2)
    vae = VariationalAutoencoder(latent_dim=2, image_shape=[1, 8, 8], hidden_layer_sizes=(4,),
                                 max_iter=2, random_state=0).fit(X_train)
    assert vae.sample(3, random_state=0).shape == (3, 64)


def _train_for(model, X, cpu_seconds):
    """Train epoch by epoch until ``cpu_seconds`` of this thread's CPU time are spent.

    The calling thread's time, not the process's: threads other tests left behind (OpenMP
    workers spinning after a two-thread fit, thread pools) add to the process time and once
    cut the convolutional model to two epochs in CI."""
    start = time.thread_time()
    while time.thread_time() - start < cpu_seconds:
        model.partial_fit(X)
    return model


@pytest.mark.skipif(not MNIST_DIR.exists(), reason="MNIST not in ../shared/data/mnist")
def test_conv_beats_the_mlp_on_mnist_at_equal_training_time():
    from skae.datasets import load_mnist

    X_train, _ = load_mnist(MNIST_DIR, split="train")
    X_test, _ = load_mnist(MNIST_DIR, split="test")
    X_train, X_test = X_train[:10000], X_test[:2000]
    params = {"latent_dim": 10, "batch_size": 128, "random_state": 0, **PLAIN}
    # Equal CPU time of this thread, on which torch runs with one thread (not wall time,
    # which other jobs on the machine would skew); the MLP is the estimator's default
    # architecture.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        mlp = _train_for(AutoencoderTransformer(**params), X_train, 5)
        conv = _train_for(AutoencoderTransformer(image_shape=(1, 28, 28),
                                                 hidden_layer_sizes=(16, 32), **params),
                          X_train, 5)
    finally:
        torch.set_num_threads(threads)
    # Measured with 5 s each (load ~5): 0.0250 vs 0.0359 (4 vs 10 epochs); with 10 s each
    # 0.0255 vs 0.0300 (9 vs 29 epochs); on an AMD EPYC machine with 5 s of thread time
    # 0.0221 vs 0.0308 (6 vs 21 epochs). A no-op image_shape would tie.
    assert -conv.score(X_test) < 0.95 * -mlp.score(X_test)


# -- clear errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("params, match", [
    ({"image_shape": (1, 8, 9)}, r"image_shape=\(1, 8, 9\) holds 72 values but X has 64"),
    ({"image_shape": (8, 8)}, r"image_shape. parameter .* must be \(channels, height, width\)"),
    ({"noise": "mask", "noise_level": 1.5}, r"noise_level .* must be in \[0, 1\]; got 1.5"),
    ({"sparsity_weight": 0.1, "latent_activation": "relu"}, r"latent_activation must be 'auto'"),
    ({"noise": "pink"}, "'noise' parameter"),
    ({"sparsity_target": 1.0}, "'sparsity_target' parameter"),
    ({"contractive_weight": -1}, "'contractive_weight' parameter"),
    ({"contractive_weight": 0.1, "latent_norm": "batch"}, "latent_norm='batch' resets"),
    ({"sparsity_weight": 0.1, "latent_norm": "isotropic"}, "latent_norm='isotropic' resets"),
])
def test_bad_parameters_are_named(split, params, match):
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(hidden_layer_sizes=(4,), max_iter=1, **params).fit(split[0][:50])


def test_bad_vae_parameters_are_named(split):
    with pytest.raises(ValueError, match="'beta' parameter"):
        VariationalAutoencoder(beta=-1.0).fit(split[0][:50])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match="image_shape"):
            VariationalAutoencoder(image_shape=(1, 4, 4), max_iter=1).fit(split[0][:50])


def test_the_vae_takes_exactly_the_parameters_it_constrains():
    """The VAE's __init__ is AutoencoderTransformer's less its regularisers, plus beta: a
    parameter added to the autoencoder must be constrained (used) by the VAE or left out."""
    from sklearn.base import clone

    names = set(VariationalAutoencoder._get_param_names())
    assert names == set(VariationalAutoencoder._parameter_constraints)
    assert "beta" in names and "noise" not in names and "sparsity_weight" not in names
    vae = VariationalAutoencoder(3, beta=2.0, image_shape=(1, 8, 8))
    assert vae.get_params()["learning_rate_init"] == 1e-3
    assert clone(vae).get_params() == vae.get_params()
    assert set(vars(vae)) == names
    with pytest.raises(TypeError, match=r"VariationalAutoencoder.__init__\(\) .* 'noise'"):
        VariationalAutoencoder(noise="mask")


def test_image_shape_means_images_whatever_their_background():
    """Photographs stored as 0-255 have no background, so scaling="auto" standardised them
    and decoded linearly (reconstructions from -65 to 464); image_shape says they are
    images: one range into [0, 1], decoded through a sigmoid, back inside 0-255."""
    X = np.random.RandomState(0).randint(30, 226, size=(40, 3 * 8 * 8)).astype(np.uint8)
    params = {"latent_dim": 2, "hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0}
    model = AutoencoderTransformer(image_shape=(3, 8, 8), **params).fit(X)
    assert model.output_activation_ == "logistic"
    reconstruction = model.inverse_transform(model.transform(X))
    assert reconstruction.min() >= 30 - 1e-3 and reconstruction.max() <= 225 + 1e-3
    assert AutoencoderTransformer(**params).fit(X).output_activation_ == "identity"


def test_a_channel_last_image_shape_is_questioned():
    """(height, width, channels), numpy's order, read as many channels of thin images."""
    X = np.random.RandomState(0).rand(10, 8 * 8 * 3)
    with pytest.warns(UserWarning, match=r"reads as 8 channels of 8 x 3 images.*\(3, 8, 8\)"):
        AutoencoderTransformer(image_shape=(8, 8, 3), hidden_layer_sizes=(4,),
                               max_iter=1).fit(X)
