"""What the estimators built on a fitted autoencoder share: cloning and fitting it, reading its
module, device and training objective, and running a refinement through the Trainer."""

import copy
import warnings

import torch
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._base import state_with_module_on_cpu
from .autoencoder import AutoencoderTransformer
from .nn.training import ProgressBar, Trainer


def fit_autoencoder(estimator, X, name, random_state=None):
    """Clone ``estimator`` (``None``: ``AutoencoderTransformer()``) and fit it on ``X``.

    A ``FrozenEstimator`` is cloned to itself and not refit: the way to reuse an
    autoencoder already fit on more rows. When ``random_state`` is given (an int or a
    RandomState) and the autoencoder's own ``random_state`` is None, the clone is seeded
    from it, so the meta-estimator's seed reproduces the whole model.
    """
    estimator = AutoencoderTransformer() if estimator is None else estimator
    if not hasattr(estimator, "fit") or not hasattr(estimator, "transform"):
        raise TypeError(
            f"{name} must be a skae autoencoder (such as AutoencoderTransformer), got "
            f"{type(estimator).__name__}."
        )
    estimator = clone(estimator)
    params = estimator.get_params(deep=False)
    if random_state is not None and "random_state" in params and params["random_state"] is None:
        estimator.set_params(random_state=int(random_state.randint(2**31 - 1)))
    fitted = estimator.fit(X, None)
    if not isinstance(getattr(fitted, "module_", None), torch.nn.Module):
        raise TypeError(
            f"{name} must be a skae autoencoder with a torch module_ after fit (such as "
            f"AutoencoderTransformer), got {type(estimator).__name__}."
        )
    return fitted


def refinement_parts(autoencoder):
    """A copy of the fitted module to refine, its device, and its training objective.

    The copy leaves ``autoencoder`` as it was fit, so it can be inspected or reused.
    """
    module = copy.deepcopy(autoencoder.module_)
    device = autoencoder._resolve_device()
    objective = autoencoder._build_objective()
    return module.to(device), device, objective


def torch_generator(random_state, device):
    """A torch generator seeded from ``random_state`` (an int or a RandomState)."""
    rng = check_random_state(random_state)
    return torch.Generator(device).manual_seed(int(rng.randint(2**31 - 1)))


def run_trainer(model, objective, data, *, learning_rate, batch_size, max_iter, generator,
                device, callbacks=(), verbose=0, name=""):
    """Adam over ``model``'s parameters with the Trainer; loss-based stopping is off."""
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    callbacks = list(callbacks)
    if verbose:
        callbacks.append(ProgressBar(max_iter, name))
    trainer = Trainer(model, objective, optimizer, batch_size=min(batch_size, data[0].shape[0]),
                      shuffle=True, generator=generator, device=device, callbacks=callbacks)
    # Refinement runs its epoch budget (or stops through a callback): the loss of a moving
    # target is no convergence signal.
    history = trainer.fit(data, max_iter=max_iter, tol=0.0, n_iter_no_change=max_iter + 1)
    if trainer.diverged:
        message = (f"{name} diverged at refinement epoch {history[-1]['epoch']} (the loss "
                   f"became {history[-1]['train_loss']})")
        if len(history) == 1:
            raise ValueError(f"{message}; lower learning_rate_init.")
        warnings.warn(f"{message}; the weights of the last finite epoch were kept. Lower "
                      "learning_rate_init.", RuntimeWarning, stacklevel=3)
    return trainer, history


class CpuPickleMixin:
    """Pickle ``module_`` on the CPU, so a model refined on a GPU loads anywhere."""

    def __getstate__(self):
        return state_with_module_on_cpu(super().__getstate__())
