"""The shared estimator base: the one fit path of every skae estimator that trains a torch
module, and fit / partial_fit / transform / inverse_transform / score_samples of the
autoencoders."""

import ast
import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._bridge import (
    CHUNK_ROWS,
    as_tensor,
    check_same_data_on_every_rank,
    map_batches,
    mean_prediction_error,
    rank,
    resolve_device,
    row_subset,
    shared_random_state,
    state_with_module_on_cpu,
    torch_generator,
    torch_seed,
    weights_finite,
    without_weights,
)
from ._compat import Interval, StrOptions, _fit_context
from ._threads import thread_policy
from ._validation import Device, PositiveIntSequence, check_float32_range, validate_X
from ._versions import library_versions, warn_on_version_mismatch
from .nn.callbacks import CosineSchedule, EarlyStopping, ProgressBar
from .nn.losses import mean_reconstruction_error, reconstruction_error
from .nn.modules import ACTIVATIONS, Autoencoder
from .nn.training import Objective, Trainer, adam

_FLOAT32_MAX = float(np.finfo(np.float32).max)
# A float64 column within this many float32 steps across its spread may blur on the cast;
# it does when the rounding error exceeds this share of its standard deviation (see
# _warn_on_unresolved_columns).
_MIN_FLOAT32_STEPS = 1024
_MAX_CAST_ERROR = 0.05
# early_stopping="auto" holds out a validation set above this many samples, as
# HistGradientBoosting does: below it a held-out tenth is too small to judge and too costly.
_AUTO_EARLY_STOPPING_ROWS = 10_000
# Epochs before a reconstruction error that never beat predicting the mean means "learned
# nothing": the first epochs' mean error includes the untrained start.
_LEARNS_NOTHING_EPOCHS = 5


class TorchEstimatorMixin(CallbackSupportMixin):
    """What every skae estimator that trains a torch module shares: the one fit path.

    ``_train`` takes a module, an objective and the data, and runs the one optimiser
    factory, the Trainer with its callbacks (divergence guard, stopping rule, progress bar,
    scikit-learn's ``sklearn.callback`` hooks, data-parallel strategy), and the warnings
    after it: divergence, interruption, no convergence, blow-up. Subclasses own the module
    in ``module_``; pickles hold it on the CPU.
    """

    def __sklearn_is_fitted__(self):
        # The module is what every method needs; a fit that failed leaves none.
        return hasattr(self, "module_")

    def _train(self, module, objective, train, valid=None, *, X, rng, device, max_iter,
               learning_rate, batch_size, weight_decay=0.0, shuffle=True, stopping=None,
               callbacks=(), generator=None, optimizer_state=None, first_call=True,
               warn_unconverged=True, restores_best=False, loss_baseline=1.0,
               learns_nothing_baseline=None):
        """Train ``module`` on ``objective`` and return ``(trainer, history)``.

        Parameters
        ----------
        module, objective : the torch module and the ``skae.nn`` objective over it.
        train, valid : tensors or tuples of tensors (see ``skae.nn.training.Trainer``).
        X : ndarray
            The training data as the estimator received it, for ``sklearn.callback`` hooks.
        rng : RandomState
            Seeds the batch order (unless ``generator`` is given) and the torch noise.
        stopping : callback or None
            The stopping rule (``EarlyStopping``, ``TargetRefresh``); it sets
            ``trainer.converged``. Other ``callbacks`` run after it.
        first_call : bool
            A divergence in the first epoch of a first call raises, leaving no module.
        warn_unconverged : bool
            Warn with ``ConvergenceWarning`` when ``max_iter`` epochs ran without a stop.
        restores_best : bool
            Whether the stopping rule restores the best weights (for the warnings' words).
        loss_baseline : float
            The loss above 100 times which training is said to have blown up.
        learns_nothing_baseline : float or None
            The reconstruction error of predicting each feature's mean, on the rows whose
            error is watched (this call's validation rows when it has any): a model whose
            reconstruction term stayed at or above it for ``_LEARNS_NOTHING_EPOCHS`` epochs
            or more learned nothing, and a warning says so. None: no such check.
        """
        n_train = (train[0] if isinstance(train, tuple) else train).shape[0]
        generator = torch_generator(rng, device) if generator is None else generator
        callbacks = [*([stopping] if stopping is not None else []), *callbacks,
                     _SklearnCallbacks(self, max_iter, X)]
        if getattr(self, "verbose", 0):
            callbacks.append(ProgressBar(max_iter, type(self).__name__))
        trainer = Trainer(
            module, objective,
            adam(module.parameters(), lr=learning_rate, weight_decay=weight_decay,
                 state=optimizer_state),
            batch_size=min(batch_size, n_train), shuffle=shuffle, generator=generator,
            device=device, callbacks=callbacks,
        )
        # The thread policy's work: the batch and the rows the objective encodes beside it
        # (none declared by an objective of one's own that does not say).
        step_rows = trainer.batch_size + getattr(objective, "extra_rows", 0)
        # Data-parallel ranks share this seed; each draws its own noise.
        with torch_seed(int(rng.randint(2**31 - 1)) + rank(), device), \
                thread_policy(module, step_rows, train=True):
            history = trainer.fit(train, valid, max_iter=max_iter)
        self._warn_after_training(trainer, history, max_iter=max_iter, first_call=first_call,
                                  warn_unconverged=warn_unconverged,
                                  restores_best=restores_best, loss_baseline=loss_baseline)
        if learns_nothing_baseline is not None and not (trainer.diverged or trainer.interrupted):
            # Earlier epochs count only where they were measured on the same kind of rows as
            # the yardstick: none when this call holds out its own validation rows, the
            # training-error epochs otherwise (partial_fit calls, fits without a hold-out).
            earlier = ([] if first_call or valid is not None else
                       [row for row in getattr(self, "history_", [])
                        if "valid_reconstruction" not in row])
            self._warn_if_learned_nothing([*earlier, *history], learns_nothing_baseline)
        return trainer, history

    def _warn_after_training(self, trainer, history, *, max_iter, first_call,
                             warn_unconverged, restores_best, loss_baseline):
        lr = self.learning_rate_init
        if trainer.diverged:
            last = history[-1]["train_loss"]
            what = (f"the loss became {last}" if not np.isfinite(last)
                    else "the weights became non-finite")
            if len(history) == 1 and first_call:
                self.__dict__.pop("module_", None)
                raise ValueError(
                    f"Training diverged: {what} in the first epoch. Lower learning_rate_init "
                    f"(now {lr}) or check the input for extreme values."
                )
            kept = ("the weights from before this call were kept" if len(history) == 1
                    else "the weights of the last finite epoch were kept")
            warnings.warn(
                f"Training diverged at epoch {history[-1]['epoch']} ({what}); {kept}. "
                f"Lower learning_rate_init (now {lr}).",
                RuntimeWarning, stacklevel=4,
            )
        elif trainer.interrupted:
            if history:
                kept = f"the {'best' if restores_best else 'latest'} weights so far"
            else:
                kept = "the weights it started from (untrained on a new fit)"
            warnings.warn(
                f"Training interrupted after {len(history)} complete epochs; keeping {kept}.",
                UserWarning, stacklevel=4,
            )
        elif warn_unconverged and history and not trainer.stop_training:
            warnings.warn(
                f"{type(self).__name__} reached max_iter={max_iter} before the loss "
                "stopped improving; raise max_iter for a better model.",
                ConvergenceWarning, stacklevel=4,
            )
        # A finite but absurd loss: Adam moves each weight by about learning_rate_init per
        # step, so a huge rate gives a huge model. The yardstick is the error of predicting
        # each feature's mean, floored at 1: a sigmoid output on [0, 1] data stays below 1.
        baseline = max(loss_baseline, 1.0)
        if history and history[-1]["train_loss"] > 100 * baseline:
            warnings.warn(
                f"Training blew up: the training loss {history[-1]['train_loss']:.3g} is more "
                f"than 100 times {baseline:.3g}, the error of predicting each feature's mean "
                f"(or 1). Lower learning_rate_init (now {lr}), or keep "
                "scaling='auto' for data of large values.",
                RuntimeWarning, stacklevel=4,
            )

    def _warn_if_learned_nothing(self, history, baseline):
        """Warn when the reconstruction error never went below predicting the mean.

        The error watched is the validation one when there is one (no corruption), else
        the training one; an epoch's training error is a mean over its steps, so a few
        epochs must have run before it says anything.
        """
        if baseline <= _NO_SPREAD:
            # Nothing goes below a yardstick of 0: the data has no spread to learn.
            warnings.warn(
                f"{type(self).__name__} was fit on data whose every feature is constant: "
                "there is nothing to learn, and its codes, reconstructions and scores "
                "carry no information.", RuntimeWarning, stacklevel=4)
            return
        if len(history) < _LEARNS_NOTHING_EPOCHS:
            return
        errors = [row.get("valid_reconstruction", row.get("train_reconstruction", np.inf))
                  for row in history]
        best = float(np.nanmin(errors))
        if best < baseline:
            return
        lr = self.learning_rate_init
        where = (" on the validation rows" if any("valid_reconstruction" in row for row in history)
                 else "")
        remedies = [f"a lower learning_rate_init (now {lr}, e.g. {lr / 3:.2g})",
                    "fewer or narrower hidden_layer_sizes"]
        epochs = f"more epochs (max_iter, now {getattr(self, 'max_iter', len(history))})"
        # Stopped by max_iter, not by the stopping rule: more epochs comes first.
        if len(history) >= getattr(self, "max_iter", np.inf):
            remedies.insert(0, epochs)
        else:
            remedies.append(epochs)
        warnings.warn(
            f"{type(self).__name__} learned nothing: after {len(history)} epochs its "
            f"reconstruction error{where} (best {best:.3g}) never went below {baseline:.3g}, "
            f"the error of predicting each feature's mean{where}: it reconstructs no better "
            f"than that mean. Try {', '.join(remedies[:-1])} or {remedies[-1]}.",
            RuntimeWarning, stacklevel=4,
        )

    # -- persistence -----------------------------------------------------------------------

    def __getstate__(self):
        # A copy: object.__getstate__ hands back the live __dict__, which must not change.
        state = state_with_module_on_cpu(super().__getstate__())
        state["_skae_versions"] = library_versions()
        return state

    def __setstate__(self, state):
        saved = state.pop("_skae_versions", None)
        if saved is not None:
            warn_on_version_mismatch(saved, type(self).__name__)
        super().__setstate__(state)


class _SklearnCallbacks:
    """Trainer callback speaking ``sklearn.callback``'s protocol for the estimator's own
    callbacks (``set_callbacks``): the fit is the root task, each epoch a subtask, so
    ``sklearn.callback.ProgressBar`` and monitors follow a skae fit. A hook returning True
    at the end of an epoch stops training."""

    def __init__(self, estimator, max_iter, X):
        self.estimator = estimator
        self.max_iter = max_iter
        self.X = X

    def _end(self, context, trainer, **kwargs):
        return context.call_on_fit_task_end(
            estimator=self.estimator, X=self.X, reconstruction_attributes=lambda: {
                "module_": trainer.module}, **kwargs)

    def on_train_begin(self, trainer):
        self.root = self.estimator._init_callback_context(max_subtasks=self.max_iter)
        self.root.call_on_fit_task_begin(estimator=self.estimator, X=self.X)

    def on_epoch_begin(self, trainer, epoch):
        self.epoch = self.root.subcontext(task_name="epoch")
        self.epoch.call_on_fit_task_begin(estimator=self.estimator, X=self.X)

    def on_epoch_end(self, trainer, row):
        if self._end(self.epoch, trainer, metadata=dict(row)):
            trainer.stop_training = True

    def on_train_end(self, trainer):
        self._end(self.root, trainer)


class BaseAutoencoder(TorchEstimatorMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                      BaseEstimator):
    """Fit, transform and score with a torch autoencoder; subclasses choose module and loss."""

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [PositiveIntSequence(), Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "scaling": [StrOptions({"auto", "standard", "power", "minmax", "global"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "cosine"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [Device()],
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

        The input scaling is fixed from the first chunk, so make it representative: with
        ``scaling="auto"`` the choice itself (images or a table, see ``scaling``) comes
        from it too, and a handful of rows may not show an image's background.

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
        # The fitted module's code width (its decoder's input), not the parameter, which
        # set_params may have moved since.
        module = getattr(self, "module_", None)
        first = None if module is None else next(
            (m for m in module.decoder.modules() if hasattr(m, "in_features")), None)
        return self.latent_dim if first is None else first.in_features

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

    def untrained_module(self):
        """A new, untrained torch module of the fitted model's architecture.

        It is built from the fitted attributes and the parameters the fit built the
        module with (those ``set_params`` changed since do not count), not from
        ``module_``'s weights, with fresh weights and the default input scaling: what
        ``skae.load`` fills in with stored weights, and what an estimator built on this
        one (``DeepEmbeddedClustering``, ``AutoencoderClassifier``) extends to rebuild
        its own architecture. Subclasses whose module depends on more than
        ``_build_module(n_features_in_, output_activation_)`` override it.

        Returns
        -------
        module : torch.nn.Module
            A module whose ``state_dict`` has the keys and shapes of ``module_``'s.
        """
        # The attributes it reads, not module_: skae.load calls it before module_ exists.
        check_is_fitted(self, ["n_features_in_", "output_activation_"])
        return as_built(self)._build_module(self.n_features_in_, self.output_activation_)

    def training_objective(self):
        """The objective ``fit`` minimises: a ``skae.nn`` callable over the module.

        Plain reconstruction error here; the variants add their terms. Estimators that
        refine a fitted autoencoder (clustering, joint classification) keep it.
        """
        return Objective()

    # -- fitting ---------------------------------------------------------------------------

    def _fit(self, X, *, partial):
        first_call = not hasattr(self, "module_") or not (partial or self.warm_start)
        X = self._validate_X(X, reset=first_call)
        check_same_data_on_every_rank(X)
        device = resolve_device(self.device)
        if first_call:
            self._initialize(X, device)
        else:
            self._check_architecture_kept()
            self.module_.to(device)
        X_tensor = as_tensor(X, device)
        if not partial:
            self.do_early_stopping_ = (X.shape[0] > _AUTO_EARLY_STOPPING_ROWS
                                       if self.early_stopping == "auto"
                                       else bool(self.early_stopping))
        elif first_call:
            self.do_early_stopping_ = False  # partial_fit never holds rows out
        X_train, X_valid, train_index = ((X_tensor, None, None) if partial
                                         else self._split(X_tensor))
        objective = self._fit_objective(X, train_index, X_train)
        max_iter = 1 if partial else self.max_iter
        schedule = self._schedule(max_iter, partial)
        trainer, history = self._train(
            self.module_, objective, X_train, X_valid, X=X, rng=self._rng,
            device=device, max_iter=max_iter,
            learning_rate=self.learning_rate_init, weight_decay=self.alpha,
            batch_size=256 if self.batch_size == "auto" else self.batch_size,
            shuffle=self.shuffle, stopping=EarlyStopping(self.tol, self.n_iter_no_change),
            callbacks=schedule, optimizer_state=self._optimizer_state,
            first_call=first_call,
            # A schedule spends max_iter by design: reaching it is no sign of too few epochs.
            warn_unconverged=not partial and not schedule,
            restores_best=not partial and self.do_early_stopping_,
            loss_baseline=getattr(self, "_mean_prediction_loss", 0.0),
            # The yardstick is an MSE: it measures a reconstruction that is one.
            learns_nothing_baseline=(
                self._learns_nothing_yardstick(X_tensor, X_valid)
                if objective.reconstruction is mean_reconstruction_error else None),
        )
        # After a divergence Adam's moments hold inf/NaN (the saved state shares them): the
        # restored weights continue with a fresh optimizer.
        self._optimizer_state = None if trainer.diverged else trainer.optimizer.state_dict()
        self._record(history)
        return self

    def _initialize(self, X, device):
        """Fix the input scaling, build the module and reset what fit learns."""
        self._rng = shared_random_state(check_random_state(self.random_state))
        shift, scale, power, self.output_activation_ = self._scaling(X)
        # Built under a private seed: reproducible from random_state, global RNG untouched.
        with torch_seed(int(self._rng.randint(2**31 - 1)), device=None):
            module = self._build_module(X.shape[1], self.output_activation_)
        module.set_normalization(shift, scale, *power)
        self.module_ = module.to(device)
        self._built_params = _param_reprs(self)
        self._optimizer_state = None
        self.history_ = []
        self.n_iter_ = 0
        # A model built afresh keeps no curve of the one it replaces.
        self.__dict__.pop("validation_loss_curve_", None)

    def _check_architecture_kept(self):
        """A warm start or ``partial_fit`` trains the module built before: refuse parameters
        changed since then that would build another one (a new ``latent_dim``, say), or
        another input scaling, which would otherwise be ignored while
        ``get_feature_names_out`` followed them."""
        params = _param_reprs(self)
        built = getattr(self, "_built_params", None)  # None: a model from an older file
        if params == built:
            return
        fresh = without_weights(
            lambda: self._build_module(self.n_features_in_, self.output_activation_))
        scaling_changed = built is not None and params.get("scaling") != built.get("scaling")
        if scaling_changed or repr(fresh) != repr(self.module_):
            changed = ("" if built is None else " (" + ", ".join(
                f"{name} {built[name]} -> {params[name]}" for name in params
                if name in built and params[name] != built[name]) + ")")
            raise ValueError(
                f"Parameters changed since the model was built{changed}, and together they "
                "give another architecture or input scaling, but warm_start=True and "
                "partial_fit continue the built model. Refit with warm_start=False, or set "
                "the parameters back (the \"auto\" settings latent_norm, latent_activation, "
                "hidden_norm and linear_path follow the loss weights: set them explicitly to "
                "keep the built module while changing a weight)."
            )
        self._built_params = params

    def _learns_nothing_yardstick(self, X, valid):
        """The error of predicting each feature's mean, on the rows whose error this fit's
        learned-nothing check watches: the ``valid`` rows when early stopping holds some
        out (heavy-tailed columns can spread them wider than the data as a whole), else
        the training data of the model's first fit."""
        if valid is None:
            return getattr(self, "_mean_prediction_loss", None)
        return mean_prediction_error(self.module_, X, valid)

    def _schedule(self, max_iter, partial):
        """The learning-rate schedule callbacks of a fit (none for ``partial_fit``)."""
        # getattr: estimators sharing this base without the parameter train at a constant rate.
        if partial or getattr(self, "learning_rate", "constant") == "constant":
            return ()
        return (CosineSchedule(self.learning_rate_init, max_iter, warmup=max_iter // 20),)

    def _fit_objective(self, X, train_index, X_train):
        """The objective of this fit: ``training_objective()``, plus what needs the training
        rows (``X[train_index]``, all of ``X`` when None; ``X_train`` is their tensor)."""
        return self.training_objective()

    def _split(self, X):
        """Hold out ``validation_fraction`` of the rows when early stopping; return the
        training and validation tensors and the training rows' indices (None: all)."""
        if not self.do_early_stopping_:
            return X, None, None
        n_valid = int(round(self.validation_fraction * X.shape[0]))
        if n_valid < 1 or n_valid >= X.shape[0]:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} leaves "
                f"{n_valid} of {X.shape[0]} samples for validation; it needs at least one "
                "sample on each side. Pass more samples or set early_stopping=False."
            )
        order = self._rng.permutation(X.shape[0])
        # Index views, not copies; sorted indices keep reads from a memory map local.
        train_index = np.sort(order[n_valid:])
        return (row_subset(X, train_index), row_subset(X, np.sort(order[:n_valid])),
                train_index)

    def _record(self, history):
        """Append this call's epochs to ``history_`` and derive every curve from it, so that
        ``loss_curve_``, ``validation_loss_curve_`` and ``best_loss_`` all cover the epochs
        since the model was last built (warm_start fits and partial_fit calls add to them,
        as MLPRegressor's ``loss_curve_`` and ``validation_scores_`` do). Epochs are
        numbered from the build on, not from 1 at each call."""
        history = [{**row, "epoch": self.n_iter_ + i + 1} for i, row in enumerate(history)]
        self.history_ = [*self.history_, *history]
        self.n_iter_ += len(history)
        self.loss_curve_ = [row["train_loss"] for row in self.history_]
        # One entry per epoch that held out a validation set: partial_fit epochs have none.
        validation = [row["valid_loss"] for row in self.history_ if "valid_loss" in row]
        if validation:
            self.validation_loss_curve_ = validation
        # What early stopping monitors: the validation loss when there is one.
        finite = [loss for loss in validation or self.loss_curve_ if np.isfinite(loss)]
        self.best_loss_ = float(min(finite)) if finite else np.inf

    # -- parameters resolved at fit time ---------------------------------------------------

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        return (int(sizes),) if isinstance(sizes, Integral) else tuple(int(s) for s in sizes)

    def _scaling(self, X):
        """Per-feature ``shift``, ``scale``, the power step (``power``, ``power_shift``,
        ``power_scale``, see ``skewed_power``; None each when there is none) and the output
        activation, from the data.

        ``scaling="auto"`` (see ``auto_scaling``) leaves data in [0, 1] as it is, brings
        images stored in another range (0-255, say) into [0, 1] by that one range, and
        decodes both through a sigmoid (the reference image model); any other data is
        standardised, its skewed features through a power transform, with a linear output.
        """
        lo, hi, mean, std = column_stats(X)
        _warn_on_unresolved_columns(self, X, lo, hi, std)
        scaling = (auto_scaling(X, lo, hi, images=getattr(self, "image_shape", None) is not None)
                   if self.scaling == "auto" else self.scaling)
        constant = constant_columns(mean, std, X.shape[0])
        if scaling in ("standard", "power"):
            # A constant column keeps a scale of 1, not its spread of round-off (a column
            # of 0.1 has a float64 standard deviation of about 1e-17).
            shift, scale = mean, np.where(constant, 0.0, std)
        elif scaling == "minmax":
            shift, scale = lo, hi - lo
        elif scaling == "global":
            shift, scale = np.full_like(lo, lo.min()), np.full_like(hi, hi.max() - lo.min())
        else:
            shift, scale = np.zeros_like(mean), np.ones_like(mean)
        scale = np.where(scale > 0, scale, 1.0)
        # The loss of a model that predicts each feature's mean: a yardstick for blow-ups.
        self._mean_prediction_loss = float(np.mean((std / scale) ** 2))
        in_unit_range = scaling in ("minmax", "global") or (
            scaling is None and in_unit_interval(lo, hi))
        message = (
            f"The spread of X's columns (up to {np.max(hi - lo):.3g}) exceeds the float32 "
            f"range (+-{_FLOAT32_MAX:.3g}) the model computes in, so scaling={self.scaling!r}"
            " cannot be applied. Rescale X first, e.g. with sklearn.preprocessing.StandardScaler."
        )
        shift = check_float32_range(shift, message)
        scale = check_float32_range(scale, message)
        power = (skewed_power(X, shift, scale, varying=~constant) if scaling == "power"
                 else (None, None, None))
        return (shift, scale, power,
                "logistic" if in_unit_range else "identity")

    # -- the numpy <-> torch bridge --------------------------------------------------------

    def _check_input(self, X):
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def _validate_X(self, X, *, reset):
        return validate_X(self, X, reset=reset)

    def _check_output(self, out, X, method):
        """Never hand back NaN or inf: name the cause instead."""
        if np.isfinite(out).all():
            return out
        bad = ~np.isfinite(out.reshape(out.shape[0], -1)).all(axis=1)
        weights_ok = weights_finite(self.module_)
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

    def _map_batches(self, X, fn, dtype):
        """Apply ``fn(module, batch)`` to ``X`` in chunks under inference mode."""
        return map_batches(self.module_, X, fn, resolve_device(self.device), dtype)

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


def in_unit_interval(lo, hi):
    """Whether columns with minima ``lo`` and maxima ``hi`` all lie in [0, 1]: the data
    ``scaling="auto"`` leaves as it is and decodes through a sigmoid (images)."""
    return bool(np.min(lo) >= 0 and np.max(hi) <= 1)


def shares_one_range(lo, hi):
    """Whether the columns (minima ``lo``, maxima ``hi``) are measured on one scale: most
    varying columns (more than half, and at least two) reach the smallest value of the
    whole array, and most reach at least halfway up to its largest, as the pixels of
    images stored as 0-255 or 0-16 integers do (a background, and strokes of every
    intensity), and columns in different units do not."""
    varying = hi > lo
    low, high = np.min(lo), np.max(hi)
    at_floor = np.count_nonzero(varying & (lo == low))
    halfway_up = np.count_nonzero(varying & (hi - low >= 0.5 * (high - low)))
    half = np.count_nonzero(varying) / 2
    return bool(min(at_floor, halfway_up) >= 2 and at_floor > half and halfway_up > half)


# The share of all entries at the array's smallest value from which data on one scale
# counts as images (a background): digits 0.49, MNIST 0.81; answers drawn on a 1-5 scale
# 0.20, Poisson(3) counts 0.05, a table with a -999 code on 10% of its entries 0.10.
_BACKGROUND_SHARE = 1 / 3


# A learned-nothing yardstick at or below this is data with no spread (constant columns).
_NO_SPREAD = 1e-12


def auto_scaling(X, lo, hi, *, images=False):
    """What ``scaling="auto"`` does with ``X`` (its columns' minima ``lo`` and maxima
    ``hi``): None for data in [0, 1] (used as it is); ``"global"`` (one shift
    and scale for every column, into [0, 1]) for images in another range: columns on one
    scale (``shares_one_range``) with a background, a third or more of all entries at
    the smallest value, and values that rise from it (the smallest value above the
    background in the lower half of the range, as faint strokes are; a code such as -999
    for missing values leaves a gap instead), and any data when ``images`` (the user gave
    ``image_shape``: photographs need no background); ``"power"`` otherwise (tables:
    standardised, skewed features through a power transform). The first two decode
    through a sigmoid, as images; tables decode linearly."""
    if in_unit_interval(lo, hi):
        return None
    if images:
        return "global"
    if not shares_one_range(lo, hi):
        return "power"
    return "global" if drawn(X, lo, hi) else "power"


def drawn(X, lo, hi):
    """Whether ``X`` (columns' minima ``lo``, maxima ``hi``) looks drawn on a background:
    a third or more of all entries at the smallest value, and values that rise from it
    (the smallest value above the background in the lower half of the range, as faint
    strokes are; a code such as -999 for missing values, or 0/1 columns, leave a gap
    instead)."""
    low, high = np.min(lo), np.max(hi)
    at_low, above = 0, high
    for start in range(0, X.shape[0], CHUNK_ROWS):
        chunk = X[start:start + CHUNK_ROWS]
        at_low += np.count_nonzero(chunk == low)
        above = min(above, np.min(chunk, initial=high, where=chunk > low))
    background = at_low >= _BACKGROUND_SHARE * X.size
    rises = above - low <= 0.5 * (high - low)
    return bool(background and rises)


def as_built(estimator):
    """``estimator`` with the parameters its module was built with, where ``set_params``
    changed them after the fit (a new ``latent_dim``, say): what rebuilds the fitted
    architecture, for ``skae.load``'s stored weights. ``_built_params`` holds their reprs
    (recorded when the module is built); those that are Python literals, every
    architecture parameter among them, are read back. ``estimator`` itself when none
    changed; otherwise a shallow copy."""
    built = getattr(estimator, "_built_params", None)
    if not isinstance(built, dict):
        return estimator
    current = estimator.get_params(deep=False)
    changed = {}
    for name, text in built.items():
        if name not in current or repr(current[name]) == text:
            continue
        try:
            changed[name] = ast.literal_eval(text)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue  # not a literal: the current value stays
    if not changed:
        return estimator
    twin = copy.copy(estimator)
    vars(twin).update(changed)
    return twin


def _param_reprs(estimator):
    """The estimator's own parameters as text: comparable whatever their types, and
    storable by ``skae.save``."""
    return {name: repr(_plain(value))
            for name, value in estimator.get_params(deep=False).items()}


def _plain(value):
    """NumPy numbers (from ``np.arange``, a parameter grid) as Python's, in tuples and lists
    too: their reprs are then literals that ``as_built`` reads back."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    return value


def _warn_on_unresolved_columns(estimator, X, lo, hi, std):
    """Warn when the cast to float32, which the model computes in, blurs a column: a small
    spread at a large offset (timestamps, say) rounds away before any scaling can act,
    and the codes would silently lose that column.

    Only float64 columns that float32 might blur (spread within ``_MIN_FLOAT32_STEPS``
    float32 steps at their magnitude) are read again, in chunks, for the largest rounding
    error; a column warns when that error exceeds ``_MAX_CAST_ERROR`` of its standard
    deviation. Columns constant up to float64 round-off never warn.
    """
    if X.dtype != np.float64:
        return
    magnitude = np.maximum(np.abs(lo), np.abs(hi))
    step = np.spacing(magnitude.astype(np.float32)).astype(np.float64)
    constant = std <= X.shape[0] * np.finfo(np.float64).eps * magnitude
    suspects = np.flatnonzero(~constant & (hi - lo < _MIN_FLOAT32_STEPS * step))
    if not suspects.size:
        return
    error = np.zeros(suspects.size)
    for start in range(0, X.shape[0], CHUNK_ROWS):
        chunk = X[start:start + CHUNK_ROWS, suspects]
        error = np.maximum(error, np.abs(chunk - chunk.astype(np.float32)).max(axis=0))
    share = error / std[suspects]
    blurred = share > _MAX_CAST_ERROR
    if not blurred.any():
        return
    names = getattr(estimator, "feature_names_in_", None)
    columns = [repr(str(names[c])) if names is not None else str(c)
               for c in suspects[blurred]]
    worst = int(np.argmax(np.where(blurred, share, -np.inf)))
    column = suspects[worst]
    worst_name = repr(str(names[column])) if names is not None else str(column)
    warnings.warn(
        f"Column{'s' if len(columns) > 1 else ''} {', '.join(columns[:5])}"
        f"{' ...' if len(columns) > 5 else ''} of X {'lose' if len(columns) > 1 else 'loses'}"
        f" detail on the cast to float32, which the model computes in: column {worst_name} "
        f"spreads {std[column]:.3g} (standard deviation) at values up to "
        f"{magnitude[column]:.3g}, where float32 rounds by up to {error[worst]:.3g} "
        f"({share[worst]:.0%} of that spread). Subtract the offset first, e.g. with "
        "sklearn.preprocessing.StandardScaler in a Pipeline.",
        DataConversionWarning, stacklevel=4,
    )


# A feature is skewed, and ``scaling="power"`` transforms it, when the skewness of its
# values exceeds this in magnitude (the usual "highly skewed" mark), and exceeds
# ``_SKEWNESS_ERRORS`` standard errors of the skewness of as many Gaussian values (so that
# chance skew in a few dozen rows is left alone: 1.5 for 20 rows, 1.0 from about 50 on).
SKEWNESS_LIMIT = 1.0
_SKEWNESS_ERRORS = 3.0


def skewness_limit(n_samples):
    """The skewness beyond which ``scaling="power"`` transforms a feature of
    ``n_samples`` values: ``SKEWNESS_LIMIT``, or three standard errors of a Gaussian
    sample's skewness where that is more."""
    n = max(n_samples, 3)
    standard_error = np.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
    return max(SKEWNESS_LIMIT, _SKEWNESS_ERRORS * standard_error)


# Rows (spread evenly over X) from which ``skewed_power`` learns its powers (and the
# detector's distance its own): a copy of this many rows is made, not of X.
_SAMPLE_ROWS = 10_000


def evenly_spaced_rows(n_samples, n_rows):
    """Indices of at most ``n_rows`` rows spread evenly over ``n_samples``."""
    return np.linspace(0, n_samples - 1, min(n_samples, n_rows)).astype(int)


def skewed_power(X, shift, scale, varying):
    """The power step of ``scaling="power"``: for each ``varying`` feature of ``(X - shift)
    / scale`` (standardised) whose skewness exceeds ``skewness_limit`` in magnitude (a
    constant feature's round-off is not skew), the Yeo-Johnson
    power (λ) that makes it most Gaussian (``sklearn.preprocessing.PowerTransformer``'s
    fit), held within [0, 2] where the transform is onto the real line (so whatever the
    decoder writes can be undone), and the mean and standard deviation of the transformed
    values, which standardise it again; the other features keep λ = 1 (the identity),
    shift 0 and scale 1. Learnt on at most ``_SAMPLE_ROWS`` rows, spread evenly over
    ``X``. Returns float32 arrays ``(power, power_shift, power_scale)``, or three None
    when no feature is skewed."""
    from scipy.stats import skew
    from sklearn.preprocessing import PowerTransformer

    rows = evenly_spaced_rows(X.shape[0], _SAMPLE_ROWS)
    sample = (np.asarray(X[rows], dtype=np.float64) - shift) / scale
    with np.errstate(all="ignore"):
        skewness = np.nan_to_num(skew(sample, axis=0))  # NaN for constant features
    skewed = np.flatnonzero(varying & (np.abs(skewness) > skewness_limit(len(rows))))
    if skewed.size == 0:
        return None, None, None
    transformer = PowerTransformer(standardize=False).fit(sample[:, skewed])
    # Outside [0, 2] the transform is bounded on one side: a reconstruction past that edge
    # would have no value to go back to.
    transformer.lambdas_ = np.clip(transformer.lambdas_, 0.0, 2.0)
    transformed = transformer.transform(sample[:, skewed])
    spread = transformed.std(axis=0)
    power, power_shift, power_scale = (np.full(X.shape[1], value) for value in (1.0, 0.0, 1.0))
    power[skewed] = transformer.lambdas_
    power_shift[skewed] = transformed.mean(axis=0)
    power_scale[skewed] = np.where(spread > 0, spread, 1.0)
    return tuple(array.astype(np.float32) for array in (power, power_shift, power_scale))


def constant_columns(mean, std, n_samples):
    """Which columns (means ``mean``, standard deviations ``std`` over ``n_samples`` rows)
    are constant up to the round-off of computing them: scikit-learn's test in
    ``StandardScaler``, which divides such columns by 1."""
    eps = np.finfo(np.float64).eps
    variance = std**2
    return variance <= n_samples * eps * variance + (n_samples * mean * eps) ** 2


def column_stats(X):
    """Per-column min, max, mean and standard deviation, read in chunks of rows.

    Chunks keep the temporaries small, so a large array or a memory map is never copied whole.
    """
    n = X.shape[0]
    lo = np.full(X.shape[1], np.inf)
    hi = np.full(X.shape[1], -np.inf)
    total = np.zeros(X.shape[1])
    for start in range(0, n, CHUNK_ROWS):
        chunk = X[start:start + CHUNK_ROWS]
        lo = np.minimum(lo, chunk.min(axis=0))
        hi = np.maximum(hi, chunk.max(axis=0))
        total += chunk.sum(axis=0, dtype=np.float64)
    mean = total / n
    squares = np.zeros(X.shape[1])
    for start in range(0, n, CHUNK_ROWS):
        squares += ((X[start:start + CHUNK_ROWS] - mean) ** 2).sum(axis=0)
    return lo, hi, mean, np.sqrt(squares / n)
