"""The autoencoder family on MNIST, side by side with PCA.

Each model trains on the MNIST train split for the same budget of CPU time (process time,
so other jobs on a shared machine do not skew it), one epoch at a time with
``partial_fit``; then, on the test split, it reports the reconstruction MSE (per pixel, and
as the squared error summed over the 784 pixels), the accuracy of a 5-nearest-neighbour
classifier fit on the train codes, and the accuracy (Hungarian-matched) and NMI of k-means
with 10 clusters on the test codes. PCA at the same sizes is the baseline row.

Published anchors: at 2 dims PCA gives a test MSE of about 0.056 and a small VAE about
0.041; at 30 dims Hinton & Salakhutdinov (2006) report a squared error per test image of
3.00 for a deep autoencoder and 13.87 for PCA.

Usage::

    python benchmarks/variants.py --quick            # 10k train / 2k test, 8 s per model
    python benchmarks/variants.py                    # full splits, 60 s per model
    python benchmarks/variants.py --latent-dims 30 --variants ae,conv
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import normalized_mutual_info_score
from sklearn.neighbors import KNeighborsClassifier

from skae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    VariationalAutoencoder,
)
from skae.datasets import load_mnist
from skae.metrics import clustering_accuracy

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
MLP = {"hidden_layer_sizes": (256, 64), "batch_size": 128}
CONV = {"hidden_layer_sizes": (16, 32), "batch_size": 128, "image_shape": (1, 28, 28)}

VARIANTS = {
    "ae": ("AE (MLP 256-64)", lambda d: AutoencoderTransformer(d, **MLP)),
    "sparse": ("Sparse AE (KL, rho=0.05, w=0.1)", lambda d: SparseAutoencoder(d, **MLP)),
    "denoising": ("Denoising AE (mask 25%)", lambda d: DenoisingAutoencoder(d, **MLP)),
    "contractive": ("Contractive AE (lambda=1e-3)", lambda d: ContractiveAutoencoder(d, **MLP)),
    "vae": ("VAE (MLP 256-64, beta=1)", lambda d: VariationalAutoencoder(d, **MLP)),
    "conv": ("Conv AE (16-32 ch)", lambda d: AutoencoderTransformer(d, **CONV)),
    "conv_vae": ("Conv VAE (16-32 ch)", lambda d: VariationalAutoencoder(d, **CONV)),
}
DEFAULT_VARIANTS = "ae,sparse,denoising,contractive,vae,conv"


def train_for(model, X, cpu_seconds):
    """Run epochs of ``partial_fit`` until ``cpu_seconds`` of process time are spent."""
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    while time.process_time() - start_cpu < cpu_seconds:
        model.partial_fit(X)
    return time.process_time() - start_cpu, time.perf_counter() - start_wall


def cluster_scores(Z, y, random_state=0):
    """Hungarian-matched accuracy and NMI of k-means with 10 clusters."""
    labels = KMeans(10, n_init=10, random_state=random_state).fit_predict(Z)
    return clustering_accuracy(y, labels), normalized_mutual_info_score(y, labels)


def evaluate(transform, reconstruct, X_train, y_train, X_test, y_test):
    Z_train, Z_test = transform(X_train), transform(X_test)
    mse = float(np.mean((reconstruct(X_test) - X_test) ** 2))
    knn = KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)
    acc, nmi = cluster_scores(Z_test, y_test)
    return {"mse": mse, "sse": mse * X_test.shape[1], "knn": knn, "kmeans": acc, "nmi": nmi}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="10k train / 2k test images and 8 s per model")
    parser.add_argument("--budget", type=float, default=None,
                        help="CPU seconds of training per model (default 60, quick 8)")
    parser.add_argument("--latent-dims", default="2,10")
    parser.add_argument("--variants", default=DEFAULT_VARIANTS,
                        help=f"comma-separated, from {','.join(VARIANTS)}")
    parser.add_argument("--data-dir", default=str(MNIST_DIR))
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    budget = args.budget if args.budget is not None else (8.0 if args.quick else 60.0)
    dims = [int(d) for d in args.latent_dims.split(",")]
    names = args.variants.split(",")
    unknown = set(names) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; choose from {sorted(VARIANTS)}")
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=UserWarning)

    X_train, y_train = load_mnist(args.data_dir, split="train")
    X_test, y_test = load_mnist(args.data_dir, split="test")
    if args.quick:
        X_train, y_train, X_test, y_test = X_train[:10000], y_train[:10000], X_test[:2000], \
            y_test[:2000]
    print(f"MNIST: {len(X_train)} train / {len(X_test)} test images; {budget:g} CPU-s of "
          f"training per model, torch threads={args.threads}, seed={args.seed}", flush=True)

    for d in dims:
        rows = []
        start = time.process_time(), time.perf_counter()
        pca = PCA(d, random_state=args.seed).fit(X_train)
        cpu, wall = time.process_time() - start[0], time.perf_counter() - start[1]
        scores = evaluate(pca.transform,
                          lambda X, m=pca: m.inverse_transform(m.transform(X)),
                          X_train, y_train, X_test, y_test)
        rows.append(("PCA", scores, cpu, wall, "-"))
        print(f"  d={d} PCA done", flush=True)
        for name in names:
            label, make = VARIANTS[name]
            model = make(d).set_params(random_state=args.seed)
            cpu, wall = train_for(model, X_train, budget)
            scores = evaluate(model.transform,
                              lambda X, m=model: m.inverse_transform(m.transform(X)),
                              X_train, y_train, X_test, y_test)
            last = {k: round(v, 4) for k, v in model.history_[-1].items() if k != "epoch"}
            print(f"  d={d} {label}: {model.n_iter_} epochs, last epoch {last}", flush=True)
            rows.append((label, scores, cpu, wall, model.n_iter_))
        print(f"\n### Latent size {d}\n")
        print("| model | test MSE | SSE / image | kNN acc | k-means acc | NMI | epochs "
              "| train CPU s | train wall s |")
        print("|---|---|---|---|---|---|---|---|---|")
        for label, s, cpu, wall, epochs in rows:
            print(f"| {label} | {s['mse']:.4f} | {s['sse']:.2f} | {s['knn']:.3f} | "
                  f"{s['kmeans']:.3f} | {s['nmi']:.3f} | {epochs} | {cpu:.0f} | {wall:.0f} |")
        print(flush=True)


if __name__ == "__main__":
    main()
