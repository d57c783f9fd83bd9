"""The reference tutorial's workflow end to end: fit, measure against baselines, plot, report."""

import sys
import time
import warnings
from contextlib import contextmanager
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from ._io import atomic_write
from .autoencoder import _CLASSIC, AutoencoderTransformer
from .datasets import load_digits, load_mnist
from .metrics import clustering_accuracy

#: Files the demo writes into its output folder.
FIGURES = {
    "loss_curves": "loss_curves.png",
    "reconstructions": "reconstructions.png",
    "latent_space": "latent_space.png",
    "latent_space_wide": "latent_space_tsne.png",
    "manifold": "manifold.png",
}
REPORT = "report.md"


def few_label_indices(y, n_per_class, random_state):
    """Indices of ``n_per_class`` rows of each class, drawn with ``random_state``."""
    rng = np.random.RandomState(random_state)
    return np.concatenate([
        rng.choice(np.flatnonzero(y == c), n_per_class, replace=False) for c in np.unique(y)
    ])


def _log(verbose, message):
    if verbose:
        print(message, file=sys.stderr, flush=True)


def _load(data, data_dir, max_train, random_state):
    if data == "digits":
        X, y = load_digits()
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, random_state=random_state, stratify=y)
        image_shape = (8, 8)
    elif data == "mnist":
        X_train, y_train = load_mnist(data_dir, split="train")
        X_test, y_test = load_mnist(data_dir, split="test")
        image_shape = (28, 28)
    else:
        raise ValueError(f"data must be 'digits' or 'mnist', got {data!r}.")
    if max_train is not None and max_train < len(X_train):
        keep = np.sort(np.random.RandomState(random_state).choice(
            len(X_train), max_train, replace=False))
        X_train, y_train = X_train[keep], y_train[keep]
    return X_train, X_test, y_train, y_test, image_shape


@contextmanager
def _threads(n_threads):
    """Limit torch's and the numeric libraries' thread pools for the block, then restore."""
    if n_threads is None:
        yield
        return
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(limits=n_threads):
            yield
    finally:
        torch.set_num_threads(before)


def run_demo(data="digits", data_dir=None, out_dir="skae-demo", *, max_iter=500,
             latent_dim=16, n_labels_per_class=10, n_label_draws=5, max_train=None,
             n_threads="auto", random_state=0, verbose=1):
    """Fit the reference autoencoder and a wider one, compare with baselines, write a report.

    Two models are trained with early stopping: the reference model of the tutorial
    (hidden layers 128-64-16, 2-D latent, the one that can be drawn) and a model with a
    ``latent_dim``-D latent (hidden 128-64) for the few-label and clustering comparisons,
    where two dimensions lose too much. The folder ``out_dir`` receives the figures listed
    in ``FIGURES`` and ``report.md``, which holds the numbers and shows the figures.

    Parameters
    ----------
    data : {"digits", "mnist"}, default="digits"
        The embedded 8 x 8 digits (80/20 stratified split), or MNIST from ``data_dir``
        (its official train/test split).
    data_dir : str, default=None
        Folder of the MNIST IDX files, for ``data="mnist"``.
    out_dir : str, default="skae-demo"
        Where the figures and the report are written.
    max_iter : int, default=500
        Maximum epochs of each model; early stopping usually ends training sooner.
    latent_dim : int, default=16
        Latent size of the wider model (and of its PCA baseline).
    n_labels_per_class : int, default=10
        Labels kept per class for the few-label comparison.
    n_label_draws : int, default=5
        Random draws of the labelled subset; the report gives mean and standard deviation.
    max_train : int, default=None
        Train on at most this many images (drawn with ``random_state``), for a quicker run.
    n_threads : int, "auto" or None, default="auto"
        Threads for torch and the numeric libraries during the demo (restored after).
        ``"auto"`` uses one thread for the digits, whose tiny batches gain nothing from
        more and slow down badly when the cores are busy, and the libraries' defaults for
        MNIST; None always keeps the defaults.
    random_state : int, default=0
        Seeds the split, the models, the label draws and k-means.
    verbose : int, default=1
        ``1`` prints the steps and a progress bar while fitting.

    Returns
    -------
    results : dict
        The numbers of the report, the paths of the files written (``"files"``) and the
        output folder (``"out_dir"``).
    """
    _check_demo_arguments(out_dir, max_iter=max_iter, latent_dim=latent_dim,
                          max_train=max_train)
    if n_threads == "auto":
        n_threads = 1 if data == "digits" else None
    elif n_threads is not None and (not isinstance(n_threads, int) or n_threads < 1):
        raise ValueError(f"n_threads must be a positive int, 'auto' or None, got {n_threads!r}.")
    with _threads(n_threads):
        return _run(data, data_dir, out_dir, max_iter=max_iter, latent_dim=latent_dim,
                    n_labels_per_class=n_labels_per_class, n_label_draws=n_label_draws,
                    max_train=max_train, random_state=random_state, verbose=verbose)


def _check_demo_arguments(out_dir, **counts):
    """Refuse, before any data is read, what would fail only after the training: a
    non-positive count, an output folder that is a file."""
    for name, value in counts.items():
        if value is None and name == "max_train":
            continue
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir '{out}' is a file, not a folder: give a folder name.")


def _make_folder(out_dir):
    """The output folder, made before the first fit (so a bad path fails in a moment)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"out_dir '{out}' cannot be created: {exc.strerror}.") from None
    return out


def _run(data, data_dir, out_dir, *, max_iter, latent_dim, n_labels_per_class, n_label_draws,
         max_train, random_state, verbose):
    X_train, X_test, y_train, y_test, image_shape = _load(data, data_dir, max_train,
                                                          random_state)
    out = _make_folder(out_dir)
    n_classes = len(np.unique(y_train))
    specs = {
        # The tutorial's reference model: a plain autoencoder (the textbook recipe of the
        # convenience classes), whatever the defaults.
        "reference": dict(latent_dim=2, hidden_layer_sizes=(128, 64, 16), **_CLASSIC),
        "wide": dict(latent_dim=latent_dim, hidden_layer_sizes=(128, 64)),
    }
    models, fits = {}, {}
    for step, (key, spec) in enumerate(specs.items(), 1):
        layers = "-".join(map(str, spec["hidden_layer_sizes"]))
        _log(verbose, f"[{step}/3] Fitting the {'reference ' if key == 'reference' else ''}"
                      f"autoencoder (hidden {layers}, {spec['latent_dim']}-D latent) on "
                      f"{len(X_train)} images of {data}...")
        model = AutoencoderTransformer(**spec, early_stopping=True, validation_fraction=0.2,
                                       max_iter=max_iter, random_state=random_state,
                                       verbose=verbose)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X_train)
        fits[key] = {
            "seconds": time.perf_counter() - start,
            "epochs": model.n_iter_,
            "stopped_early": not any(issubclass(w.category, ConvergenceWarning)
                                     for w in caught),
            "hidden": layers,
            "latent_dim": spec["latent_dim"],
        }
        models[key] = model

    _log(verbose, "[3/3] Comparing with PCA, raw pixels and k-means; drawing the figures...")
    reference, wide = models["reference"], models["wide"]
    pcas = {d: PCA(n_components=d, random_state=random_state).fit(X_train)
            for d in (2, latent_dim)}
    reconstruction = [
        {"dim": d, "autoencoder": -models[k].score(X_test),
         "pca": float(np.mean((pcas[d].inverse_transform(pcas[d].transform(X_test))
                               - X_test) ** 2))}
        for k, d in (("reference", 2), ("wide", latent_dim))
    ]

    features = {
        "raw pixels": (X_train, X_test),
        f"PCA, {latent_dim} components": (pcas[latent_dim].transform(X_train),
                                          pcas[latent_dim].transform(X_test)),
        "autoencoder, 2-D latent": (reference.transform(X_train), reference.transform(X_test)),
        f"autoencoder, {latent_dim}-D latent": (wide.transform(X_train),
                                                wide.transform(X_test)),
    }
    few_label, clustering = {}, {}
    for name, (F_train, F_test) in features.items():
        scores = []
        for draw in range(n_label_draws):
            labeled = few_label_indices(y_train, n_labels_per_class, random_state + draw)
            clf = LogisticRegression(max_iter=5000).fit(F_train[labeled], y_train[labeled])
            scores.append(clf.score(F_test, y_test))
        few_label[name] = (float(np.mean(scores)), float(np.std(scores)))
        kmeans = KMeans(n_clusters=n_classes, n_init=10, random_state=random_state)
        clustering[name] = clustering_accuracy(y_test, kmeans.fit(F_train).predict(F_test))

    files = write_figures(out, reference, wide, pcas[2], X_test, y_test, image_shape,
                          random_state=random_state)
    results = {
        "data": data,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "n_labels": n_labels_per_class * n_classes,
        "n_label_draws": n_label_draws,
        "latent_dim": latent_dim,
        "fits": fits,
        "reconstruction": reconstruction,
        "few_label": few_label,
        "clustering": clustering,
    }
    with atomic_write(out / REPORT, "w", encoding="utf-8") as f:
        f.write(render_report(results))
    results["files"] = [str(out / name) for name in [*files, REPORT]]
    results["out_dir"] = str(out)
    return results


def write_figures(out, reference, wide, pca, X_test, y_test, image_shape, *, random_state=0):
    """Draw the demo's figures into the folder ``out``; return the file names written."""
    import matplotlib.pyplot as plt

    from .plotting import (
        LatentSpaceDisplay,
        LossCurveDisplay,
        ManifoldDisplay,
        ReconstructionDisplay,
    )

    n_latent = wide.latent_dim
    written = []

    def save(figure, key):
        with atomic_write(out / FIGURES[key]) as f:  # a failed run keeps the old figure
            figure.savefig(f, format="png", dpi=110)
        plt.close(figure)
        written.append(FIGURES[key])

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    for ax, model, title in ((axes[0], reference, "reference model, 2-D latent"),
                             (axes[1], wide, f"{n_latent}-D latent model")):
        LossCurveDisplay.from_estimator(model, ax=ax)
        ax.set_title(f"{title}: reconstruction MSE per epoch")
        ax.set_ylabel("mean squared error")
    save(fig, "loss_curves")

    n_images = 10
    fig, axes = plt.subplots(3, 1, figsize=(9, 6.6), layout="constrained")
    panels = (
        (reference, "Autoencoder, 2-D latent"),
        (pca, "PCA, 2 components"),
        (wide, f"Autoencoder, {n_latent}-D latent"),
    )
    for ax, (model, title) in zip(axes, panels):
        if isinstance(model, PCA):
            display = ReconstructionDisplay.from_predictions(
                X_test, model.inverse_transform(model.transform(X_test)),
                image_shape=image_shape, n_images=n_images, random_state=random_state, ax=ax)
        else:
            display = ReconstructionDisplay.from_estimator(
                model, X_test, image_shape=image_shape, n_images=n_images,
                random_state=random_state, ax=ax)
        mse = float(np.mean((display.X - display.X_reconstructed) ** 2))
        ax.set_title(f"{title}: test images and reconstructions (test MSE {mse:.4f})")
    save(fig, "reconstructions")

    max_points = 3000
    display = LatentSpaceDisplay.from_estimator(reference, X_test, y_test,
                                                max_samples=max_points,
                                                random_state=random_state)
    display.ax_.get_legend().set_title("digit")
    display.ax_.set_title("Reference model: 2-D latent codes of the test images")
    save(display.figure_, "latent_space")

    display = LatentSpaceDisplay.from_estimator(wide, X_test, y_test, method="tsne",
                                                max_samples=min(max_points, 2000),
                                                random_state=random_state)
    display.ax_.get_legend().set_title("digit")
    display.ax_.set_title(f"{n_latent}-D latent codes of the test images (t-SNE)")
    save(display.figure_, "latent_space_wide")

    display = ManifoldDisplay.from_estimator(reference, X_test, n_per_side=15,
                                             image_shape=image_shape)
    display.ax_.set_title("Reference model: images decoded from a grid of the 2-D latent")
    save(display.figure_, "manifold")
    return written


def render_report(r):
    """The demo's Markdown report: what was fitted, the three comparisons, the figures."""
    ref, wide = r["fits"]["reference"], r["fits"]["wide"]
    d = r["latent_dim"]

    def fit_line(f, name):
        how = (f"stopped early after {f['epochs']} epochs" if f["stopped_early"]
               else f"ran all {f['epochs']} epochs (raise --max-iter for a better model)")
        return (f"- {name}: hidden layers {f['hidden']}, {f['latent_dim']}-D latent; "
                f"{how}, {f['seconds']:.1f} s.")

    lines = [
        f"# skae demo on {r['data']}",
        "",
        f"{r['n_train']} training and {r['n_test']} test images. Two autoencoders, trained "
        "with early stopping on 20% of the training images:",
        "",
        fit_line(ref, "the reference model of the tutorial"),
        fit_line(wide, "a wider model for the classification and clustering rows"),
        "",
        "## Test reconstruction error (mean squared error per pixel, lower is better)",
        "",
        "| latent size | autoencoder | PCA, same size |",
        "| --- | --- | --- |",
    ]
    for row in r["reconstruction"]:
        lines.append(f"| {row['dim']} | {row['autoencoder']:.4f} | {row['pca']:.4f} |")
    lines += [
        "",
        f"## Few labels: logistic regression on {r['n_labels']} labelled training images",
        "",
        f"Test accuracy, mean and standard deviation over {r['n_label_draws']} random draws "
        "of the labelled images (higher is better).",
        "",
        "| features | accuracy |",
        "| --- | --- |",
    ]
    for name, (mean, std) in r["few_label"].items():
        lines.append(f"| {name} | {mean:.3f} ± {std:.3f} |")
    lines += [
        "",
        "## Clustering: k-means with one cluster per class",
        "",
        "Fitted on the training images without labels; test accuracy under the best "
        "one-to-one matching of clusters to classes (higher is better).",
        "",
        "| features | accuracy |",
        "| --- | --- |",
    ]
    for name, acc in r["clustering"].items():
        lines.append(f"| {name} | {acc:.3f} |")
    lines += ["", "## What the numbers say", "", *_verdict(r), "",
              "## Figures", ""]
    captions = {
        "loss_curves": "Training and validation loss per epoch",
        "reconstructions": "Test images (top row of each panel) and their reconstructions",
        "latent_space": "The reference model's 2-D latent space, coloured by digit",
        "latent_space_wide": f"The {d}-D latent space through t-SNE",
        "manifold": "Images decoded from a regular grid of the 2-D latent space",
    }
    for key, name in FIGURES.items():
        lines += [f"### {captions[key]}", "", f"![{captions[key]}]({name})", ""]
    return "\n".join(lines)


def _verdict(r):
    """Plain sentences comparing the autoencoders with the baselines, from the numbers."""
    d = r["latent_dim"]
    out = []
    for row in r["reconstruction"]:
        ae, pca = row["autoencoder"], row["pca"]
        word = "lower" if ae < pca else "higher"
        out.append(f"- Reconstruction, {row['dim']}-D: the autoencoder's error is {word} "
                   f"than PCA's ({ae:.4f} vs {pca:.4f}, {abs(1 - ae / pca):.0%} {word}).")
    for label, table in (("Few labels", r["few_label"]), ("Clustering", r["clustering"])):
        score = {k: (v[0] if isinstance(v, tuple) else v) for k, v in table.items()}
        best = max(score, key=score.get)
        ae = score[f"autoencoder, {d}-D latent"]
        pixels = score["raw pixels"]
        relation = "beats" if ae > pixels else "does not beat"
        out.append(f"- {label}: the {d}-D autoencoder latent ({ae:.3f}) {relation} raw pixels "
                   f"({pixels:.3f}); best here: {best} ({score[best]:.3f}). The 2-D latent "
                   f"({score['autoencoder, 2-D latent']:.3f}) is for drawing, not for this.")
    if r["data"] == "digits":
        out.append("- The 8 x 8 digits are small and close to linearly separable, so raw "
                   "pixels are a strong baseline; run `skae demo --data mnist --data-dir DIR` "
                   "for the 28 x 28 images.")
    return out
