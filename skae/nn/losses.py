"""Loss terms: plain functions from tensors to tensors."""

import torch


def reconstruction_error(reconstruction, target):
    """Mean squared error of each sample, averaged over its features.

    Parameters
    ----------
    reconstruction, target : Tensor of shape (n_samples, n_features)

    Returns
    -------
    Tensor of shape (n_samples,)
    """
    return (reconstruction - target).pow(2).flatten(1).mean(dim=1)


def mean_reconstruction_error(reconstruction, target):
    """Mean squared error over all samples and features (a scalar)."""
    return torch.nn.functional.mse_loss(reconstruction, target)


def kl_sparsity(activations, target, eps=1e-6):
    """KL divergence between a target firing rate and each unit's mean activation.

    For unit ``j`` with mean activation ``q_j`` over the batch, the divergence of two
    Bernoulli distributions ``KL(target || q_j) = target log(target / q_j) +
    (1 - target) log((1 - target) / (1 - q_j))``, averaged over units (Ng's sum divided
    by the number of units, so a weight carries over between code sizes).

    Parameters
    ----------
    activations : Tensor of shape (n_samples, n_units)
        Codes in (0, 1), e.g. sigmoid outputs.
    target : float
        The target mean activation, in (0, 1).
    eps : float, default=1e-6
        Mean activations are clipped to ``[eps, 1 - eps]`` so the logarithms stay finite.

    Returns
    -------
    Tensor, a scalar
    """
    rate = activations.mean(dim=0).clamp(eps, 1 - eps)
    kl = target * torch.log(target / rate) + (1 - target) * torch.log((1 - target) / (1 - rate))
    return kl.mean()


def l1_sparsity(activations):
    """Mean absolute activation over samples and units (a scalar)."""
    return activations.abs().mean()


def jacobian_frobenius(fn, x):
    """Squared Frobenius norm of the Jacobian of ``fn`` at each row of ``x``, exactly.

    ``fn`` maps rows independently (no batch statistics), so the Jacobian of each output
    row with respect to its own input row is what a batched vector-Jacobian product with a
    one-hot cotangent gives: one product per output unit, vectorised with ``torch.func``.
    The cost is that of ``n_outputs`` backward passes; the result is differentiable, so it
    can be a training penalty (a double backward).

    Parameters
    ----------
    fn : callable
        Tensor of shape (n_samples, n_inputs) -> Tensor of shape (n_samples, n_outputs).
    x : Tensor of shape (n_samples, n_inputs)

    Returns
    -------
    Tensor of shape (n_samples,)
        ``sum_kj (d fn(x)_k / d x_j)^2`` for each sample.
    """
    z, vjp = torch.func.vjp(fn, x)
    n_outputs = z.shape[1]
    cotangents = torch.eye(n_outputs, dtype=z.dtype, device=z.device)
    cotangents = cotangents[:, None, :].expand(n_outputs, *z.shape)
    (rows,) = torch.func.vmap(vjp)(cotangents)  # (n_outputs, n_samples, n_inputs)
    return rows.pow(2).sum(dim=(0, 2))


def gaussian_kl(mean, logvar):
    """KL divergence of ``N(mean, exp(logvar))`` from ``N(0, I)``, per sample.

    ``0.5 * sum_k (mean_k^2 + exp(logvar_k) - logvar_k - 1)``, summed over latent units.

    Parameters
    ----------
    mean, logvar : Tensor of shape (n_samples, latent_dim)

    Returns
    -------
    Tensor of shape (n_samples,)
    """
    return 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(dim=1)


def negative_log_likelihood(reconstruction, target, likelihood):
    """Negative log-likelihood of each sample under the decoder's distribution.

    Parameters
    ----------
    reconstruction : Tensor of shape (n_samples, n_features)
        The decoder's output: Bernoulli probabilities or Gaussian means.
    target : Tensor of shape (n_samples, n_features)
    likelihood : {"bernoulli", "gaussian"}
        ``"bernoulli"``: binary cross-entropy summed over features. A target outside
        [0, 1], which a Bernoulli cannot produce, is scored at the nearest bound plus its
        distance to it, so the loss stays finite and grows the further out it lies.
        ``"gaussian"``: unit variance, ``0.5 * sum (reconstruction - target)^2`` (the
        constant ``0.5 log(2 pi)`` per feature is left out).

    Returns
    -------
    Tensor of shape (n_samples,)
    """
    if likelihood == "bernoulli":
        inside = target.clamp(0, 1)
        nll = torch.nn.functional.binary_cross_entropy(reconstruction, inside, reduction="none")
        return (nll + (target - inside).abs()).flatten(1).sum(dim=1)
    if likelihood == "gaussian":
        return 0.5 * (reconstruction - target).pow(2).flatten(1).sum(dim=1)
    raise ValueError(f"likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}.")


def negative_elbo(module, x, n_draws=16):
    """Per-row negative ELBO of raw inputs ``x`` under a variational autoencoder ``module``
    (``normalize``, ``posterior``, ``decode`` and ``likelihood``), with β = 1.

    The expectation over the posterior is estimated with ``n_draws`` fixed standard normal
    draws (seed 0) shared by every row (common random numbers): deterministic, independent
    of which other rows are scored, and still unbiased for each row.

    Returns
    -------
    Tensor of shape (n_samples,)
    """
    target = module.normalize(x)
    mean, logvar = module.posterior(target)
    generator = torch.Generator(x.device).manual_seed(0)
    draws = torch.randn((n_draws, mean.shape[1]), generator=generator, device=x.device,
                        dtype=mean.dtype)
    std = torch.exp(0.5 * logvar)
    nll = sum(negative_log_likelihood(module.decode(mean + std * eps), target,
                                      module.likelihood) for eps in draws)
    return nll / n_draws + gaussian_kl(mean, logvar)


def umap_cross_entropy(positive_distances, negative_distances, a, b, eps=1e-4):
    """UMAP's fuzzy-set cross-entropy of sampled edges and non-edges of a neighbour graph.

    A pair of codes at squared distance ``d`` is similar with probability
    ``q = 1 / (1 + a d^b)`` (UMAP's curve, ``d^b = |z_i - z_j|^(2b)``). Sampled edges of
    the data's neighbour graph pull their ends together (``-log q``); negative pairs push
    apart (``-log(1 - q)``). Edges are sampled in proportion to their membership, so the
    weights are in the sampling and the mean here is unweighted (McInnes et al., 2018;
    parametric UMAP, Sainburg et al., 2021).

    Parameters
    ----------
    positive_distances : Tensor of shape (n_edges,)
        Squared distances between the codes of the two ends of each sampled edge.
    negative_distances : Tensor of shape (n_negatives,)
        Squared distances of the negative pairs.
    a, b : float
        The curve's parameters, e.g. ``a=1.577, b=0.895`` for ``min_dist=0.1``.
    eps : float, default=1e-4
        ``q`` and ``1 - q`` are clipped below at ``eps`` (the logarithms stay finite) and
        distances at 1e-10 (the gradient of ``d^b`` is finite at 0 for ``b < 1``).

    Returns
    -------
    Tensor, a scalar
        The summed cross-entropy divided by ``n_edges + n_negatives``.
    """
    def similarity(distances):
        return 1.0 / (1.0 + a * distances.clamp_min(1e-10).pow(b))

    attraction = -torch.log(similarity(positive_distances).clamp(eps, 1.0)).sum()
    repulsion = -torch.log((1.0 - similarity(negative_distances)).clamp(eps, 1.0)).sum()
    return (attraction + repulsion) / (positive_distances.numel() + negative_distances.numel())
