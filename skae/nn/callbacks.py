"""Trainer callbacks: what the loop does besides stepping, each in one small object.

A callback has any of ``on_train_begin(trainer)``, ``on_epoch_begin(trainer, epoch)``,
``on_epoch_end(trainer, row)`` and ``on_train_end(trainer)``; the Trainer calls them in list
order. To stop, a callback sets ``trainer.stop_training = True``: the loop ends after the
current epoch (on every rank, data-parallel).
"""

import math
import shutil

import torch

from . import distributed


class DivergenceGuard:
    """Stop on a non-finite loss or non-finite weights, and on a ``KeyboardInterrupt``;
    restore the weights of the last good epoch (or of the start) at the end.

    Sets ``trainer.diverged``. Put it first: later callbacks skip a diverged epoch.
    """

    def on_train_begin(self, trainer):
        self.last_good_state = trainer.snapshot()

    def on_epoch_end(self, trainer, row):
        state = trainer.snapshot()
        monitored = [value for key, value in row.items() if key.endswith("_loss")]
        # The epoch's last step can make the weights non-finite after its loss was
        # computed; such a state must not become the one restored.
        if not all(math.isfinite(value) for value in monitored) or not _all_finite(state):
            trainer.diverged = trainer.stop_training = True
            return
        self.last_good_state = state

    def on_train_end(self, trainer):
        if trainer.diverged or trainer.interrupted:
            trainer.module.load_state_dict(self.last_good_state)


class EarlyStopping:
    """Stop when the monitored loss has not improved by ``tol`` for ``n_iter_no_change``
    epochs; with ``restore_best``, load the weights of the best epoch at the end.

    The monitored loss is ``valid_loss`` when the history has it, else ``train_loss``.
    Sets ``trainer.converged`` when it stops, and ``trainer.best_loss`` and
    ``trainer.best_epoch`` as it goes.

    Parameters
    ----------
    tol : float, default=1e-4
    n_iter_no_change : int, default=10
    restore_best : bool, default=True
        Only applies when a validation loss is monitored.
    """

    def __init__(self, tol=1e-4, n_iter_no_change=10, restore_best=True):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.restore_best = restore_best

    def on_train_begin(self, trainer):
        self.no_improvement = 0
        self.best_state = None

    def on_epoch_end(self, trainer, row):
        if trainer.diverged:
            return
        validating = "valid_loss" in row
        monitored = row["valid_loss" if validating else "train_loss"]
        self.no_improvement = (0 if monitored < trainer.best_loss - self.tol
                               else self.no_improvement + 1)
        if monitored < trainer.best_loss:
            trainer.best_loss, trainer.best_epoch = monitored, row["epoch"]
            if validating and self.restore_best:
                self.best_state = trainer.snapshot()
        if self.no_improvement >= self.n_iter_no_change:
            trainer.converged = trainer.stop_training = True

    def on_train_end(self, trainer):
        if self.best_state is not None and math.isfinite(trainer.best_loss):
            trainer.module.load_state_dict(self.best_state)


class ProgressBar:
    """A tqdm bar over epochs that fits an 80-column terminal (on rank 0 only).

    After each epoch it shows every distinct loss once: ``loss`` (the training objective),
    each of its terms when there are several (short names: ``rec``, ``kl``, ...), and
    ``val_loss`` when a validation set is held out. Terms are left out, first first (the
    reconstruction, which ``loss`` mostly is), when the line would not fit; then ``loss``;
    the estimator's ``history_`` keeps them all. A run that stops before
    ``total`` epochs closes with "stopped early at epoch N".

    Parameters
    ----------
    total : int
        The most epochs the run may take.
    desc : str, default=None
        Shown first: the estimator's class name.
    file : file-like, default=None
        Where the bar is written; None is tqdm's (standard error).
    ncols : int, default=None
        The line width; None is ``min(80, terminal width)``, 80 when the width is unknown
        (a pseudo-terminal of zero columns, a pipe).
    """

    _FORMAT = "{desc}: |{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"
    _STOPPED_FORMAT = "{desc}: stopped early at epoch {n_fmt} [{elapsed}{postfix}]"
    _MIN_BAR = 5

    def __init__(self, total, desc=None, *, file=None, ncols=None):
        self.total = total
        self.desc = desc
        self.file = file
        self.ncols = ncols

    def on_train_begin(self, trainer):
        from tqdm.auto import tqdm

        # shutil falls back to 80 x 24 where the size is unknown or zero. Left to itself,
        # tqdm reads a zero-size terminal (``script``, some CI runners) as -1 rows and
        # then draws nothing at all; given both sizes it asks no terminal.
        screen = shutil.get_terminal_size((80, 24))
        self.width = self.ncols or min(80, screen.columns)
        self.bar = tqdm(total=self.total, desc=self.desc, unit="ep", leave=True,
                        file=self.file, ncols=self.width, nrows=screen.lines,
                        bar_format=self._FORMAT, disable=distributed.rank() != 0)
        self.losses = []

    def on_epoch_end(self, trainer, row):
        if trainer.diverged:
            return
        self.losses = _distinct_losses(row)
        self.bar.set_postfix_str(self._fitting(self.losses, self._FORMAT, self.bar.n + 1),
                                 refresh=False)
        self.bar.update(1)

    def on_train_end(self, trainer):
        if not self.bar.disable and 0 < self.bar.n < self.total and trainer.stop_training \
                and not (trainer.diverged or trainer.interrupted):
            # Finish the line at the epoch reached instead of leaving it part-filled.
            self.bar.total = self.bar.n
            self.bar.bar_format = self._STOPPED_FORMAT
            self.bar.set_postfix_str(self._fitting(self.losses, self._STOPPED_FORMAT,
                                                   self.bar.n), refresh=False)
            self.bar.refresh()
        self.bar.close()

    def _fitting(self, losses, bar_format, n):
        """The postfix of as many ``losses`` as fit in the line (``val_loss`` goes last)."""
        losses = list(losses)
        while True:
            postfix = " ".join(f"{key}={value:.3g}" for key, value in losses)
            line = self.bar.format_meter(**{
                **self.bar.format_dict, "n": n, "bar_format": bar_format, "ncols": None,
                "postfix": postfix})
            # Without ncols the bar takes 10 columns; it may shrink to _MIN_BAR.
            spare = 10 - self._MIN_BAR if "{bar}" in bar_format else 0
            if len(line) - spare <= self.width or len(losses) <= 1:
                return postfix
            extra = [i for i, (key, _) in enumerate(losses) if key not in ("loss", "val_loss")]
            losses.pop(extra[0] if extra else 0)


# Short postfix names of the loss terms the skae objectives report.
_SHORT_NAMES = {"reconstruction": "rec", "classification": "clf", "clustering": "clu",
                "sparsity": "sparse", "contractive": "contr"}


def _distinct_losses(row):
    """``[(short name, value)]`` of an epoch's row: ``loss``, the terms of the training
    objective when it has several (one term is the loss itself), and ``val_loss``."""
    terms = [key[len("train_"):] for key in row
             if key.startswith("train_") and key != "train_loss"]
    losses = [("loss", row["train_loss"])] if "train_loss" in row else []
    if len(terms) > 1:
        losses += [(_SHORT_NAMES.get(term, term), row[f"train_{term}"]) for term in terms]
    if "valid_loss" in row:
        losses.append(("val_loss", row["valid_loss"]))
    return losses


class TargetRefresh:
    """Recompute DEC's target distribution every ``interval`` epochs (before the epoch).

    The target tensor is updated in place, so the Trainer's batches see the new values.
    Stops training, and sets ``trainer.converged``, when fewer than ``tol`` of the samples
    change cluster between refreshes.

    Parameters
    ----------
    model : ClusteringModel
    inputs : Tensor of shape (n_samples, n_features)
    target : Tensor of shape (n_samples, n_clusters)
        Updated in place.
    interval : int, default=1
    tol : float, default=1e-3
    batch_size : int, default=4096
    """

    def __init__(self, model, inputs, target, *, interval=1, tol=1e-3, batch_size=4096):
        self.model = model
        self.inputs = inputs
        self.target = target
        self.interval = interval
        self.tol = tol
        self.batch_size = batch_size
        self.labels = None
        self.delta_label = None

    def assignments(self, device):
        """Soft assignments of every input, in evaluation mode."""
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            q = torch.cat([
                self.model(self.inputs[start:start + self.batch_size].to(device))
                for start in range(0, self.inputs.shape[0], self.batch_size)
            ])
        self.model.train(was_training)
        return q

    def refresh(self, device):
        from .clustering import target_distribution

        q = self.assignments(device)
        self.target.copy_(target_distribution(q).to(self.target.device))
        labels = q.argmax(dim=1)
        if self.labels is not None:
            self.delta_label = (labels != self.labels).float().mean().item()
        self.labels = labels
        return q

    def on_epoch_begin(self, trainer, epoch):
        if (epoch - 1) % self.interval:
            return
        self.refresh(trainer.device)
        if self.delta_label is not None and self.delta_label < self.tol:
            # The flag is read at the end of the epoch: this epoch is the last one.
            trainer.converged = trainer.stop_training = True


def _all_finite(state):
    floats = [t.isfinite().all() for t in state.values() if t.is_floating_point()]
    return bool(torch.stack(floats).all()) if floats else True


class CosineSchedule:
    """Set the learning rate before each epoch: a linear warm-up over ``warmup`` epochs,
    then half a cosine from ``lr`` down to ``final_lr`` at epoch ``total``.

    Epoch ``e`` (from 1) of the warm-up trains at ``lr * e / warmup``; after it, at
    ``final_lr + (lr - final_lr) * (1 + cos(pi * t)) / 2`` with
    ``t = (e - warmup - 1) / (total - warmup)``: epoch ``warmup + 1`` at ``lr``, the last
    epoch ``total`` one step short of ``final_lr``. Epochs past ``total`` keep ``final_lr``.

    Parameters
    ----------
    lr : float
        The peak learning rate.
    total : int
        The epoch count the decay spans (a fit's ``max_iter``).
    warmup : int, default=0
    final_lr : float, default=0.0
    """

    def __init__(self, lr, total, *, warmup=0, final_lr=0.0):
        self.lr = lr
        self.total = total
        self.warmup = warmup
        self.final_lr = final_lr

    def lr_at(self, epoch):
        """The learning rate of epoch ``epoch`` (counted from 1)."""
        if epoch <= self.warmup:
            return self.lr * epoch / self.warmup
        t = min(1.0, (epoch - self.warmup - 1) / max(1, self.total - self.warmup))
        return self.final_lr + (self.lr - self.final_lr) * (1 + math.cos(math.pi * t)) / 2

    def on_epoch_begin(self, trainer, epoch):
        for group in trainer.optimizer.param_groups:
            group["lr"] = self.lr_at(epoch)
