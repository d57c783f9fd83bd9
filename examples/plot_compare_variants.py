"""
Comparing the autoencoder family
================================

The same digits through a plain, a sparse, a denoising, a contractive and a variational
autoencoder, and PCA. For each we measure the test reconstruction error on clean images and on
images with a quarter of their pixels masked (the denoising model's home ground), and what
each regulariser does to the code: the mean activation of the sparse code and the contractive
model's sensitivity to its input. Every variant is the same estimator machinery with one or two
parameters changed, so they also combine, e.g. ``AutoencoderTransformer(sparsity_weight=0.1,
noise="mask")`` is a sparse denoising autoencoder.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skae import (  # noqa: E402
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    VariationalAutoencoder,
)
from skae.datasets import load_digits  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 5 if QUICK else 300
COMMON = {"hidden_layer_sizes": (128,), "max_iter": MAX_ITER, "early_stopping": True,
          "random_state": 0}

X, y = load_digits()
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0, stratify=y)
mask = np.random.RandomState(1).uniform(size=X_test.shape) < 0.25
X_masked = np.where(mask, 0.0, X_test)

models = {
    "plain": AutoencoderTransformer(latent_dim=16, **COMMON),
    "sparse": SparseAutoencoder(latent_dim=64, **COMMON),
    "denoising": DenoisingAutoencoder(latent_dim=16, **COMMON),
    "contractive": ContractiveAutoencoder(latent_dim=16, **COMMON),
    "variational": VariationalAutoencoder(latent_dim=16, **COMMON),
}


def mse(model, X_in):
    reconstruction = model.inverse_transform(model.transform(X_in))
    return float(np.mean((reconstruction - X_test) ** 2))


rows = {}
pca = PCA(16, random_state=0).fit(X_train)
rows["PCA (16)"] = (mse(pca, X_test), mse(pca, X_masked))
for name, model in models.items():
    model.fit(X_train)
    rows[f"{name} ({model.latent_dim})"] = (mse(model, X_test), mse(model, X_masked))

print(f"{'model':>18} | clean MSE | masked-input MSE")
for name, (clean, masked) in rows.items():
    print(f"{name:>18} | {clean:9.4f} | {masked:.4f}")
sparse_code = models["sparse"].transform(X_test)
print(f"sparse code: mean activation {sparse_code.mean():.3f} "
      f"(target {models['sparse'].sparsity_target})")

# %%
# Clean and masked-input reconstruction error side by side.
fig, ax = plt.subplots(figsize=(8, 4.5))
names = list(rows)
positions = np.arange(len(names))
ax.bar(positions - 0.2, [rows[n][0] for n in names], width=0.4, label="clean input")
ax.bar(positions + 0.2, [rows[n][1] for n in names], width=0.4,
       label="25% of input pixels masked")
ax.set_xticks(positions, names, rotation=20, ha="right")
ax.set_ylabel("test MSE against the clean image")
ax.set_title("The autoencoder family on the digits")
ax.legend()
fig.tight_layout()
fig.savefig("compare_variants.png", dpi=100)
print("wrote compare_variants.png")
