"""The applications benchmark runs end to end in its quick mode, on the local MNIST."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = Path(os.environ.get("SKAE_MNIST_DIR", ROOT.parent / "shared" / "data" / "mnist"))


@pytest.mark.skipif(not (MNIST / "t10k-labels-idx1-ubyte.gz").exists()
                    and not (MNIST / "t10k-labels-idx1-ubyte").exists(),
                    reason=f"no MNIST files in {MNIST}")
def test_applications_quick():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "applications.py"), "--quick",
         "--data-dir", str(MNIST)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    # Every task printed its table, with skae's rows beside the baselines.
    for line in ("One-class ROC AUC", "skae AE detector", "IsolationForest", "OneClassSVM",
                 "Test accuracy with few labels", "LabelSpreading on pixels",
                 "skae AutoencoderClassifier (joint)", "Clustering 2000 images",
                 "k-means on pixels", "skae IDEC", "Total wall time"):
        assert line in out


@pytest.mark.timeout(600)
def test_scale_out_quick():
    pytest.importorskip("distributed")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scale_out.py"), "--quick", "--rounds", "1"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for line in ("GridSearchCV over latent_dim", "local, n_jobs=1", "dask LocalCluster",
                 "Training throughput", "1 process, 2 threads",
                 "2 processes (torchrun, gloo), 1 thread each", "Total wall time"):
        assert line in out
