"""The benchmarks run end to end in their quick modes: applications on the local MNIST,
scale_out on the embedded digits."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = Path(os.environ.get("SKAE_MNIST_DIR", ROOT.parent / "shared" / "data" / "mnist"))


HAS_MNIST = (MNIST / "t10k-labels-idx1-ubyte.gz").exists() or (
    MNIST / "t10k-labels-idx1-ubyte").exists()

# What each task of applications.py prints: its table, skae's rows beside the baselines.
APPLICATION_LINES = {
    "anomaly": ["One-class ROC AUC", "skae AE detector", "IsolationForest", "OneClassSVM"],
    "labels": ["Test accuracy with few labels", "LabelSpreading on pixels",
               "skae AE (frozen) + LogReg", "skae AutoencoderClassifier (joint)"],
    "clustering": ["images into 10 clusters", "k-means on pixels", "skae AE + k-means",
                   "skae IDEC"],
}


# One test per task, each in its own process: together they run what one run of the whole
# script does, and none takes long alone.
@pytest.mark.skipif(not HAS_MNIST, reason=f"no MNIST files in {MNIST}")
@pytest.mark.parametrize("task", list(APPLICATION_LINES))
def test_applications_quick(task):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "applications.py"), "--quick",
         "--data-dir", str(MNIST), "--tasks", task],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for line in [*APPLICATION_LINES[task], "Total wall time"]:
        assert line in result.stdout, line


def _scale_out(*options):
    """Run benchmarks/scale_out.py --quick with ``options``; its stdout."""
    pytest.importorskip("distributed")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scale_out.py"), "--quick", *options],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# The two sections of scale_out.py run as two tests, each at the smallest size that still
# goes through every mechanism (one batch size, two epochs, a few hundred rows): the test
# shows that they work end to end, the figures come from the benchmark's own runs.


@pytest.mark.timeout(600)
def test_scale_out_quick_training():
    out = _scale_out("--sections", "1", "--rounds", "1", "--batch-sizes", "256",
                     "--epochs", "2")
    for line in ("Training throughput", "1 process, 1 thread", "1 process, 2 threads",
                 "2 processes (torchrun, gloo), 1 thread each", "all-reduce",
                 "Total wall time"):
        assert line in out


# What each task of features.py prints: its tables, skae's rows beside the baselines and
# the goal.
FEATURE_LINES = {
    "digits-labels": ["digits, 5 labels per class", "raw pixels + LR", "PCA(16) + LR",
                      "skae AutoencoderTransformer(latent_dim=16) + LR", ">= 0.930"],
    "digits-clustering": ["digits clustering, all rows: Hungarian accuracy",
                          "k-means on pixels", "skae LatentClustering(n_clusters=10)",
                          "skae DeepEmbeddedClustering(n_clusters=10)", ">= 0.900"],
    "tabular": ["tabular: wine", "tabular: breast cancer", "tabular: generated",
                "StandardScaler + PCA(8) + LR", "skae StandardScaler + AE(latent_dim=8) + LR",
                "IsolationForest", "skae AutoencoderOutlierDetector"],
    "mnist-labels": ["MNIST, 10 labels per class", "LabelSpreading(kernel='knn') on pixels",
                     "skae AE(latent_dim=16) codes + LR", ">= 0.850"],
    "mnist-clustering": ["MNIST clustering (train + test): Hungarian accuracy",
                         "skae LatentClustering(n_clusters=10)", ">= 0.880"],
    "mnist-oneclass": ["MNIST one-class", "PCA(32) reconstruction error", ">= 0.975"],
    "mnist-reconstruction": ["MNIST 30-D reconstruction", "PCA(30)", "<= 4.00"],
}


# Two tests, each in its own process, run every task of features.py's quick mode (the MNIST
# ones when the files are here) and neither takes long alone; the tasks that fit UMAP (numba
# compiles it once a process) share one.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("tasks", [
    ("digits-clustering", "mnist-labels", "mnist-clustering"),
    ("digits-labels", "tabular", "mnist-oneclass", "mnist-reconstruction"),
], ids=["with-umap", "without-umap"])
def test_features_quick(tasks):
    tasks = [task for task in tasks if HAS_MNIST or not task.startswith("mnist")]
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "features.py"), "--quick",
         "--data-dir", str(MNIST), "--tasks", *tasks],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for line in [*(line for task in tasks for line in FEATURE_LINES[task]),
                 "Total wall time"]:
        assert line in result.stdout, line


@pytest.mark.timeout(600)
def test_scale_out_quick_grid_search():
    out = _scale_out("--sections", "2", "--grid-epochs", "2", "--grid-rows", "400")
    for line in ("GridSearchCV over latent_dim", "local, n_jobs=1",
                 "local process pool (loky), n_jobs=2", "dask LocalCluster", "Total wall time"):
        assert line in out
    # Every backend found the same best parameters as n_jobs=1.
    rows = [line.split("|") for line in out.splitlines()
            if line.startswith("| ") and "{" in line]
    assert len(rows) == 5
    assert len({row[3].strip() for row in rows}) == 1, out
