"""What the estimators built on a fitted autoencoder share: cloning and fitting it, reading its
codes, and reading its module, device and training objective to refine them (through the
base's one fit path)."""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._bridge import is_module, resolve_device
from .autoencoder import AutoencoderTransformer


def fit_autoencoder(estimator, X, name, random_state=None, verbose=0):
    """Clone ``estimator`` (``None``: ``AutoencoderTransformer(verbose=verbose)``, the
    meta-estimator's ``verbose``; a given estimator keeps its own) and fit it on ``X``.

    A ``FrozenEstimator`` is cloned to itself and not refit: the way to reuse an
    autoencoder already fit on more rows. When ``random_state`` is given (an int or a
    RandomState) and the autoencoder's own ``random_state`` is None, the clone is seeded
    from it, so the meta-estimator's seed reproduces the whole model.
    """
    estimator = AutoencoderTransformer(verbose=verbose) if estimator is None else estimator
    # Checked before the fit, which may be long: a skae autoencoder has a training
    # objective (a FrozenEstimator answers for the estimator it holds).
    if not all(hasattr(estimator, m) for m in ("fit", "transform", "training_objective")):
        raise TypeError(
            f"{name} must be a skae autoencoder (such as AutoencoderTransformer), got "
            f"{type(estimator).__name__}."
        )
    fitted = seeded(clone(estimator), random_state).fit(X, None)
    if not is_module(getattr(fitted, "module_", None)):
        raise TypeError(
            f"{name} must be a skae autoencoder with a torch module_ after fit (such as "
            f"AutoencoderTransformer), got {type(estimator).__name__}."
        )
    return fitted


def seeded(estimator, random_state):
    """``estimator`` with each of its ``random_state`` parameters that is None (its own, or
    a step's in a pipeline) seeded from ``random_state`` (an int or a RandomState; None
    leaves it as it is), so a meta-estimator's seed reproduces what it fits, as
    scikit-learn's ensembles seed their members."""
    if random_state is None:
        return estimator
    rng = check_random_state(random_state)
    unseeded = sorted(name for name, value in estimator.get_params(deep=True).items()
                      if (name == "random_state" or name.endswith("__random_state"))
                      and value is None)
    estimator.set_params(**{name: int(rng.randint(2**31 - 1)) for name in unseeded})
    return estimator


def codes_of(autoencoder, X):
    """The autoencoder's codes of ``X`` as an ndarray, whatever ``set_output`` or
    scikit-learn's ``transform_output`` ask of its ``transform`` (a DataFrame would reach
    the arithmetic, mixtures and tensors that use the codes inside skae)."""
    return np.asarray(autoencoder.transform(X))


def refinement_start(autoencoder):
    """A copy of a fitted autoencoder's module, its device and its training objective,
    read through its public API; the copy leaves ``autoencoder`` as it was fit, so it can
    be inspected or reused."""
    device = resolve_device(getattr(autoencoder, "device", "auto"))
    module = copy.deepcopy(autoencoder.module_).to(device)
    return module, device, autoencoder.training_objective()
