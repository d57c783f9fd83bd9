"""skae: autoencoders as scikit-learn transformers, trained with PyTorch.

Modules: ``autoencoder`` (AutoencoderTransformer), ``datasets`` (digits and MNIST loaders),
``plotting`` (Display objects: loss curves, reconstructions, latent space, manifold, anomaly
scores, samples), ``demo`` (the tutorial end to end), ``cli`` (the ``skae`` command), ``nn``
(torch modules, losses and the training loop).
"""

from .autoencoder import AutoencoderTransformer

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "__version__"]
