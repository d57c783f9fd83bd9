"""Beyond one machine, measured on one: a grid search on joblib's local backends against a
Dask cluster, and training in one process against data-parallel training in two (torchrun,
gloo over loopback).

Run from the repository root:

    python benchmarks/scale_out.py --data-dir ../shared/data/mnist   # about 10 minutes
    python benchmarks/scale_out.py --quick                           # digits, about 2

Prints two tables:
1. Training throughput (samples/s) of the same fit (same total batch, same epochs) in one
   process with one thread, one process with two threads, and two torchrun processes of one
   thread each; each process warms up with a short fit first, the measurements are
   interleaved over rounds and the median is kept.
2. GridSearchCV over latent_dim: wall time with n_jobs=1, with joblib's local process pool
   (n_jobs=2) and with the "dask" backend on a LocalCluster of 2 worker processes of one
   thread each, each pool called twice (the first call starts its workers); the same best
   parameters and scores are checked, not assumed.

The training table runs first, on an otherwise idle machine: measured after the grid
search, its figures came out up to 2.5x lower.

Caveat: this machine has 2 cores. Two processes of one thread each use the same cores one
process of two threads uses, so the tables show that the mechanisms work and what they cost
(process start-up, scattering data, one gradient all-reduce per step), not the speed-up of a
real cluster, where each worker or rank brings cores of its own.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def load(args):
    """(X_train, X_test): MNIST from --data-dir, or the embedded digits with --quick."""
    if args.quick:
        from skae.datasets import load_digits

        X, _ = load_digits()
        return X[:1400], X[1400:]
    from skae.datasets import load_mnist

    X, _ = load_mnist(args.data_dir, split="train")
    X_test, _ = load_mnist(args.data_dir, split="test")
    return X[:args.n_train], X_test


# -- 2. grid search -----------------------------------------------------------------------------

def grid_search(args, X):
    import dask
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.model_selection import GridSearchCV

    from skae import AutoencoderTransformer

    grid = {"latent_dim": [2, 4, 8, 16]}
    estimator = AutoencoderTransformer(max_iter=args.grid_epochs, early_stopping=False,
                                       n_iter_no_change=args.grid_epochs, random_state=0)
    X = X[:args.grid_rows]
    rows = []

    def timed(label, **kwargs):
        start = time.perf_counter()
        search = GridSearchCV(estimator, grid, cv=2, **kwargs).fit(X)
        rows.append((label, time.perf_counter() - start, search))

    warm_up(estimator, X)
    timed("local, n_jobs=1")
    # The first call starts the workers, which then import torch and skae and warm up;
    # the second shows a pool or cluster that is already running.
    timed("local process pool (loky), n_jobs=2, first call", n_jobs=2)
    timed("local process pool (loky), n_jobs=2, second call", n_jobs=2)
    startup = []
    # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which slows torch's
    # allocations (see RESULTS.md); the second cluster runs with it unset.
    clusters = [("", {}),
                (", MALLOC_TRIM_THRESHOLD_ unset",
                 {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})]
    # --quick starts one cluster: each start costs two worker processes importing torch.
    for label, environ in clusters[:1] if args.quick else clusters:
        with restored_environ(), dask.config.set(environ):
            start = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None) as cluster, \
                    Client(cluster):
                startup.append(time.perf_counter() - start)
                with joblib.parallel_config(backend="dask"):
                    timed(f"dask LocalCluster, 2 workers x 1 thread{label}, first call",
                          n_jobs=-1)
                    timed(f"dask LocalCluster, 2 workers x 1 thread{label}, second call",
                          n_jobs=-1)
    base_time, base = rows[0][1], rows[0][2]
    print(f"\n## 2. GridSearchCV over latent_dim {grid['latent_dim']}, cv=2, {len(X)} rows, "
          f"{args.grid_epochs} epochs a fit\n")
    print("| backend | wall time (s) | best params | max score difference to n_jobs=1 | "
          "speed-up over n_jobs=1 | mean time of one fit where it ran (s) |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for label, seconds, search in rows:
        difference = np.max(np.abs(search.cv_results_["mean_test_score"]
                                   - base.cv_results_["mean_test_score"]))
        print(f"| {label} | {seconds:.1f} | {search.best_params_} | {difference:.2g} | "
              f"{base_time / seconds:.2f} | {np.mean(search.cv_results_['mean_fit_time']):.2f} |")
    print(f"\nStarting a LocalCluster took {max(startup):.1f} s or less (not in the table).")


@contextlib.contextmanager
def restored_environ():
    """Put os.environ back afterwards: a Dask nanny writes its workers' settings
    (OMP_NUM_THREADS=1, MALLOC_TRIM_THRESHOLD_) into the process that starts it."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def warm_up(estimator, X):
    """One short fit: a process's first fit pays one-time costs (about 1.5x its time here)."""
    from sklearn.base import clone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clone(estimator).set_params(max_iter=1).fit(X[:2048])


# -- 1. data-parallel training ------------------------------------------------------------------

def train_worker(args):
    """One fit, timed inside the process; rank 0 writes the figures to --report."""
    import torch
    import torch.distributed as dist

    from skae import AutoencoderTransformer
    from skae.nn.distributed import exit_torchrun_process

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("gloo")
    X, X_test = load(args)
    estimator = AutoencoderTransformer(
        batch_size=args.batch_sizes[0], max_iter=args.epochs, early_stopping=False,
        n_iter_no_change=args.epochs, random_state=0)
    warm_up(estimator, X)
    if distributed:
        dist.barrier()  # start the clocks together
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X)
    seconds = time.perf_counter() - start
    allreduce_ms = None
    if distributed:
        slowest = torch.tensor([seconds])
        dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
        seconds = float(slowest)
        allreduce_ms = time_all_reduce(estimator.module_)
    if not distributed or dist.get_rank() == 0:
        Path(args.report).write_text(json.dumps({
            "samples_per_s": args.epochs * len(X) / seconds, "seconds": seconds,
            "allreduce_ms": allreduce_ms,
            "n_gradients": sum(p.numel() for p in estimator.module_.parameters()),
            "train_loss": estimator.loss_curve_[-1],
            "test_mse": float(-estimator.score(X_test)),
            "threads": torch.get_num_threads(),
        }))
    if distributed:
        dist.barrier()  # leave together: see skae.nn.distributed.torchrun_process_group
        dist.destroy_process_group()
        exit_torchrun_process()


def time_all_reduce(module, repeats=300):
    """Milliseconds of one all-reduce of a tensor the size of ``module``'s gradients: the
    communication a data-parallel step adds (median of ``repeats``, after 20 warm-ups)."""
    import torch
    import torch.distributed as dist

    gradients = torch.rand(sum(p.numel() for p in module.parameters()))
    for _ in range(20):
        dist.all_reduce(gradients)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        dist.all_reduce(gradients)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def training_throughput(args):
    launchers = {
        "1 process, 1 thread": ([sys.executable], "1"),
        "1 process, 2 threads": ([sys.executable], "2"),
        "2 processes (torchrun, gloo), 1 thread each": (
            [sys.executable, "-m", "torch.distributed.run", "--standalone",
             "--nproc_per_node=2"], "1"),
    }
    setups = [(batch, name) for batch in args.batch_sizes for name in launchers]
    results = {setup: [] for setup in setups}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for batch, name in setups:
                launcher, threads = launchers[name]
                report = Path(tmp) / "report.json"
                worker = [str(Path(__file__).resolve()), "--worker", "--epochs",
                          str(args.epochs), "--batch-sizes", str(batch), "--n-train",
                          str(args.n_train), "--report", str(report)]
                worker += ["--quick"] if args.quick else ["--data-dir", str(args.data_dir)]
                start = time.perf_counter()
                subprocess.run([*launcher, *worker], check=True,
                               env={**env, "OMP_NUM_THREADS": threads},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                figures = json.loads(report.read_text())
                figures["wall"] = time.perf_counter() - start
                results[batch, name].append(figures)
                print(f"  round {round_ + 1}: batch {batch}, {name}: "
                      f"{figures['samples_per_s']:,.0f} samples/s", file=sys.stderr)
    n_train = 1400 if args.quick else args.n_train
    print(f"\n## 1. Training throughput: {n_train} rows, {args.epochs} epochs, median of "
          f"{args.rounds} interleaved rounds\n")
    print("| total batch | setup | samples/s | ratio to 1 process, 2 threads | fit (s) | "
          "wall with start-up (s) | final train loss | test MSE |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for batch in args.batch_sizes:
        reference = statistics.median(
            r["samples_per_s"] for r in results[batch, "1 process, 2 threads"])
        for name in launchers:
            runs = results[batch, name]
            median = {k: statistics.median(r[k] for r in runs)
                      for k in ("samples_per_s", "seconds", "wall", "train_loss", "test_mse")}
            print(f"| {batch} | {name} | {median['samples_per_s']:,.0f} | "
                  f"{median['samples_per_s'] / reference:.2f} | {median['seconds']:.1f} | "
                  f"{median['wall']:.1f} | {median['train_loss']:.5f} | "
                  f"{median['test_mse']:.5f} |")
    parallel = [r for runs in results.values() for r in runs if r["allreduce_ms"] is not None]
    print(f"\nOne all-reduce of the model's {parallel[0]['n_gradients']:,} gradients between "
          f"the two ranks: {statistics.median(r['allreduce_ms'] for r in parallel):.2f} ms "
          "(median over the two-process runs, each the median of 300).")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=ROOT.parent / "shared" / "data" / "mnist")
    parser.add_argument("--quick", action="store_true", help="the embedded digits, fewer epochs")
    parser.add_argument("--sections", default="1,2")
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch-sizes", default="256,1024",
                        help="total batch sizes of the training table, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--grid-rows", type=int, default=10000)
    parser.add_argument("--grid-epochs", type=int, default=None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.epochs = args.epochs or (10 if args.quick else 5)
    args.batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    args.grid_epochs = args.grid_epochs or (10 if args.quick else 20)
    if args.worker:
        return train_worker(args)
    started = time.perf_counter()
    sections = {int(s) for s in args.sections.split(",")}
    if 1 in sections:
        training_throughput(args)
    if 2 in sections:
        X, _ = load(args)
        grid_search(args, X)
    print(f"\nTotal wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
