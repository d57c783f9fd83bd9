"""Data-parallel training over a torch.distributed process group, as ``torchrun`` starts one.

Every rank holds the whole training set and the same model; each takes its shard of every
epoch's batches, DistributedDataParallel averages the gradients, and the per-epoch losses are
reduced so every rank records the same history and makes the same early-stopping decision.
"""

import contextlib
import contextvars
import inspect
import math
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


_LOCAL = contextvars.ContextVar("skae_local_training", default=False)


def is_distributed():
    """True when a process group of more than one process is initialised (and this is not
    inside ``local_training()``)."""
    return (not _LOCAL.get() and dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1)


@contextlib.contextmanager
def local_training():
    """Train in this process alone inside the block, even in a process group.

    In a process group every rank must call ``fit`` together (each waits for the others'
    gradients); a model fit on one rank only, say rank 0, is fit in this block.

    Examples
    --------
    >>> from skae import AutoencoderTransformer, local_training
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits()
    >>> with local_training():  # in a process group: on this rank only
    ...     ae = AutoencoderTransformer(max_iter=2, random_state=0).fit(X)
    >>> ae.n_iter_
    2
    """
    token = _LOCAL.set(True)
    try:
        yield
    finally:
        _LOCAL.reset(token)


@contextlib.contextmanager
def torchrun_process_group(device="auto"):
    """Under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment), initialise the default
    process group for the block and destroy it after; yields this process's rank.

    gloo on the CPU; NCCL, with this rank's GPU made current, when CUDA is available and
    ``device`` is not ``"cpu"``. Outside torchrun, or when a group exists already, it does
    nothing.
    """
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or dist.is_initialized():
        yield dist.get_rank() if dist.is_initialized() else 0
        return
    on_gpu = torch.cuda.is_available() and str(device) != "cpu"
    if on_gpu:
        torch.cuda.set_device(local_device())
    dist.init_process_group("nccl" if on_gpu else "gloo")
    try:
        yield dist.get_rank()
        # Leave together: without this barrier about 1 run in 10 aborted at exit here, a
        # rank tearing its group down while its peer still worked; with it, about 1 in 30
        # still did, which exit_torchrun_process avoids.
        dist.barrier()
    finally:
        dist.destroy_process_group()


def exit_torchrun_process(status=0):
    """End a torchrun worker process now, once its work is done and its group destroyed.

    With torch 2.15 and gloo, about one process exit in 20 to 40 aborted here ("terminate
    called without an active exception") after all its work had finished, even after a
    barrier and ``destroy_process_group``, which makes torchrun report the run as failed.
    The abort comes from the interpreter's teardown of torch's gloo threads (see
    pytorch/pytorch#179291); ``os._exit`` skips that teardown, after flushing the output.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def rank():
    """This process's rank in the default group; 0 outside distributed training."""
    return dist.get_rank() if is_distributed() else 0


def world_size():
    """Number of processes in the default group; 1 outside distributed training."""
    return dist.get_world_size() if is_distributed() else 1


def broadcast_object(obj, src=0):
    """``obj`` as rank ``src`` holds it, on every rank (any picklable object)."""
    if not is_distributed():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=src, device=_collective_device())
    return box[0]


def same_on_every_rank(value):
    """Whether every rank passed an equal ``value``; every rank gets the same answer."""
    if not is_distributed():
        return True
    values = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return all(v == values[0] for v in values)


def on_any_rank(flag):
    """Whether ``flag`` is true on any rank; every rank gets the same answer."""
    if not is_distributed():
        return bool(flag)
    flags = torch.tensor([int(bool(flag))], device=_collective_device())
    dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    return bool(flags.item())


def local_device():
    """This rank's GPU: ``LOCAL_RANK`` (set by torchrun), else the current CUDA device."""
    return torch.device("cuda", int(os.environ.get("LOCAL_RANK", torch.cuda.current_device())))


def all_reduce_sum(tensor):
    """The sum of ``tensor`` over ranks (``tensor`` itself outside distributed training)."""
    if not is_distributed():
        return tensor
    summed = tensor.to(_collective_device())
    dist.all_reduce(summed)
    return summed.to(tensor.device)


def shard(order, n_ranks, this_rank):
    """This rank's share of an epoch's sample order, as ``DistributedSampler`` deals it.

    The order is padded by wrapping around to a multiple of ``n_ranks`` (at most
    ``n_ranks - 1`` samples seen twice), then dealt round-robin, so every rank has the same
    number of rows and therefore the same number of steps. Batches of ``b`` rows on each
    rank then cover the same rows as batches of ``n_ranks * b`` rows of the whole order.
    """
    padded = math.ceil(len(order) / n_ranks) * n_ranks
    if padded > len(order):
        # Repeated, for an order shorter than the number of ranks.
        order = order.repeat(math.ceil(padded / len(order)))[:padded]
    return order[this_rank::n_ranks]


def data_parallel(module, device):
    """``module`` (the training objective as a module) wrapped in DistributedDataParallel.

    Parameters and buffers are broadcast from rank 0 here, so every rank starts from the
    same weights whatever its seed; buffers (the fixed input scaling) are not re-sent at
    every step, as nothing in training changes them. The graph is declared static: each
    objective uses the same parameters at every step, which lets DDP skip its per-step
    search for unused ones while still allowing a part that never gets a gradient.
    """
    device_ids = [device] if device.type == "cuda" else None
    no_buffer_sync = ({"forward_sync_buffers": False} if "forward_sync_buffers" in
                      inspect.signature(DistributedDataParallel).parameters
                      else {"broadcast_buffers": False})
    return DistributedDataParallel(module, device_ids=device_ids, static_graph=True,
                                   **no_buffer_sync)


class Local:
    """The training strategy of one process: nothing to shard, reduce or broadcast."""

    world_size = 1

    def wrap(self, objective_module, device):
        return objective_module

    def generators(self, generator):
        """The generators of the batch order and of the training noise."""
        return generator, generator

    def shard(self, order, batch_size):
        return order, batch_size

    def epoch_sum(self, total):
        return total

    def agree(self, row):
        return row

    def agree_on_statistics(self, module):
        """Make the running statistics (batch norm's) the same on every rank."""

    def stop_anywhere(self, flag):
        return bool(flag)

    #: A ``KeyboardInterrupt`` stops the run and keeps the weights so far.
    interruptible = True


class DataParallel(Local):
    """Data-parallel training over the default process group: every rank passes the same
    data, takes its shard of every batch, DistributedDataParallel averages the gradients,
    and each epoch's row and stop flag are agreed on by all ranks."""

    def __init__(self):
        self.world_size = world_size()
        self.rank = rank()

    def wrap(self, objective_module, device):
        return data_parallel(objective_module, device)

    def generators(self, generator):
        # One batch order on every rank (rank 0's, whatever the seeds), but noise of each
        # rank's own: the same draws on two shards would correlate them.
        order = generator or torch.Generator().manual_seed(int(torch.randint(2**62, (1,))))
        state, seed = broadcast_object((order.get_state(), order.initial_seed()))
        order_generator = torch.Generator(order.device)
        order_generator.set_state(state)
        noise_generator = torch.Generator(order.device).manual_seed(
            (seed + 7919 * self.rank) % 2**63)
        return order_generator, noise_generator

    def shard(self, order, batch_size):
        return (shard(order, self.world_size, self.rank),
                math.ceil(batch_size / self.world_size))

    def epoch_sum(self, total):
        # Each rank summed its shard (all shards are the same length).
        return all_reduce_sum(total)

    def agree(self, row):
        # Rank 0's history on every rank, so every stopping decision is the same.
        return broadcast_object(row)

    def agree_on_statistics(self, module):
        # Each rank's batch norm tracked the statistics of its own shards: their mean over
        # ranks is what a one-process fit's running averages estimate.
        for name, buffer in module.named_buffers():
            if name.rsplit(".", 1)[-1] in ("running_mean", "running_var"):
                buffer.copy_(all_reduce_sum(buffer) / self.world_size)

    def stop_anywhere(self, flag):
        # A callback may stop on what only its rank sees (a time budget, say).
        return on_any_rank(flag)

    #: The other ranks cannot be told of an interrupt: the run ends as a torchrun job does.
    interruptible = False


def strategy():
    """``DataParallel()`` inside a process group of several processes, else ``Local()``."""
    return DataParallel() if is_distributed() else Local()


def _collective_device():
    # NCCL moves tensors between GPUs only; gloo works on host memory.
    return local_device() if dist.get_backend() == "nccl" else torch.device("cpu")
