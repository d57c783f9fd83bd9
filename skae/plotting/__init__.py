"""Display objects, in scikit-learn's style, for what an autoencoder learned.

Each ``XDisplay`` computes what it shows in ``from_estimator`` (or takes it ready in its
constructor) and draws it in ``plot(ax=None)``, which returns the display with ``ax_`` and
``figure_`` set. The displays only use the estimator API (``history_``, ``transform``,
``inverse_transform``, ``score_samples``, ``offset_``, ``sample``), so they work for any
estimator that has it. matplotlib is imported inside the functions that draw, so importing
this package does not import it.

Images follow the estimators' convention, ``image_shape=(channels, height, width)``, with
``(height, width)`` for one channel; one routine (``_images.image_grid``) draws every grid
of images.
"""

from ._anomaly_score import AnomalyScoreDisplay
from ._latent_space import LatentSpaceDisplay
from ._loss_curve import LossCurveDisplay
from ._manifold import ManifoldDisplay
from ._reconstruction import ReconstructionDisplay
from ._samples import SampleDisplay

__all__ = [
    "AnomalyScoreDisplay",
    "LatentSpaceDisplay",
    "LossCurveDisplay",
    "ManifoldDisplay",
    "ReconstructionDisplay",
    "SampleDisplay",
]
