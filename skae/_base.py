"""The shared estimator base: parameters, fit / partial_fit / transform / inverse_transform /
score_samples, and the only bridge between numpy arrays and torch tensors."""

import copy
import hashlib
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import Interval, StrOptions, _fit_context, validate_data
from ._versions import library_versions, warn_on_version_mismatch
from .nn import distributed
from .nn.losses import reconstruction_error
from .nn.modules import ACTIVATIONS, Autoencoder
from .nn.training import Objective, ProgressBar, RowSubset, Trainer

FLOAT_DTYPES = (np.float64, np.float32)
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# Rows per chunk when a whole array passes through the model or through numpy statistics:
# large enough to keep BLAS busy, small enough that temporaries stay a few tens of MB.
_CHUNK_ROWS = 8192


class BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Fit, transform and score with a torch autoencoder; subclasses choose module and loss."""

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [StrOptions({"auto", "standard", "minmax"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [str, torch.device],
    }

    # -- sklearn API ---------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``; ``y`` is ignored.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for Pipeline compatibility.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train one epoch on ``X``, building the model on the first call.

        The input scaling is fixed from the first chunk, so make it representative.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        return self._fit(X, partial=True)

    def transform(self, X):
        """Encode ``X`` into the latent space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
            Latent codes, in the dtype of ``X`` (float64 for non-float input).
        """
        X = self._check_input(X)
        Z = self._map_batches(X, self._encode, X.dtype)
        return self._check_output(Z, X, "transform")

    def inverse_transform(self, X):
        """Decode latent codes back to the input space, in the units the model was fit on.

        Parameters
        ----------
        X : array-like of shape (n_samples, latent_dim)
            Latent codes, e.g. the output of ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        Z = self._validate_X(X, reset=None)
        if Z.shape[1] != self._n_features_out:
            raise ValueError(
                f"inverse_transform expects latent codes with {self._n_features_out} columns "
                f"(latent_dim), got {Z.shape[1]}."
            )
        X_original = self._map_batches(Z, self._decode, Z.dtype)
        return self._check_output(X_original, Z, "inverse_transform")

    def score_samples(self, X):
        """Negative reconstruction error of each sample: higher means better reconstructed.

        The error is the mean squared error over features in the model's working space
        (after the input scaling, see ``scaling``), so columns of large scale do not
        dominate; for data in [0, 1] with no scaling it is the plain per-pixel MSE.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        X = self._check_input(X)
        scores = -self._map_batches(X, self._reconstruction_error, np.float64)
        return self._check_output(scores, X, "score_samples")

    def score(self, X, y=None):
        """Mean of ``score_samples``: the negative mean reconstruction error.

        Higher is better, so ``GridSearchCV`` can tune an autoencoder with no labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self.latent_dim

    def __sklearn_is_fitted__(self):
        # The module is what every method needs; a fit that failed leaves none.
        return hasattr(self, "module_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # -- what subclasses change ------------------------------------------------------------

    def _build_module(self, n_features, output_activation):
        """The torch module for ``n_features`` inputs."""
        return Autoencoder.mlp(
            n_features, self._hidden_layer_sizes(), self.latent_dim,
            activation=self.activation, output_activation=output_activation,
        )

    def _rebuild_module(self):
        """An untrained module of the fitted architecture, from parameters and fitted
        attributes only; ``skae.load`` fills in the weights. Override it together with
        ``_build_module`` when the module depends on more than these."""
        return self._build_module(self.n_features_in_, self.output_activation_)

    def _build_objective(self):
        """The training objective: plain reconstruction error here."""
        return Objective()

    # -- fitting ---------------------------------------------------------------------------

    def _fit(self, X, *, partial):
        first_call = not hasattr(self, "module_") or not (partial or self.warm_start)
        X = self._validate_X(X, reset=first_call)
        if distributed.is_distributed():
            _check_same_data_on_every_rank(X)
        device = self._resolve_device()
        if first_call:
            self._initialize(X, device)
        else:
            self.module_.to(device)
        X_tensor = self._as_tensor(X, device)
        X_train, X_valid = (X_tensor, None) if partial else self._split(X_tensor)
        trainer = Trainer(
            self.module_,
            self._build_objective(),
            self._build_optimizer(),
            batch_size=self._batch_size(X_train.shape[0]),
            shuffle=self.shuffle,
            generator=torch.Generator(device).manual_seed(int(self._rng.randint(2**31 - 1))),
            device=device,
            callbacks=[ProgressBar(1 if partial else self.max_iter, type(self).__name__)]
            if self.verbose else [],
        )
        # Whatever a module draws from torch's global generator (dropout, a VAE's sampling
        # noise) comes from a fork seeded by random_state: one seed gives one model, and the
        # caller's generator is left alone.
        # Data-parallel ranks share this seed; each draws its own noise.
        seed = int(self._rng.randint(2**31 - 1)) + distributed.rank()
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed)
            history = trainer.fit(
                X_train,
                X_valid,
                max_iter=1 if partial else self.max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
            )
        # After a divergence Adam's moments hold inf/NaN (the saved state shares them): the
        # restored weights continue with a fresh optimizer.
        self._optimizer_state = None if trainer.diverged else trainer.optimizer.state_dict()
        self._record(trainer, history, partial, first_call)
        return self

    def _initialize(self, X, device):
        """Fix the input scaling, build the module and reset what fit learns."""
        self._hidden_layer_sizes()  # validates before any work
        self._rng = check_random_state(self.random_state)
        if distributed.is_distributed():
            # Rank 0's stream on every rank, so all ranks hold out the same validation rows
            # even with random_state=None; an int seed gives the stream of a one-process fit.
            # The caller's generator moves on by one draw, as a fit would move it, so the
            # next unseeded fit differs.
            rng = np.random.RandomState()
            rng.set_state(distributed.broadcast_object(self._rng.get_state()))
            self._rng.randint(2**31 - 1)
            self._rng = rng
        shift, scale, self.output_activation_ = self._scaling(X)
        seed = int(self._rng.randint(2**31 - 1))
        # Build under a private seed: reproducible from random_state, global RNG untouched.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._build_module(X.shape[1], self.output_activation_)
        module.set_normalization(shift, scale)
        self.module_ = module.to(device)
        self._optimizer_state = None
        self.history_ = []
        self.n_iter_ = 0

    def _build_optimizer(self):
        optimizer = _adam(self.module_.parameters(), lr=self.learning_rate_init,
                          weight_decay=self.alpha)
        if self._optimizer_state is not None:
            optimizer.load_state_dict(self._optimizer_state)
            for group in optimizer.param_groups:
                group["lr"], group["weight_decay"] = self.learning_rate_init, self.alpha
        return optimizer

    def _split(self, X):
        """Hold out ``validation_fraction`` of the rows when early stopping."""
        if not self.early_stopping:
            return X, None
        n_valid = int(round(self.validation_fraction * X.shape[0]))
        if n_valid < 1 or n_valid >= X.shape[0]:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} leaves "
                f"{n_valid} of {X.shape[0]} samples for validation; it needs at least one "
                "sample on each side. Pass more samples or set early_stopping=False."
            )
        order = self._rng.permutation(X.shape[0])
        # Index views, not copies; sorted indices keep reads from a memory map local.
        return (RowSubset(X, torch.from_numpy(np.sort(order[n_valid:]))),
                RowSubset(X, torch.from_numpy(np.sort(order[:n_valid]))))

    def _record(self, trainer, history, partial, first_call):
        if trainer.diverged:
            last = history[-1]["train_loss"]
            what = (f"the loss became {last}" if not np.isfinite(last)
                    else "the weights became non-finite")
        if trainer.diverged and len(history) == 1 and first_call:
            del self.module_
            raise ValueError(
                f"Training diverged: {what} in the first epoch. Lower learning_rate_init "
                f"(now {self.learning_rate_init}) or check the input for extreme values."
            )
        self.history_ = [*self.history_, *history]
        self.n_iter_ += len(history)
        self.loss_curve_ = [row["train_loss"] for row in self.history_]
        if any("valid_loss" in row for row in history):
            self.validation_loss_curve_ = [row["valid_loss"] for row in history]
            self.best_loss_ = trainer.best_loss
        else:
            finite = [loss for loss in self.loss_curve_ if np.isfinite(loss)]
            self.best_loss_ = float(min(finite)) if finite else np.inf
        if trainer.diverged:
            kept = ("the weights from before this call were kept" if len(history) == 1
                    else "the weights of the last finite epoch were kept")
            warnings.warn(
                f"Training diverged at epoch {history[-1]['epoch']} ({what}); {kept}. "
                f"Lower learning_rate_init (now {self.learning_rate_init}).",
                RuntimeWarning, stacklevel=3,
            )
        elif trainer.interrupted:
            if history:
                kept = f"the {'best' if self.early_stopping else 'latest'} weights so far"
            else:
                kept = ("the weights it started from (untrained on a new fit)")
            warnings.warn(
                f"Training interrupted after {len(history)} complete epochs; keeping {kept}.",
                UserWarning, stacklevel=3,
            )
        elif not partial and not trainer.converged:
            warnings.warn(
                f"{type(self).__name__} reached max_iter={self.max_iter} before the loss "
                "stopped improving; raise max_iter for a better model.",
                ConvergenceWarning, stacklevel=3,
            )
        # A finite but absurd loss: Adam moves each weight by about learning_rate_init per
        # step, so a huge rate gives a huge model. The yardstick is the error of predicting
        # each feature's mean, floored at 1: a sigmoid output on [0, 1] data stays below 1.
        baseline = max(getattr(self, "_mean_prediction_loss", 0.0), 1.0)
        if history and history[-1]["train_loss"] > 100 * baseline:
            warnings.warn(
                f"Training blew up: the training loss {history[-1]['train_loss']:.3g} is more "
                f"than 100 times {baseline:.3g}, the error of predicting each feature's mean "
                f"(or 1). Lower learning_rate_init (now {self.learning_rate_init}), or keep "
                "scaling='auto' for data of large values.",
                RuntimeWarning, stacklevel=3,
            )

    # -- parameters resolved at fit time ---------------------------------------------------

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of positive ints, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _batch_size(self, n_samples):
        return min(256 if self.batch_size == "auto" else self.batch_size, n_samples)

    def _resolve_device(self):
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError):
            raise ValueError(
                f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {self.device!r}."
            ) from None
        if device.type not in ("cpu", "cuda", "mps"):
            raise ValueError(
                f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {self.device!r}."
            )
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise ValueError(
                f"device={self.device!r} but torch sees no MPS device here; use "
                "device='auto' or 'cpu'."
            )
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} but torch sees no CUDA device here; use "
                "device='auto' or 'cpu'."
            )
        if device.type == "cuda" and device.index is None and distributed.is_distributed():
            device = distributed.local_device()  # one GPU per rank
        return device

    def _scaling(self, X):
        """Per-feature ``shift``, ``scale`` and the output activation, from the data.

        ``scaling="auto"`` leaves data in [0, 1] as it is and decodes through a sigmoid
        (the reference image model); any other data is standardised with a linear output.
        """
        lo, hi, mean, std = _column_stats(X)
        in_unit_range = lo.min() >= 0 and hi.max() <= 1
        scaling = self.scaling
        if scaling == "auto":
            scaling = None if in_unit_range else "standard"
        if scaling == "standard":
            shift, scale = mean, std
        elif scaling == "minmax":
            shift, scale = lo, hi - lo
        else:
            shift, scale = np.zeros_like(mean), np.ones_like(mean)
        scale = np.where(scale > 0, scale, 1.0)
        # The loss of a model that predicts each feature's mean: a yardstick for blow-ups.
        self._mean_prediction_loss = float(np.mean((std / scale) ** 2))
        in_unit_range = scaling == "minmax" or (scaling is None and in_unit_range)
        with np.errstate(over="ignore"):
            shift, scale = shift.astype(np.float32), scale.astype(np.float32)
        if not (np.isfinite(shift).all() and np.isfinite(scale).all()):
            raise ValueError(
                f"The spread of X's columns (up to {np.max(hi - lo):.3g}) exceeds the float32 "
                f"range (+-{_FLOAT32_MAX:.3g}) the model computes in, so scaling={self.scaling!r}"
                " cannot be applied. Rescale X first, e.g. with "
                "sklearn.preprocessing.StandardScaler."
            )
        return (shift, scale,
                "logistic" if in_unit_range else "identity")

    # -- the numpy <-> torch bridge --------------------------------------------------------

    def _check_input(self, X):
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def _validate_X(self, X, *, reset):
        return validate_input(self, X, reset=reset)

    def _check_output(self, out, X, method):
        """Never hand back NaN or inf: name the cause instead."""
        if np.isfinite(out).all():
            return out
        bad = ~np.isfinite(out.reshape(out.shape[0], -1)).all(axis=1)
        weights_ok = all(bool(torch.isfinite(t).all()) for t in self.module_.state_dict().values()
                         if t.is_floating_point())
        cause = (
            f"the values of those rows (up to {np.abs(X[bad]).max():.3g} in magnitude) "
            "overflow the model's float32 arithmetic; bring X to the scale seen in fit"
            if weights_ok else
            "the model's weights are not finite; refit it with a lower learning_rate_init"
        )
        raise ValueError(
            f"{method} produced NaN or inf for {int(bad.sum())} of {out.shape[0]} samples: "
            f"{cause}."
        )

    @staticmethod
    def _as_tensor(X, device):
        return as_tensor(X, device)

    def _map_batches(self, X, fn, dtype):
        """Apply ``fn(module, batch)`` to ``X`` in chunks under inference mode."""
        device = self._resolve_device()
        return map_batches(self.module_.to(device), X, fn, device, dtype)

    @staticmethod
    def _encode(module, x):
        return module.encode(module.normalize(x))

    @staticmethod
    def _decode(module, z):
        return module.denormalize(module.decode(z))

    @staticmethod
    def _reconstruction_error(module, x):
        target = module.normalize(x)
        # In float64: squared errors of large inputs overflow float32.
        return reconstruction_error(module(target)["reconstruction"].double(), target.double())

    # -- persistence -----------------------------------------------------------------------

    def __getstate__(self):
        # A copy: object.__getstate__ hands back the live __dict__, which must not change.
        state = state_with_module_on_cpu(super().__getstate__())
        if state.get("_optimizer_state") is not None:
            state["_optimizer_state"] = _tensors_to_cpu(state["_optimizer_state"])
        state["_skae_versions"] = library_versions()
        return state

    def __setstate__(self, state):
        saved = state.pop("_skae_versions", None)
        if saved is not None:
            warn_on_version_mismatch(saved, type(self).__name__)
        super().__setstate__(state)


def as_tensor(X, device):
    """A float32 tensor over ``X``: no copy for float32 arrays (memory maps included).

    On a GPU the data moves to the device once when it takes at most half of the free
    device memory; otherwise it stays on the host and the trainer copies each batch.
    """
    X = np.ascontiguousarray(X, dtype=np.float32)  # no copy when already so
    with warnings.catch_warnings():
        # Read-only arrays (memory maps) are fine: nothing here writes to the data.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.from_numpy(X)
    if device.type == "cuda" and tensor.nbytes <= torch.cuda.mem_get_info(device)[0] // 2:
        tensor = tensor.to(device)
    return tensor


def map_batches(module, X, fn, device, dtype=np.float64):
    """``fn(module, batch)`` over ``X`` in chunks under inference mode, as one numpy array.

    The one way every estimator turns an array into model outputs: batches are tensors over
    ``X`` (no copy for float32), the output is filled in place in ``dtype``.
    """
    module.eval()
    out = None
    with torch.inference_mode():
        for start in range(0, X.shape[0], _CHUNK_ROWS):
            result = fn(module, as_tensor(X[start:start + _CHUNK_ROWS], device)).cpu().numpy()
            if out is None:
                out = np.empty((X.shape[0], *result.shape[1:]), dtype=dtype)
            out[start:start + _CHUNK_ROWS] = result
    return out


def state_with_module_on_cpu(state):
    """A copy of an estimator's pickle state whose ``module_`` holds CPU tensors, so a
    model trained on a GPU loads anywhere; the live estimator is left as it is."""
    state = dict(state)
    module = state.get("module_")
    if module is not None and not _on_cpu(module):
        state["module_"] = copy.deepcopy(module).cpu()
    return state


def _on_cpu(module):
    return all(t.device.type == "cpu" for t in module.state_dict().values())


def _adam(params, **kwargs):
    """Adam with the fused kernel where this torch and device have it (one kernel per step
    for all parameters: about 2.5x faster steps than the per-tensor loop on CPU)."""
    params = list(params)
    try:
        return torch.optim.Adam(params, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, foreach=True, **kwargs)


def validate_input(estimator, X, *, reset):
    """``validate_data`` (or ``check_array`` when ``reset`` is None) plus what a float32
    torch model needs, with errors that say what was expected and how to fix it.

    Every skae estimator checks its ``X`` here, so bad input meets the same messages
    whichever estimator or method receives it.
    """
    name = type(estimator).__name__
    if X is None:
        raise ValueError(
            "X is None; expected an array-like of shape (n_samples, n_features)."
        )
    if sp.issparse(X):
        raise TypeError(
            f"{name} does not support scipy sparse input: got a {type(X).__name__} of "
            f"shape {X.shape}, expected a dense array. Convert it with X.toarray() if it "
            "fits in memory."
        )
    dtypes = getattr(X, "dtypes", None)  # pandas
    dtypes = [getattr(X, "dtype", None)] if dtypes is None else list(dtypes)
    if any(getattr(dtype, "kind", None) == "c" for dtype in dtypes):
        raise ValueError(
            f"Complex data not supported: {name} expects real numbers, got complex "
            "values. Pass X.real, np.abs(X), or both as separate columns."
        )
    if any(getattr(dtype, "kind", None) in ("M", "m") for dtype in dtypes):
        raise TypeError(
            f"{name} expects numeric input, got dates or durations (datetime64 or "
            "timedelta64). Turn them into numeric features first, e.g. days since a "
            "reference date."
        )
    if getattr(X, "ndim", 2) > 2:
        raise ValueError(
            f"X must be a 2-D array of shape (n_samples, n_features), got a {X.ndim}-D "
            f"array of shape {X.shape}. Flatten each sample first, e.g. "
            "X.reshape(len(X), -1)."
        )
    try:
        if reset is None:
            X = check_array(X, dtype=FLOAT_DTYPES, input_name="X")
        else:
            X = validate_data(estimator, X, dtype=FLOAT_DTYPES, reset=reset)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        if "inhomogeneous" in message:
            raise ValueError(
                "X must be a 2-D array of shape (n_samples, n_features), but its rows "
                f"have different lengths ({message})."
            ) from None
        if "could not convert" not in message and "must be a string or a" not in message:
            raise
        raise type(exc)(
            f"{name} expects numeric input, but X holds values that are not numbers "
            f"({message}). Encode text or categorical columns as numbers first, e.g. "
            "with sklearn.preprocessing.OneHotEncoder."
        ) from None
    if X.dtype == np.float64 and X.size:
        # The model computes in float32: larger values would turn into inf on the cast.
        largest = max(-float(X.min()), float(X.max()))
        if largest > _FLOAT32_MAX:
            raise ValueError(
                f"X holds values up to {largest:.3g} in magnitude, beyond the float32 "
                f"range (+-{_FLOAT32_MAX:.3g}) that {name} computes in. Rescale X first, "
                "e.g. with sklearn.preprocessing.StandardScaler."
            )
    return X


def _check_same_data_on_every_rank(X):
    """Data-parallel ranks each train on their shard of one dataset: it must be the same."""
    column_sums = sum(X[start:start + _CHUNK_ROWS].sum(axis=0, dtype=np.float64)
                      for start in range(0, X.shape[0], _CHUNK_ROWS))
    fingerprint = (X.shape, hashlib.sha256(np.asarray(column_sums).tobytes()).hexdigest())
    if not distributed.same_on_every_rank(fingerprint):
        raise ValueError(
            f"fit under torch.distributed needs the same X on every rank (each rank takes "
            f"its own shard of every batch), but rank {distributed.rank()} has X of shape "
            f"{X.shape} and ranks disagree. Load the whole dataset on every rank."
        )


def _tensors_to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _tensors_to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_tensors_to_cpu(v) for v in obj)
    return obj


def _column_stats(X):
    """Per-column min, max, mean and standard deviation, read in chunks of rows.

    Chunks keep the temporaries small, so a large array or a memory map is never copied whole.
    """
    n = X.shape[0]
    lo = np.full(X.shape[1], np.inf)
    hi = np.full(X.shape[1], -np.inf)
    total = np.zeros(X.shape[1])
    for start in range(0, n, _CHUNK_ROWS):
        chunk = X[start:start + _CHUNK_ROWS]
        lo = np.minimum(lo, chunk.min(axis=0))
        hi = np.maximum(hi, chunk.max(axis=0))
        total += chunk.sum(axis=0, dtype=np.float64)
    mean = total / n
    squares = np.zeros(X.shape[1])
    for start in range(0, n, _CHUNK_ROWS):
        squares += ((X[start:start + _CHUNK_ROWS] - mean) ** 2).sum(axis=0)
    return lo, hi, mean, np.sqrt(squares / n)
