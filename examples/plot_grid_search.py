"""
Choosing the latent size with GridSearchCV
==========================================

``AutoencoderTransformer.score`` is the negative mean reconstruction error, so
``GridSearchCV`` can tune an autoencoder with no labels at all. Here it tries several
``latent_dim`` values with 3-fold cross-validation; we plot the cross-validated
reconstruction error next to PCA's at the same sizes.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer sizes and epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.datasets import load_digits  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
LATENT_DIMS = [2, 8] if QUICK else [2, 4, 8, 16, 32]
MAX_ITER = 10 if QUICK else 300

X, _ = load_digits()
cv = KFold(n_splits=3, shuffle=True, random_state=0)

# %%
# The search: no ``y`` is passed; each candidate is scored by its reconstruction error on
# the held-out fold.
search = GridSearchCV(
    AutoencoderTransformer(hidden_layer_sizes=(128, 64), early_stopping=True,
                           max_iter=MAX_ITER, random_state=0),
    {"latent_dim": LATENT_DIMS}, cv=cv,
)
search.fit(X)
print("best latent_dim:", search.best_params_["latent_dim"])

ae_error = -search.cv_results_["mean_test_score"]
ae_std = search.cv_results_["std_test_score"]


# %%
# PCA's cross-validated reconstruction error at the same sizes, for comparison.
def pca_score(estimator, X_fold, y=None):
    return -np.mean((estimator.inverse_transform(estimator.transform(X_fold)) - X_fold) ** 2)


pca_error = [-cross_val_score(PCA(d), X, cv=cv, scoring=pca_score).mean() for d in LATENT_DIMS]
for d, ae, pca in zip(LATENT_DIMS, ae_error, pca_error):
    print(f"latent_dim={d:>2}: autoencoder MSE {ae:.4f}, PCA MSE {pca:.4f}")

fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
ax.errorbar(LATENT_DIMS, ae_error, yerr=ae_std, marker="o", capsize=3, label="autoencoder")
ax.plot(LATENT_DIMS, pca_error, marker="s", linestyle="--", label="PCA")
ax.set_xscale("log", base=2)
ax.set_xticks(LATENT_DIMS, [str(d) for d in LATENT_DIMS])
ax.set_xlabel("latent_dim (number of components)")
ax.set_ylabel("cross-validated reconstruction MSE")
ax.set_title("GridSearchCV over latent_dim, scored without labels")
ax.legend()
ax.grid(alpha=0.3)
fig.savefig("plot_grid_search.png", dpi=100)
print("wrote plot_grid_search.png")
