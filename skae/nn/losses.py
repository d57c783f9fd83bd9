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
