"""
Autoencoder features in a scikit-learn Pipeline
===============================================

An ``AutoencoderTransformer`` learns a compact code from the images without labels; a
``LogisticRegression`` then classifies that code. Because the autoencoder is a transformer,
the two sit in one ``Pipeline`` that is fitted, scored and cross-validated like any model.
We compare it with the same classifier on raw pixels and on PCA features of the same size.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.datasets import load_digits  # noqa: E402
from skae.plotting import LatentSpaceDisplay  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 10 if QUICK else 300
LATENT_DIM = 16

X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                    stratify=y)

# %%
# The pipeline: the autoencoder is fitted on X_train (its y is ignored), then the classifier
# on the codes. ``early_stopping`` holds out 10% of the images to decide when to stop.
pipe = Pipeline([
    ("autoencoder", AutoencoderTransformer(latent_dim=LATENT_DIM, hidden_layer_sizes=(128, 64),
                                           early_stopping=True, max_iter=MAX_ITER,
                                           random_state=0)),
    ("classifier", LogisticRegression(max_iter=5000)),
])
pipe.fit(X_train, y_train)

baselines = {
    "raw pixels (64)": LogisticRegression(max_iter=5000),
    f"PCA ({LATENT_DIM})": make_pipeline(PCA(LATENT_DIM, random_state=0),
                                         LogisticRegression(max_iter=5000)),
}
accuracy = {f"autoencoder ({LATENT_DIM})": pipe.score(X_test, y_test)}
for name, model in baselines.items():
    accuracy[name] = model.fit(X_train, y_train).score(X_test, y_test)
for name, score in accuracy.items():
    print(f"test accuracy, {name:>18}: {score:.3f}")

# %%
# The figure: test accuracy of the three feature sets, and the autoencoder's latent space
# (16 dimensions, drawn through PCA) coloured by digit.
fig, (ax_bar, ax_latent) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
bars = ax_bar.bar(list(accuracy), list(accuracy.values()), color=["C0", "C7", "C1"])
ax_bar.bar_label(bars, fmt="%.3f")
ax_bar.set_ylim(0, 1.05)
ax_bar.set_ylabel("test accuracy")
ax_bar.set_title("Logistic regression on three feature sets")
LatentSpaceDisplay.from_estimator(pipe.named_steps["autoencoder"], X_test, y_test,
                                  method="pca", ax=ax_latent)
fig.savefig("plot_pipeline.png", dpi=100)
print("wrote plot_pipeline.png")
