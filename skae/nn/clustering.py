"""Deep embedded clustering in torch: Student-t soft assignments, the sharpened target
distribution, the KL loss, and a module holding an autoencoder with cluster centres."""

import torch
from torch import nn

from .callbacks import TargetRefresh  # noqa: F401  (the callback DEC trains with)


def soft_assignment(z, centers, degrees_of_freedom=1.0):
    """Student-t similarity of each code to each centre, normalised per sample (DEC's ``q``).

    ``q_ij = (1 + |z_i - mu_j|^2 / a)^(-(a + 1) / 2)``, divided by its sum over ``j``.

    Parameters
    ----------
    z : Tensor of shape (n_samples, latent_dim)
    centers : Tensor of shape (n_clusters, latent_dim)
    degrees_of_freedom : float, default=1.0
        ``a`` above; 1 is DEC's choice (a Cauchy kernel).

    Returns
    -------
    Tensor of shape (n_samples, n_clusters)
        Rows sum to one.
    """
    squared = (z.unsqueeze(1) - centers.unsqueeze(0)).pow(2).sum(dim=2)
    q = (1.0 + squared / degrees_of_freedom).pow(-(degrees_of_freedom + 1.0) / 2.0)
    return q / q.sum(dim=1, keepdim=True)


def target_distribution(q):
    """DEC's auxiliary target ``p``: ``q`` squared over cluster frequency, renormalised.

    Squaring sharpens confident assignments; dividing by the soft cluster size keeps
    large clusters from swallowing the rest.

    Parameters
    ----------
    q : Tensor of shape (n_samples, n_clusters)

    Returns
    -------
    Tensor of shape (n_samples, n_clusters)
    """
    weight = q.pow(2) / q.sum(dim=0)
    return weight / weight.sum(dim=1, keepdim=True)


def kl_divergence(p, q, eps=1e-12):
    """``KL(p || q)`` summed over clusters and averaged over samples (a scalar)."""
    return (p * (torch.log(p + eps) - torch.log(q + eps))).sum(dim=1).mean()


class ClusteringModel(nn.Module):
    """An autoencoder whose latent space holds trainable cluster centres.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        With ``normalize``, ``encode`` and ``decode`` (``skae.nn.Autoencoder`` or a variant).
    centers : Tensor of shape (n_clusters, latent_dim)
        Initial centres, e.g. from k-means on the codes.
    degrees_of_freedom : float, default=1.0
    """

    def __init__(self, autoencoder, centers, degrees_of_freedom=1.0):
        super().__init__()
        self.autoencoder = autoencoder
        self.centers = nn.Parameter(torch.as_tensor(centers, dtype=torch.float32).clone())
        self.degrees_of_freedom = float(degrees_of_freedom)

    def encode(self, x):
        """Latent code of raw inputs (normalised here)."""
        return self.autoencoder.encode(self.autoencoder.normalize(x))

    def forward(self, x):
        """Soft assignments ``q`` of raw inputs, shape (n_samples, n_clusters)."""
        return soft_assignment(self.encode(x), self.centers, self.degrees_of_freedom)


class ClusteringObjective:
    """KL(target || q), plus ``reconstruction_weight`` times the autoencoder's own objective.

    With weight 0 this is DEC (Xie et al. 2016); with a positive weight, IDEC (Guo et al.
    2017), which keeps the decoder training so the latent space is not distorted.

    Parameters
    ----------
    reconstruction : callable or None
        ``fn(autoencoder, x, training=..., generator=...)`` returning a dict with ``"loss"``
        (the autoencoder's training objective), or None for pure DEC.
    reconstruction_weight : float, default=0.1
    """

    def __init__(self, reconstruction=None, reconstruction_weight=0.1):
        self.reconstruction = reconstruction
        self.reconstruction_weight = reconstruction_weight

    def __call__(self, model, x, p, *, training=False, generator=None):
        terms = {"clustering": kl_divergence(p, model(x))}
        loss = terms["clustering"]
        if self.reconstruction is not None and self.reconstruction_weight > 0:
            ae_terms = self.reconstruction(model.autoencoder, x, training=training,
                                           generator=generator)
            terms["reconstruction"] = ae_terms["loss"]
            loss = loss + self.reconstruction_weight * terms["reconstruction"]
        terms["loss"] = loss
        return terms

    @property
    def extra_rows(self):
        """Rows a step encodes beyond its batch: the autoencoder objective's, when used."""
        if self.reconstruction is None or not self.reconstruction_weight > 0:
            return 0
        return getattr(self.reconstruction, "extra_rows", 0)


def target_for(inputs, n_clusters):
    """An all-zero target tensor beside ``inputs``, filled by ``TargetRefresh``."""
    return torch.zeros((inputs.shape[0], n_clusters), device=inputs.device)
