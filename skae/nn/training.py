"""The training loop: fit -> epoch -> train step / validation step, with early stopping.

Data arrives as tensors already in memory (or a memory map) and is batched by index, so there
is no per-sample Dataset. Losses are summed on the device and read back once per epoch.
"""

import math

import torch
from torch import nn

from . import distributed
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


class ObjectiveModule(nn.Module):
    """The training objective over a module, as a module: a step is one call of it.

    DistributedDataParallel synchronises the gradients of what runs inside the forward of
    the module it wraps; wrapping the objective, not only the model, keeps every penalty
    term (a Jacobian, a classifier head, cluster centres) inside it.
    """

    def __init__(self, module, objective):
        super().__init__()
        self.module = module
        self.objective = objective

    def forward(self, *batch, generator=None):
        return self.objective(self.module, *batch, training=True, generator=generator)


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

    When a torch.distributed process group of several processes is initialised (as
    ``torchrun`` does), ``fit`` trains data-parallel: every rank passes the same data, the
    batch order follows rank 0's generator, each rank takes its shard of every batch
    (``batch_size / world_size`` rows, rounded up), DistributedDataParallel averages the
    gradients, and the loss history is rank 0's on every rank, so early stopping decides the
    same everywhere and every rank ends with the same weights. The training noise
    (corruption) is drawn per rank.
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
        self._objective_module = None

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

        Data-parallel, a ``stop_training`` set on any rank stops every rank after the epoch,
        and a ``KeyboardInterrupt`` propagates: the other ranks cannot be told, so the run
        ends as a torchrun job does.
        """
        train = _as_tuple(train)
        valid = None if valid is None else _as_tuple(valid)
        self._prepare_step()
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
                row = distributed.broadcast_object(row)
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
                # A callback may stop on what only its rank sees (a time budget, say).
                self.stop_training = distributed.on_any_rank(self.stop_training)
                if self.converged or self.stop_training:
                    break
        except KeyboardInterrupt:
            if self._world_size > 1:
                raise
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
        self._prepare_step()
        data = _as_tuple(data)
        X = data[0]
        order = self._epoch_order(X.shape[0], X.device)
        batch_size = self.batch_size
        if self._world_size > 1:
            order = distributed.shard(order, self._world_size, distributed.rank())
            batch_size = math.ceil(batch_size / self._world_size)
        names, total = None, 0.0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            terms = self.train_step(tuple(self._to_device(t[idx]) for t in data))
            names = names or list(terms)
            # Summed on the device: no host sync inside the epoch.
            total = total + torch.stack([terms[n].detach() for n in names]) * len(idx)
        # Data-parallel: each rank summed its shard (all shards are the same length); the
        # epoch's means are over all of them.
        means = distributed.all_reduce_sum(total) / (len(order) * self._world_size)
        return dict(zip(names, means.tolist()))

    def train_step(self, batch):
        """One gradient step on a batch (a tuple of tensors); return its loss terms."""
        self.optimizer.zero_grad(set_to_none=True)
        terms = self._step(*batch, generator=self._noise_generator)
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

    def _prepare_step(self):
        """The objective as a module, wrapped in DDP under a process group of several.

        Built once, and again only if ``module`` or ``objective`` was replaced since.
        """
        built = self._objective_module
        if built is not None and built.module is self.module and (
                built.objective is self.objective):
            return
        self._world_size = distributed.world_size()
        self._objective_module = self._step = ObjectiveModule(self.module, self.objective)
        self._order_generator = self._noise_generator = self.generator
        if self._world_size == 1:
            return
        self._step = distributed.data_parallel(self._objective_module, self.device)
        # One batch order on every rank (rank 0's, whatever the seeds), but noise of each
        # rank's own: the same draws on two shards would correlate them.
        order = self.generator or torch.Generator().manual_seed(
            int(torch.randint(2**62, (1,))))
        state, seed = distributed.broadcast_object((order.get_state(), order.initial_seed()))
        self._order_generator = torch.Generator(order.device)
        self._order_generator.set_state(state)
        self._noise_generator = torch.Generator(order.device).manual_seed(
            (seed + 7919 * distributed.rank()) % 2**63)

    def _epoch_order(self, n_samples, device):
        if not self.shuffle:
            return torch.arange(n_samples, device=device)
        generator = self._order_generator
        order = torch.randperm(n_samples, generator=generator,
                               device=generator.device if generator else "cpu")
        return order.to(device)

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

        # Data-parallel training: one bar, on rank 0.
        self.bar = tqdm(total=total, desc=desc, unit="epoch", leave=True,
                        disable=distributed.rank() != 0)

    def on_epoch_end(self, trainer, row):
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k != "epoch"},
                             refresh=False)
        self.bar.update(1)

    def on_train_end(self, trainer):
        self.bar.close()
