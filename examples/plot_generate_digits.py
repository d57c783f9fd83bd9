"""
Generating digits with a variational autoencoder
================================================

A ``VariationalAutoencoder`` learns a decoder that maps a standard normal latent space to the
data distribution. ``sample`` draws codes from that prior and decodes them into new images;
``score_samples`` gives each image its evidence lower bound (ELBO), higher for images the
model finds likely. We draw digits, look at the 2-D latent space, and check that real test
digits score higher than noise images.

Set ``SKAE_EXAMPLES_QUICK=1`` for a fast run with fewer epochs.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files, open no window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skae import VariationalAutoencoder  # noqa: E402
from skae.datasets import load_digits  # noqa: E402
from skae.plotting import LatentSpaceDisplay, SampleDisplay  # noqa: E402

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
MAX_ITER = 10 if QUICK else 400

X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                    stratify=y)

# %%
# A 2-D latent space keeps the picture simple; beta=1 is the plain VAE.
vae = VariationalAutoencoder(latent_dim=2, hidden_layer_sizes=(128, 64), beta=1.0,
                             max_iter=MAX_ITER, early_stopping=True, random_state=0)
vae.fit(X_train)

# %%
# New digits from the prior, and how likely the model finds real digits against noise.
samples = vae.sample(5, random_state=0)
noise = np.random.RandomState(0).uniform(size=X_test.shape)
print(f"sampled images: shape {samples.shape}, values in [{samples.min():.2f}, "
      f"{samples.max():.2f}]")
print(f"mean ELBO, test digits: {vae.score_samples(X_test).mean():.1f} nats")
print(f"mean ELBO, uniform noise: {vae.score_samples(noise).mean():.1f} nats")

fig, (ax_samples, ax_latent) = plt.subplots(1, 2, figsize=(11, 5))
SampleDisplay.from_estimator(vae, n_samples=36, random_state=0, ax=ax_samples)
LatentSpaceDisplay.from_estimator(vae, X_test, y_test, ax=ax_latent)
fig.tight_layout()
fig.savefig("generate_digits.png", dpi=100)
print("wrote generate_digits.png")
