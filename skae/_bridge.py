"""The border between numpy and torch: arrays to tensors and back, the device, seeded torch
randomness, CPU-only pickles and what data-parallel fits check of their data.

Estimator modules hold scikit-learn logic and call into ``skae.nn`` through here; every
inference pass goes through ``map_batches``.
"""

import contextlib
import copy
import hashlib
import warnings

import numpy as np
import torch

from ._threads import thread_policy
from .nn import distributed
from .nn.training import RowSubset

# Rows per chunk when a whole array passes through the model or through numpy statistics:
# large enough to keep BLAS busy, small enough that temporaries stay a few tens of MB.
CHUNK_ROWS = 8192


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


def map_batches(module, X, fn, device=None, dtype=np.float64):
    """``fn(module, batch)`` over ``X`` in chunks under inference mode, as one numpy array.

    The one way every estimator turns an array into model outputs: batches are tensors over
    ``X`` (no copy for float32), the output is filled in place in ``dtype``. ``device``
    None means where the module's weights are.
    """
    device = module_device(module) if device is None else device
    module.to(device).eval()
    out = None
    with torch.inference_mode(), thread_policy(module, min(X.shape[0], CHUNK_ROWS)):
        for start in range(0, X.shape[0], CHUNK_ROWS):
            result = fn(module, as_tensor(X[start:start + CHUNK_ROWS], device)).cpu().numpy()
            if out is None:
                out = np.empty((X.shape[0], *result.shape[1:]), dtype=dtype)
            out[start:start + CHUNK_ROWS] = result
    return out


def mean_prediction_error(module, X, rows):
    """The mean squared error, in ``module``'s working space, of predicting each feature's
    mean over ``X`` (a tensor) for ``rows`` (a tensor or ``RowSubset`` of raw rows): the
    error of a model that learned nothing.

    Both are read in chunks of ``CHUNK_ROWS`` rows, each moved to the module's device, so
    neither is copied whole whatever the device the data lives on.

    Parameters
    ----------
    module : skae.nn.modules.Autoencoder
    X : Tensor of shape (n_samples, n_features)
    rows : Tensor or RowSubset of shape (n_rows, n_features)

    Returns
    -------
    error : float
    """
    if rows.shape[0] == 0:
        raise ValueError("mean_prediction_error needs at least one row; got 0.")
    device = module.scale.device
    with torch.no_grad():
        total = torch.zeros(X.shape[1], dtype=torch.float64, device=device)
        for start in range(0, X.shape[0], CHUNK_ROWS):
            part = module.normalize(X[start:start + CHUNK_ROWS].to(device))
            total += part.sum(0, dtype=torch.float64)
        mean = total / X.shape[0]
        squares = 0.0
        for start in range(0, rows.shape[0], CHUNK_ROWS):
            part = module.normalize(rows[start:start + CHUNK_ROWS].to(device))
            squares += float((part.double() - mean).pow(2).sum())
    return squares / (rows.shape[0] * X.shape[1])


def without_weights(build):
    """``build()`` on torch's meta device: a module's structure, with no weights drawn (every
    random generator stays as it was) or stored."""
    with torch.device("meta"):
        return build()


def tensors_beside(reference, *arrays):
    """``arrays`` (row numbers, integer labels) as tensors on ``reference``'s device, their
    dtypes kept."""
    return tuple(torch.as_tensor(a, device=reference.device) for a in arrays)


def row_subset(X, index):
    """The rows ``index`` (a numpy array) of the tensor ``X``, gathered batch by batch."""
    return RowSubset(X, torch.from_numpy(index))


def is_module(obj):
    """Whether ``obj`` is a torch module."""
    return isinstance(obj, torch.nn.Module)


def module_device(module):
    """Where the module's first weight (or buffer) is; the CPU for an empty module."""
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor.device
    return torch.device("cpu")


def resolve_device(device):
    """The torch device of a ``device`` parameter (its form is checked by the parameter
    constraints): ``"auto"`` is CUDA when present, else the CPU; a device that this machine
    lacks is refused with a way out."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    available = {"mps": torch.backends.mps.is_available, "cuda": torch.cuda.is_available}
    if device.type in available and not available[device.type]():
        raise ValueError(
            f"device={str(device)!r} but torch sees no {device.type.upper()} device here; "
            "use device='auto' or 'cpu'."
        )
    if device.type == "cuda" and device.index is None and distributed.is_distributed():
        device = distributed.local_device()  # one GPU per rank
    return device


def is_device(value):
    """Whether ``value`` names a device skae trains on: ``"auto"``, a CPU, CUDA or MPS."""
    if value == "auto":
        return True
    if not isinstance(value, (str, torch.device)):
        return False
    try:
        return torch.device(value).type in ("cpu", "cuda", "mps")
    except (RuntimeError, TypeError):
        return False


def torch_generator(rng, device):
    """A torch generator on ``device`` seeded by one draw from the RandomState ``rng``."""
    return torch.Generator(device).manual_seed(int(rng.randint(2**31 - 1)))


@contextlib.contextmanager
def torch_seed(seed, device):
    """Inside the block, torch's global generator (dropout, a VAE's sampling noise) is a fork
    seeded by ``seed``: one seed gives one model, and the caller's generator is left alone.
    ``device`` None: the CPU's generator only."""
    cuda = device is not None and device.type == "cuda"
    with torch.random.fork_rng(devices=[device] if cuda else []):
        torch.manual_seed(seed)
        yield


def weights_finite(module):
    """Whether every floating weight and buffer of ``module`` is finite."""
    return all(bool(torch.isfinite(t).all()) for t in module.state_dict().values()
               if t.is_floating_point())


# -- data-parallel fits -------------------------------------------------------------------

def rank():
    """This process's rank in a data-parallel fit; 0 otherwise."""
    return distributed.rank()


def shared_random_state(rng):
    """Rank 0's stream of ``rng`` on every rank, in a data-parallel fit; ``rng`` otherwise.

    All ranks then hold out the same validation rows even with ``random_state=None``; an int
    seed gives the stream of a one-process fit. The caller's generator moves on by one draw,
    as a fit would move it, so the next unseeded fit differs.
    """
    if not distributed.is_distributed():
        return rng
    shared = np.random.RandomState()
    shared.set_state(distributed.broadcast_object(rng.get_state()))
    rng.randint(2**31 - 1)
    return shared


def check_same_data_on_every_rank(X):
    """Data-parallel ranks each train on their shard of one dataset: it must be the same."""
    if not distributed.is_distributed():
        return
    column_sums = sum(X[start:start + CHUNK_ROWS].sum(axis=0, dtype=np.float64)
                      for start in range(0, X.shape[0], CHUNK_ROWS))
    fingerprint = (X.shape, hashlib.sha256(np.asarray(column_sums).tobytes()).hexdigest())
    if not distributed.same_on_every_rank(fingerprint):
        raise ValueError(
            f"fit under torch.distributed needs the same X on every rank (each rank takes "
            f"its own shard of every batch), but rank {distributed.rank()} has X of shape "
            f"{X.shape} and ranks disagree. Load the whole dataset on every rank."
        )


# -- pickles ------------------------------------------------------------------------------

def state_with_module_on_cpu(state):
    """A copy of an estimator's pickle state whose ``module_`` (and saved optimiser state)
    holds CPU tensors, so a model trained on a GPU loads anywhere; the live estimator is
    left as it is."""
    state = dict(state)
    module = state.get("module_")
    if module is not None and not _on_cpu(module):
        state["module_"] = copy.deepcopy(module).cpu()
    if state.get("_optimizer_state") is not None:
        state["_optimizer_state"] = _tensors_to_cpu(state["_optimizer_state"])
    return state


def _on_cpu(module):
    return all(t.device.type == "cpu" for t in module.state_dict().values())


def _tensors_to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _tensors_to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_tensors_to_cpu(v) for v in obj)
    return obj
