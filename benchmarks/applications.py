"""The three applications on MNIST, each beside baselines measured in the same run.

    python benchmarks/applications.py            # full: all of MNIST, a few minutes per task
    python benchmarks/applications.py --quick    # CI-sized: small subsets, a few epochs

Tasks (``--tasks`` picks some):

* ``anomaly``: one-class detection. For each digit, train on that digit's training images
  only; score all 10,000 test images, the other nine digits being the anomalies; ROC AUC per
  digit and the mean. Baselines: IsolationForest, PCA reconstruction error, OneClassSVM.
* ``labels``: 10 (and 100) labels per class drawn from the training set with ``--seed``, the
  rest unlabeled; accuracy on the test set. Baselines: logistic regression on raw pixels and
  on PCA features, LabelSpreading on pixels.
* ``clustering``: all 70,000 images, 10 clusters; accuracy (Hungarian) and NMI. Baselines:
  k-means on pixels and on PCA features.

Published anchors are printed for reference only; they were not run here.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score, roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline
from sklearn.semi_supervised import LabelSpreading
from sklearn.svm import OneClassSVM

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skae import (  # noqa: E402
    AutoencoderClassifier,
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    DeepEmbeddedClustering,
    LatentClassifier,
)
from skae.datasets import load_mnist  # noqa: E402
from skae.demo import few_label_indices  # noqa: E402
from skae.metrics import clustering_accuracy  # noqa: E402

import umap  # noqa: E402  (a dependency of skae)

ANCHORS = {
    "anomaly": "Deep SVDD 0.948 mean AUC (Ruff et al. 2018); Isolation Forest about 0.92; "
               "convolutional AE about 0.90",
    "labels": "100 labels: M1+TSVM 0.882 (Kingma et al. 2014), M1+M2 0.967, "
              "Ladder networks 0.989",
    "clustering": "accuracy: k-means on pixels 0.53, AE+k-means 0.88, DEC 0.84-0.91, "
                  "N2D 0.979",
}

# Sizes: (quick, full).
SETTINGS = {
    "quick": dict(ad_train=150, ad_test=400, ad_epochs=3, ocsvm_train=150,
                  sl_train=2000, sl_test=500, sl_epochs=5, joint_epochs=2, spread_rows=2000,
                  cl_rows=1000, cl_epochs=5, dec_epochs=3, umap=False),
    "full": dict(ad_train=None, ad_test=None, ad_epochs=10, ocsvm_train=2000,
                 sl_train=None, sl_test=None, sl_epochs=10, joint_epochs=3, spread_rows=20000,
                 cl_rows=None, cl_epochs=10, dec_epochs=10, umap=True),
}


def log(*args):
    print(*args, flush=True)


def subsample(X, y, n, rng):
    if n is None or n >= len(X):
        return X, y
    idx = np.sort(rng.choice(len(X), n, replace=False))
    return X[idx], y[idx]


def autoencoder(epochs, seed, latent_dim, batch_size=256, hidden=(512, 256)):
    return AutoencoderTransformer(latent_dim=latent_dim, hidden_layer_sizes=hidden,
                                  batch_size=batch_size, max_iter=epochs, random_state=seed)


# -- anomaly detection ----------------------------------------------------------------------


def pca_detector_scores(X_train, X_test, n_components=32):
    pca = PCA(n_components=n_components, random_state=0).fit(X_train)
    return -((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2).mean(axis=1)


def run_anomaly(data, s, seed):
    (X_train, y_train), (X_test, y_test) = data
    rng = np.random.RandomState(seed)
    X_test, y_test = subsample(X_test, y_test, s["ad_test"], rng)
    methods = ["skae AE detector", "IsolationForest", "PCA recon. error",
               f"OneClassSVM ({s['ocsvm_train']} train rows)"]
    aucs = {m: [] for m in methods}
    for digit in range(10):
        normal = X_train[y_train == digit]
        normal = normal[np.sort(rng.choice(len(normal), min(len(normal), s["ad_train"]
                                                                or len(normal)), replace=False))]
        is_normal = (y_test == digit).astype(int)
        start = time.perf_counter()
        # ROC AUC reads score_samples alone, which the cross-fitted threshold (cv) leaves as
        # it is: cv=None skips that threshold's five extra fits, the AUCs are the same.
        detector = AutoencoderOutlierDetector(
            autoencoder(s["ad_epochs"], seed, latent_dim=16, batch_size=64), cv=None).fit(normal)
        scores = {
            methods[0]: detector.score_samples(X_test),
            methods[1]: IsolationForest(random_state=seed).fit(normal).score_samples(X_test),
            methods[2]: pca_detector_scores(normal, X_test),
        }
        ocsvm_rows = normal[:s["ocsvm_train"]]
        scores[methods[3]] = OneClassSVM(gamma="scale", nu=0.1).fit(
            ocsvm_rows).decision_function(X_test)
        for m in methods:
            aucs[m].append(roc_auc_score(is_normal, scores[m]))
        log(f"  digit {digit}: " + ", ".join(f"{m.split(' (')[0]} {aucs[m][-1]:.3f}"
                                             for m in methods)
            + f"  ({time.perf_counter() - start:.0f} s)")
    log("\nOne-class ROC AUC (train on one digit, the other nine are anomalies)")
    log(f"{'method':<34}" + "".join(f"{d:>6}" for d in range(10)) + f"{'mean':>7}")
    for m in methods:
        log(f"{m:<34}" + "".join(f"{a:6.3f}" for a in aucs[m]) + f"{np.mean(aucs[m]):7.3f}")
    log(f"anchors: {ANCHORS['anomaly']}")


# -- few labels ------------------------------------------------------------------------------


class ClusterThenLabel:
    """Cluster-then-label on a fitted embedding: a Gaussian mixture of the training rows'
    embedding, each cluster named by the majority label of its labeled rows."""

    def __init__(self, ae, embed, n_clusters, seed):
        self.ae, self.embed, self.n_clusters, self.seed = ae, embed, n_clusters, seed

    def fit(self, embedding, y_few):
        self.gmm = GaussianMixture(self.n_clusters, covariance_type="full",
                                   random_state=self.seed).fit(embedding)
        clusters = self.gmm.predict(embedding)
        labeled = y_few != -1
        counts = np.zeros((self.n_clusters, y_few.max() + 1))
        np.add.at(counts, (clusters[labeled], y_few[labeled]), 1)
        # A cluster with no labeled row gets the most common label.
        self.names = np.where(counts.sum(1) > 0, counts.argmax(1),
                              np.bincount(y_few[labeled]).argmax())
        return self

    def score(self, X, y):
        clusters = self.gmm.predict(self.embed.transform(self.ae.transform(X)))
        return float(np.mean(self.names[clusters] == y))


def run_labels(data, s, seed, label_counts):
    (X_train, y_train), (X_test, y_test) = data
    rng = np.random.RandomState(seed)
    X_train, y_train = subsample(X_train, y_train, s["sl_train"], rng)
    X_test, y_test = subsample(X_test, y_test, s["sl_test"], rng)
    start = time.perf_counter()
    ae = FrozenEstimator(autoencoder(s["sl_epochs"], seed, latent_dim=32).fit(X_train))
    log(f"  autoencoder on {len(X_train)} training rows: {time.perf_counter() - start:.0f} s")
    pca = FrozenEstimator(PCA(n_components=50, random_state=seed).fit(X_train))
    codes_train = ae.transform(X_train)
    embed = None
    if s["umap"]:
        start = time.perf_counter()
        embed = FrozenEstimator(umap.UMAP(n_components=10, n_neighbors=15, min_dist=0.0,
                                          random_state=seed).fit(codes_train))
        log(f"  UMAP on the codes: {time.perf_counter() - start:.0f} s")
    rows = []
    for per_class in label_counts:
        labeled = np.sort(few_label_indices(y_train, per_class, random_state=seed))
        y_few = np.full_like(y_train, -1)
        y_few[labeled] = y_train[labeled]
        # LabelSpreading builds a k-NN graph over every row it gets: capped at spread_rows.
        spread = np.union1d(labeled, rng.choice(len(X_train), min(len(X_train),
                                                                 s["spread_rows"]),
                                                replace=False))
        candidates = {
            "LogReg on pixels": lambda: make_pipeline(LogisticRegression(max_iter=2000)).fit(
                X_train[labeled], y_train[labeled]),
            "LogReg on PCA-50": lambda: make_pipeline(pca, LogisticRegression(
                max_iter=2000)).fit(X_train[labeled], y_train[labeled]),
            f"LabelSpreading on pixels ({len(spread)} rows)": lambda: LabelSpreading(
                kernel="knn", n_neighbors=10, max_iter=1000).fit(X_train[spread], y_few[spread]),
            "skae AE (frozen) + LogReg": lambda: LatentClassifier(ae).fit(X_train, y_few),
            f"skae AE + LabelSpreading ({len(spread)} rows)": lambda: LatentClassifier(
                ae, LabelSpreading(kernel="knn", n_neighbors=10, max_iter=1000),
                unlabeled="keep").fit(X_train[spread], y_few[spread]),
            "skae AutoencoderClassifier (joint)": lambda: AutoencoderClassifier(
                ae, max_iter=s["joint_epochs"], random_state=seed).fit(X_train, y_few),
        }
        if embed is not None:
            candidates["skae AE + UMAP + GMM, cluster-then-label"] = lambda: ClusterThenLabel(
                ae, embed, 10, seed).fit(embed.estimator.embedding_, y_few)
            candidates["skae AE + UMAP + LabelSpreading"] = lambda: make_pipeline(
                ae, embed, LabelSpreading(kernel="knn", n_neighbors=10, max_iter=1000)).fit(
                X_train, y_few)
        for name, fit in candidates.items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                accuracy = fit().score(X_test, y_test)
            rows.append((per_class * 10, name, accuracy, time.perf_counter() - start))
            log(f"  {per_class * 10} labels, {name}: {accuracy:.4f} "
                f"({rows[-1][3]:.0f} s)")
    log(f"\nTest accuracy with few labels (seed {seed}; {len(X_train)} training rows, "
        f"{len(X_test)} test rows)")
    log(f"{'labels':>6}  {'method':<44}{'accuracy':>9}{'time (s)':>10}")
    for n, name, accuracy, seconds in rows:
        log(f"{n:>6}  {name:<44}{accuracy:9.4f}{seconds:10.0f}")
    log(f"anchors: {ANCHORS['labels']}")


# -- clustering ------------------------------------------------------------------------------


def run_clustering(data, s, seed):
    X = np.concatenate([data[0][0], data[1][0]])
    y = np.concatenate([data[0][1], data[1][1]])
    rng = np.random.RandomState(seed)
    X, y = subsample(X, y, s["cl_rows"], rng)
    results = []

    def record(name, labels, seconds):
        results.append((name, clustering_accuracy(y, labels), normalized_mutual_info_score(
            y, labels), seconds))
        log(f"  {name}: acc {results[-1][1]:.4f} NMI {results[-1][2]:.4f} ({seconds:.0f} s)")

    start = time.perf_counter()
    record("k-means on pixels", KMeans(10, n_init=3, random_state=seed).fit_predict(X),
           time.perf_counter() - start)
    start = time.perf_counter()
    record("k-means on PCA-50", make_pipeline(PCA(50, random_state=seed), KMeans(
        10, n_init=10, random_state=seed)).fit_predict(X), time.perf_counter() - start)
    start = time.perf_counter()
    ae = FrozenEstimator(autoencoder(s["cl_epochs"], seed, latent_dim=10).fit(X))
    ae_seconds = time.perf_counter() - start
    log(f"  autoencoder on {len(X)} rows: {ae_seconds:.0f} s")
    start = time.perf_counter()
    record("skae AE + k-means", make_pipeline(ae, KMeans(10, n_init=10, random_state=seed))
           .fit_predict(X), ae_seconds + time.perf_counter() - start)
    start = time.perf_counter()
    dec = DeepEmbeddedClustering(ae, n_clusters=10, max_iter=s["dec_epochs"],
                                 random_state=seed)
    record(f"skae IDEC ({s['dec_epochs']} epochs)", dec.fit_predict(X),
           ae_seconds + time.perf_counter() - start)
    if s["umap"]:
        start = time.perf_counter()
        n2d = make_pipeline(ae, umap.UMAP(n_components=10, n_neighbors=20, min_dist=0.0,
                                          random_state=seed),
                            GaussianMixture(10, covariance_type="full", random_state=seed))
        record("skae AE + UMAP + GMM (N2D)", n2d.fit_predict(X),
               ae_seconds + time.perf_counter() - start)
    log(f"\nClustering {len(X)} images into 10 clusters")
    log(f"{'method':<34}{'accuracy':>9}{'NMI':>8}{'time (s)':>10}")
    for name, accuracy, nmi, seconds in results:
        log(f"{name:<34}{accuracy:9.4f}{nmi:8.4f}{seconds:10.0f}")
    log(f"anchors: {ANCHORS['clustering']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    parser.add_argument("--data-dir", default=os.environ.get(
        "SKAE_MNIST_DIR", str(ROOT.parent / "shared" / "data" / "mnist")))
    parser.add_argument("--tasks", nargs="+", default=["anomaly", "labels", "clustering"],
                        choices=["anomaly", "labels", "clustering"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    settings = SETTINGS["quick" if args.quick else "full"]
    data = (load_mnist(args.data_dir, split="train"), load_mnist(args.data_dir, split="test"))
    log(f"MNIST from {args.data_dir}; mode {'quick' if args.quick else 'full'}; "
        f"seed {args.seed}; settings {settings}")
    total = time.perf_counter()
    for task in args.tasks:
        start = time.perf_counter()
        log(f"\n== {task} ==")
        if task == "anomaly":
            run_anomaly(data, settings, args.seed)
        elif task == "labels":
            run_labels(data, settings, args.seed, [10, 100])
        else:
            run_clustering(data, settings, args.seed)
        log(f"({task}: {time.perf_counter() - start:.0f} s)")
    log(f"\nTotal wall time: {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
