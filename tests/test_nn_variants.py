"""The torch pieces of the autoencoder family: losses by hand, corruption, conv and VAE modules."""

import math

import pytest
import torch

from skae.nn import Objective
from skae.nn.corruption import gaussian_noise, masking_noise, salt_and_pepper_noise
from skae.nn.losses import (
    gaussian_kl,
    jacobian_frobenius,
    kl_sparsity,
    l1_sparsity,
    negative_log_likelihood,
)
from skae.nn.modules import Autoencoder, VariationalAutoencoder

# -- losses with hand-checkable numbers -------------------------------------------------------


def test_kl_sparsity_by_hand():
    # Unit 0 fires at mean rate 0.5, unit 1 at 0.1 (the target): KL is 0 for unit 1 and
    # 0.1 ln(0.1 / 0.5) + 0.9 ln(0.9 / 0.5) for unit 0; the penalty averages the two.
    codes = torch.tensor([[0.0, 0.2], [1.0, 0.0]])
    expected = (0.1 * math.log(0.2) + 0.9 * math.log(1.8)) / 2
    assert kl_sparsity(codes, 0.1).item() == pytest.approx(expected, rel=1e-6)
    assert kl_sparsity(torch.full((3, 4), 0.05), 0.05).item() == pytest.approx(0, abs=1e-7)
    # Rates of exactly 0 or 1 are clipped, so the penalty stays finite and has a gradient.
    dead = torch.zeros(2, 3, requires_grad=True)
    kl_sparsity(dead, 0.05).backward()
    assert torch.isfinite(dead.grad).all()


def test_l1_sparsity_by_hand():
    assert l1_sparsity(torch.tensor([[1.0, -2.0], [0.0, 3.0]])).item() == 1.5


def test_gaussian_kl_by_hand():
    mean = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    logvar = torch.tensor([[0.0, 0.0], [0.0, math.log(2.0)]])
    # Row 0 is the prior itself; row 1: 0.5 * ((1 + 1 - 0 - 1) + (0 + 2 - ln 2 - 1)).
    expected = [0.0, 0.5 * (1 + 1 - math.log(2.0))]
    assert gaussian_kl(mean, logvar).tolist() == pytest.approx(expected, rel=1e-6)


def test_negative_log_likelihood_by_hand():
    recon = torch.tensor([[0.5, 0.5], [0.9, 0.2]])
    target = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    bernoulli = negative_log_likelihood(recon, target, "bernoulli")
    assert bernoulli.tolist() == pytest.approx(
        [2 * math.log(2.0), -math.log(0.9) - math.log(0.8)], rel=1e-6)
    gaussian = negative_log_likelihood(recon, target, "gaussian")
    assert gaussian.tolist() == pytest.approx([0.5 * 0.5, 0.5 * (0.01 + 0.04)], rel=1e-6)
    # Outside [0, 1]: the bound's cross-entropy plus the distance to it.
    outside = negative_log_likelihood(torch.tensor([[0.5, 0.5]]), torch.tensor([[1.5, -2.0]]),
                                      "bernoulli")
    assert outside.item() == pytest.approx(2 * math.log(2.0) + 0.5 + 2.0, rel=1e-6)
    with pytest.raises(ValueError, match="likelihood must be"):
        negative_log_likelihood(recon, target, "poisson")


def test_jacobian_of_a_linear_map_is_its_matrix():
    weight = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    norms = jacobian_frobenius(lambda x: x @ weight.T, torch.randn(4, 3))
    assert norms.tolist() == pytest.approx([15.0] * 4)


@pytest.mark.parametrize("hidden", [(), (6,), (7, 5)])
def test_jacobian_matches_finite_differences_at_any_depth(hidden):
    torch.manual_seed(0)
    module = Autoencoder.mlp(5, hidden, 3, activation="tanh",
                             latent_activation="logistic").double()
    x = torch.randn(4, 5, dtype=torch.float64)
    h = 1e-6
    expected = []
    for row in x:
        columns = [(module.encode((row + h * e)[None]) - module.encode((row - h * e)[None]))[0]
                   / (2 * h) for e in torch.eye(5, dtype=torch.float64)]
        expected.append(torch.stack(columns, dim=1).pow(2).sum().item())
    assert jacobian_frobenius(module.encode, x).tolist() == pytest.approx(expected, rel=1e-6)


def test_jacobian_penalty_has_gradients_for_every_encoder_weight():
    module = Autoencoder.conv((1, 6, 6), (3,), 2, activation="tanh")
    jacobian_frobenius(module.encode, torch.rand(3, 36)).mean().backward()
    # Weight matrices and kernels, not biases: the last bias does not change the Jacobian.
    grads = [p.grad for p in module.encoder.parameters() if p.dim() > 1]
    assert len(grads) == 2
    assert all(g is not None and g.abs().sum() > 0 for g in grads)


# -- corruption ------------------------------------------------------------------------------


def test_masking_noise_zeroes_the_fraction_asked_and_copies():
    x = torch.ones(200, 50)
    out = masking_noise(x, torch.Generator().manual_seed(0), fraction=0.3)
    assert torch.equal(x, torch.ones(200, 50))
    assert set(out.unique().tolist()) == {0.0, 1.0}
    assert (out == 0).float().mean().item() == pytest.approx(0.3, abs=0.01)
    assert torch.equal(masking_noise(x, fraction=0.0), x)


def test_gaussian_noise_has_the_std_asked_and_is_reproducible():
    x = torch.zeros(200, 50)
    first = gaussian_noise(x, torch.Generator().manual_seed(1), std=0.2)
    again = gaussian_noise(x, torch.Generator().manual_seed(1), std=0.2)
    assert torch.equal(first, again)
    assert first.std().item() == pytest.approx(0.2, rel=0.03)
    assert first.mean().item() == pytest.approx(0.0, abs=0.01)


def test_salt_and_pepper_sets_extremes():
    x = torch.full((200, 50), 0.5)
    x[0, 0], x[0, 1] = 0.0, 1.0
    out = salt_and_pepper_noise(x, torch.Generator().manual_seed(2), fraction=0.2)
    changed = out != x
    assert changed.float().mean().item() == pytest.approx(0.2, abs=0.01)
    assert set(out[changed].unique().tolist()) <= {0.0, 1.0}
    assert (out[changed] == 1.0).float().mean().item() == pytest.approx(0.5, abs=0.05)


# -- modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("image_shape, channels", [((1, 28, 28), (4, 8)), ((3, 7, 9), (2, 3, 4)),
                                                   ((1, 8, 8), ())])
def test_conv_autoencoder_round_trips_shapes(image_shape, channels):
    n = math.prod(image_shape)
    module = Autoencoder.conv(image_shape, channels, 5, output_activation="logistic")
    out = module(torch.rand(2, n))
    assert out["latent"].shape == (2, 5)
    assert out["reconstruction"].shape == (2, n)
    assert ((out["reconstruction"] > 0) & (out["reconstruction"] < 1)).all()
    convs = [m for m in module.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == list(channels)


def test_latent_activation_applies_to_the_code():
    module = Autoencoder.mlp(6, (4,), 3, latent_activation="logistic")
    z = module.encode(torch.randn(10, 6) * 100)
    assert ((z >= 0) & (z <= 1)).all()


def test_vae_module_encodes_the_mean_and_clamps_the_log_variance():
    module = VariationalAutoencoder.mlp(6, (4,), 2)
    last = module.encoder[-1]
    assert last.out_features == 4  # mean and log-variance for each of 2 units
    with torch.no_grad():
        last.bias[2:] = 1e4  # a log-variance that would overflow exp
    x = torch.randn(5, 6)
    mean, logvar = module.posterior(x)
    assert torch.equal(module.encode(x), mean)
    assert (logvar == module.logvar_bound).all()
    out = module(x, generator=torch.Generator().manual_seed(0))
    assert torch.isfinite(out["latent"]).all()
    assert not torch.equal(out["latent"], mean)
    assert out["reconstruction"].shape == (5, 6)


def test_objective_takes_another_reconstruction_term():
    module = Autoencoder.mlp(4, (), 2)
    objective = Objective(reconstruction=lambda r, t: torch.tensor(7.0))
    assert objective(module, torch.zeros(3, 4))["loss"].item() == 7.0
