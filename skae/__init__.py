"""skae: autoencoders as scikit-learn transformers, trained with PyTorch.

Modules: ``autoencoder`` (AutoencoderTransformer and its sparse, denoising, contractive and
variational family), ``anomaly`` (outlier detection by reconstruction error),
``semi_supervised`` (few-label classification), ``cluster`` (deep embedded clustering),
``datasets`` (digits and MNIST loaders), ``plotting`` (Display objects: loss curves,
reconstructions, latent space, manifold, anomaly scores, samples), ``demo`` (the tutorial end
to end), ``cli`` (the ``skae`` command), ``persistence`` (``save`` / ``load``: a model file that
never runs code when read), ``nn`` (torch modules, losses, the training loop and its
data-parallel mode under torch.distributed; ``local_training`` opts a fit out of it).
"""

from .anomaly import AutoencoderOutlierDetector
from .autoencoder import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    VariationalAutoencoder,
)
from .cluster import DeepEmbeddedClustering
from .nn.distributed import local_training
from .persistence import load, save
from .semi_supervised import AutoencoderClassifier, LatentClassifier

__version__ = "0.1.0"

__all__ = [
    "AutoencoderClassifier",
    "AutoencoderOutlierDetector",
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "DeepEmbeddedClustering",
    "DenoisingAutoencoder",
    "LatentClassifier",
    "SparseAutoencoder",
    "VariationalAutoencoder",
    "__version__",
    "load",
    "local_training",
    "save",
]
