"""Autoencoder modules built from layer sizes or image shapes: plain and variational."""

import contextlib
import math

import torch
from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}


def build_mlp(sizes, activation="relu", output_activation="identity", hidden_norm=None):
    """A stack of linear layers with ``activation`` between them.

    Parameters
    ----------
    sizes : sequence of int
        Widths from the input to the output, e.g. ``(784, 128, 2)``.
    activation : str, default="relu"
        Activation after every hidden layer, a key of ``ACTIVATIONS``.
    output_activation : str, default="identity"
        Activation after the last layer.
    hidden_norm : {"batch"} or None, default=None
        ``"batch"``: batch normalisation after every hidden linear layer, before its
        activation (never after the last layer).

    Returns
    -------
    torch.nn.Sequential
    """
    layers = []
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        hidden = i < n_layers - 1
        if hidden and hidden_norm is not None:
            layers.append(HIDDEN_NORMS[hidden_norm](n_out))
        name = activation if hidden else output_activation
        if name != "identity":
            layers.append(ACTIVATIONS[name]())
    return nn.Sequential(*layers)


class BatchNorm(nn.BatchNorm1d):
    """``torch.nn.BatchNorm1d`` that also accepts one-row training batches: they have no
    variance, so they use the running statistics instead of failing."""

    def forward(self, x):
        if self.training and x.shape[0] < 2:
            return nn.functional.batch_norm(x, self.running_mean, self.running_var,
                                            self.weight, self.bias, training=False,
                                            eps=self.eps)
        return super().forward(x)


class BatchStandardize(BatchNorm):
    """Standardise each unit of a code over the batch: batch normalisation with no
    learned scale or shift, so every unit has mean 0 and variance 1 on the training data.

    Training batches use their own statistics and update running ones, which evaluation
    (``transform``) uses. A one-row training batch has no variance: it uses the running
    statistics instead of failing.
    """

    def __init__(self, num_features, momentum=0.1):
        super().__init__(num_features, affine=False, momentum=momentum)


class BatchIsotropic(nn.Module):
    """Centre a code over the batch and divide it by one scale for all its units: the
    root mean variance of the units. Unlike ``BatchStandardize`` it keeps the code's
    geometry (the ratios of the units' spreads, the angles); it only fixes its overall
    size, so a distance-based term cannot shrink or blow up the code.

    Training batches use their own statistics and update running ones (with
    ``momentum``), which evaluation uses; a one-row training batch uses the running ones.
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(()))

    def forward(self, x):
        if self.training and x.shape[0] >= 2:
            mean = x.mean(dim=0)
            var = x.var(dim=0, unbiased=False).mean()
            with torch.no_grad():
                self.running_mean.lerp_(mean.detach(), self.momentum)
                unbiased = var.detach() * x.shape[0] / (x.shape[0] - 1)
                self.running_var.lerp_(unbiased, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) / torch.sqrt(var + self.eps)


@contextlib.contextmanager
def rowwise(module):
    """Within this block the batch-normalisation layers of ``module`` use their running
    statistics, so the module maps each row on its own (as in evaluation) while it keeps
    training otherwise: what a per-row derivative, such as the contractive Jacobian, needs.
    """
    norms = [m for m in module.modules()
             if isinstance(m, (nn.modules.batchnorm._BatchNorm, BatchIsotropic)) and m.training]
    for m in norms:
        m.eval()
    try:
        yield module
    finally:
        for m in norms:
            m.train()


class LinearPath(nn.Module):
    """``linear(x) + body(x)``: a linear map beside a non-linear network, so a linear code
    (PCA's, at the optimum of the reconstruction error) is a special case of the model."""

    def __init__(self, linear, body):
        super().__init__()
        self.linear = linear
        self.body = body

    def forward(self, x):
        return self.linear(x) + self.body(x)


LATENT_NORMS = {"batch": BatchStandardize, "isotropic": BatchIsotropic}
HIDDEN_NORMS = {"batch": BatchNorm}


def _with_latent_norm(encoder, latent_norm, latent_dim):
    if latent_norm is not None:
        encoder.append(LATENT_NORMS[latent_norm](latent_dim))
    return encoder


# The buffers of the power step of ``Autoencoder.normalize`` where it does nothing.
POWER_IDENTITY = {"power": 1.0, "power_shift": 0.0, "power_scale": 1.0}


def yeo_johnson(x, power):
    """The Yeo-Johnson transform of ``x`` with one ``power`` (λ) per feature (column), as
    ``sklearn.preprocessing.PowerTransformer`` applies it: ``((x + 1)**λ - 1) / λ`` for
    ``x >= 0`` (``log1p(x)`` at λ = 0), ``-((1 - x)**(2 - λ) - 1) / (2 - λ)`` below
    (``-log1p(-x)`` at λ = 2), written with ``expm1`` and ``log1p`` so that a λ near 0 or
    2 loses no precision. λ = 1 is the identity."""
    positive = x >= 0
    # Each branch sees only arguments of its own sign, so neither can produce NaN.
    up = torch.log1p(torch.where(positive, x, torch.zeros_like(x)))
    down = torch.log1p(torch.where(positive, torch.zeros_like(x), -x))
    upper = _expm1_ratio(up, power)
    lower = -_expm1_ratio(down, 2 - power)
    return torch.where(positive, upper, lower)


def _expm1_ratio(log, power):
    """``expm1(power * log) / power``, ``log`` at ``power = 0``."""
    zero = power.abs() < 1e-12
    safe = torch.where(zero, torch.ones_like(power), power)
    return torch.where(zero, log, torch.expm1(safe * log) / safe)


# How far ``inverse_yeo_johnson`` reaches, in the units it maps back to: the transform is
# steep in a long tail, and a decoder may write well beyond the data.
_INVERSE_REACH = 1e6


def inverse_yeo_johnson(y, power):
    """The inverse of ``yeo_johnson``: its value stays within ``_INVERSE_REACH`` in
    magnitude (and finite) wherever the decoder writes."""
    positive = y >= 0
    up = torch.where(positive, y, torch.zeros_like(y))
    down = torch.where(positive, torch.zeros_like(y), -y)
    upper = _log1p_ratio(up, power)
    lower = -_log1p_ratio(down, 2 - power)
    return torch.where(positive, upper, lower)


def _log1p_ratio(value, power):
    """``expm1(log1p(power * value) / power)`` for ``value >= 0`` (``expm1(value)`` at
    ``power = 0``), at most ``_INVERSE_REACH``; ``1 + power * value`` held above 0, the
    transform's edge for a negative power."""
    zero = power.abs() < 1e-12
    safe = torch.where(zero, torch.ones_like(power), power)
    edge = torch.finfo(value.dtype).tiny - 1
    exponent = torch.where(zero, value, torch.log1p((safe * value).clamp_min(edge)) / safe)
    return torch.expm1(exponent.clamp_max(math.log1p(_INVERSE_REACH)))


def _update_identity_flag_hook(module, incompatible_keys):
    module._update_identity_flag()


class Autoencoder(nn.Module):
    """An encoder and a decoder, with a fixed map into the space they work in.

    ``normalize`` maps raw inputs to the working space, where the encoder reads and the
    decoder writes: ``(x - shift) / scale``, then, for features with a ``power`` other
    than 1, a Yeo-Johnson transform of that power followed by ``(u - power_shift) /
    power_scale``; ``denormalize`` maps back. Keeping the map inside the module means
    the training data is never copied to scale it.

    Parameters
    ----------
    encoder, decoder : torch.nn.Module
    n_features : int
        Width of the input, the size of the ``shift``, ``scale``, ``power``,
        ``power_shift`` and ``power_scale`` buffers.
    """

    def __init__(self, encoder, decoder, n_features):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.register_buffer("shift", torch.zeros(n_features))
        self.register_buffer("scale", torch.ones(n_features))
        for name, value in POWER_IDENTITY.items():
            self.register_buffer(name, torch.full((n_features,), value))
        self.is_identity_map = True
        self.has_power = False
        self.powered_columns = torch.zeros(0, dtype=torch.long)
        # Loaded weights bring their own shift and scale: re-derive the flag from them.
        self.register_load_state_dict_post_hook(_update_identity_flag_hook)

    # Outputs of the encoder per latent unit: 1 here, 2 (mean, log-variance) for the VAE.
    encoder_outputs_per_unit = 1

    @classmethod
    def mlp(cls, n_features, hidden_layer_sizes, latent_dim, *, activation="relu",
            output_activation="identity", latent_activation="identity", latent_norm=None,
            hidden_norm=None, linear_path=False):
        """Build a multi-layer perceptron autoencoder with a mirrored decoder.

        ``latent_norm="batch"`` standardises the code (``BatchStandardize``) after its
        activation; ``hidden_norm="batch"`` batch-normalises every hidden layer of the
        encoder and the decoder (see ``build_mlp``); None leaves them as they are.
        ``latent_norm="isotropic"`` centres the code and divides it by one scale
        (``BatchIsotropic``). ``linear_path=True`` adds a linear layer beside the encoder's
        layers and one beside the decoder's (``LinearPath``); the code's and the output's
        activations then follow the sum.
        """
        sizes = (n_features, *hidden_layer_sizes, latent_dim)
        n_out = cls.encoder_outputs_per_unit * latent_dim
        if linear_path:
            encoder = nn.Sequential(LinearPath(
                nn.Linear(n_features, n_out),
                build_mlp((*sizes[:-1], n_out), activation, "identity", hidden_norm)))
            if latent_activation != "identity":
                encoder.append(ACTIVATIONS[latent_activation]())
            decoder = nn.Sequential(LinearPath(
                nn.Linear(latent_dim, n_features),
                build_mlp(sizes[::-1], activation, "identity", hidden_norm)))
            if output_activation != "identity":
                decoder.append(ACTIVATIONS[output_activation]())
        else:
            encoder = build_mlp((*sizes[:-1], n_out), activation, latent_activation,
                                hidden_norm)
            decoder = build_mlp(sizes[::-1], activation, output_activation, hidden_norm)
        encoder = _with_latent_norm(encoder, latent_norm, latent_dim)
        return cls(encoder, decoder, n_features)

    def set_normalization(self, shift, scale, power=None, power_shift=None,
                          power_scale=None):
        """Fix the map: ``normalize(x) = (x - shift) / scale``, then for the features whose
        ``power`` is not 1 a Yeo-Johnson transform and ``(u - power_shift) / power_scale``
        (None: the identity, ``power`` 1)."""
        self.shift.copy_(torch.as_tensor(shift))
        self.scale.copy_(torch.as_tensor(scale))
        given = {"power": power, "power_shift": power_shift, "power_scale": power_scale}
        for name, value in given.items():
            getattr(self, name).copy_(
                torch.as_tensor(value) if value is not None else POWER_IDENTITY[name])
        self._update_identity_flag()

    def _update_identity_flag(self):
        # Skipping an identity map saves two full-batch passes per training step.
        if self.shift.device.type != "meta":
            self.powered_columns = torch.nonzero(self.power != 1).flatten().cpu()
            self.has_power = bool(self.powered_columns.numel())
            self.is_identity_map = bool((self.shift == 0).all() and (self.scale == 1).all()
                                        and not self.has_power)

    def normalize(self, x):
        if self.is_identity_map:
            return x
        x = (x - self.shift) / self.scale
        if self.has_power:
            x = self._map_powered(x, lambda part, power, shift, scale:
                                  (yeo_johnson(part, power) - shift) / scale)
        return x

    def denormalize(self, x):
        if self.is_identity_map:
            return x
        if self.has_power:
            x = self._map_powered(x, lambda part, power, shift, scale:
                                  inverse_yeo_johnson(part * scale + shift, power))
        return x * self.scale + self.shift

    def _map_powered(self, x, fn):
        """``x`` with ``fn(columns, power, power_shift, power_scale)`` applied to the
        columns whose power is not 1 (the others are left as they are, and not copied
        through the transform)."""
        columns = self.powered_columns.to(x.device)
        part = fn(x.index_select(1, columns), *(getattr(self, name).index_select(0, columns)
                                                for name in POWER_IDENTITY))
        return x.index_copy(1, columns, part.to(x.dtype))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Weights saved before the power buffers existed map nothing through a power.
        for name, value in POWER_IDENTITY.items():
            if prefix + name not in state_dict and prefix + "shift" in state_dict:
                state_dict[prefix + name] = torch.full_like(state_dict[prefix + "shift"], value)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def __setstate__(self, state):
        # Modules pickled before the power buffers existed map nothing through a power.
        super().__setstate__(state)
        for name, value in POWER_IDENTITY.items():
            if name not in self._buffers:
                self.register_buffer(name, torch.full_like(self.shift, value))
        self.__dict__.setdefault("has_power", False)
        self.__dict__.setdefault("powered_columns", torch.zeros(0, dtype=torch.long))

    def encode(self, x):
        """Latent code of inputs in the working space."""
        return self.encoder(x)

    def decode(self, z):
        """Reconstruction in the working space of latent codes."""
        return self.decoder(z)

    def forward(self, x):
        """Return a dict with the ``latent`` code and the ``reconstruction`` of ``x``."""
        z = self.encode(x)
        return {"latent": z, "reconstruction": self.decode(z)}

    @classmethod
    def conv(cls, image_shape, channels, latent_dim, *, activation="relu",
             output_activation="identity", latent_activation="identity", latent_norm=None):
        """Build a convolutional autoencoder for flat images of shape ``image_shape``.

        The encoder is a stack of 3x3 stride-2 convolutions with ``channels`` output
        channels each (every one halves the height and width, rounding up), then a linear
        layer to the code; the decoder mirrors it with transposed convolutions whose output
        padding restores the exact sizes. Inputs and reconstructions stay flat,
        ``(n_samples, prod(image_shape))``. ``latent_norm`` as in ``mlp``.
        """
        encoder = build_conv_encoder(image_shape, channels,
                                     cls.encoder_outputs_per_unit * latent_dim,
                                     activation, latent_activation)
        encoder = _with_latent_norm(encoder, latent_norm, latent_dim)
        decoder = build_conv_decoder(image_shape, channels, latent_dim, activation,
                                     output_activation)
        return cls(encoder, decoder, math.prod(image_shape))


class VariationalAutoencoder(Autoencoder):
    """An autoencoder whose encoder gives a diagonal Gaussian posterior over the code.

    The encoder outputs ``2 * latent_dim`` numbers, the posterior mean and log-variance;
    ``encode`` returns the mean, ``forward`` draws a code with the reparameterisation trick.
    The log-variance is clamped to ``[-logvar_bound, logvar_bound]`` so that ``exp`` can
    neither overflow nor underflow to a zero variance (a NaN guard).

    Parameters
    ----------
    encoder, decoder : torch.nn.Module
    n_features : int
    logvar_bound : float, default=10.0
    """

    encoder_outputs_per_unit = 2

    def __init__(self, encoder, decoder, n_features, logvar_bound=10.0):
        super().__init__(encoder, decoder, n_features)
        self.logvar_bound = logvar_bound
        # "bernoulli" or "gaussian": the decoder's distribution, set by the estimator.
        self.likelihood = "gaussian"

    def posterior(self, x):
        """Mean and clamped log-variance of q(z | x), for inputs in the working space."""
        mean, logvar = self.encoder(x).chunk(2, dim=1)
        return mean, logvar.clamp(-self.logvar_bound, self.logvar_bound)

    def encode(self, x):
        """The posterior mean."""
        return self.posterior(x)[0]

    def forward(self, x, generator=None):
        """Dict with the posterior ``mean`` and ``logvar``, a sampled ``latent`` code and
        its ``reconstruction``."""
        mean, logvar = self.posterior(x)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device,
                            dtype=mean.dtype)
        z = mean + torch.exp(0.5 * logvar) * noise
        return {"mean": mean, "logvar": logvar, "latent": z, "reconstruction": self.decode(z)}


def _conv_sizes(image_shape, n_layers):
    """Heights and widths after each stride-2 convolution, the input's first."""
    sizes = [tuple(image_shape[1:])]
    for _ in range(n_layers):
        sizes.append(tuple((s + 1) // 2 for s in sizes[-1]))
    return sizes


def build_conv_encoder(image_shape, channels, out_features, activation="relu",
                       output_activation="identity"):
    """Flat images -> 3x3 stride-2 convolutions -> a linear layer to ``out_features``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(channels, height, width)`` of one image.
    channels : sequence of int
        Output channels of each convolution.
    out_features : int
        Width of the output.
    activation, output_activation : str
        Keys of ``ACTIVATIONS``, after each convolution and after the last layer.

    Returns
    -------
    torch.nn.Sequential
    """
    layers = [nn.Unflatten(1, tuple(image_shape))]
    n_in = image_shape[0]
    for n_out in channels:
        layers.append(nn.Conv2d(n_in, n_out, 3, stride=2, padding=1))
        if activation != "identity":
            layers.append(ACTIVATIONS[activation]())
        n_in = n_out
    height, width = _conv_sizes(image_shape, len(channels))[-1]
    layers += [nn.Flatten(), nn.Linear(n_in * height * width, out_features)]
    if output_activation != "identity":
        layers.append(ACTIVATIONS[output_activation]())
    return nn.Sequential(*layers)


def build_conv_decoder(image_shape, channels, in_features, activation="relu",
                       output_activation="identity"):
    """The mirror of ``build_conv_encoder``: a code back to flat images."""
    sizes = _conv_sizes(image_shape, len(channels))
    height, width = sizes[-1]
    n_in = channels[-1] if channels else image_shape[0]
    layers = [nn.Linear(in_features, n_in * height * width)]
    if channels and activation != "identity":
        layers.append(ACTIVATIONS[activation]())
    layers.append(nn.Unflatten(1, (n_in, height, width)))
    outs = [*channels[-2::-1], image_shape[0]] if channels else []
    for i, n_out in enumerate(outs):
        # A 3x3 stride-2 transposed convolution maps s to 2s - 1 + output_padding.
        (h_in, w_in), (h_out, w_out) = sizes[-1 - i], sizes[-2 - i]
        padding = (h_out - (2 * h_in - 1), w_out - (2 * w_in - 1))
        layers.append(nn.ConvTranspose2d(n_in, n_out, 3, stride=2, padding=1,
                                         output_padding=padding))
        name = activation if i < len(outs) - 1 else output_activation
        if name != "identity":
            layers.append(ACTIVATIONS[name]())
        n_in = n_out
    if not channels and output_activation != "identity":
        layers.append(ACTIVATIONS[output_activation]())
    layers.append(nn.Flatten())
    return nn.Sequential(*layers)
