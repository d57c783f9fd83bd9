"""The training loop: fit -> epoch -> train step / validation step; the rest is callbacks.

Data arrives as tensors already in memory (or a memory map) and is batched by index, so there
is no per-sample Dataset. Losses are summed on the device and read back once per epoch.
"""

import math

import torch
from torch import nn

from . import distributed
from .callbacks import DivergenceGuard, EarlyStopping, ProgressBar  # noqa: F401
from .losses import mean_reconstruction_error


# The seed of the global generator while a validation loss is computed (see Trainer.evaluate).
EVALUATION_SEED = 0


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

    @property
    def extra_rows(self):
        """Rows a training step encodes beyond its batch (the neighbour-graph term's edge
        ends): the thread policy sizes a step's work from them."""
        return sum(getattr(fn, "extra_rows", 0) for _, fn in self.penalties.values())


def adam(params, *, lr, weight_decay=0.0, state=None):
    """The optimiser of every skae fit: Adam, with the fused kernel where this torch and
    device have it (one kernel per step for all parameters: about 2.5x faster steps than
    the per-tensor loop on CPU).

    ``state`` (an earlier ``state_dict``) continues a previous fit's moments under the
    given ``lr`` and ``weight_decay``.
    """
    params = list(params)
    try:
        optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError, ValueError):
        optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, foreach=True)
    if state is not None:
        optimizer.load_state_dict(state)
        for group in optimizer.param_groups:
            group["lr"], group["weight_decay"] = lr, weight_decay
    return optimizer


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
        See ``skae.nn.callbacks``: early stopping, progress, target refresh and any of
        yours. A ``DivergenceGuard`` always runs first.

    Attributes
    ----------
    history : list of dict
        One row per epoch: ``epoch`` and every loss term, ``train_`` and ``valid_``.
    converged, diverged, interrupted : bool
        Why the last ``fit`` stopped: a callback's stopping rule was met, a loss or a weight
        became non-finite (the last good weights are restored), or a ``KeyboardInterrupt``
        (the weights of the last complete epoch are kept).
    best_loss : float
        Best monitored loss, kept by ``EarlyStopping``.

    Notes
    -----
    The data is a tensor, or a tuple of tensors sharing their first dimension (inputs and
    targets, say); each batch takes the same rows of each and the objective receives them
    as positional arguments: ``objective(module, x, y, training=..., generator=...)``.

    When a torch.distributed process group of several processes is initialised (as
    ``torchrun`` does), ``fit`` trains data-parallel through
    ``skae.nn.distributed.DataParallel``: every rank passes the same data, the batch order
    follows rank 0's generator, each rank takes its shard of every batch, gradients are
    averaged, and the history is rank 0's on every rank, so every rank stops at the same
    epoch with the same weights. The training noise (corruption) is drawn per rank.
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
        self.callbacks = [DivergenceGuard(), *callbacks]
        self._objective_module = None

    # -- the loop, top to bottom -------------------------------------------------------

    def fit(self, train, valid=None, *, max_iter):
        """Train up to ``max_iter`` epochs; return the history, one dict per epoch.

        ``train`` and ``valid`` are tensors or tuples of tensors (see Notes). Training
        stops early when a callback sets ``stop_training``.
        """
        train = _as_tuple(train)
        valid = None if valid is None else _as_tuple(valid)
        self._prepare_step()
        self.history = []
        self.stop_training = self.converged = self.diverged = self.interrupted = False
        self.best_loss, self.best_epoch = math.inf, 0
        self._call_back("on_train_begin")
        try:
            for epoch in range(1, max_iter + 1):
                self._call_back("on_epoch_begin", epoch)
                row = {"epoch": epoch, **self._prefixed("train", self.run_epoch(train))}
                if valid is not None:
                    row.update(self._prefixed("valid", self.evaluate(valid)))
                row = self.strategy.agree(row)
                self.history.append(row)
                self._call_back("on_epoch_end", row)
                if self.strategy.stop_anywhere(self.stop_training):
                    break
        except KeyboardInterrupt:
            if not self.strategy.interruptible:
                raise
            self.interrupted = True
        self._call_back("on_train_end")
        return self.history

    def run_epoch(self, data):
        """One pass over ``data`` in mini-batches; return the mean of each loss term."""
        self.module.train()
        self._prepare_step()
        data = _as_tuple(data)
        X = data[0]
        order, batch_size = self.strategy.shard(self._epoch_order(X.shape[0], X.device),
                                                self.batch_size)
        names, total = None, 0.0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            # index_select, not t[idx]: the same rows, gathered in about half the time.
            terms = self.train_step(tuple(self._to_device(t.index_select(0, idx))
                                          for t in data))
            names = names or list(terms)
            # Summed on the device: no host sync inside the epoch.
            total = total + torch.stack([terms[n].detach() for n in names]) * len(idx)
        means = self.strategy.epoch_sum(total) / (len(order) * self.strategy.world_size)
        self.strategy.agree_on_statistics(self.module)
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
        """Mean of each loss term over ``data``, in evaluation mode.

        Whatever the objective draws from torch's global generator (a variational
        autoencoder's sampling noise) is the same at every call: the generator is forked
        and seeded with ``EVALUATION_SEED``, so the losses of two epochs differ by the
        weights alone, not by the luck of the draw (early stopping compares them), and the
        training's random stream is left as it was.
        """
        self.module.eval()
        data = _as_tuple(data)
        n_samples = data[0].shape[0]
        sums = {}
        cuda = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):
            # Only the forked generators: torch.manual_seed would reseed every GPU.
            torch.random.default_generator.manual_seed(EVALUATION_SEED)
            if cuda:
                with torch.cuda.device(self.device):
                    torch.cuda.manual_seed(EVALUATION_SEED)
            for start in range(0, n_samples, batch_size):
                batch = tuple(self._to_device(t[start:start + batch_size]) for t in data)
                for name, value in self.validation_step(batch).items():
                    sums[name] = sums.get(name, 0.0) + value * batch[0].shape[0]
        return self._means(sums, n_samples)

    def snapshot(self):
        """A detached copy of the module's weights and buffers."""
        return {k: v.detach().clone() for k, v in self.module.state_dict().items()}

    # -- small helpers -----------------------------------------------------------------

    def _prepare_step(self):
        """The objective as a module, wrapped by the strategy (DDP in a process group).

        Built once, and again only if ``module`` or ``objective`` was replaced since.
        """
        built = self._objective_module
        if built is not None and built.module is self.module and (
                built.objective is self.objective):
            return
        self.strategy = distributed.strategy()
        self._objective_module = ObjectiveModule(self.module, self.objective)
        self._step = self.strategy.wrap(self._objective_module, self.device)
        self._order_generator, self._noise_generator = self.strategy.generators(
            self.generator)

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

    def index_select(self, dim, rows):
        """``rows`` of the subset, as ``Tensor.index_select`` along the first dimension."""
        if dim != 0:
            raise ValueError(f"RowSubset selects rows only (dim=0); got dim={dim}.")
        return self.data.index_select(0, self.index.index_select(0, rows))


def _as_tuple(data):
    return data if isinstance(data, tuple) else (data,)
