"""skae: autoencoders as scikit-learn transformers, trained with PyTorch.

Modules: ``autoencoder`` (AutoencoderTransformer), ``datasets`` (digits and MNIST loaders),
``cli`` (the ``skae`` command), ``nn`` (torch modules, losses and the training loop),
``persistence`` (``save`` / ``load``: a model file that never runs code when read).
"""

from .autoencoder import AutoencoderTransformer
from .persistence import load, save

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "__version__", "load", "save"]
