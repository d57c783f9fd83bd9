"""The ``skae`` command line; it calls the public API only.

``skae demo`` runs the tutorial end to end; ``skae fit``, ``skae transform`` and ``skae score``
work from data files (``.npy``, ``.npz``, ``.csv``) and a model file written with joblib.
"""

import argparse
import inspect
import os
import re
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np

SUFFIXES = (".npy", ".npz", ".csv")
# Parameters the command line sets itself, or that make no sense from a shell.
_NOT_OPTIONS = {"verbose"}
_DEFAULT_MODEL = "AutoencoderTransformer"


class CommandError(Exception):
    """A problem with the user's input: printed as one line, exit status 2."""


# -- reading and writing data files --------------------------------------------------------------

def read_data(path, *, what="DATA"):
    """A 2-D float array from a ``.npy``, ``.npz`` or ``.csv`` file.

    An ``.npz`` file gives its array named ``X``, or its only array. A ``.csv`` file is
    comma-separated numbers with an optional header row. Arrays of images
    ``(n_samples, height, width[, channels])`` are flattened to one row per sample.
    """
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{what} file '{path}' does not exist.")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CommandError(f"{what} file '{path}' has an unsupported type '{suffix}'; use "
                           f"{', '.join(SUFFIXES)}.")
    try:
        if suffix == ".npy":
            with open(path, "rb") as f:
                if f.read(6) != b"\x93NUMPY":
                    raise CommandError(f"{what} file '{path}' is not a .npy file (it does not "
                                       "start with the NumPy header); is it corrupt?")
            X = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                names = list(archive.files)
                if not names:
                    raise CommandError(f"{what} file '{path}' holds no array.")
                if "X" in names:
                    name = "X"
                elif len(names) == 1:
                    name = names[0]
                else:
                    raise CommandError(
                        f"{what} file '{path}' holds several arrays ({', '.join(names)}); "
                        "name the one to use 'X'.")
                X = archive[name]
        else:
            X = _read_csv(path)
    except CommandError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise CommandError(f"cannot read {what} file '{path}' as {suffix}: {exc}") from None
    if X.dtype.kind not in "biuf":
        raise CommandError(f"{what} file '{path}' must hold numbers, got dtype {X.dtype}.")
    if X.ndim == 1:
        raise CommandError(
            f"{what} file '{path}' holds a 1-D array of shape {X.shape}; it must be a table "
            "with one row per sample and one column per feature.")
    if X.ndim > 2:
        X = X.reshape(len(X), -1)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise CommandError(f"{what} file '{path}' is empty (shape {X.shape}).")
    if not np.all(np.isfinite(X)):
        raise CommandError(f"{what} file '{path}' holds NaN or infinite values; remove or "
                           "impute them first.")
    return X.astype(np.float32 if X.dtype == np.float32 else np.float64, copy=False)


def _read_csv(path):
    with open(path, encoding="utf-8") as f:
        first = f.readline()
    fields = [v.strip() for v in first.split(",")]
    has_header = not all(_is_number(v) for v in fields)
    return np.loadtxt(path, delimiter=",", skiprows=int(has_header), ndmin=2,
                      dtype=np.float64, encoding="utf-8")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_output_path(path, *, what="--out"):
    """Fail before any work when the output file type is not supported."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise CommandError(f"{what} '{path}' has an unsupported type '{suffix}'; use "
                           f"{', '.join(SUFFIXES)}.")


def write_data(path, columns):
    """Write named 1-D or 2-D columns: ``.npy`` keeps the first, ``.npz`` and ``.csv`` all."""
    path = Path(path)
    check_output_path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            np.save(path, next(iter(columns.values())))
        elif suffix == ".npz":
            np.savez(path, **columns)
        else:
            header, table = [], []
            for name, values in columns.items():
                values = np.asarray(values)
                if values.ndim == 1:
                    header.append(name)
                    table.append(values[:, None].astype(float))
                else:
                    header.extend(f"{name}{i}" for i in range(values.shape[1]))
                    table.append(values.astype(float))
            np.savetxt(path, np.hstack(table), delimiter=",", fmt="%.8g",
                       header=",".join(header), comments="")
    except OSError as exc:
        raise CommandError(f"cannot write '{path}': {exc}") from None


def load_model(path):
    """A fitted estimator from a joblib file written by ``skae fit``."""
    import joblib

    path = Path(path)
    if not path.is_file():
        raise CommandError(f"MODEL file '{path}' does not exist.")
    try:
        model = joblib.load(path)
    except Exception as exc:  # unpickling a corrupt file can raise almost anything
        raise CommandError(
            f"cannot load MODEL file '{path}' ({type(exc).__name__}: {exc}); it must be a "
            "model saved by 'skae fit' or joblib.dump.") from None
    if not hasattr(model, "fit") or not hasattr(model, "get_params"):
        raise CommandError(f"MODEL file '{path}' holds a {type(model).__name__}, not a "
                           "scikit-learn estimator.")
    return model


def _check_features(model, X, data_path):
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and X.shape[1] != expected:
        raise CommandError(
            f"DATA file '{data_path}' has {X.shape[1]} features (columns) but the model was "
            f"fitted on {expected}.")


# -- estimator parameters as options -------------------------------------------------------------

def estimator_classes():
    """The public estimators of skae that the command line can fit, by class name."""
    import skae

    classes = {}
    for name in getattr(skae, "__all__", []):
        obj = getattr(skae, name, None)
        if isinstance(obj, type) and hasattr(obj, "fit") and hasattr(obj, "get_params"):
            classes[name] = obj
    return classes


def parameter_docs(cls):
    """``{name: (type, description)}`` from the numpydoc Parameters section of ``cls``."""
    lines = (inspect.getdoc(cls) or "").splitlines()
    docs, current, in_section = {}, None, False
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip())
        if underline:
            in_section = line.strip() == "Parameters"
            current = None
            continue
        if not in_section or re.fullmatch(r"-{3,}", line.strip()):
            continue
        match = re.match(r"^(\w+) : (.+)$", line)
        if match:
            current = match.group(1)
            docs[current] = [match.group(2).strip(), ""]
        elif current is not None and line.strip():
            docs[current][1] = f"{docs[current][1]} {line.strip()}".strip()
    return {k: tuple(v) for k, v in docs.items()}


def parse_value(text):
    """A parameter value from the shell: None, bool, int, float, tuple (``a,b``) or string."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    if "," in text:
        return tuple(parse_value(part) for part in text.split(",") if part.strip())
    lowered = text.lower()
    if lowered == "none":
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _add_estimator_options(parser, classes):
    group = parser.add_argument_group(
        "estimator parameters",
        "Each parameter of the estimator (see --model), with its default in brackets. "
        "Tuples are written 128,64,16; None as none.")
    seen = set()
    for cls in classes.values():
        docs = parameter_docs(cls)
        for name, param in inspect.signature(cls).parameters.items():
            if name in seen or name in _NOT_OPTIONS or param.default is inspect.Parameter.empty:
                continue
            seen.add(name)
            kind, text = docs.get(name, ("", ""))
            default = param.default
            flag = "--" + name.replace("_", "-")
            text = re.sub(r",? see above", "", text.replace("``", ""))
            help_text = f"{text} [default: {default!r}]".replace("%", "%%")
            if isinstance(default, bool):
                group.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction,
                                   default=argparse.SUPPRESS, help=help_text)
            else:
                group.add_argument(flag, dest=name, type=parse_value,
                                   metavar=_metavar(kind, default),
                                   default=argparse.SUPPRESS, help=help_text)
    return seen


def _metavar(kind, default):
    """A short placeholder: the choices when the docstring lists them, else the value type."""
    choices = re.match(r"\{([^}]*)\}", kind)
    if choices:
        return "{" + choices.group(1).replace('"', "").replace("'", "").replace(" ", "") + "}"
    if isinstance(default, tuple):
        return "N,N,..."
    for word, metavar in (("int", "INT"), ("float", "FLOAT"), ("str", "STR")):
        if kind.startswith(word):
            return metavar
    return "VALUE"


# -- the parser ------------------------------------------------------------------------------

def build_parser():
    parser = argparse.ArgumentParser(
        prog="skae", description="Autoencoders as scikit-learn transformers.",
        epilog="Data files: .npy, .npz (array 'X' or the only one) or .csv (numbers, optional "
               "header row); one row per sample.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="fit the reference autoencoder, compare it with baselines, draw figures",
        description="Fit the reference autoencoder (hidden 128-64-16, 2-D latent) and a wider "
                    "one, then write loss curves, reconstructions, the latent space, the "
                    "decoded manifold and a report comparing them with PCA, raw pixels and "
                    "k-means into the output folder.")
    demo.add_argument("--data", choices=["digits", "mnist"], default="digits",
                      help="embedded 8x8 digits (default) or MNIST from --data-dir")
    demo.add_argument("--data-dir", help="folder of the MNIST IDX files (for --data mnist)")
    demo.add_argument("--out", default="skae-demo", help="output folder (default: %(default)s)")
    demo.add_argument("--max-iter", type=int, default=500,
                      help="maximum training epochs of each model; early stopping usually "
                           "ends sooner (default: %(default)s)")
    demo.add_argument("--latent-dim", type=int, default=16,
                      help="latent size of the wider model used for the few-label and "
                           "clustering rows (default: %(default)s)")
    demo.add_argument("--max-train", type=int, default=None,
                      help="train on at most this many images, for a quicker run on MNIST")
    demo.add_argument("--threads", type=int, default=None,
                      help="threads for torch and numpy (default: 1 on the digits, whose "
                           "small model is fastest on one, the libraries' default on MNIST)")
    demo.add_argument("--random-state", type=int, default=0, help="seed (default: %(default)s)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")

    classes = estimator_classes()
    fit = commands.add_parser(
        "fit", help="fit an estimator on a data file and save it with joblib",
        description="Fit an estimator on DATA (no labels) and save it to --out with joblib. "
                    "Every estimator parameter is an option.")
    fit.add_argument("data", metavar="DATA", help="training data (.npy, .npz or .csv)")
    fit.add_argument("--out", required=True, metavar="MODEL",
                     help="where to save the fitted model, e.g. model.joblib")
    fit.add_argument("--model", choices=sorted(classes), default=_DEFAULT_MODEL,
                     help="which estimator to fit (default: %(default)s)")
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_estimator_options(fit, classes)

    transform = commands.add_parser(
        "transform", help="encode a data file with a fitted model",
        description="Encode DATA with the fitted MODEL's transform (the latent codes) and "
                    "write them to --out.")
    transform.add_argument("model", metavar="MODEL", help="model file written by 'skae fit'")
    transform.add_argument("data", metavar="DATA", help="data to encode (.npy, .npz or .csv)")
    transform.add_argument("--out", required=True, metavar="FILE",
                           help="output file (.npy, .npz or .csv)")

    score = commands.add_parser(
        "score", help="per-sample anomaly scores of a data file",
        description="Per-sample anomaly scores of DATA under the fitted MODEL: "
                    "-score_samples, the reconstruction error for an autoencoder; higher is "
                    "more anomalous. A model with offset_ and predict (an outlier detector) "
                    "adds an is_outlier column. Written to --out, or as CSV to the standard "
                    "output.")
    score.add_argument("model", metavar="MODEL", help="model file written by 'skae fit'")
    score.add_argument("data", metavar="DATA", help="data to score (.npy, .npz or .csv)")
    score.add_argument("--out", metavar="FILE",
                       help="output file (.npy, .npz or .csv); default: CSV on standard output")
    return parser


# -- the commands -------------------------------------------------------------------------------

def _demo(args):
    from .demo import render_report, run_demo

    results = run_demo(args.data, args.data_dir, args.out, max_iter=args.max_iter,
                       latent_dim=args.latent_dim, max_train=args.max_train,
                       n_threads="auto" if args.threads is None else args.threads,
                       random_state=args.random_state, verbose=0 if args.quiet else 1)
    print(render_report(results).split("\n## Figures")[0])
    print("\nWrote:\n" + "\n".join(f"  {f}" for f in results["files"]))


def _fit(args):
    import joblib

    from .nn.distributed import torchrun_process_group, world_size

    classes = estimator_classes()
    cls = classes[args.model]
    accepted = set(inspect.signature(cls).parameters)
    reserved = {"command", "data", "out", "model", "quiet"}
    params = {k: v for k, v in vars(args).items() if k not in reserved}
    unknown = sorted(set(params) - accepted)
    if unknown:
        flags = ", ".join("--" + u.replace("_", "-") for u in unknown)
        raise CommandError(f"{args.model} has no parameter {flags}; see 'skae fit --help'.")
    if "verbose" in accepted:
        params["verbose"] = 0 if args.quiet else 1
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CommandError(f"--out '{out}': folder '{out.parent}' does not exist.")
    with torchrun_process_group(params.get("device", "auto")) as rank, \
            warnings.catch_warnings():
        n_processes = world_size()
        if rank != 0:
            warnings.simplefilter("ignore")  # every rank would say the same: rank 0 says it
        X = read_data(args.data)
        estimator = cls(**params)
        try:
            estimator.fit(X)
        except (ValueError, TypeError) as exc:
            raise CommandError(f"fitting {args.model} failed: {exc}") from None
        if rank != 0:
            return  # every rank holds the same model: rank 0 writes it
        try:
            joblib.dump(estimator, out)
        except OSError as exc:
            raise CommandError(f"cannot write '{out}': {exc}") from None
    epochs = getattr(estimator, "n_iter_", None)
    trained = f" in {epochs} epochs" if epochs is not None else ""
    ranks = f" with {n_processes} processes" if n_processes > 1 else ""
    print(f"Fitted {args.model} on {X.shape[0]} samples x {X.shape[1]} features{trained}"
          f"{ranks}; saved to {out}.")


def _transform(args):
    check_output_path(args.out)
    model = load_model(args.model)
    if not hasattr(model, "transform"):
        raise CommandError(f"MODEL '{args.model}' ({type(model).__name__}) has no transform.")
    X = read_data(args.data)
    _check_features(model, X, args.data)
    try:
        Z = np.asarray(model.transform(X))
    except ValueError as exc:
        raise CommandError(f"transform failed: {exc}") from None
    write_data(args.out, {"latent": Z})
    print(f"Wrote {Z.shape[0]} x {Z.shape[1]} codes to {args.out}.", file=sys.stderr)


def _score(args):
    if args.out is not None:
        check_output_path(args.out)
    model = load_model(args.model)
    if not hasattr(model, "score_samples"):
        raise CommandError(f"MODEL '{args.model}' ({type(model).__name__}) has no "
                           "score_samples, so it cannot score samples.")
    X = read_data(args.data)
    _check_features(model, X, args.data)
    try:
        columns = {"anomaly_score": -np.asarray(model.score_samples(X), dtype=float)}
        if hasattr(model, "offset_") and hasattr(model, "predict"):
            columns["is_outlier"] = (np.asarray(model.predict(X)) == -1).astype(int)
    except ValueError as exc:
        raise CommandError(f"scoring failed: {exc}") from None
    if args.out is None:
        names = list(columns)
        print(",".join(names))
        for row in zip(*columns.values()):
            print(",".join(f"{v:.8g}" for v in row))
    else:
        write_data(args.out, columns)
        print(f"Wrote {len(X)} anomaly scores to {args.out}.", file=sys.stderr)


_COMMANDS = {"demo": _demo, "fit": _fit, "transform": _transform, "score": _score}


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skae: {category.__name__}: {message}", file=sys.stderr)


def main(argv=None):
    """Run the ``skae`` command with ``argv`` (default: the process arguments)."""
    args = build_parser().parse_args(argv)
    original = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        _COMMANDS[args.command](args)
    except (CommandError, FileNotFoundError, ValueError) as exc:
        # Errors of the library name the problem already (bad parameter, bad data folder).
        print(f"skae {args.command}: error: {exc}", file=sys.stderr)
        return _finish(2)
    except BrokenPipeError:
        # The reader of our output went away (`skae score ... | head`): not an error.
        sys.stdout = open(os.devnull, "w")
    finally:
        warnings.showwarning = original
    return _finish(0)


def _finish(status):
    """The exit status; under torchrun the process ends here (see exit_torchrun_process)."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        from .nn.distributed import exit_torchrun_process

        exit_torchrun_process(status)
    return status


if __name__ == "__main__":
    sys.exit(main())
