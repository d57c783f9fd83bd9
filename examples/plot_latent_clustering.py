"""
Clustering in the latent space
==============================

Three ways to cluster digits without their labels, measured by the accuracy of the best
one-to-one match of clusters to digits (the Hungarian algorithm) and by NMI:

1. ``Pipeline([AutoencoderTransformer(), KMeans()])``: k-means on the latent code;
   ``fit_predict`` works as on any clusterer.
2. ``DeepEmbeddedClustering``: starts from the same k-means and refines the encoder for
   clustering (DEC / IDEC: Student-t soft assignments pulled toward a sharpened target).
3. The N2D recipe (McConville et al. 2020): autoencoder, then UMAP on the codes, then a
   Gaussian mixture, as a Pipeline (``skae.LatentClustering`` is the same as one estimator).

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.metrics import normalized_mutual_info_score  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skae import AutoencoderTransformer, DeepEmbeddedClustering  # noqa: E402
from skae.datasets import load_digits  # noqa: E402
from skae.metrics import clustering_accuracy  # noqa: E402

from umap import UMAP  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 20 if QUICK else 200


X, y = load_digits()
# One autoencoder, fit once, shared by every method (FrozenEstimator keeps it as is).
ae = FrozenEstimator(AutoencoderTransformer(latent_dim=10, hidden_layer_sizes=(256, 64),
                                            max_iter=MAX_ITER, random_state=0).fit(X))

methods = {
    "k-means, pixels": KMeans(10, n_init=10, random_state=0),
    "AE + k-means": Pipeline([("ae", ae), ("kmeans", KMeans(10, n_init=10, random_state=0))]),
    "DEC / IDEC": DeepEmbeddedClustering(ae, n_clusters=10, max_iter=10 if QUICK else 100,
                                         random_state=0),
}
methods["AE + UMAP + GMM (N2D)"] = Pipeline([
    ("ae", ae),
    ("umap", UMAP(n_components=10, n_neighbors=20, min_dist=0.0, random_state=0)),
    ("gmm", GaussianMixture(10, covariance_type="full", random_state=0)),
])

results = {}
for name, model in methods.items():
    labels = model.fit_predict(X)
    results[name] = (clustering_accuracy(y, labels), normalized_mutual_info_score(y, labels))
    print(f"{name:>22}: accuracy {results[name][0]:.3f}, NMI {results[name][1]:.3f}")

# %%
# The figure: accuracy and NMI of each method.
fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
positions = np.arange(len(results))
for offset, (metric, column) in zip((-0.2, 0.2), (("accuracy", 0), ("NMI", 1))):
    bars = ax.bar(positions + offset, [r[column] for r in results.values()], width=0.4,
                  label=metric)
    ax.bar_label(bars, fmt="%.2f")
ax.set_xticks(positions, list(results))
ax.set_ylim(0, 1.1)
ax.legend()
ax.set_title("Clustering the digits into 10 groups, no labels used")
fig.savefig("plot_latent_clustering.png", dpi=100)
print("wrote plot_latent_clustering.png")
