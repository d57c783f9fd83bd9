"""The training loop: fit -> epoch -> train step / validation step, with early stopping.

Data arrives as tensors already in memory (or a memory map) and is batched by index, so there
is no per-sample Dataset. Losses are summed on the device and read back once per epoch.
"""

import math

import torch

from .losses import mean_reconstruction_error


class Objective:
    """Reconstruction error plus weighted penalty terms, each reported apart.

    Parameters
    ----------
    penalties : dict of str -> (float, callable), default=None
        ``name -> (weight, fn)`` where ``fn(module, inputs, outputs)`` returns a scalar
        tensor; ``inputs`` is what the encoder saw and ``outputs`` the module's dict.
    corruption : callable, default=None
        ``fn(x, generator)`` returning a corrupted copy of a batch (in the working space).
        Applied in training only; the target stays the clean batch.
    reconstruction : callable, default=None
        ``fn(reconstruction, target)`` returning the scalar reconstruction term; the
        default is the mean squared error (a VAE uses a summed negative log-likelihood).
    """

    def __init__(self, penalties=None, corruption=None, reconstruction=None):
        self.penalties = dict(penalties or {})
        self.corruption = corruption
        self.reconstruction = reconstruction or mean_reconstruction_error

    def __call__(self, module, x, *, training=False, generator=None):
        """Return a dict of scalar loss tensors: each term and their weighted sum ``loss``."""
        target = module.normalize(x)
        inputs = target
        if training and self.corruption is not None:
            inputs = self.corruption(target, generator)
        outputs = module(inputs)
        terms = {"reconstruction": self.reconstruction(outputs["reconstruction"], target)}
        loss = terms["reconstruction"]
        for name, (weight, fn) in self.penalties.items():
            terms[name] = fn(module, inputs, outputs)
            loss = loss + weight * terms[name]
        terms["loss"] = loss
        return terms


class Trainer:
    """Minimise an objective over a tensor of samples with mini-batch gradient steps.

    Parameters
    ----------
    module : torch.nn.Module
    objective : callable
        ``objective(module, x, training=..., generator=...)`` -> dict of scalar tensors
        with the total under ``"loss"``.
    optimizer : torch.optim.Optimizer
    batch_size : int
    shuffle : bool, default=True
    generator : torch.Generator, default=None
        Source of randomness for the batch order and the objective (noise).
    device : torch.device, default="cpu"
        Where batches are moved before the step.
    callbacks : sequence, default=()
        Objects with ``on_epoch_end(trainer, row)`` and optionally
        ``on_epoch_begin(trainer, epoch)`` and ``on_train_end(trainer)``; set
        ``trainer.stop_training = True`` to stop after the current epoch.

    Notes
    -----
    The data is a tensor, or a tuple of tensors sharing their first dimension (inputs and
    targets, say); each batch takes the same rows of each and the objective receives them
    as positional arguments: ``objective(module, x, y, training=..., generator=...)``.
    """

    def __init__(self, module, objective, optimizer, *, batch_size, shuffle=True,
                 generator=None, device="cpu", callbacks=()):
        self.module = module
        self.objective = objective
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.device = torch.device(device)
        self.callbacks = list(callbacks)

    # -- the loop, top to bottom -------------------------------------------------------

    def fit(self, train, valid=None, *, max_iter, tol=1e-4, n_iter_no_change=10):
        """Train up to ``max_iter`` epochs; return the history, one dict per epoch.

        ``train`` and ``valid`` are tensors or tuples of tensors (see Notes).

        Stops early when the monitored loss (validation loss if ``X_valid`` is given, else
        training loss) has not improved by ``tol`` for ``n_iter_no_change`` epochs. With a
        validation set, the best weights are restored at the end. A non-finite loss, or a
        ``KeyboardInterrupt``, stops training with the last good weights restored; the flags
        ``diverged`` and ``interrupted`` say so. ``converged`` is False when ``max_iter``
        epochs ran without stopping early.
        """
        train = _as_tuple(train)
        valid = None if valid is None else _as_tuple(valid)
        self.history = []
        self.stop_training = self.converged = self.diverged = self.interrupted = False
        self.best_loss, self.best_epoch, no_improvement = math.inf, 0, 0
        best_state = last_good_state = self._snapshot()
        try:
            for epoch in range(1, max_iter + 1):
                self._call_back("on_epoch_begin", epoch)
                row = {"epoch": epoch, **self._prefixed("train", self.run_epoch(train))}
                if valid is not None:
                    row.update(self._prefixed("valid", self.evaluate(valid)))
                self.history.append(row)
                monitored = row["valid_loss" if valid is not None else "train_loss"]
                state = self._snapshot()
                # The epoch's last step can make the weights non-finite after its loss was
                # computed; such a state must not become the one restored.
                if (not math.isfinite(row["train_loss"]) or not math.isfinite(monitored)
                        or not _all_finite(state)):
                    self.diverged = True
                    break
                last_good_state = state
                if monitored < self.best_loss - tol:
                    no_improvement = 0
                else:
                    no_improvement += 1
                if monitored < self.best_loss:
                    self.best_loss, self.best_epoch = monitored, epoch
                    if valid is not None:
                        best_state = last_good_state
                self._call_back("on_epoch_end", row)
                if no_improvement >= n_iter_no_change:
                    self.converged = True
                if self.converged or self.stop_training:
                    break
        except KeyboardInterrupt:
            self.interrupted = True
        if self.diverged or self.interrupted:
            self.module.load_state_dict(last_good_state)
        if valid is not None and math.isfinite(self.best_loss):
            self.module.load_state_dict(best_state)
        self._call_back("on_train_end")
        return self.history

    def run_epoch(self, data):
        """One pass over ``data`` in mini-batches; return the mean of each loss term."""
        self.module.train()
        data = _as_tuple(data)
        X = data[0]
        n_samples = X.shape[0]
        if self.shuffle:
            order = torch.randperm(n_samples, generator=self.generator,
                                   device=self.generator.device if self.generator else "cpu")
            order = order.to(X.device)
        else:
            order = torch.arange(n_samples, device=X.device)
        names, total = None, 0.0
        for start in range(0, n_samples, self.batch_size):
            idx = order[start:start + self.batch_size]
            terms = self.train_step(tuple(self._to_device(t[idx]) for t in data))
            names = names or list(terms)
            # Summed on the device: no host sync inside the epoch.
            total = total + torch.stack([terms[n].detach() for n in names]) * len(idx)
        return self._means(dict(zip(names, total)), n_samples)

    def train_step(self, batch):
        """One gradient step on a batch (a tuple of tensors); return its loss terms."""
        self.optimizer.zero_grad(set_to_none=True)
        terms = self.objective(self.module, *batch, training=True, generator=self.generator)
        terms["loss"].backward()
        self.optimizer.step()
        return terms

    def validation_step(self, batch):
        """Loss terms of a batch, with no gradient and no corruption."""
        with torch.inference_mode():
            return self.objective(self.module, *batch, training=False)

    def evaluate(self, data, batch_size=4096):
        """Mean of each loss term over ``data``, in evaluation mode."""
        self.module.eval()
        data = _as_tuple(data)
        n_samples = data[0].shape[0]
        sums = {}
        for start in range(0, n_samples, batch_size):
            batch = tuple(self._to_device(t[start:start + batch_size]) for t in data)
            for name, value in self.validation_step(batch).items():
                sums[name] = sums.get(name, 0.0) + value * batch[0].shape[0]
        return self._means(sums, n_samples)

    # -- small helpers -----------------------------------------------------------------

    def _call_back(self, hook, *args):
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self, *args)

    def _to_device(self, x):
        if x.device == self.device:
            return x
        if self.device.type == "cuda":
            # A pinned host batch copies asynchronously, overlapping the previous step.
            x = x.pin_memory()
        return x.to(self.device, non_blocking=True)

    def _snapshot(self):
        return {k: v.detach().clone() for k, v in self.module.state_dict().items()}

    @staticmethod
    def _means(sums, n_samples):
        # One host sync per epoch: stack every term and read them back together.
        names = list(sums)
        values = (torch.stack([sums[n] for n in names]) / n_samples).tolist()
        return dict(zip(names, values))

    @staticmethod
    def _prefixed(prefix, terms):
        return {f"{prefix}_{name}": value for name, value in terms.items()}


class RowSubset:
    """Some rows of a tensor, gathered batch by batch so the whole is never copied.

    Parameters
    ----------
    data : Tensor of shape (n_samples, ...)
    index : LongTensor of shape (n_rows,)
        The rows of ``data`` this subset holds, in order.
    """

    def __init__(self, data, index):
        self.data = data
        self.index = index.to(data.device)

    @property
    def shape(self):
        return (len(self.index), *self.data.shape[1:])

    @property
    def device(self):
        return self.data.device

    def __getitem__(self, rows):
        return self.data[self.index[rows]]


def _all_finite(state):
    floats = [t.isfinite().all() for t in state.values() if t.is_floating_point()]
    return bool(torch.stack(floats).all()) if floats else True


def _as_tuple(data):
    return data if isinstance(data, tuple) else (data,)


class ProgressBar:
    """A tqdm bar over epochs showing the latest losses."""

    def __init__(self, total, desc=None):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, unit="epoch", leave=True)

    def on_epoch_end(self, trainer, row):
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k != "epoch"},
                             refresh=False)
        self.bar.update(1)

    def on_train_end(self, trainer):
        self.bar.close()
