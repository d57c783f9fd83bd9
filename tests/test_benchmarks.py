"""The benchmarks run end to end in their quick modes: applications and features on the local
MNIST (when its files are here) and the embedded digits, scale_out on the embedded digits.

Each script's ``main`` runs in this process, as the examples do (see test_examples.py): a
process per run paid again for importing torch and, where UMAP runs, for numba compiling it.
The scripts' own child processes (torchrun ranks, Dask workers) stay.
"""

import importlib.util
import os
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = Path(os.environ.get("SKAE_MNIST_DIR", ROOT.parent / "shared" / "data" / "mnist"))


def _run(script, *argv, capsys):
    """Run ``benchmarks/<script>.py``'s ``main(argv)`` here; what it printed."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{script}",
                                                  ROOT / "benchmarks" / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    capsys.readouterr()
    # The scripts set warning filters for their reports and put the repository on sys.path;
    # both stay in the script.
    path = list(sys.path)
    try:
        with warnings.catch_warnings():
            module.main(list(argv))
    finally:
        sys.path[:] = path
    return capsys.readouterr().out


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


# One test per task: together they run what one run of the whole script does, and none takes
# long alone.
@pytest.mark.skipif(not HAS_MNIST, reason=f"no MNIST files in {MNIST}")
@pytest.mark.parametrize("task", list(APPLICATION_LINES))
def test_applications_quick(task, capsys):
    out = _run("applications", "--quick", "--data-dir", str(MNIST), "--tasks", task,
               capsys=capsys)
    for line in [*APPLICATION_LINES[task], "Total wall time"]:
        assert line in out, line


def _scale_out(*options, capsys):
    """Run benchmarks/scale_out.py --quick with ``options``; what it printed."""
    pytest.importorskip("distributed")
    return _run("scale_out", "--quick", *options, capsys=capsys)


# The scale-out runs train for two epochs (their point is the mechanism, not the model), so
# their fits stop at max_iter.
_TWO_EPOCHS = pytest.mark.filterwarnings(
    "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")


# The two sections of scale_out.py run as two tests, each at the smallest size that still
# goes through every mechanism (one batch size, two epochs, a few hundred rows): the test
# shows that they work end to end, the figures come from the benchmark's own runs.


@_TWO_EPOCHS
@pytest.mark.timeout(600)
def test_scale_out_quick_training(capsys):
    out = _scale_out("--sections", "1", "--rounds", "1", "--batch-sizes", "256",
                     "--epochs", "2", capsys=capsys)
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
    "mnist-labels-images": ["MNIST, 10 labels per class, images",
                            "classifier=ConvClassifier(image_shape=(28, 28))",
                            "new rows by the nearest codes", "(transductive)", ">= 0.970"],
    "mnist-clustering": ["MNIST clustering (train + test): Hungarian accuracy",
                         "skae LatentClustering(n_clusters=10)", ">= 0.880"],
    "mnist-oneclass": ["MNIST one-class", "PCA(32) reconstruction error", ">= 0.975"],
    "mnist-reconstruction": ["MNIST 30-D reconstruction", "PCA(30)", "<= 4.00"],
}


# One test per task of features.py's quick mode: together they run all of it. Quick mode
# trains for a few epochs on tiny subsets (its numbers mean nothing): on the digits rows and
# the tables (5 epochs with masking noise on 200-300-row subsets), the autoencoder does not
# yet beat predicting the mean, and says so (the full runs, 3 seeds, never warned).
def _feature_task(task):
    marks = ()
    if task in ("digits-labels", "digits-clustering", "tabular"):
        marks = pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
    return pytest.param(task, marks=marks, id=task)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("task", [_feature_task(task) for task in FEATURE_LINES])
def test_features_quick(task, capsys):
    if task.startswith("mnist") and not HAS_MNIST:
        pytest.skip(f"no MNIST files in {MNIST}")
    out = _run("features", "--quick", "--data-dir", str(MNIST), "--tasks", task,
               capsys=capsys)
    for line in [*FEATURE_LINES[task], "Total wall time"]:
        assert line in out, line


@_TWO_EPOCHS
@pytest.mark.timeout(600)
def test_scale_out_quick_grid_search(capsys):
    out = _scale_out("--sections", "2", "--grid-epochs", "2", "--grid-rows", "400",
                     capsys=capsys)
    for line in ("GridSearchCV over latent_dim", "local, n_jobs=1",
                 "local process pool (loky), n_jobs=2", "dask LocalCluster", "Total wall time"):
        assert line in out
    # Every backend found the same best parameters as n_jobs=1.
    rows = [line.split("|") for line in out.splitlines()
            if line.startswith("| ") and "{" in line]
    assert len(rows) == 5
    assert len({row[3].strip() for row in rows}) == 1, out
