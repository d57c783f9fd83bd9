"""skae: autoencoders as scikit-learn transformers, trained with PyTorch.

Modules: ``autoencoder`` (AutoencoderTransformer), ``anomaly`` (outlier detection by
reconstruction error), ``semi_supervised`` (few-label classification), ``cluster`` (deep
embedded clustering), ``datasets`` (digits and MNIST loaders), ``cli`` (the ``skae`` command),
``nn`` (torch modules, losses and the training loop).
"""

from .anomaly import AutoencoderOutlierDetector
from .autoencoder import AutoencoderTransformer
from .cluster import DeepEmbeddedClustering
from .semi_supervised import AutoencoderClassifier, LatentClassifier

__version__ = "0.1.0"

__all__ = [
    "AutoencoderClassifier",
    "AutoencoderOutlierDetector",
    "AutoencoderTransformer",
    "DeepEmbeddedClustering",
    "LatentClassifier",
    "__version__",
]
