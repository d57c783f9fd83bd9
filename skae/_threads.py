"""How many threads torch uses for a fit, a transform or a score, and how to override it.

torch starts one intra-op thread per core and every operation waits for all of them. A small
model gains nothing from a second thread, and when another program holds a core the waiting
threads slow a fit down tens of times. So skae picks the thread count for each call from the
work's size, never above the cores the process may use, falls back to one thread while
other programs hold the cores, and puts the caller's torch setting back afterwards.
"""

import contextlib
import math
import os
import threading
import time
from numbers import Integral

import torch

# Multiply-adds per step (rows x weights of the layers) that each thread must get before a
# second one pays. Measured on a 2-core Xeon, idle, training MLP autoencoders: below about 1e7
# a second thread gained 0.94-1.13x (often lost), from 2e7 on 1.15-1.45x.
WORK_PER_THREAD = 10_000_000

_config = {"n_threads": "auto"}
_lock = threading.Lock()
# The caller's torch setting, saved by the outermost active call and restored by the last
# one to leave: concurrent fits in threads (joblib's threading backend) share torch's
# process-wide setting.
_active = {}  # thread id -> calls it has running
_active_saved = [None]


def _check_n_threads(n_threads):
    if isinstance(n_threads, str) and n_threads == "auto":
        return n_threads
    if (isinstance(n_threads, Integral) and not isinstance(n_threads, bool)
            and (n_threads >= 1 or n_threads == -1)):
        return int(n_threads)  # numpy integers too, as sklearn's n_jobs takes them
    raise ValueError(f"n_threads must be 'auto', a positive int or -1, got {n_threads!r}.")


@contextlib.contextmanager
def config_context(*, n_threads=None):
    """Set how many threads skae's torch computations use, within a ``with`` block.

    By default (``n_threads="auto"``) each fit, ``partial_fit``, ``transform``,
    ``inverse_transform``, ``score`` and ``score_samples`` chooses its number of torch
    intra-op threads from the size of its work (rows per step times the weights of the
    layers; a step of the default neighbour-graph term encodes 16 rows per batch row
    besides the batch): a plain model of the size of the wine or digits defaults
    (``manifold_weight=0``) runs on one thread, the default models on them and the
    784-128-64-16-2 reference model at batch 256 on two. The choice never exceeds the cores
    the process may use (CPU affinity, a cgroup CPU quota, ``LOKY_MAX_CPU_COUNT``) nor the
    caller's own torch setting (``torch.get_num_threads()``), which reflects
    ``OMP_NUM_THREADS``, the limits joblib and Dask give their workers, an active
    ``threadpoolctl.threadpool_limits`` and a call to ``torch.set_num_threads``, nor the
    cores left free by other programs running at that instant (Linux). During training skae
    counts the free cores again every few seconds, so a fit falls back to one thread while
    the machine is busy. The caller's torch setting is restored when the call ends, also on
    an error or Ctrl-C.

    The thread count changes the rounding of torch's sums, and training amplifies such
    differences: a fit is reproducible from its ``random_state`` at a given thread count.
    Under ``"auto"`` that holds on a machine that stays idle (or stays busy) during the
    fit, and not for fits running at once in threads of one process (they share torch's
    setting); where bit-for-bit repeatable fits matter, fix ``n_threads``.

    Parameters
    ----------
    n_threads : "auto", int or None, default=None
        ``"auto"``: the policy above. A positive int: exactly that many threads, whatever
        the load. ``-1``: all the cores the process may use (as ``n_jobs=-1``). ``None``:
        leave the current setting unchanged.

    Yields
    ------
    None

    Notes
    -----
    The setting holds for the whole process, as torch's own does, not per Python thread.
    Worker processes of joblib or Dask do not inherit it; they take their ceiling from the
    limits those give them (``joblib.parallel_config(inner_max_num_threads=...)``, Dask's
    ``OMP_NUM_THREADS=1``).

    See Also
    --------
    sklearn.config_context : the same pattern for scikit-learn's global settings.
    threadpoolctl.threadpool_limits : limits skae's thread count as well (as a ceiling).

    Examples
    --------
    >>> import numpy as np
    >>> import skae
    >>> X = np.random.RandomState(0).rand(100, 8).astype(np.float32)
    >>> with skae.config_context(n_threads=1):
    ...     est = skae.AutoencoderTransformer(latent_dim=2, max_iter=2).fit(X)
    """
    if n_threads is None:
        yield
        return
    n_threads = _check_n_threads(n_threads)
    before = _config["n_threads"]
    _config["n_threads"] = n_threads
    try:
        yield
    finally:
        _config["n_threads"] = before


def usable_cores():
    """Cores this process may use: affinity, cgroup quota and ``LOKY_MAX_CPU_COUNT``."""
    from joblib import cpu_count  # sklearn imports it already

    return max(1, cpu_count())


def free_cpus(readings=3):
    """CPUs of the machine that no other process's runnable thread wants right now.

    The fewest other runnable threads over ``readings`` counts a millisecond apart: a
    program that holds a core is runnable at each, one passing by (a shell, a daemon
    waking up) seldom, and a single reading would give up a thread for nothing. Machine-wide
    on both sides (``/proc/loadavg`` counts the whole machine, also inside a container), so
    a host's other tenants weigh only against the host's CPUs.
    """
    others = others_running()
    for _ in range(readings - 1):
        if not others:
            break
        time.sleep(0.001)
        others = min(others, others_running())
    return (os.cpu_count() or 1) - others


def others_running():
    """Threads of other processes runnable right now (Linux ``/proc``), else 0.

    An instant's count, machine-wide: it sees a CPU-bound program beside the fit at once,
    where the load average takes a minute to rise. This process's own threads (the reader,
    torch's workers still spinning after an operation) are left out.
    """
    try:
        with open("/proc/loadavg") as f:
            running = int(f.read().split()[3].split("/")[0])
        own = 0
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/stat") as f:
                    own += f.read().rpartition(")")[2].split()[0] == "R"
            except OSError:  # the thread ended meanwhile
                continue
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, running - max(own, 1))


def choose_threads(work, cores, *, n_threads="auto", active=1):
    """The thread count for a step of ``work`` multiply-adds, at most ``cores``.

    Parameters
    ----------
    work : float
        Multiply-adds of one forward pass over a batch (rows x layer weights); ``inf`` when
        unknown but large (convolutions).
    cores : int
        The ceiling: the cores the process may use, capped by the caller's setting.
    n_threads : "auto" or int, default="auto"
        The override of :func:`config_context`; an int is returned as is.
    active : int, default=1
        skae calls running at once in this process (threads); they share ``cores``.

    Returns
    -------
    int
    """
    if n_threads != "auto":
        return n_threads
    cores = max(1, cores // max(1, active))
    if not work >= 2 * WORK_PER_THREAD:
        return 1
    return int(min(cores, work // WORK_PER_THREAD))


def module_work(module, rows):
    """Multiply-adds of a forward pass over ``rows`` rows: rows x the weights of the layers.

    Convolutions repeat their weights over every position, so a module with any counts as
    ``inf``: large, every usable core (fewer only while the machine is busy).
    """
    weights = 0
    for p in module.parameters():
        if p.dim() > 2:
            return math.inf
        if p.dim() == 2:
            weights += p.numel()
    return rows * weights


class _LoadWatch:
    """A forward pre-hook on the training module that gives up the extra threads while
    other programs hold the cores.

    Training runs on ``high`` threads, the count chosen from the work's size, which makes a
    fit on an idle machine the same from one run to the next: the thread count changes the
    rounding of torch's sums, and training amplifies those differences. Every ``PERIOD``
    seconds of training it counts the machine's free CPUs: fewer than ``high`` (another
    program is running) means one thread until they are free again, since threads that
    wait on each other for a taken core slow a step down tens of times.
    """

    PERIOD = 2.0

    def __init__(self, high):
        self.high = high
        self.next_check = -math.inf
        self.check(time.perf_counter())

    def __call__(self, module, args):
        if not (module.training and torch.is_grad_enabled()):
            return  # validation passes between steps
        now = time.perf_counter()
        if now >= self.next_check:
            self.check(now)

    def check(self, now):
        self.next_check = now + self.PERIOD
        _set_threads(self.high if free_cpus() >= self.high else 1)


def _set_threads(n):
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


@contextlib.contextmanager
def thread_policy(module, rows, *, train=False):
    """Run the block with the thread count chosen for ``rows`` rows through ``module``.

    The one place skae sets torch's threads: around the training loop (``train=True``: the
    machine's load is watched, see :class:`_LoadWatch`) and around inference. The caller's setting
    is restored on leaving, whatever happens inside.
    """
    me = threading.get_ident()
    entry = torch.get_num_threads()
    with _lock:
        if not _active:
            _active_saved[0] = entry
        _active[me] = _active.get(me, 0) + 1
        sharing = len(_active)
        ceiling = _active_saved[0]
    hook = None
    try:
        setting = _config["n_threads"]
        if setting == -1:
            n = usable_cores()
        else:
            n = choose_threads(module_work(module, rows), min(usable_cores(), ceiling),
                               n_threads=setting, active=sharing)
        if setting == "auto" and n > 1 and train:
            # The machine's load is checked again every few seconds.
            hook = module.register_forward_pre_hook(_LoadWatch(n))
        elif setting == "auto" and n > 1:
            _set_threads(max(1, min(n, free_cpus())))
        else:
            _set_threads(n)
        yield
    finally:
        if hook is not None:
            hook.remove()
        with _lock:
            _active[me] -= 1
            if not _active[me]:
                del _active[me]
            # The last call out restores the caller's setting; any other what it found.
            _set_threads(entry if _active else _active_saved[0])


@contextlib.contextmanager
def torch_threads_kept():
    """Put torch's thread count back after the block.

    umap-learn's numba shares the OpenMP runtime with torch and sets its thread count when
    it runs in parallel: without this a UMAP fit leaves torch on every core, whatever the
    caller (or ``OMP_NUM_THREADS``) had set.
    """
    saved = torch.get_num_threads()
    try:
        yield
    finally:
        if torch.get_num_threads() != saved:
            torch.set_num_threads(saved)
