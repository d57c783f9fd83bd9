"""
Anomaly detection by reconstruction error
=========================================

An autoencoder trained on normal data only reconstructs normal samples well and anything
else badly. ``AutoencoderOutlierDetector`` turns that into a scikit-learn outlier detector
with the conventions of ``IsolationForest``: ``score_samples`` (higher is more normal),
``decision_function`` (negative for outliers) and ``predict`` (+1 / -1).

Here the "normal" data is one digit; every other digit is an anomaly. We train on the
eights alone and rank held-out eights against all other digits, next to ``IsolationForest``
and the reconstruction error of ``PCA``. On these small 8 x 8 images PCA is a strong
baseline; on MNIST (``benchmarks/applications.py``) the autoencoder comes out ahead.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from skae import AutoencoderOutlierDetector, AutoencoderTransformer  # noqa: E402
from skae.datasets import load_digits  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 20 if QUICK else 300
NORMAL_DIGIT = 8

X, y = load_digits()
rng = np.random.RandomState(0)
normal = X[y == NORMAL_DIGIT][rng.permutation(np.sum(y == NORMAL_DIGIT))]
X_train = normal[:120]                            # training: one digit only
X_test = np.concatenate([normal[120:], X[y != NORMAL_DIGIT]])
is_normal = np.r_[np.ones(len(normal) - 120), np.zeros(np.sum(y != NORMAL_DIGIT))]

# %%
# The detector: any skae autoencoder goes in ``estimator``; ``contamination`` sets the
# threshold (here: flag the 5% of training samples that reconstruct worst).
detector = AutoencoderOutlierDetector(
    AutoencoderTransformer(latent_dim=8, hidden_layer_sizes=(32,), max_iter=MAX_ITER,
                           random_state=0),
    contamination=0.05,
).fit(X_train)
scores = detector.score_samples(X_test)
flagged = detector.predict(X_test) == -1
print(f"flagged as outliers: {flagged[is_normal == 0].mean():.1%} of the other digits, "
      f"{flagged[is_normal == 1].mean():.1%} of the held-out {NORMAL_DIGIT}s")

# %%
# Baselines on the same split, scored the same way (ROC AUC of "normal" vs the rest).
pca = PCA(n_components=8, random_state=0).fit(X_train)
baseline_scores = {
    "IsolationForest": IsolationForest(random_state=0).fit(X_train).score_samples(X_test),
    "PCA reconstruction": -((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2
                            ).mean(axis=1),
}
auc = {"autoencoder": roc_auc_score(is_normal, scores)}
auc.update({name: roc_auc_score(is_normal, s) for name, s in baseline_scores.items()})
for name, value in auc.items():
    print(f"ROC AUC, {name:>18}: {value:.3f}")

# %%
# The figure: the score distributions of normal and anomalous digits with the threshold,
# and the ROC AUC of the three detectors.
fig, (ax_hist, ax_bar) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
bins = np.linspace(scores.min(), scores.max(), 40)
ax_hist.hist(scores[is_normal == 1], bins=bins, alpha=0.7, density=True,
             label=f"held-out {NORMAL_DIGIT}s")
ax_hist.hist(scores[is_normal == 0], bins=bins, alpha=0.7, density=True, label="other digits")
ax_hist.axvline(detector.offset_, color="k", linestyle="--", label="threshold (offset_)")
ax_hist.set_xlabel("score_samples (minus the reconstruction error)")
ax_hist.set_ylabel("density")
ax_hist.legend()
ax_hist.set_title("Higher is more normal")
bars = ax_bar.bar(list(auc), list(auc.values()), color=["C0", "C7", "C1"])
ax_bar.bar_label(bars, fmt="%.3f")
ax_bar.set_ylim(0, 1.05)
ax_bar.set_ylabel("ROC AUC")
ax_bar.set_title(f"Trained on {NORMAL_DIGIT}s only")
fig.savefig("plot_anomaly_detection.png", dpi=100)
print("wrote plot_anomaly_detection.png")
