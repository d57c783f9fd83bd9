"""Trainer callbacks: what the loop does besides stepping, each in one small object.

A callback has any of ``on_train_begin(trainer)``, ``on_epoch_begin(trainer, epoch)``,
``on_epoch_end(trainer, row)`` and ``on_train_end(trainer)``; the Trainer calls them in list
order. To stop, a callback sets ``trainer.stop_training = True``: the loop ends after the
current epoch (on every rank, data-parallel).
"""

import math

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
    """A tqdm bar over epochs showing the latest losses (on rank 0 only)."""

    def __init__(self, total, desc=None):
        self.total = total
        self.desc = desc

    def on_train_begin(self, trainer):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.total, desc=self.desc, unit="epoch", leave=True,
                        disable=distributed.rank() != 0)

    def on_epoch_end(self, trainer, row):
        if trainer.diverged:
            return
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k != "epoch"},
                             refresh=False)
        self.bar.update(1)

    def on_train_end(self, trainer):
        self.bar.close()


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
