"""Classifiers in the torch world: a head on an autoencoder's latent code, trained jointly with
the reconstruction (the labeled rows add a cross-entropy term, every row keeps the decoder
busy), and a small convolutional network on images with its cross-entropy objective."""

import torch
from torch import nn
from torch.nn import functional as F

from .modules import build_conv_encoder, build_mlp


class LatentClassifierModel(nn.Module):
    """An autoencoder and a classifier that reads its latent code.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        With ``normalize``, ``encode`` and ``decode`` (``skae.nn.Autoencoder`` or a variant).
    head : torch.nn.Module
        Maps latent codes to class logits.
    """

    def __init__(self, autoencoder, head):
        super().__init__()
        self.autoencoder = autoencoder
        self.head = head

    @classmethod
    def mlp_head(cls, autoencoder, latent_dim, n_classes, hidden_layer_sizes=(),
                 activation="relu"):
        """Attach a perceptron head ``latent_dim -> hidden_layer_sizes -> n_classes``."""
        head = build_mlp((latent_dim, *hidden_layer_sizes, n_classes), activation, "identity")
        return cls(autoencoder, head)

    def forward(self, x):
        """Class logits of raw inputs (normalised here), shape (n_samples, n_classes)."""
        return self.head(self.autoencoder.encode(self.autoencoder.normalize(x)))

    def predict_proba(self, x):
        """Class probabilities of raw inputs: the softmax of the logits."""
        return torch.softmax(self(x), dim=1)

    def set_linear_head(self, coef, intercept):
        """Start a linear head from a linear model's ``coef`` (n_classes or 1, latent_dim)
        and ``intercept``, e.g. logistic regression on the pretrained codes.

        One row (a binary model's) becomes the two softmax rows ``-coef / 2, coef / 2``,
        which give the same probabilities.
        """
        linear = self.head[0]
        coef = torch.as_tensor(coef, dtype=linear.weight.dtype)
        intercept = torch.as_tensor(intercept, dtype=linear.bias.dtype)
        if coef.shape[0] == 1:
            coef, intercept = torch.cat([-coef / 2, coef / 2]), torch.cat(
                [-intercept / 2, intercept / 2])
        with torch.no_grad():
            linear.weight.copy_(coef)
            linear.bias.copy_(intercept)


def masked_cross_entropy(logits, y):
    """Cross-entropy averaged over the rows with ``y >= 0``; rows marked ``-1`` are unlabeled.

    A batch with no labeled row gives 0 (with a gradient of 0), not NaN.
    """
    labeled = y >= 0
    total = F.cross_entropy(logits, y.clamp(min=0), reduction="none")
    return (total * labeled).sum() / labeled.sum().clamp(min=1)


class JointObjective:
    """The autoencoder's own objective on every row plus weighted cross-entropy on labeled rows.

    The Trainer batches row numbers and targets; the rows are read from ``inputs`` here, so
    labeled rows can be repeated in the batch order without copying the data.

    Parameters
    ----------
    inputs : Tensor of shape (n_samples, n_features)
    reconstruction : callable
        ``fn(autoencoder, x, training=..., generator=...)`` returning a dict with ``"loss"``.
    classification_weight : float, default=1.0
    """

    def __init__(self, inputs, reconstruction, classification_weight=1.0):
        self.inputs = inputs
        self.reconstruction = reconstruction
        self.classification_weight = classification_weight

    def __call__(self, model, rows, y, *, training=False, generator=None):
        x = self.inputs[rows.to(self.inputs.device)].to(rows.device)
        ae_terms = self.reconstruction(model.autoencoder, x, training=training,
                                       generator=generator)
        terms = {"reconstruction": ae_terms["loss"],
                 "classification": masked_cross_entropy(model(x), y)}
        terms["loss"] = terms["reconstruction"] + self.classification_weight * terms[
            "classification"]
        return terms

    @property
    def extra_rows(self):
        """Rows a step encodes beyond its batch: the autoencoder objective's."""
        return getattr(self.reconstruction, "extra_rows", 0)


class ConvClassifierModel(nn.Module):
    """A small convolutional network from flat images to class logits: 3x3 stride-2
    convolutions, a hidden layer, a linear output.

    Parameters
    ----------
    image_shape : tuple of 3 int
        ``(channels, height, width)`` of one image.
    channels : sequence of int
        Output channels of each convolution.
    hidden_size : int
        Width of the layer between the convolutions and the output.
    n_classes : int
    """

    def __init__(self, image_shape, channels, hidden_size, n_classes):
        super().__init__()
        self.features = build_conv_encoder(image_shape, channels, hidden_size,
                                           output_activation="relu")
        self.output = nn.Linear(hidden_size, n_classes)
        # Inputs are mapped to [0, 1] by one shift and one scale for the whole image.
        self.register_buffer("shift", torch.zeros(()))
        self.register_buffer("scale", torch.ones(()))

    def set_normalization(self, shift, scale):
        """Set the one ``shift`` and ``scale`` of ``normalize``."""
        self.shift.fill_(float(shift))
        self.scale.fill_(float(scale))

    def normalize(self, x):
        """Raw inputs to the working space, ``(x - shift) / scale``."""
        return (x - self.shift) / self.scale

    def logits(self, x):
        """Class logits of inputs in the working space."""
        return self.output(self.features(x))

    def forward(self, x):
        """Class logits of raw inputs (normalised here), shape (n_samples, n_classes)."""
        return self.logits(self.normalize(x))

    def predict_proba(self, x):
        """Class probabilities of raw inputs: the softmax of the logits."""
        return torch.softmax(self(x), dim=1)


class CrossEntropyObjective:
    """Cross-entropy of a classifier's logits, with its inputs corrupted in training.

    Parameters
    ----------
    corruption : callable or None
        ``fn(x, generator)`` returning a corrupted copy of a batch in the working space
        (``random_shift`` for images); applied in training only.
    """

    def __init__(self, corruption=None):
        self.corruption = corruption

    def __call__(self, model, x, y, *, training=False, generator=None):
        inputs = model.normalize(x)
        if training and self.corruption is not None:
            inputs = self.corruption(inputs, generator)
        loss = F.cross_entropy(model.logits(inputs), y)
        return {"classification": loss, "loss": loss}
