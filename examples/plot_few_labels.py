"""
Classification with few labels
==============================

Labels are expensive; images are not. With 5 labeled images per digit and the rest
unlabeled (``y = -1``, scikit-learn's convention), the autoencoder can still learn from
every image. Four ways to use that with skae:

1. **The Pipeline path**: fit an ``AutoencoderTransformer`` on every row, wrap it in
   ``sklearn.frozen.FrozenEstimator``, and put it in front of a classifier fit on the
   labeled rows: ``Pipeline([("ae", FrozenEstimator(ae)), ("clf", LogisticRegression())])``.
2. ``LatentClassifier``: the same in one estimator that takes ``y`` with ``-1``; with
   ``unlabeled="keep"`` the classifier sees the unlabeled rows too, for
   ``SelfTrainingClassifier``.
3. ``ManifoldLabelSpreading``: the labels spread over UMAP's neighbour graph of the codes,
   with a cluster-based answer for the rows the labels do not reach (scikit-learn's
   ``LabelSpreading(kernel="knn")`` on the codes leaves such rows without any class mass,
   and new rows whose neighbours are among them with NaN probabilities).
4. ``AutoencoderClassifier``: a classification head on the latent code, trained jointly
   with the reconstruction, so the labels shape the encoder.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.semi_supervised import SelfTrainingClassifier  # noqa: E402

from skae import (  # noqa: E402
    AutoencoderClassifier,
    AutoencoderTransformer,
    LatentClassifier,
    ManifoldLabelSpreading,
)
from skae.datasets import load_digits  # noqa: E402
from skae.demo import few_label_indices  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 20 if QUICK else 200
PER_CLASS = 5

X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                    stratify=y)
labeled = np.sort(few_label_indices(y_train, PER_CLASS, random_state=0))
y_few = np.full_like(y_train, -1)          # -1 marks an unlabeled row
y_few[labeled] = y_train[labeled]
print(f"{len(labeled)} labeled rows, {np.sum(y_few == -1)} unlabeled")

# %%
# The autoencoder learns from all training rows, labeled or not.
ae = AutoencoderTransformer(latent_dim=32, hidden_layer_sizes=(256,), max_iter=MAX_ITER,
                            random_state=0).fit(X_train)
frozen = FrozenEstimator(ae)   # fit stays a no-op inside a Pipeline

models = {
    "LogReg, pixels": LogisticRegression(max_iter=2000).fit(X_train[labeled], y_few[labeled]),
    "Pipeline: frozen AE + LogReg": Pipeline([
        ("ae", frozen), ("clf", LogisticRegression(max_iter=2000))
    ]).fit(X_train[labeled], y_few[labeled]),
    "AE + SelfTraining": LatentClassifier(
        frozen, SelfTrainingClassifier(LogisticRegression(max_iter=2000)),
        unlabeled="keep").fit(X_train, y_few),
    "ManifoldLabelSpreading": ManifoldLabelSpreading(frozen, random_state=0).fit(X_train, y_few),
    "AutoencoderClassifier (joint)": AutoencoderClassifier(
        frozen, max_iter=5 if QUICK else 30, random_state=0).fit(X_train, y_few),
}
accuracy = {name: model.score(X_test, y_test) for name, model in models.items()}
for name, value in accuracy.items():
    print(f"test accuracy, {name:>30}: {value:.3f}")

# %%
# The figure: test accuracy with the same 50 labels.
fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
bars = ax.barh(list(accuracy), list(accuracy.values()),
               color=["C7"] + ["C0"] * (len(accuracy) - 1))
ax.bar_label(bars, fmt="%.3f")
ax.set_xlim(0, 1.1)
ax.invert_yaxis()
ax.set_xlabel("test accuracy")
ax.set_title(f"Digits with {PER_CLASS} labels per class")
fig.savefig("plot_few_labels.png", dpi=100)
print("wrote plot_few_labels.png")
