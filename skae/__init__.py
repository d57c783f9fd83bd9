"""skae: autoencoders as scikit-learn transformers, trained with PyTorch.

Modules, one line each:

- ``autoencoder``: AutoencoderTransformer, its sparse, denoising, contractive variants, the VAE
- ``anomaly``: AutoencoderOutlierDetector, outliers by reconstruction error
- ``semi_supervised``: LatentClassifier, AutoencoderClassifier and ManifoldLabelSpreading
  (labels spread over UMAP's neighbour graph of the codes), few-label classification;
  ConvClassifier (a small convolutional network for images, trained with random shifts)
- ``cluster``: LatentClustering (the N2D recipe: autoencoder -> UMAP -> GaussianMixture),
  DeepEmbeddedClustering (DEC / IDEC) and clustering_autoencoder (their default autoencoder)
- ``metrics``: clustering_accuracy and other scores scikit-learn lacks
- ``persistence``: ``save`` / ``load``, a model file that never runs code when read
- ``plotting``: Display objects (loss curves, reconstructions, latent space, samples, ...)
- ``datasets``: the digits and MNIST loaders
- ``demo``: the tutorial end to end (``skae demo``)
- ``cli``: the ``skae`` command, on the public API only
- ``nn``: torch only: modules, losses, the training loop, callbacks, data-parallel training
- private: ``_base`` (the one fit path), ``_bridge`` (numpy <-> torch), ``_threads`` (torch's
  thread count per call, from the work's size and the free cores), ``_graph`` (the
  neighbour graph of the manifold term), ``_validation``, ``_images`` (the image
  convention), ``_io`` (atomic writes), ``_refine`` (the autoencoder that clustering and
  classification start from), ``_compat`` (scikit-learn's private helpers), ``_versions``
  (library versions saved with a model), ``_cli_options`` (the command's options, generated)

``config_context(n_threads=...)`` overrides the thread policy within a ``with`` block.
The names below load their submodule on first use, so ``import skae`` itself imports neither
torch nor scikit-learn; ``from skae import AutoencoderTransformer`` pays for them once.
"""

import importlib

# Public name -> the submodule defining it. Submodules load on first use (PEP 562), so
# ``import skae`` and the ``skae`` command's help and input checks do not import torch.
_LAZY = {
    "AutoencoderClassifier": ".semi_supervised",
    "ConvClassifier": ".semi_supervised",
    "AutoencoderOutlierDetector": ".anomaly",
    "AutoencoderTransformer": ".autoencoder",
    "ContractiveAutoencoder": ".autoencoder",
    "DeepEmbeddedClustering": ".cluster",
    "DenoisingAutoencoder": ".autoencoder",
    "LatentClassifier": ".semi_supervised",
    "LatentClustering": ".cluster",
    "ManifoldLabelSpreading": ".semi_supervised",
    "config_context": "._threads",
    "SparseAutoencoder": ".autoencoder",
    "VariationalAutoencoder": ".autoencoder",
    "load": ".persistence",
    "local_training": ".nn.distributed",
    "save": ".persistence",
}
_SUBMODULES = {"anomaly", "autoencoder", "cli", "cluster", "datasets", "demo", "metrics",
               "nn", "persistence", "plotting", "semi_supervised"}

__version__ = "0.1.0"

__all__ = [
    "AutoencoderClassifier",
    "AutoencoderOutlierDetector",
    "AutoencoderTransformer",
    "ContractiveAutoencoder",
    "ConvClassifier",
    "DeepEmbeddedClustering",
    "DenoisingAutoencoder",
    "LatentClassifier",
    "LatentClustering",
    "ManifoldLabelSpreading",
    "SparseAutoencoder",
    "VariationalAutoencoder",
    "__version__",
    "config_context",
    "load",
    "local_training",
    "save",
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__, *_SUBMODULES})
