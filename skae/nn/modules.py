"""Autoencoder modules built from layer sizes."""

import torch
from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}


def build_mlp(sizes, activation="relu", output_activation="identity"):
    """A stack of linear layers with ``activation`` between them.

    Parameters
    ----------
    sizes : sequence of int
        Widths from the input to the output, e.g. ``(784, 128, 2)``.
    activation : str, default="relu"
        Activation after every hidden layer, a key of ``ACTIVATIONS``.
    output_activation : str, default="identity"
        Activation after the last layer.

    Returns
    -------
    torch.nn.Sequential
    """
    layers = []
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        name = activation if i < n_layers - 1 else output_activation
        if name != "identity":
            layers.append(ACTIVATIONS[name]())
    return nn.Sequential(*layers)


def _update_identity_flag_hook(module, incompatible_keys):
    module._update_identity_flag()


class Autoencoder(nn.Module):
    """An encoder and a decoder, with a fixed affine map into the space they work in.

    ``normalize`` maps raw inputs to the working space (``(x - shift) / scale``),
    where the encoder reads and the decoder writes; ``denormalize`` maps back. Keeping
    the map inside the module means the training data is never copied to scale it.

    Parameters
    ----------
    encoder, decoder : torch.nn.Module
    n_features : int
        Width of the input, the size of the ``shift`` and ``scale`` buffers.
    """

    def __init__(self, encoder, decoder, n_features):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.register_buffer("shift", torch.zeros(n_features))
        self.register_buffer("scale", torch.ones(n_features))
        self.is_identity_map = True
        # Loaded weights bring their own shift and scale: re-derive the flag from them.
        self.register_load_state_dict_post_hook(_update_identity_flag_hook)

    @classmethod
    def mlp(cls, n_features, hidden_layer_sizes, latent_dim, *, activation="relu",
            output_activation="identity"):
        """Build a multi-layer perceptron autoencoder with a mirrored decoder."""
        sizes = (n_features, *hidden_layer_sizes, latent_dim)
        encoder = build_mlp(sizes, activation, "identity")
        decoder = build_mlp(sizes[::-1], activation, output_activation)
        return cls(encoder, decoder, n_features)

    def set_normalization(self, shift, scale):
        """Fix the affine map: ``normalize(x) = (x - shift) / scale``."""
        self.shift.copy_(torch.as_tensor(shift))
        self.scale.copy_(torch.as_tensor(scale))
        self._update_identity_flag()

    def _update_identity_flag(self):
        # Skipping an identity map saves two full-batch passes per training step.
        if self.shift.device.type != "meta":
            self.is_identity_map = bool((self.shift == 0).all() and (self.scale == 1).all())

    def normalize(self, x):
        if self.is_identity_map:
            return x
        return (x - self.shift) / self.scale

    def denormalize(self, x):
        if self.is_identity_map:
            return x
        return x * self.scale + self.shift

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
