"""The torch world: modules, losses and the training loop. Nothing here imports scikit-learn."""

from .losses import reconstruction_error
from .modules import Autoencoder, build_mlp
from .training import Objective, Trainer

__all__ = ["Autoencoder", "Objective", "Trainer", "build_mlp", "reconstruction_error"]
