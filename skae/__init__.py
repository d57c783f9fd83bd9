"""skae: autoencoders as scikit-learn transformers, trained with PyTorch.

Modules: ``autoencoder`` (AutoencoderTransformer and its sparse, denoising, contractive and
variational family), ``datasets`` (digits and MNIST loaders), ``plotting`` (Display objects:
loss curves, reconstructions, latent space, manifold, anomaly scores, samples), ``demo`` (the
tutorial end to end), ``cli`` (the ``skae`` command), ``nn`` (torch modules, losses and the
training loop), ``persistence`` (``save`` / ``load``: a model file that never runs code when read).
"""

from .autoencoder import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    VariationalAutoencoder,
)
from .persistence import load, save

__version__ = "0.1.0"

__all__ = [
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "DenoisingAutoencoder",
    "SparseAutoencoder",
    "VariationalAutoencoder",
    "__version__",
    "load",
    "save",
]
