"""Input corruption for denoising autoencoders: tensor and generator in, corrupted copy out.

Each function takes a batch in the model's working space and a ``torch.Generator`` (or None)
and never modifies the batch in place. The Objective applies them in training only.
"""

import torch


def _uniform(x, generator):
    return torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)


def gaussian_noise(x, generator=None, *, std):
    """``x`` plus independent Gaussian noise of standard deviation ``std``."""
    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return x + std * noise


def masking_noise(x, generator=None, *, fraction):
    """``x`` with a random ``fraction`` of its entries set to zero (dropout without
    rescaling, as in Vincent et al., 2008)."""
    return x * (_uniform(x, generator) >= fraction)


def salt_and_pepper_noise(x, generator=None, *, fraction):
    """``x`` with a random ``fraction`` of its entries set to the batch's minimum or
    maximum (pepper or salt, with equal odds): 0 or 1 for images in [0, 1]."""
    u = _uniform(x, generator)
    salt = _uniform(x, generator) < 0.5
    extremes = torch.where(salt, x.max(), x.min())
    return torch.where(u < fraction, extremes, x)


CORRUPTIONS = {
    "gaussian": (gaussian_noise, "std"),
    "mask": (masking_noise, "fraction"),
    "salt_and_pepper": (salt_and_pepper_noise, "fraction"),
}
