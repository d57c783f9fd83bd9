"""Are skae's features better than the data they start from? Every row of issue 13, each
beside its baselines, measured in one run.

    python benchmarks/features.py                        # full: digits, tabular, MNIST
    python benchmarks/features.py --quick                # CI-sized: tiny subsets, few epochs
    python benchmarks/features.py --tasks digits-labels digits-clustering tabular

Protocols (fixed; every number is a mean over the seeds 0, 1, 2; test rows are never used
for any choice: nothing is tuned on them, every estimator runs with its documented defaults
apart from the settings named in the row; one exception is on record: the first probes of
``mnist-labels-images``' new-row predictor were scored on MNIST's test images, before its
choice was made again on held-out training images, see ``RESULTS.md``'s thirteenth
session):

* ``digits-labels``: the embedded digits (``skae.datasets.load_digits``), a stratified 80/20
  split drawn with the seed. The transformers are fit on all training rows (unlabeled); 5
  labels per class are drawn from the training rows with the seed; a
  ``LogisticRegression()`` (default C) is fit on the labeled rows' features; accuracy on the
  test rows. skae: ``AutoencoderTransformer(latent_dim=16)``. Baselines: raw pixels,
  ``PCA(16)``, ``umap.UMAP(n_components=16)``.
* ``digits-clustering``: all 1,797 digits, 10 clusters, Hungarian accuracy and NMI against
  the labels. skae: ``KMeans(10)`` on the codes of ``AutoencoderTransformer(latent_dim=10)``;
  ``LatentClustering(n_clusters=10)`` and ``DeepEmbeddedClustering(n_clusters=10)`` (which
  refines a copy) share one fit of their default autoencoder,
  ``skae.cluster.clustering_autoencoder(10, n_features)``: on the digits' 64 features the
  k-means row's autoencoder itself (the same parameters, not refit), on MNIST's 784 a
  second fit with hidden layers (256, 128, 32).
  Baselines: k-means on pixels, on ``PCA(10)`` and on ``UMAP(10)``.
* ``tabular``: wine, breast cancer (bundled with scikit-learn) and a generated set (see
  ``make_tabular``). Features: 5-fold stratified CV accuracy of ``StandardScaler`` + X(8) +
  ``LogisticRegression()``, X being skae's ``AutoencoderTransformer(latent_dim=8)`` or
  ``PCA(8)`` (and no reduction). Detector: each class in turn is the normal one; train on
  70% of its rows, score the other 30% and every row of the other classes; ROC AUC (mean
  over classes) and the fraction of held-out normal rows flagged by ``predict``. skae:
  ``AutoencoderOutlierDetector()``; baseline ``IsolationForest()``.
* ``mnist-labels``: 100 labels (10 per class) drawn from the 60,000 training images, the
  rest unlabeled; accuracy on the 10,000 test images. skae: one
  ``AutoencoderTransformer(latent_dim=16)`` fit on every training image, shared (as a
  ``FrozenEstimator``) by its codes + ``LogisticRegression()``, ``LatentClassifier``,
  ``ManifoldLabelSpreading`` (its default spread and ``labeling="clusters"``) and
  ``AutoencoderClassifier`` (unlabeled rows passed as -1;
  it refines a copy). Baselines: LR on pixels, on ``PCA(16)``, LabelSpreading (k-NN
  kernel) on pixels.
* ``mnist-labels-images``: the same labels, split and test images; skae's estimator for few
  labels on images: ``ManifoldLabelSpreading(labeling="clusters",
  classifier=ConvClassifier(image_shape=(28, 28)))`` with its default autoencoder
  (``clustering_autoencoder(10, 784)``, capped at the MNIST ``max_iter`` below): every
  training image labeled by its cluster, then a small convolutional network trained on
  them (with random shifts) predicts the test images. Beside it, from the same fit: the
  nearest codes as the predictor (what ``classifier=None`` fits, rebuilt from the fitted
  model) and the transductive accuracy on the unlabeled training images. Baselines on the
  100 labeled images alone: LR on the pixels, and ``ConvClassifier(max_iter=200)``; and the
  same ``ConvClassifier`` trained on every training image labeled by
  ``LabelSpreading(kernel="knn")`` on the pixels (raw input, the same network).
* ``mnist-clustering``: all 70,000 images, 10 clusters, accuracy and NMI; the rows of
  ``digits-clustering`` with ``latent_dim=10``, k-means on ``UMAP(10)`` of the pixels too.
* ``mnist-oneclass``: for each digit, train on that digit's training images, score the
  10,000 test images (the other digits are the anomalies); ROC AUC per digit and the mean.
  skae: ``AutoencoderOutlierDetector(cv=None)``: its ``score_samples`` (hence the AUC) is
  that of the default ``cv=5``, whose 5 extra cross-fitted models only set the threshold.
  Its default autoencoder trains with its own default ``max_iter`` (it stops by itself on
  about 6,000 images, 19 s a fit on average), not the MNIST cap below; ``--quick`` caps it.
  Two rows from each fit: the default score (the plain reconstruction error) and the score
  with ``image_shape=(28, 28)``, the error of 3 x 3 local means (each row's time is the
  shared fit's). Baselines: IsolationForest, PCA(32) reconstruction error, and PCA(32)
  scored by the error of local means.
* ``mnist-reconstruction``: ``AutoencoderTransformer(latent_dim=30,
  hidden_layer_sizes=(1000, 500, 250))`` (Hinton & Salakhutdinov 2006's shape) with the
  setting its ``manifold_weight`` documents for reconstruction (``RECONSTRUCTION``:
  ``manifold_weight=0``, a cosine from 3e-3 over 40 epochs, no early stopping; its own
  ``max_iter``, not the MNIST cap below, unless ``--max-iter`` is given) fit on the
  60,000 training images; test sum of squared errors per image. Baselines: PCA(30), the
  training mean.

On MNIST the number of epochs is capped (``max_iter``, printed with each row) so that one fit
stays within 15 minutes on a 2-core CPU; ``--max-iter`` changes the cap. Each skae row's
time includes the shared autoencoder's fit. Cost (mnist-clustering now fits a second, wider
autoencoder, the clustering estimators' default on 784 features: 1,369-1,406 s a seed on one
thread with another seed's run on the other core, of which 552-560 s that fit; the figures
that follow are from before it), measured on seed 0 with
``OMP_NUM_THREADS=1`` on the 2-core machine shared with other jobs (load 4-5, about half a
core for this process), ``max_iter=20``: mnist-labels 843 s (autoencoder 327 s, of which
~130 s the exact 15-NN graph; LabelSpreading on pixels 252 s), mnist-clustering 867 s
(autoencoder 387 s, LatentClustering's UMAP + mixture 140 s, DEC refinement 113 s),
mnist-reconstruction 801 s (20 epochs of the deep network with the neighbour-graph term;
with the reconstruction setting 580 s at load 4.5, 383 CPU-s): the MNIST part costs about
45 minutes a seed at that load, so the 3-seed protocol about 2.5 hours: ``--seeds 0`` runs
one. mnist-oneclass (not capped) took 187 s a seed (10 detectors, load 1-2);
mnist-labels-images 397-497 s a seed (two threads, load 0.2-2.2). Seeds seed the
split, the labels, every estimator's ``random_state`` and k-means.
"""

import argparse
import inspect
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skae import (  # noqa: E402
    AutoencoderClassifier,
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    ConvClassifier,
    DeepEmbeddedClustering,
    LatentClassifier,
    LatentClustering,
    ManifoldLabelSpreading,
)
from skae._images import local_mean  # noqa: E402  (the detector's score on images, for PCA)
from skae.anomaly import _default_autoencoder  # noqa: E402  (to cap its epochs in --quick)
from skae.cluster import clustering_autoencoder  # noqa: E402  (to share one fit, capped)
from skae.datasets import load_digits, load_mnist  # noqa: E402

from skae.metrics import clustering_accuracy  # noqa: E402

import umap  # noqa: E402  (a dependency of skae)

SEEDS = (0, 1, 2)
TASKS = ("digits-labels", "digits-clustering", "tabular", "mnist-labels", "mnist-labels-images",
         "mnist-clustering", "mnist-oneclass", "mnist-reconstruction")

# Goals from issue 13: (comparison, value) per row; None prints no goal.
GOALS = {
    "digits-labels": (">=", 0.93),
    "digits-clustering": (">=", 0.90),
    "mnist-labels-best": (">=", 0.97),
    "mnist-labels-codes": (">=", 0.85),
    "mnist-clustering": (">=", 0.97),
    "mnist-clustering-dec": (">=", 0.88),
    "mnist-oneclass": (">=", 0.975),
    "mnist-reconstruction": ("<=", 4.0),
}

# Sizes per mode. max_iter None means the estimator's default; rows None means all rows.
SETTINGS = {
    "quick": dict(seeds=(0,), digits_rows=300, digits_max_iter=5, dec_max_iter=2,
                  tab_rows=200, tab_max_iter=5, mnist_train=400, mnist_test=200,
                  mnist_max_iter=2, recon_max_iter=2, oc_max_iter=2, oc_digits=(0, 1),
                  umap=False),
    "full": dict(seeds=SEEDS, digits_rows=None, digits_max_iter=None, dec_max_iter=None,
                 tab_rows=None, tab_max_iter=None, mnist_train=None, mnist_test=None,
                 mnist_max_iter=20, recon_max_iter=None, oc_max_iter=None,
                 oc_digits=tuple(range(10)), umap=True),
}


def log(*args):
    print(*args, flush=True)


def max_iter_kw(max_iter):
    return {} if max_iter is None else {"max_iter": max_iter}


def epochs_label(max_iter):
    return "the default max_iter" if max_iter is None else f"max_iter={max_iter}"


def seeded_detector(seed, **ae_params):
    """The default detector, seeded: its own ``random_state`` if it has one, else that of its
    default autoencoder."""
    if "random_state" in inspect.signature(AutoencoderOutlierDetector).parameters:
        if ae_params:
            return AutoencoderOutlierDetector(AutoencoderTransformer(**ae_params),
                                              random_state=seed)
        return AutoencoderOutlierDetector(random_state=seed)
    return AutoencoderOutlierDetector(AutoencoderTransformer(random_state=seed, **ae_params))


def few_label_indices(y, n_per_class, seed):
    rng = np.random.RandomState(seed)
    return np.sort(np.concatenate([
        rng.choice(np.flatnonzero(y == c), n_per_class, replace=False) for c in np.unique(y)
    ]))


def subsample(X, y, n, seed):
    """``n`` rows drawn with ``seed``, stratified; all rows when ``n`` is None."""
    if n is None or n >= len(X):
        return X, y
    X, _, y, _ = train_test_split(X, y, train_size=n, random_state=seed, stratify=y)
    return X, y


class Table:
    """Results per method and seed, printed with the mean and the goal beside it."""

    def __init__(self, title, seeds, fmt="{:.3f}"):
        self.title, self.seeds, self.fmt = title, seeds, fmt
        self.rows, self.goals, self.times = {}, {}, {}

    def add(self, method, seed, value, seconds=None, goal=None):
        self.rows.setdefault(method, {})[seed] = value
        if goal is not None:
            self.goals[method] = goal
        if seconds is not None:
            self.times.setdefault(method, []).append(seconds)

    def print(self):
        log(f"\n{self.title}")
        head = (f"{'method':<50}" + "".join(f"{'seed ' + str(s):>9}" for s in self.seeds)
                + f"{'mean':>9}{'fit s':>8}   goal")
        log(head)
        log("-" * len(head))
        for method, values in self.rows.items():
            cells = [values.get(s) for s in self.seeds]
            mean = np.mean([v for v in cells if v is not None])
            goal = ""
            if method in self.goals:
                op, target = GOALS[self.goals[method]]
                met = mean >= target if op == ">=" else mean <= target
                goal = f"{op} {self.fmt.format(target)} ({'met' if met else 'NOT met'})"
            seconds = (f"{np.mean(self.times[method]):8.1f}" if method in self.times
                       else " " * 8)
            log(f"{method:<50}"
                + "".join(f"{self.fmt.format(v):>9}" if v is not None else f"{'':>9}"
                          for v in cells)
                + f"{self.fmt.format(mean):>9}{seconds}   {goal}")


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


# -- digits ------------------------------------------------------------------------------


def digits_data(s, seed):
    X, y = load_digits()
    return subsample(X, y, s["digits_rows"], seed)


def run_digits_labels(s):
    table = Table("digits, 5 labels per class: test accuracy of LogisticRegression() on "
                  "the features (80/20 split)", s["seeds"])
    for seed in s["seeds"]:
        X, y = digits_data(s, seed)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed,
                                                  stratify=y)
        labeled = few_label_indices(y_tr, 5, seed)

        def score(transformer):
            if transformer is not None:
                transformer.fit(X_tr)
                F_tr, F_te = transformer.transform(X_tr[labeled]), transformer.transform(X_te)
            else:
                F_tr, F_te = X_tr[labeled], X_te
            return LogisticRegression().fit(F_tr, y_tr[labeled]).score(F_te, y_te)

        candidates = [("raw pixels + LR", None), ("PCA(16) + LR", PCA(16, random_state=seed))]
        if s["umap"]:
            candidates.append(("UMAP(16) + LR", umap.UMAP(n_components=16, random_state=seed)))
        candidates.append(("skae AutoencoderTransformer(latent_dim=16) + LR",
                           AutoencoderTransformer(latent_dim=16, random_state=seed,
                                                  **max_iter_kw(s["digits_max_iter"]))))
        for name, transformer in candidates:
            acc, sec = timed(lambda: score(transformer))
            table.add(name, seed, acc, sec,
                      goal="digits-labels" if name.startswith("skae") else None)
    table.print()


def clustering_rows(table, X, y, seed, s, *, latent_dim, ae_max_iter, dec_max_iter,
                    goal, dec_goal, umap_rows=True):
    """k-means on pixels, PCA and UMAP; k-means on the codes of
    ``AutoencoderTransformer(latent_dim)``; then one fit of the clustering estimators'
    default autoencoder (``clustering_autoencoder``: wider hidden layers on wide input; the
    first autoencoder again, not refit, on narrow input), shared (as a
    ``FrozenEstimator``) by ``LatentClustering`` and ``DeepEmbeddedClustering`` (which
    refines a copy). Each skae row's time includes its autoencoder's fit."""
    def kmeans(features):
        return KMeans(10, n_init=10, random_state=seed).fit_predict(features)

    def add(name, fn, goal_key=None, extra=0.0):
        labels, sec = timed(fn)
        sec += extra
        table["acc"].add(name, seed, clustering_accuracy(y, labels), sec, goal=goal_key)
        table["nmi"].add(name, seed, normalized_mutual_info_score(y, labels))
        log(f"  seed {seed} {name}: accuracy {table['acc'].rows[name][seed]:.3f}, NMI "
            f"{table['nmi'].rows[name][seed]:.3f} ({sec:.0f} s)")

    add("k-means on pixels", lambda: kmeans(X))
    add(f"k-means on PCA({latent_dim})",
        lambda: kmeans(PCA(latent_dim, random_state=seed).fit_transform(X)))
    if s["umap"] and umap_rows:
        add(f"k-means on UMAP({latent_dim}) of pixels",
            lambda: kmeans(umap.UMAP(n_components=latent_dim,
                                     random_state=seed).fit_transform(X)))
    ae, ae_sec = timed(lambda: AutoencoderTransformer(
        latent_dim=latent_dim, random_state=seed, **max_iter_kw(ae_max_iter)).fit(X))
    log(f"  seed {seed} AE(latent_dim={latent_dim}) fit: {ae_sec:.0f} s, {ae.n_iter_} epochs"
        f" (early stopping {'on' if ae.do_early_stopping_ else 'off'})")
    add(f"skae k-means on AE(latent_dim={latent_dim}) codes",
        lambda: kmeans(ae.transform(X)), goal, extra=ae_sec)
    wide = clustering_autoencoder(10, X.shape[1]).set_params(
        random_state=seed, **max_iter_kw(ae_max_iter))
    if wide.get_params() == ae.get_params():
        wide, wide_sec = ae, ae_sec
    else:
        wide, wide_sec = timed(lambda: wide.fit(X))
        log(f"  seed {seed} clustering_autoencoder(10, {X.shape[1]}) "
            f"{wide.hidden_layer_sizes} fit: {wide_sec:.0f} s, {wide.n_iter_} epochs "
            f"(early stopping {'on' if wide.do_early_stopping_ else 'off'})")
    frozen = FrozenEstimator(wide)
    add("skae LatentClustering(n_clusters=10)",
        lambda: LatentClustering(frozen, n_clusters=10, random_state=seed).fit_predict(X),
        goal, extra=wide_sec)
    dec = DeepEmbeddedClustering(frozen, n_clusters=10, random_state=seed,
                                 **max_iter_kw(dec_max_iter))
    add("skae DeepEmbeddedClustering(n_clusters=10)", lambda: dec.fit_predict(X), dec_goal,
        extra=wide_sec)
    log(f"  seed {seed} DEC: {dec.n_iter_} refinement epochs")


def run_digits_clustering(s):
    tables = {"acc": Table("digits clustering, all rows: Hungarian accuracy", s["seeds"]),
              "nmi": Table("digits clustering, all rows: NMI", s["seeds"])}
    for seed in s["seeds"]:
        X, y = digits_data(s, seed)
        clustering_rows(tables, X, y, seed, s, latent_dim=10,
                        ae_max_iter=s["digits_max_iter"], dec_max_iter=s["dec_max_iter"],
                        goal="digits-clustering", dec_goal="digits-clustering")
    tables["acc"].print()
    tables["nmi"].print()


# -- tabular -----------------------------------------------------------------------------


def make_tabular(n_samples=5000, random_state=0):
    """A generated tabular set with non-linear structure: 5,000 rows, 30 columns, 4 classes.

    ``make_classification`` puts each class on 3 Gaussian clusters at vertices of an
    8-dimensional hypercube (8 informative columns, 10 linear combinations of them, 12 pure
    noise columns), so no single direction separates the classes; half of the columns are
    then made skewed (``exp``) and every column gets its own scale (10^-2 to 10^3), as in
    real tables. scikit-learn ships no tabular set larger than breast cancer without a
    download; this one is generated with a fixed seed, so every run sees the same rows.
    """
    X, y = make_classification(n_samples=n_samples, n_features=30, n_informative=8,
                               n_redundant=10, n_classes=4, n_clusters_per_class=3,
                               class_sep=1.5, flip_y=0.01, random_state=random_state)
    rng = np.random.RandomState(random_state)
    skewed = rng.permutation(30)[:15]
    X[:, skewed] = np.exp(X[:, skewed] / 2)
    X *= 10.0 ** rng.uniform(-2, 3, size=30)
    return X, y


def tabular_sets(s):
    sets = {"wine": load_wine(return_X_y=True),
            "breast cancer": load_breast_cancer(return_X_y=True),
            "generated, 4 classes": make_tabular()}
    if s["tab_rows"] is not None:
        sets = {name: subsample(X, y, s["tab_rows"], 0) for name, (X, y) in sets.items()}
    return sets


def run_tabular(s):
    kw = max_iter_kw(s["tab_max_iter"])
    for name, (X, y) in tabular_sets(s).items():
        X = X.astype(np.float32)
        cv = Table(f"tabular: {name} ({X.shape[0]} x {X.shape[1]}), 5-fold CV accuracy of "
                   "StandardScaler + features + LogisticRegression()", s["seeds"])
        det = Table(f"tabular: {name}, one-class ROC AUC (each class normal in turn, mean)",
                    s["seeds"])
        flag = Table(f"tabular: {name}, fraction of held-out normal rows flagged by predict",
                     s["seeds"])
        for seed in s["seeds"]:
            folds = StratifiedKFold(5, shuffle=True, random_state=seed)
            pipes = {
                "StandardScaler + LR": make_pipeline(StandardScaler(), LogisticRegression()),
                "StandardScaler + PCA(8) + LR": make_pipeline(
                    StandardScaler(), PCA(8, random_state=seed), LogisticRegression()),
                "skae StandardScaler + AE(latent_dim=8) + LR": make_pipeline(
                    StandardScaler(), AutoencoderTransformer(latent_dim=8, random_state=seed,
                                                             **kw),
                    LogisticRegression()),
            }
            for method, pipe in pipes.items():
                scores, sec = timed(lambda: cross_val_score(pipe, X, y, cv=folds))
                cv.add(method, seed, scores.mean(), sec)
            aucs = {"IsolationForest": [], "skae AutoencoderOutlierDetector": []}
            flagged = {m: [] for m in aucs}
            secs = {m: 0.0 for m in aucs}
            for c in np.unique(y):
                normal = np.flatnonzero(y == c)
                train, held = train_test_split(normal, train_size=0.7, random_state=seed)
                test = np.concatenate([held, np.flatnonzero(y != c)])
                detectors = {"IsolationForest": IsolationForest(random_state=seed),
                             "skae AutoencoderOutlierDetector": seeded_detector(seed, **kw)}
                for method, detector in detectors.items():
                    _, sec = timed(lambda: detector.fit(X[train]))
                    secs[method] += sec
                    aucs[method].append(roc_auc_score(y[test] == c,
                                                      detector.score_samples(X[test])))
                    flagged[method].append(np.mean(detector.predict(X[held]) == -1))
            for method in aucs:
                det.add(method, seed, np.mean(aucs[method]), secs[method])
                flag.add(method, seed, np.mean(flagged[method]))
        cv.print()
        det.print()
        flag.print()
        pca = np.mean(list(cv.rows["StandardScaler + PCA(8) + LR"].values()))
        ae = np.mean(list(cv.rows["skae StandardScaler + AE(latent_dim=8) + LR"].values()))
        iso = np.mean(list(det.rows["IsolationForest"].values()))
        ours = np.mean(list(det.rows["skae AutoencoderOutlierDetector"].values()))
        log(f"goal (not worse than PCA(8) and IsolationForest): features "
            f"{'met' if ae >= pca else 'NOT met'} ({ae:.3f} vs {pca:.3f}), detector "
            f"{'met' if ours >= iso else 'NOT met'} ({ours:.3f} vs {iso:.3f})")


# -- MNIST -------------------------------------------------------------------------------


def mnist(s, data_dir, seed):
    X_tr, y_tr = load_mnist(data_dir, split="train")
    X_te, y_te = load_mnist(data_dir, split="test")
    X_tr, y_tr = subsample(X_tr, y_tr, s["mnist_train"], seed)
    X_te, y_te = subsample(X_te, y_te, s["mnist_test"], seed)
    return X_tr, y_tr, X_te, y_te


def run_mnist_labels(s, data_dir):
    """Baselines, then one ``AutoencoderTransformer(latent_dim=16)`` fit on all training
    rows, shared (as a ``FrozenEstimator``) by every skae row: its codes + LR,
    ``LatentClassifier``, ``ManifoldLabelSpreading`` and ``AutoencoderClassifier`` (which
    refines a copy). Each skae row's time includes the shared fit."""
    kw = max_iter_kw(s["mnist_max_iter"])
    table = Table(f"MNIST, 10 labels per class: test accuracy (skae fits: "
                  f"{epochs_label(s['mnist_max_iter'])})",
                  s["seeds"])
    for seed in s["seeds"]:
        X_tr, y_tr, X_te, y_te = mnist(s, data_dir, seed)
        labeled = few_label_indices(y_tr, 10, seed)
        y_semi = np.full_like(y_tr, -1)
        y_semi[labeled] = y_tr[labeled]

        def lr_on(transformer, fit=True):
            def fn():
                if transformer is None:
                    F_tr, F_te = X_tr[labeled], X_te
                else:
                    if fit:
                        transformer.fit(X_tr)
                    F_tr = transformer.transform(X_tr[labeled])
                    F_te = transformer.transform(X_te)
                return LogisticRegression(max_iter=1000).fit(F_tr, y_tr[labeled]).score(F_te,
                                                                                     y_te)
            return fn

        def fit_score(estimator):
            return lambda: estimator.fit(X_tr, y_semi).score(X_te, y_te)

        def add(name, fn, goal=None, extra=0.0):
            acc, sec = timed(fn)
            table.add(name, seed, acc, sec + extra, goal=goal)
            log(f"  seed {seed} {name}: {acc:.3f} ({sec + extra:.0f} s)")

        add("LR on pixels", lr_on(None))
        add("PCA(16) + LR", lr_on(PCA(16, random_state=seed)))
        add("LabelSpreading(kernel='knn') on pixels", fit_score(LabelSpreading(kernel="knn")))
        ae, ae_sec = timed(lambda: AutoencoderTransformer(
            latent_dim=16, random_state=seed, **kw).fit(X_tr))
        log(f"  seed {seed} AE(latent_dim=16) fit: {ae_sec:.0f} s, {ae.n_iter_} epochs "
            f"(early stopping {'on' if ae.do_early_stopping_ else 'off'})")
        frozen = FrozenEstimator(ae)
        add("skae AE(latent_dim=16) codes + LR", lr_on(ae, fit=False), "mnist-labels-codes",
            ae_sec)
        add("skae LatentClassifier(AE(latent_dim=16))",
            fit_score(LatentClassifier(frozen, random_state=seed)), "mnist-labels-best", ae_sec)
        add("skae ManifoldLabelSpreading(AE(latent_dim=16))",
            fit_score(ManifoldLabelSpreading(frozen, random_state=seed)), "mnist-labels-best",
            ae_sec)
        add("skae ManifoldLabelSpreading(AE(latent_dim=16), labeling='clusters')",
            fit_score(ManifoldLabelSpreading(frozen, labeling="clusters", random_state=seed)),
            "mnist-labels-best", ae_sec)
        add("skae AutoencoderClassifier(AE(latent_dim=16))",
            fit_score(AutoencoderClassifier(frozen, random_state=seed)), "mnist-labels-best",
            ae_sec)
    table.print()


def run_mnist_labels_images(s, data_dir):
    """``ManifoldLabelSpreading(labeling="clusters", classifier=ConvClassifier(...))`` with its
    default autoencoder; the nearest-codes predictor and the transductive accuracy come
    from the same fit (the spread labels do not depend on the classifier)."""
    table = Table(f"MNIST, 10 labels per class, images: test accuracy (skae fits: "
                  f"{epochs_label(s['mnist_max_iter'])}; the ConvClassifier its default 5 "
                  "epochs)", s["seeds"])
    for seed in s["seeds"]:
        X_tr, y_tr, X_te, y_te = mnist(s, data_dir, seed)
        labeled = few_label_indices(y_tr, 10, seed)
        y_semi = np.full_like(y_tr, -1)
        y_semi[labeled] = y_tr[labeled]
        # Baselines on the 100 labeled images alone: LR on the pixels, and the same network
        # (200 epochs: 100 rows make one batch, 5 epochs would be 5 steps).
        baseline = LogisticRegression(max_iter=1000).fit(X_tr[labeled], y_tr[labeled])
        table.add("LR on pixels, the 100 labeled images", seed, baseline.score(X_te, y_te))
        alone, sec = timed(lambda: ConvClassifier(
            image_shape=(28, 28), max_iter=200, random_state=seed).fit(
            X_tr[labeled], y_tr[labeled]))
        table.add("ConvClassifier(image_shape=(28, 28), max_iter=200), the 100 labeled "
                  "images", seed, alone.score(X_te, y_te), sec)
        # The same network on labels spread over the pixels' k-NN graph: what the codes add.
        def on_pixel_spread():
            spread = LabelSpreading(kernel="knn").fit(X_tr, y_semi).transduction_
            return ConvClassifier(image_shape=(28, 28), random_state=seed).fit(X_tr, spread)
        pixels, sec = timed(on_pixel_spread)
        table.add("ConvClassifier(image_shape=(28, 28)) on LabelSpreading(kernel='knn') "
                  "labels of the pixels", seed, pixels.score(X_te, y_te), sec)
        ae = clustering_autoencoder(10, X_tr.shape[1]).set_params(
            random_state=seed, **max_iter_kw(s["mnist_max_iter"]))
        model, sec = timed(lambda: ManifoldLabelSpreading(
            ae, labeling="clusters", classifier=ConvClassifier(image_shape=(28, 28)),
            random_state=seed).fit(X_tr, y_semi))
        name = ("skae ManifoldLabelSpreading(labeling='clusters', "
                "classifier=ConvClassifier(image_shape=(28, 28)))")
        acc = model.score(X_te, y_te)
        table.add(name, seed, acc, sec, goal="mnist-labels-best")
        log(f"  seed {seed} {name}: {acc:.3f} ({sec:.0f} s)")
        # The same labels, new rows by the nearest codes: what classifier=None fits (its
        # 10 distance-weighted neighbours), rebuilt here from the same fit.
        nearest = KNeighborsRegressor(10, weights="distance").fit(
            model.clustering_.estimator_.transform(X_tr), model.label_distributions_)
        codes = model.classes_[nearest.predict(
            model.clustering_.estimator_.transform(X_te)).argmax(axis=1)]
        table.add("  the same fit, new rows by the nearest codes (classifier=None)", seed,
                  np.mean(codes == y_te))
        unlabeled = y_semi == -1
        train = model.classes_[model.label_distributions_.argmax(axis=1)]
        table.add("  the same fit, unlabeled training images (transductive)", seed,
                  np.mean(train[unlabeled] == y_tr[unlabeled]))
    table.print()


def run_mnist_clustering(s, data_dir):
    fits = f"skae fits: {epochs_label(s['mnist_max_iter'])}"
    tables = {"acc": Table(f"MNIST clustering (train + test): Hungarian accuracy ({fits})",
                           s["seeds"]),
              "nmi": Table(f"MNIST clustering (train + test): NMI ({fits})", s["seeds"])}
    for seed in s["seeds"]:
        X_tr, y_tr, X_te, y_te = mnist(s, data_dir, seed)
        X, y = np.concatenate([X_tr, X_te]), np.concatenate([y_tr, y_te])
        clustering_rows(tables, X, y, seed, s, latent_dim=10,
                        ae_max_iter=s["mnist_max_iter"], dec_max_iter=s["dec_max_iter"],
                        goal="mnist-clustering", dec_goal="mnist-clustering-dec")
    tables["acc"].print()
    tables["nmi"].print()


def oneclass_detector(seed, normal, kw):
    """The default detector without its cross-fitting (``cv=None``): the cross-fitted
    autoencoders only set ``offset_`` (the threshold of ``predict``) and are fit after the
    final one from the same seed, so ``score_samples``, hence the ROC AUC, is the same as
    with the default ``cv=5``, at a sixth of the cost. A ``max_iter`` in ``kw`` caps the
    detector's own default autoencoder for these rows."""
    ae = _default_autoencoder(normal, (28, 28)).set_params(**kw) if kw else None
    return AutoencoderOutlierDetector(ae, cv=None, image_shape=(28, 28), random_state=seed)


def run_mnist_oneclass(s, data_dir):
    kw = max_iter_kw(s["oc_max_iter"])
    table = Table("MNIST one-class: mean ROC AUC over digits "
                  f"{', '.join(map(str, s['oc_digits']))} "
                  f"(skae fits: {epochs_label(s['oc_max_iter'])})", s["seeds"])
    for seed in s["seeds"]:
        X_tr, y_tr, X_te, y_te = mnist(s, data_dir, seed)
        aucs = {"IsolationForest": [], "PCA(32) reconstruction error": [],
                "PCA(32) error of 3 x 3 local means": [],
                "skae AutoencoderOutlierDetector()": [],
                "skae AutoencoderOutlierDetector(image_shape=(28, 28))": []}
        secs = {m: 0.0 for m in aucs}
        # The test images as each PCA score compares them: as they are, and their local means.
        test_means = {1: X_te.astype(np.float64), 3: local_mean(X_te, (1, 28, 28), 3)}
        for digit in s["oc_digits"]:
            normal = X_tr[y_tr == digit]
            is_normal = y_te == digit

            def pca_scores(window=1):
                pca = PCA(min(32, len(normal) - 1), random_state=seed).fit(normal)
                reconstruction = pca.inverse_transform(pca.transform(X_te))
                if window > 1:
                    reconstruction = local_mean(reconstruction, (1, 28, 28), window)
                return -((reconstruction - test_means[window]) ** 2).sum(1)

            def skae_scores():
                # One fit, two scores: without image_shape the detector's score is its
                # autoencoder's score_samples (the plain error), the same fit otherwise.
                detector = oneclass_detector(seed, normal, kw).fit(normal)
                return {"skae AutoencoderOutlierDetector()":
                            detector.estimator_.score_samples(X_te),
                        "skae AutoencoderOutlierDetector(image_shape=(28, 28))":
                            detector.score_samples(X_te)}

            fns = [
                lambda: {"IsolationForest":
                         IsolationForest(random_state=seed).fit(normal).score_samples(X_te)},
                lambda: {"PCA(32) reconstruction error": pca_scores()},
                # The detector's score with image_shape, given to PCA: how much of the gain
                # is the score's, how much the model's.
                lambda: {"PCA(32) error of 3 x 3 local means": pca_scores(3)},
                skae_scores,
            ]
            for fn in fns:
                scores, sec = timed(fn)
                for method, method_scores in scores.items():
                    secs[method] += sec
                    aucs[method].append(roc_auc_score(is_normal, method_scores))
            log(f"  seed {seed} digit {digit}: "
                + ", ".join(f"{m} {a[-1]:.3f}" for m, a in aucs.items()))
        for method in aucs:
            table.add(method, seed, np.mean(aucs[method]), secs[method],
                      goal="mnist-oneclass" if method.startswith("skae") else None)
    table.print()


# The setting AutoencoderTransformer's manifold_weight documents for "reconstruction is the
# goal", chosen on a validation split of the training rows (see its docstring).
RECONSTRUCTION = dict(manifold_weight=0, learning_rate="cosine", learning_rate_init=3e-3,
                      max_iter=40, early_stopping=False)


def run_mnist_reconstruction(s, data_dir):
    """The deep network with the documented reconstruction setting; its ``max_iter`` is
    the setting's own unless ``--max-iter`` or quick mode caps it (the cosine then spans
    the capped budget)."""
    params = dict(RECONSTRUCTION, **max_iter_kw(s["recon_max_iter"]))
    setting = ", ".join(f"{k}={v!r}" for k, v in params.items())
    label = "skae AE (1000, 500, 250)/30, manifold_weight=0"
    table = Table("MNIST 30-D reconstruction: test sum of squared errors per image (skae: "
                  "AutoencoderTransformer(latent_dim=30, hidden_layer_sizes=(1000, 500, 250), "
                  f"{setting}))", s["seeds"], fmt="{:.2f}")
    for seed in s["seeds"]:
        X_tr, _, X_te, _ = mnist(s, data_dir, seed)

        def sse(reconstruction):
            return float(((reconstruction - X_te) ** 2).sum(1).mean())

        table.add("predicting the training mean", seed, sse(X_tr.mean(0)[None, :]))
        pca, sec = timed(lambda: PCA(30, random_state=seed).fit(X_tr))
        table.add("PCA(30)", seed, sse(pca.inverse_transform(pca.transform(X_te))), sec)
        ae = AutoencoderTransformer(latent_dim=30, hidden_layer_sizes=(1000, 500, 250),
                                    random_state=seed, **params)
        cpu = time.process_time()
        _, sec = timed(lambda: ae.fit(X_tr))
        cpu = time.process_time() - cpu
        table.add(label, seed, sse(ae.inverse_transform(ae.transform(X_te))), sec,
                  goal="mnist-reconstruction")
        log(f"  seed {seed}: AE {table.rows[label][seed]:.2f} ({sec:.0f} s wall, {cpu:.0f} "
            f"CPU-s, load {os.getloadavg()[0]:.1f}, {ae.n_iter_} epochs, final loss "
            f"{ae.loss_curve_[-1]:.4f})")
    table.print()


RUNNERS = {
    "digits-labels": lambda s, d: run_digits_labels(s),
    "digits-clustering": lambda s, d: run_digits_clustering(s),
    "tabular": lambda s, d: run_tabular(s),
    "mnist-labels": run_mnist_labels,
    "mnist-labels-images": run_mnist_labels_images,
    "mnist-clustering": run_mnist_clustering,
    "mnist-oneclass": run_mnist_oneclass,
    "mnist-reconstruction": run_mnist_reconstruction,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny subsets and few epochs, for the tests (numbers mean nothing)")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS),
                        help="rows to run (default: all)")
    parser.add_argument("--data-dir", default=os.environ.get(
        "SKAE_MNIST_DIR", str(ROOT.parent / "shared" / "data" / "mnist")),
        help="folder with the MNIST IDX files")
    parser.add_argument("--max-iter", type=int, default=None,
                        help="epochs of skae's fits on MNIST (default: the mode's cap)")
    parser.add_argument("--seeds", nargs="+", type=int, default=None,
                        help="seeds to run (default: the mode's, 0 1 2 in full mode)")
    args = parser.parse_args(argv)
    s = dict(SETTINGS["quick" if args.quick else "full"])
    if args.seeds is not None:
        s["seeds"] = tuple(args.seeds)
    if args.max_iter is not None:
        s["mnist_max_iter"] = s["recon_max_iter"] = args.max_iter
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # umap-learn says that a seed turns its parallelism off; the seed is the point here.
    warnings.filterwarnings("ignore", message="n_jobs value .* overridden")
    log(f"benchmarks/features.py {'--quick ' if args.quick else ''}"
        f"--tasks {' '.join(args.tasks)}")
    log(f"seeds {s['seeds']}; umap-learn {'used' if s['umap'] else 'off'}"
        f"; threads OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    if not args.quick and any(t.startswith("mnist") for t in args.tasks):
        log(f"MNIST rows cost about 15 minutes a row and seed on 2 shared cores, the "
            f"one-class row about 3 ({len(s['seeds'])} seeds here; see the module docstring)")
    start = time.perf_counter()
    for task in args.tasks:
        task_start = time.perf_counter()
        log(f"\n=== {task} ===")
        RUNNERS[task](s, args.data_dir)
        log(f"({task}: {time.perf_counter() - task_start:.0f} s)")
    log(f"\nTotal wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
