"""
Saving and loading a fitted autoencoder with joblib
===================================================

A fitted ``AutoencoderTransformer`` pickles like any scikit-learn estimator: ``joblib.dump``
writes the weights, the input scaling and the training history; ``joblib.load`` gives back a
model whose ``transform`` is identical. A model trained on a GPU is saved with CPU tensors,
so it loads anywhere. The same files are what ``skae fit`` writes and ``skae transform``
reads.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import joblib  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.datasets import load_digits  # noqa: E402
from skae.plotting import LossCurveDisplay, ReconstructionDisplay  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 10 if QUICK else 300

X, _ = load_digits()
model = AutoencoderTransformer(latent_dim=8, early_stopping=True, max_iter=MAX_ITER,
                               random_state=0).fit(X)

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "autoencoder.joblib"
    joblib.dump(model, path)
    print(f"saved {path.stat().st_size / 1024:.0f} KiB")
    loaded = joblib.load(path)

# %%
# The loaded model encodes exactly as the original, and keeps its training history.
assert np.array_equal(loaded.transform(X), model.transform(X))
assert loaded.history_ == model.history_
print("transform identical after loading:", np.array_equal(loaded.transform(X),
                                                            model.transform(X)))

fig, (ax_loss, ax_rec) = plt.subplots(
    2, 1, figsize=(9, 6.5), layout="constrained", gridspec_kw={"height_ratios": [1.3, 1]})
LossCurveDisplay.from_estimator(loaded, ax=ax_loss)
ax_loss.set_title("Loaded model: its training history came along")
ReconstructionDisplay.from_estimator(loaded, X, n_images=10, random_state=0, ax=ax_rec)
ax_rec.set_title("Loaded model: digits and their reconstructions")
fig.savefig("plot_save_load.png", dpi=100)
print("wrote plot_save_load.png")
