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


def random_shift(x, generator=None, *, image_shape, max_shift):
    """Each image of ``x`` (flat rows of ``(channels, height, width)`` images) moved by its
    own random whole number of pixels, up to ``max_shift = (rows, columns)`` either way;
    the pixels uncovered at the border repeat the edge, so the background stays.

    Small shifts are the corruption that teaches a network that a drawing moved by a pixel
    or two is the same drawing.
    """
    n_rows = x.shape[0]
    channels, height, width = image_shape
    up, left = max_shift
    images = x.reshape(n_rows, channels, height, width)
    padded = torch.nn.functional.pad(images, (left, left, up, up), mode="replicate")
    dy = torch.randint(0, 2 * up + 1, (n_rows, 1), generator=generator, device=x.device)
    dx = torch.randint(0, 2 * left + 1, (n_rows, 1), generator=generator, device=x.device)
    rows = (torch.arange(height, device=x.device) + dy)[:, None, :, None]
    columns = (torch.arange(width, device=x.device) + dx)[:, None, None, :]
    batch = torch.arange(n_rows, device=x.device)[:, None, None, None]
    channel = torch.arange(channels, device=x.device)[None, :, None, None]
    return padded[batch, channel, rows, columns].reshape(n_rows, -1)
