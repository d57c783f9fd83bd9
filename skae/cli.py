"""The ``skae`` command line; it calls the public API only.

``skae demo`` runs the tutorial end to end; ``skae fit``, ``skae transform`` and ``skae score``
work from data files (``.npy``, ``.npz``, ``.csv``) and a model file written with
``skae.save`` (a file that runs no code when read). ``skae fit --model NAME`` takes that
estimator's own parameters as options, with its own defaults.

The help, the argument checks and the data-file checks answer before torch is imported
(seconds on a busy machine): torch-using modules are imported inside the commands, and the
estimators' parameters for ``skae fit``'s options come from ``skae._cli_options``, generated
from the estimators and shipped with skae (see ``estimator_specs``).
"""

import argparse
import ast
import contextlib
import csv
import hashlib
import inspect
import io
import json
import os
import re
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ._io import atomic_write

SUFFIXES = (".npy", ".npz", ".csv")
# Parameters the command line sets itself.
_NOT_OPTIONS = {"verbose"}
# Parameters holding an estimator object: ``estimator`` becomes --estimator NAME and
# --estimator-* options; the others keep their default (named in the help).
_OBJECT_PARAMS = {"estimator", "classifier"}
_DEFAULT_MODEL = "AutoencoderTransformer"
_DEFAULT_INNER = "AutoencoderTransformer"
_PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
_CSV_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "'|'"}


class CommandError(Exception):
    """A problem with the user's input: printed as one line, exit status 2."""


def _note(message):
    print(f"skae: note: {message}", file=sys.stderr)


# -- reading and writing data files --------------------------------------------------------------

def read_data(path, *, what="DATA", label_column=None, id_column=None):
    """A 2-D float array from a ``.npy``, ``.npz`` or ``.csv`` file.

    An ``.npz`` file gives its array named ``X``, or its only array. A ``.csv`` file is
    numbers separated by commas (or semicolons, tabs, ``|``: detected), with an optional
    header row (a first row 0, 1, ..., n-1, the names pandas gives an array's columns, is
    one, with a note); an unnamed first column holding 0, 1, ..., n-1 (pandas' ``to_csv`` index)
    is dropped with a note. Arrays of images ``(n_samples, height, width[, channels])`` are
    flattened to one row per sample.

    With ``label_column`` (a CSV header name, or a column number counted from 1), returns
    ``(X, labels)`` with that column taken out of ``X``. ``id_column`` (the same kinds) is
    left out of ``X`` too; ``read_ids`` reads it.
    """
    path = Path(path)
    _check_input_file(path, what)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CommandError(f"{what} file '{path}' has an unsupported type '{suffix}'; use "
                           f"{', '.join(SUFFIXES)}.")
    if label_column is not None and suffix != ".csv":
        raise CommandError(f"--label-column applies to a .csv DATA file, got '{path}'; give "
                           "the labels of a .npy or .npz file with --y FILE.")
    if id_column is not None and suffix != ".csv":
        raise CommandError(f"--id-column applies to a .csv DATA file, got '{path}'; the rows "
                           "of a .npy or .npz file keep their order in every output.")
    labels = None
    try:
        if suffix == ".npy":
            with open(path, "rb") as f:
                if f.read(6) != b"\x93NUMPY":
                    raise CommandError(f"{what} file '{path}' is not a .npy file (it does not "
                                       "start with the NumPy header); is it corrupt?")
            X = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            X = _read_npz(path, "X", what)
        else:
            X, labels = _read_csv(path, what=what, label_column=label_column,
                                  id_column=id_column)
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
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise CommandError(f"{what} file '{path}' holds NaN or infinite values (the first in "
                           f"row {row + 1}, column {col + 1}); remove or impute them first.")
    X = X.astype(np.float32 if X.dtype == np.float32 else np.float64, copy=False)
    return X if label_column is None else (X, labels)


def _read_npz(path, preferred, what):
    # The file opened here, not by np.load: it leaves its own file open when the zip is bad.
    with open(path, "rb") as f, np.load(f, allow_pickle=False) as archive:
        names = list(archive.files)
        if not names:
            raise CommandError(f"{what} file '{path}' holds no array.")
        if preferred in names:
            name = preferred
        elif len(names) == 1:
            name = names[0]
        else:
            raise CommandError(
                f"{what} file '{path}' holds several arrays ({', '.join(names)}); "
                f"name the one to use '{preferred}'.")
        return archive[name]


def _csv_layout(path, what, label_column, id_column=None):
    """The delimiter, header names (None without a header), column count, label column,
    feature columns and whether the first column is pandas' unnamed index, of a .csv; the
    id column is neither a feature nor the label."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        sample = [line for line in f.read(1 << 16).splitlines() if line.strip()][:6]
    if not sample:
        raise CommandError(f"{what} file '{path}' is empty.")
    delimiter = _sniff_delimiter(sample)
    header = next(csv.reader([sample[0]], delimiter=delimiter))
    # Text ids or labels in the first row make no header: only the other cells tell.
    cells = [h.strip() for h in header]
    by_number = {int(c) - 1 for c in (label_column, id_column)
                 if c is not None and re.fullmatch(r"\d+", c.strip()) and c.strip() not in cells}
    has_header = (not all(_is_number(v) for j, v in enumerate(header) if j not in by_number)
                  or _default_column_names(cells))
    names = [h.strip() for h in header] if has_header else None
    n_columns = len(header)
    label = None if label_column is None else _column_index(label_column, names, n_columns,
                                                            path)
    drop = set() if label is None else {label}
    if id_column is not None:
        ident = _column_index(id_column, names, n_columns, path, "--id-column")
        if ident == label:
            raise CommandError(f"--id-column and --label-column name the same column of "
                               f"'{path}'.")
        drop.add(ident)
    index_column = has_header and names[0] in ("", "Unnamed: 0") and n_columns > 1
    if index_column:
        drop.add(0)
    use = [i for i in range(n_columns) if i not in drop]
    if not use:
        raise CommandError(f"{what} file '{path}' has no feature column left.")
    return delimiter, names, n_columns, label, use, index_column


def _default_column_names(cells):
    """Whether a CSV's first row is 0, 1, ..., n-1: the names pandas gives the columns of
    an array, which ``DataFrame(X).to_csv(index=False)`` writes as the header."""
    return len(cells) > 1 and cells == [str(i) for i in range(len(cells))]


def feature_names(path, *, what="DATA", label_column=None, id_column=None):
    """The header names of the feature columns of a .csv DATA file (those ``read_data``
    returns, in its order); None for a file without a header, or not a .csv."""
    if Path(path).suffix.lower() != ".csv":
        return None
    _, names, _, _, use, _ = _csv_layout(Path(path), what, label_column, id_column)
    return None if names is None else [names[i] for i in use]


def _load_columns(path, delimiter, has_header, columns, *, id_column, dtype=np.float64):
    """Columns of a .csv as one 2-D array. Lines starting with '#' are comments, except when
    there are ids, which may start with '#': the rows of features and of ids must be the
    same."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*contained no data")  # a blank line
        return np.loadtxt(path, delimiter=delimiter, skiprows=int(has_header), ndmin=2,
                          usecols=columns, dtype=dtype, encoding="utf-8-sig", quotechar='"',
                          comments=None if id_column is not None else "#")


def read_ids(path, id_column, *, label_column=None):
    """``(name, ids)``: the header name (``"id"`` without a header, or for an unnamed
    column) and the values, as text, of the id column of a .csv DATA file."""
    path = Path(path)
    delimiter, names, n_columns, _, _, _ = _csv_layout(path, "DATA", label_column, id_column)
    ident = _column_index(id_column, names, n_columns, path, "--id-column")
    ids = _load_columns(path, delimiter, names is not None, [ident], id_column=id_column,
                        dtype=str)
    name = "id" if names is None or not names[ident] else names[ident]
    return name, ids.ravel()


def _read_csv(path, *, what, label_column=None, id_column=None):
    """``(X, labels)`` from a delimited text file; errors name the line and the column."""
    delimiter, names, n_columns, label, use, index_column = _csv_layout(
        path, what, label_column, id_column)
    drop = set(range(n_columns)) - set(use)

    def load(columns, dtype=np.float64):
        return _load_columns(path, delimiter, names is not None, columns,
                             id_column=id_column, dtype=dtype)

    try:
        # usecols, needed to leave a column out, makes numpy ignore extra values in a row:
        # the lengths are then checked here.
        if drop:
            _diagnose_csv(path, what, delimiter, names, n_columns, use=())
        X = load(use if drop else None)
        index = load([0]).ravel() if index_column else None
    except ValueError as exc:
        _diagnose_csv(path, what, delimiter, names, n_columns, use)
        raise CommandError(f"cannot read {what} file '{path}' as .csv: {exc}") from None
    if index_column:
        if not np.array_equal(index, np.arange(len(index))):
            raise CommandError(
                f"{what} file '{path}': the first column has no name in the header. If it is "
                "a row index (pandas' to_csv() writes one), write the file with "
                "to_csv(index=False); if it is a feature, give it a name in the header.")
        _note(f"{path}: dropped the first column, an unnamed row index 0..{len(index) - 1} "
              "as pandas' to_csv() writes (write with index=False to avoid this note).")
    if delimiter != ",":
        _note(f"{path}: read as {_DELIMITER_NAMES[delimiter]}-separated values.")
    if names is not None and _default_column_names(names):
        _note(f"{path}: the first row, 0..{len(names) - 1}, is read as a header (the column "
              "names pandas gives an array), not as data.")
    labels = None
    if label is not None:
        labels = _as_labels(load([label], dtype=str).ravel())
    return X, labels


def _sniff_delimiter(lines):
    """The candidate that splits every sampled line into the same number (> 1) of fields;
    a comma when none does (a one-column file, or a ragged one: its own message follows)."""
    for delimiter in _CSV_DELIMITERS:
        counts = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        if len(counts) == 1 and counts.pop() > 1:
            return delimiter
    for delimiter in _CSV_DELIMITERS:  # ragged: the delimiter the first line uses
        if len(next(csv.reader(lines[:1], delimiter=delimiter))) > 1:
            return delimiter
    return ","


def _column_index(column, names, n_columns, path, option="--label-column"):
    """The 0-based index of ``--label-column`` or ``--id-column`` (``option``): a header
    name, or a number from 1."""
    if names is not None and column in names:
        return names.index(column)
    if re.fullmatch(r"\d+", column.strip()):
        number = int(column)
        if 1 <= number <= n_columns:
            return number - 1
        raise CommandError(f"{option} {column}: DATA file '{path}' has {n_columns} "
                           "columns, numbered from 1.")
    known = f"its header names {', '.join(repr(n) for n in names)}" if names else \
        "it has no header row, so give a column number counted from 1"
    raise CommandError(f"{option} {column!r} is not a column of DATA file '{path}': "
                       f"{known}.")


def _as_labels(values):
    """Integers or numbers when every label is one, else the strings themselves."""
    values = np.char.strip(values.astype(str))
    for kind in (np.int64, np.float64):
        try:
            converted = values.astype(kind)
        except ValueError:
            continue
        if kind is np.float64 or np.all(converted.astype(str) == values):
            return converted
    return values


def _diagnose_csv(path, what, delimiter, names, n_columns, use):
    """Find the first bad line of a CSV numpy refused; raise a CommandError naming it."""
    def column(j):
        name = f" ('{names[j]}')" if names and names[j] else ""
        return f"column {j + 1}{name}"

    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        reference = None
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if reference is None:
                reference = line
                if names is not None:
                    continue
            if len(row) != n_columns:
                source = "the header" if names is not None else f"line {reference}"
                raise CommandError(
                    f"{what} file '{path}', line {line}: {len(row)} values, expected "
                    f"{n_columns} as in {source}. Every row needs one value per column.")
            for j in use:
                cell = row[j].strip()
                if _is_number(cell):
                    continue
                if not cell:
                    raise CommandError(
                        f"{what} file '{path}', line {line}, {column(j)}: empty; fill in "
                        "or impute missing values first.")
                hint = ""
                for other in _CSV_DELIMITERS:
                    if other != delimiter and other in cell and other != ",":
                        hint = (f" The cell holds '{other}': is the file "
                                f"{_DELIMITER_NAMES[other]}-separated? Every line needs the "
                                "same separator.")
                if delimiter != "," and re.fullmatch(r"[-+]?\d+,\d+", cell):
                    hint = " skae reads '.' as the decimal mark; write 1.5, not 1,5."
                options = "" if names is None else (
                    " (or name it with --label-column, or with --id-column for row ids)")
                raise CommandError(
                    f"{what} file '{path}', line {line}, {column(j)}: {cell!r} is not a "
                    f"number.{hint} Remove or encode text columns first{options}.")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_input_file(path, what):
    if path.is_dir():
        raise CommandError(f"{what} '{path}' is a folder; give a file.")
    if not path.is_file():
        raise CommandError(f"{what} file '{path}' does not exist.")


def _check_not_an_input(out, inputs, what="--out"):
    """Refuse an output file that is one of the command's ``inputs`` (name -> path or None):
    writing it would destroy the data, labels or model it is made from."""
    for name, given in inputs.items():
        if (given is not None and Path(out).exists() and Path(given).exists()
                and os.path.samefile(out, given)):
            raise CommandError(f"{what} '{out}' is the {name} file; writing it would destroy "
                               "that input: give another name.")


def read_labels(path, n_samples):
    """A 1-D label array from ``--y`` (``.npy``, ``.npz``: ``y`` or the only array, ``.csv``:
    one column, optional header), one label per row of DATA."""
    path = Path(path)
    _check_input_file(path, "--y")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            y = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            y = _read_npz(path, "y", "--y")
        elif suffix == ".csv":
            with open(path, encoding="utf-8-sig") as f:
                rows = [line.strip() for line in f if line.strip()]
            if rows and "," in rows[0]:
                raise CommandError(f"--y file '{path}' must have one column (one label per "
                                   "line); for labels inside DATA use --label-column.")
            if rows and not _is_number(rows[0]) and not _is_number(rows[-1]):
                pass  # labels that are words: keep every line
            elif rows and not _is_number(rows[0]):
                rows = rows[1:]  # a header
            y = _as_labels(np.array([r.strip('"') for r in rows]))
        else:
            raise CommandError(f"--y file '{path}' has an unsupported type '{suffix}'; use "
                               f"{', '.join(SUFFIXES)}.")
    except CommandError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise CommandError(f"cannot read --y file '{path}' as {suffix}: {exc}") from None
    y = np.asarray(y)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise CommandError(f"--y file '{path}' must hold one label per row, got an array of "
                           f"shape {y.shape}.")
    if len(y) != n_samples:
        raise CommandError(f"--y file '{path}' has {len(y)} labels but DATA has {n_samples} "
                           "rows.")
    return y


def check_output_path(path, *, what="--out", suffixes=SUFFIXES):
    """Fail before any work when the output file cannot be written there or its type is
    not supported."""
    from ._io import check_writable_path

    try:
        check_writable_path(path)
    except OSError as exc:
        raise CommandError(f"{what}: {exc}") from None
    suffix = Path(path).suffix.lower()
    if suffixes is not None and suffix not in suffixes:
        raise CommandError(f"{what} '{path}' has an unsupported type '{suffix}'; use "
                           f"{', '.join(suffixes)}.")


def write_data(path, columns):
    """Write named 1-D or 2-D columns: ``.npy`` keeps the first, ``.npz`` and ``.csv`` all.

    The file is replaced only once written in full (``skae._io.atomic_write``).
    """
    path = Path(path)
    check_output_path(path)
    suffix = path.suffix.lower()
    try:
        with atomic_write(path) as f:
            if suffix == ".npy":
                # Through bytes: np.save to a real file writes with tofile, which ignores
                # a short write (a full disk), and the truncated file would replace the old.
                buffer = io.BytesIO()
                np.save(buffer, _without_objects(next(iter(columns.values()))))
                f.write(buffer.getvalue())
            elif suffix == ".npz":
                np.savez(f, **{name: _without_objects(v) for name, v in columns.items()})
            else:
                f.write(_csv_text(columns).encode())
    except OSError as exc:
        raise CommandError(f"cannot write '{path}': {exc}") from None


def _without_objects(values):
    """Labels of an object array (words) as text, which NumPy files store without pickle."""
    values = np.asarray(values)
    return values.astype(str) if values.dtype == object else values


def _csv_text(columns):
    """Named 1-D or 2-D columns as CSV text with a header: numbers to 8 significant digits,
    labels (words) as they are."""
    header, cells = [], []
    for name, values in columns.items():
        values = np.asarray(values)
        if values.ndim == 1:
            header.append(name)
            values = values[:, None]
        else:
            header.extend(f"{name}{i}" for i in range(values.shape[1]))
        number = values.dtype.kind in "biuf"
        cells.append([[f"{v:.8g}" if number else str(v) for v in row] for row in values])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([sum(parts, []) for parts in zip(*cells)])
    return text.getvalue()


def load_model(path, *, allow_pickle=False):
    """A fitted estimator from a file written by ``skae fit`` (``skae.save``).

    With ``allow_pickle``, a joblib or pickle file is read too, which runs code from it.
    """
    from .persistence import has_safe_file_header, load

    path = Path(path)
    _check_input_file(path, "MODEL")
    try:
        model = load(path)
    except ValueError as exc:
        if has_safe_file_header(path):
            raise CommandError(f"MODEL file {exc}") from None
        if not allow_pickle:
            raise CommandError(
                f"MODEL file '{path}' is not a model written by 'skae fit' or skae.save "
                f"({str(exc).split(' (')[0].split(': ')[-1]}). If it is a joblib or pickle "
                "file from a source you trust, add --allow-pickle: loading a pickle runs "
                "code from the file.") from None
        model = _load_pickle(path)
    if not hasattr(model, "fit") or not hasattr(model, "get_params"):
        raise CommandError(f"MODEL file '{path}' holds a {type(model).__name__}, not a "
                           "scikit-learn estimator.")
    return model


def _load_pickle(path):
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:  # unpickling a corrupt file can raise almost anything
        raise CommandError(
            f"cannot load MODEL file '{path}' ({type(exc).__name__}: {exc}); it must be a "
            "model saved by 'skae fit', skae.save or joblib.dump.") from None


def _check_features(model, X, data_path):
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and X.shape[1] != expected:
        raise CommandError(
            f"DATA file '{data_path}' has {X.shape[1]} features (columns) but the model was "
            f"fitted on {expected}.")


# -- estimator parameters as options -------------------------------------------------------------

# Estimators that hold a fitted umap-learn object, which the safe format cannot store:
# `skae fit` would train them and then fail to save. From Python they save with joblib.
_NOT_IN_SAFE_FORMAT = {"LatentClustering", "ManifoldLabelSpreading"}


def estimator_names():
    """The public estimator classes of skae that ``skae.save`` stores, by name (known
    without importing them)."""
    import skae

    return sorted(name for name in skae.__all__
                  if name[:1].isupper() and name not in _NOT_IN_SAFE_FORMAT)


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


def _live_spec(cls):
    """What the command line needs of an estimator class, as JSON-able data."""
    docs = parameter_docs(cls)
    params = []
    for name, param in inspect.signature(cls).parameters.items():
        if param.default is inspect.Parameter.empty or name in _NOT_OPTIONS:
            continue
        kind, text = docs.get(name, ("", ""))
        default = param.default
        try:
            literal = ast.literal_eval(repr(default)) == default
        except (ValueError, SyntaxError):
            literal = False
        role = "estimator" if name == "estimator" else (
            "object" if name in _OBJECT_PARAMS or not literal else "value")
        params.append({"name": name, "default": repr(default), "type": kind, "doc": text,
                       "role": role})
    fit_y = inspect.signature(cls.fit).parameters.get("y")
    summary = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
    return {"params": params, "summary": summary,
            "needs_y": fit_y is not None and fit_y.default is inspect.Parameter.empty,
            "has_verbose": "verbose" in inspect.signature(cls).parameters}


# The source files that decide the estimators' options: their signatures and docstrings,
# the names in ``skae.__all__``, and ``_live_spec`` here.
_SPEC_SOURCES = ("__init__.py", "_base.py", "anomaly.py", "autoencoder.py", "cluster.py",
                 "semi_supervised.py", "cli.py")
_PACKAGED_SPECS = Path(__file__).resolve().parent / "_cli_options.py"


def _source_key():
    """A hash of the files in ``_SPEC_SOURCES``: specs made from them hold while it holds."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _SPEC_SOURCES:
        digest.update(name.encode())
        # Line endings normalised: a checkout with CRLF keeps the key.
        digest.update((root / name).read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:20]


def _cache_folder():
    if os.environ.get("SKAE_CACHE_DIR"):
        return Path(os.environ["SKAE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "skae"


def live_specs():
    """``{class name: spec}`` asked of the estimator classes themselves (imports torch)."""
    import skae

    return {name: _live_spec(getattr(skae, name)) for name in estimator_names()}


def _packaged_specs(key):
    """The specs shipped in ``skae._cli_options``, or None when they were made from other
    sources than these (a checkout edited since they were generated)."""
    try:
        from . import _cli_options
    except ImportError:
        return None
    if _cli_options.KEY != key or set(_cli_options.SPECS) != set(estimator_names()):
        return None
    return _cli_options.SPECS


def write_option_specs(path=_PACKAGED_SPECS):
    """Regenerate ``skae/_cli_options.py`` from the estimators (``python -m skae._cli_options``).

    Run it after changing an estimator's parameters or their docs; a test fails until then.
    """
    import pprint

    text = (
        '"""The options of ``skae fit`` for each estimator, read without importing torch.\n\n'
        "Generated from the estimators' signatures and docstrings by ``skae.cli.live_specs``:\n"
        "regenerate it after changing them with ``python -m skae._cli_options``. ``KEY`` is a\n"
        "hash of the source files they come from (``skae.cli._SPEC_SOURCES``): while it\n"
        "matches them, ``skae fit`` reads ``SPECS``; otherwise it asks the estimators (importing\n"
        'torch) and caches the answer.\n"""\n\n'
        f"KEY = {_source_key()!r}\n\n"
        f"SPECS = {pprint.pformat(live_specs(), width=100, sort_dicts=False)}\n\n"
        'if __name__ == "__main__":\n'
        "    from skae.cli import write_option_specs\n\n"
        "    write_option_specs()\n"
    )
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)


def estimator_specs():
    """``{class name: spec}`` for every public estimator: parameters, defaults, docs.

    Known without importing torch, so that ``skae fit --help`` and the checks of a
    command's arguments answer at once, even on a first run: read from
    ``skae._cli_options`` (generated from the estimators, shipped with skae) while its key
    matches the source files the estimators are defined in. When it does not (a checkout
    edited since), asked of the estimators, which imports torch, and cached in
    ``$SKAE_CACHE_DIR`` (default ``~/.cache/skae``) under that key.
    """
    estimator_modules = {"skae.autoencoder", "skae.anomaly", "skae.cluster",
                         "skae.semi_supervised"}
    imported = bool(estimator_modules & set(sys.modules))  # then asking them costs nothing
    key = _source_key()
    cache = _cache_folder() / f"cli-options-{key}.json"
    if not imported:
        packaged = _packaged_specs(key)
        if packaged is not None:
            return packaged
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cached = None
        if isinstance(cached, dict) and set(cached) == set(estimator_names()):
            return cached
    specs = live_specs()
    if not cache.is_file() and _packaged_specs(key) is None:
        with contextlib.suppress(OSError):  # a read-only home: no cache, still correct
            cache.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(cache, "w", encoding="utf-8") as f:
                json.dump(specs, f)
    return specs


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


def _add_estimator_options(group, spec, *, prefix=""):
    """One option per parameter of ``spec``; returns ``{dest: parameter name}``."""
    dests = {}
    for param in spec["params"]:
        if param["role"] != "value":
            continue
        name = param["name"]
        default = ast.literal_eval(param["default"])
        flag = "--" + prefix + name.replace("_", "-")
        dest = (prefix.replace("-", "_") + name)
        text = re.sub(r",? see above", "", param["doc"].replace("``", ""))
        help_text = f"{text} [default: {param['default']}]".replace("%", "%%")
        if isinstance(default, bool):
            group.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=help_text)
        elif re.search(r"\bbool\b", param["type"]):
            # "auto" or bool: the bare flag still means True.
            group.add_argument(flag, dest=dest, type=parse_value, nargs="?", const=True,
                               metavar=_metavar(param["type"], default),
                               default=argparse.SUPPRESS, help=help_text)
        else:
            group.add_argument(flag, dest=dest, type=parse_value,
                               metavar=_metavar(param["type"], default),
                               default=argparse.SUPPRESS, help=help_text)
        dests[dest] = name
    return dests


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

def _peek_fit(argv):
    """``(model, inner)`` named on a ``fit`` command line, else ``(None, None)``: they
    decide which options the parser offers."""
    positional = [a for a in argv if not a.startswith("-")]
    if not positional or positional[0] != "fit":
        return None, None
    peek = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    peek.add_argument("--model", default=_DEFAULT_MODEL)
    peek.add_argument("--estimator", default=_DEFAULT_INNER)
    known, _ = peek.parse_known_args(argv)
    return known.model, known.estimator


_ID_COLUMN_HELP = ("a column of a .csv DATA that identifies rows (its header name, or its "
                   "number counted from 1): not a feature")


def build_parser(argv=()):
    """The argument parser; for a ``fit`` command in ``argv``, with that model's options."""
    parser = argparse.ArgumentParser(
        prog="skae", description="Autoencoders as scikit-learn transformers.",
        epilog="Data files: .npy, .npz (array 'X' or the only one) or .csv (numbers with an "
               "optional header row; comma, semicolon, tab or | separated); one row per sample. "
               "'skae COMMAND --help' describes a command.")
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

    model, inner = _peek_fit(list(argv))
    _add_fit_parser(commands, model, inner)

    pickle_help = ("also read a MODEL written with joblib or pickle (as skae 0.1's 'skae fit' "
                   "did). Loading such a file RUNS CODE FROM IT: use only files you trust")
    def model_command(name, what, help, description):
        """A command reading MODEL and DATA (``what`` DATA is for), like transform."""
        command = commands.add_parser(name, help=help, description=description)
        command.add_argument("model", metavar="MODEL", help="model file written by 'skae fit'")
        command.add_argument("data", metavar="DATA", help=f"data to {what} (.npy, .npz or .csv)")
        command.add_argument("--allow-pickle", action="store_true", help=pickle_help)
        command.add_argument("--id-column", metavar="NAME|N", help=_ID_COLUMN_HELP
                             + "; copied, as text, as the first column of the output (.csv, "
                             ".npz or the standard output; not .npy, which holds one array)")
        return command

    transform = model_command(
        "transform", "encode", "encode a data file with a fitted model",
        "Encode DATA with the fitted MODEL's transform (the latent codes) and write them to "
        "--out.")
    transform.add_argument("--out", required=True, metavar="FILE",
                           help="output file (.npy, .npz or .csv)")

    score = model_command(
        "score", "score", "per-sample anomaly scores of a data file",
        "Per-sample anomaly scores of DATA under the fitted MODEL: -score_samples, the "
        "reconstruction error for an autoencoder; higher is more anomalous. A model with "
        "offset_ and predict (an outlier detector) adds an is_outlier column. Written to "
        "--out, or as CSV to the standard output.")
    score.add_argument("--out", metavar="FILE",
                       help="output file (.npy, .npz or .csv); default: CSV on standard output")

    predict = model_command(
        "predict", "label", "labels (or clusters) of a data file",
        "The fitted MODEL's predict on DATA: class labels for a classifier "
        "(LatentClassifier, AutoencoderClassifier, ...), clusters for a clustering, -1/1 for "
        "an outlier detector. --proba adds the class or cluster probabilities "
        "(predict_proba). Written to --out, or as CSV to the standard output.")
    predict.add_argument("--out", metavar="FILE",
                         help="output file (.npy: the labels; .npz or .csv: the labels and "
                              "any probabilities); default: CSV on standard output")
    predict.add_argument("--proba", action="store_true",
                         help="add a column of probability per class (or cluster)")
    predict.add_argument("--label-column", metavar="COLUMN",
                         help="a column of a .csv DATA to leave out (its header name, or its "
                              "number counted from 1), such as the labels of the file the "
                              "model was fit on")
    return parser


def _add_fit_parser(commands, model, inner):
    names = estimator_names()
    fit = commands.add_parser(
        "fit", help="fit an estimator on a data file and save it (skae.save's safe format)",
        allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter)
    fit.add_argument("data", metavar="DATA", help="training data (.npy, .npz or .csv)")
    fit.add_argument("--out", required=True, metavar="MODEL",
                     help="where to save the fitted model, e.g. model.skae; skae.load reads "
                          "it back, and reading it never runs code")
    fit.add_argument("--model", choices=names, default=_DEFAULT_MODEL, metavar="NAME",
                     help=f"the estimator to fit: {', '.join(names)} (default: %(default)s). "
                          "'skae fit --model NAME --help' lists its parameters")
    fit.add_argument("--y", metavar="FILE",
                     help="labels for a supervised model (AutoencoderClassifier, "
                          "LatentClassifier, ConvClassifier), one per row of DATA: .npy, "
                          ".npz (array 'y' or "
                          "the only one) or .csv (one column); -1 marks an unlabeled row for the "
                          "semi-supervised models")
    fit.add_argument("--label-column", metavar="NAME|N",
                     help="take the labels from this column of a .csv DATA (its header name, "
                          "or its number counted from 1); the column is not a feature")
    fit.add_argument("--id-column", metavar="NAME|N", help=_ID_COLUMN_HELP)
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    fit.set_defaults(_options={}, _inner_options={})
    if model is None:
        return fit  # not a fit command: its options are not needed
    if model not in names:
        return fit  # argparse's choices check reports it
    specs = estimator_specs()
    spec = specs[model]
    paragraphs = [
        f"Fit {model} on DATA and save it to --out in skae's safe format (skae.save).",
        f"{model}: {spec['summary'].replace('``', '')}",
        f"Its parameters are the options below, with {model}'s own defaults; another "
        "model's: 'skae fit --model NAME --help'."]
    group = fit.add_argument_group(
        f"{model} parameters", "Tuples are written 128,64,16; None as none.")
    fit.set_defaults(_options=_add_estimator_options(group, spec))
    kept = [p["name"] for p in spec["params"] if p["role"] == "object"]
    if any(p["role"] == "estimator" for p in spec["params"]):
        autoencoders = [n for n in names if "Autoencoder" in n and n in specs
                        and not specs[n]["needs_y"]
                        and not any(p["role"] == "estimator" for p in specs[n]["params"])]
        if inner not in autoencoders:
            inner = _DEFAULT_INNER
        fit.add_argument("--estimator", choices=autoencoders, default=None,
                         metavar="NAME",
                         help=f"the autoencoder {model} fits first: {', '.join(autoencoders)} "
                              f"(default: {model}'s own default autoencoder; with any "
                              f"--estimator-* option, {_DEFAULT_INNER} with those parameters "
                              "set); its parameters are the --estimator-* options")
        inner_group = fit.add_argument_group(
            f"parameters of the autoencoder (--estimator {inner})",
            f"Each parameter of {inner} as --estimator-NAME, with its default.")
        fit.set_defaults(_inner_options=_add_estimator_options(
            inner_group, specs[inner], prefix="estimator-"))
    if kept:
        paragraphs.append(f"Kept at their defaults: {', '.join(kept)}.")
    if spec["needs_y"]:
        paragraphs.append(f"{model} is supervised: give the labels with --y or "
                          "--label-column.")
    fit.description = "\n\n".join(textwrap.fill(p, 78) for p in paragraphs)
    return fit


# -- the commands -------------------------------------------------------------------------------

def _demo(args):
    from .demo import render_report, run_demo

    results = run_demo(args.data, args.data_dir, args.out, max_iter=args.max_iter,
                       latent_dim=args.latent_dim, max_train=args.max_train,
                       n_threads="auto" if args.threads is None else args.threads,
                       random_state=args.random_state, verbose=0 if args.quiet else 1)
    print(render_report(results).split("\n## Figures")[0])
    print("\nWrote:\n" + "\n".join(f"  {f}" for f in results["files"]))


def _torchrun_group(device):
    """Under torchrun (WORLD_SIZE > 1), the process group for the fit; else a no-op."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return contextlib.nullcontext(0)
    from .nn.distributed import torchrun_process_group

    return torchrun_process_group(device)


def _fit(args):
    specs = estimator_specs()
    spec = specs[args.model]
    params = {name: getattr(args, dest) for dest, name in args._options.items()
              if hasattr(args, dest)}
    out = Path(args.out)
    check_output_path(out, suffixes=None)
    if out.suffix.lower() in SUFFIXES:
        # Also keeps fit from writing over its DATA or --y, which must be such files.
        raise CommandError(f"--out '{out}' names a data file ({out.suffix}), but fit writes a "
                           "model in skae's safe format: give a name ending in .skae.")
    if args.y is not None and args.label_column is not None:
        raise CommandError("give the labels once: --y FILE or --label-column, not both.")
    labelled = args.y is not None or args.label_column is not None
    if spec["needs_y"] and not labelled:
        raise CommandError(
            f"{args.model} is supervised and needs labels: pass --y FILE (one label per row "
            "of DATA, .npy/.npz/.csv; -1 marks an unlabeled row) or, for a .csv DATA, "
            "--label-column NAME (its header name, or its number counted from 1).")
    if labelled and not spec["needs_y"]:
        raise CommandError(f"{args.model} is not supervised and takes no labels; drop --y / "
                           "--label-column (the supervised models: "
                           f"{', '.join(n for n, s in specs.items() if s['needs_y'])}).")
    # Read and check the input before torch is imported: a wrong file fails in a moment.
    if args.label_column is not None:
        X, y = read_data(args.data, label_column=args.label_column, id_column=args.id_column)
    else:
        X = read_data(args.data, id_column=args.id_column)
        y = None if args.y is None else read_labels(args.y, len(X))
    names = feature_names(args.data, label_column=args.label_column,
                          id_column=args.id_column)
    _note_row_ids(X, names, args.data, args.label_column, args.id_column)
    if out.suffix.lower() in _PICKLE_SUFFIXES:
        _note(f"'{out}' is written in skae's safe format, not with joblib or pickle: read it "
              "with skae.load (a name ending in .skae says so).")

    import skae

    verbose = 0 if args.quiet else 1
    if spec["has_verbose"]:
        params["verbose"] = verbose
    device = params.get("device", "auto")
    inner_params = {name: getattr(args, dest) for dest, name in args._inner_options.items()
                    if hasattr(args, dest)}
    inner = getattr(args, "estimator", None)
    if inner is not None or inner_params:
        # Asked for: that autoencoder. Otherwise the model's own default (estimator=None),
        # which may differ from a default AutoencoderTransformer (the detector's on tables).
        inner = inner or _DEFAULT_INNER
        if specs[inner]["has_verbose"]:
            inner_params["verbose"] = verbose
        device = inner_params.get("device", "auto")
        try:
            params["estimator"] = getattr(skae, inner)(**inner_params)
        except TypeError as exc:
            raise CommandError(f"--estimator {inner}: {exc}") from None
    n_processes = int(os.environ.get("WORLD_SIZE", "1"))
    with _torchrun_group(device) as rank, warnings.catch_warnings():
        if rank != 0:
            warnings.simplefilter("ignore")  # every rank would say the same: rank 0 says it
        estimator = getattr(skae, args.model)(**params)
        try:
            estimator.fit(X) if y is None else estimator.fit(X, y)
        except (ValueError, TypeError) as exc:
            raise CommandError(f"fitting {args.model} failed: {exc}") from None
        if rank != 0:
            return  # every rank holds the same model: rank 0 writes it
        if names is not None:
            # As a fit on a DataFrame with these columns records them: transform and score
            # then match DATA's columns by name.
            estimator.feature_names_in_ = np.asarray(names, dtype=object)
        try:
            skae.save(estimator, out)
        except TypeError as exc:  # an attribute the safe format cannot hold, named
            raise CommandError(f"cannot save {args.model}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"cannot write '{out}': {exc}") from None
    epochs = getattr(estimator, "n_iter_", None)
    trained = f" in {epochs} epochs" if epochs is not None else ""
    ranks = f" with {n_processes} processes" if n_processes > 1 else ""
    labels = "" if y is None else f" with {int(np.sum(_labelled(y)))} labels"
    print(f"Fitted {args.model} on {X.shape[0]} samples x {X.shape[1]} features{labels}"
          f"{trained}{ranks}; saved to {out}.")


def _labelled(y):
    return y != -1 if y.dtype.kind in "iuf" else np.ones(len(y), dtype=bool)


def _model_and_data(args, method, missing):
    """The MODEL and DATA of a ``transform`` or ``score`` command, checked to fit together:
    DATA's columns are matched to the model's by their header names when both have them
    (put in the model's order, or refused when they differ)."""
    _check_input_file(Path(args.model), "MODEL")
    label_column = getattr(args, "label_column", None)
    X = read_data(args.data, id_column=args.id_column) if label_column is None else read_data(
        args.data, label_column=label_column, id_column=args.id_column)[0]
    model = load_model(args.model, allow_pickle=args.allow_pickle)
    if not hasattr(model, method):
        raise CommandError(f"MODEL '{args.model}' ({type(model).__name__}) {missing}.")
    X = _by_name(model, X, feature_names(args.data, label_column=label_column,
                                         id_column=args.id_column), args)
    _check_features(model, X, args.data)
    return model, X


def _check_output(args):
    """Fail before any work when ``--out`` cannot be written, is an input, or cannot hold
    the row ids of ``--id-column`` (a .npy file holds one array)."""
    if args.out is None:
        return
    check_output_path(args.out)
    _check_not_an_input(args.out, {"DATA": args.data, "MODEL": args.model})
    if args.id_column is not None and Path(args.out).suffix.lower() == ".npy":
        raise CommandError(f"--out '{args.out}' is a .npy file, which holds one array: "
                           "with --id-column write .csv or .npz, which keep the ids beside "
                           "the results.")


def _with_ids(args, columns):
    """``columns`` after the row ids of ``--id-column``, when given (under the column's
    header name, prefixed with ``row_`` where a result has that name)."""
    if args.id_column is None:
        return columns
    name, ids = read_ids(args.data, args.id_column,
                         label_column=getattr(args, "label_column", None))
    n_rows = len(np.asarray(next(iter(columns.values()))))
    if len(ids) != n_rows:  # cannot happen when both readers agree: never pair them wrong
        raise CommandError(f"DATA file '{args.data}': read {len(ids)} ids for {n_rows} rows.")
    taken = set(columns) | {f"{key}{i}" for key, values in columns.items()
                            if np.ndim(values) == 2 for i in range(np.shape(values)[1])}
    while name in taken:
        name = f"row_{name}"
    return {name: ids, **columns}


def _by_name(model, X, names, args):
    """``X``'s columns in the order of the model's ``feature_names_in_``."""
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is None or names is None:
        return X
    fitted = [str(name) for name in fitted]
    if names == fitted:
        return X
    missing = [n for n in fitted if n not in names]
    unexpected = [n for n in names if n not in fitted]
    if missing or unexpected or len(set(names)) != len(names):
        said = "; ".join(part for part in (
            missing and f"missing {', '.join(map(repr, missing))}",
            unexpected and f"not in the model {', '.join(map(repr, unexpected))}",
            len(set(names)) != len(names) and "some names repeat") if part)
        hint = ""
        if unexpected and not missing and getattr(args, "id_column", None) is None:
            # A model fit with --id-column (or --label-column, where the command has it)
            # never saw that column.
            labels = hasattr(args, "label_column")
            hint = (f" If {', '.join(map(repr, unexpected))} holds row ids"
                    f"{' or labels' if labels else ''}, name it with --id-column"
                    f"{' (or --label-column)' if labels else ''} as at fit time.")
        raise CommandError(
            f"DATA file '{args.data}' has other columns than MODEL '{args.model}' was fitted "
            f"on ({said}); the model's columns: {', '.join(map(repr, fitted))}.{hint}")
    _note(f"{args.data}: columns put in the model's order by their header names "
          f"({', '.join(fitted)}).")
    return X[:, [names.index(n) for n in fitted]]


@contextlib.contextmanager
def _columns_matched():
    """scikit-learn warns that an array has no feature names for a model fit with them:
    the command has matched DATA's columns by name already (``_by_name``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        yield


def _note_row_ids(X, names, path, label_column=None, id_column=None):
    """Note a column that looks like a row id (consecutive integers, or distinct integers
    under a name such as "id"): the model would learn it as a feature. The note names it
    as ``--id-column`` takes it: by header name, or by its number in the file."""
    numbers = range(1, X.shape[1] + 1)
    if Path(path).suffix.lower() == ".csv":
        numbers = [i + 1 for i in _csv_layout(Path(path), "DATA", label_column, id_column)[4]]
    for j in range(X.shape[1]):
        column = X[:, j]
        if len(column) < 3 or not np.all(column == np.round(column)):
            continue
        steps = np.diff(column)
        named = names is not None and names[j].strip().lower() in _ID_NAMES
        if np.all(steps == 1) or (named and len(np.unique(column)) == len(column)):
            label = f"'{names[j]}'" if names is not None else f"{numbers[j]}"
            advice = ("leave it out of the file" if Path(path).suffix.lower() != ".csv" else
                      f"pass --id-column {names[j] if names is not None else numbers[j]}: it "
                      "is then left out of the features, and transform, score and predict "
                      "copy it to their output")
            _note(f"{path}: column {label} holds a distinct integer per row, like a row id; "
                  f"it is used as a feature. If it is an id, {advice}.")


_ID_NAMES = {"id", "index", "idx", "row", "row_id", "rowid", "sample_id", "key"}


def _transform(args):
    _check_output(args)
    model, X = _model_and_data(args, "transform", "has no transform")
    try:
        with _columns_matched():
            Z = np.asarray(model.transform(X))
    except ValueError as exc:
        raise CommandError(f"transform failed: {exc}") from None
    write_data(args.out, _with_ids(args, {"latent": Z}))
    print(f"Wrote {Z.shape[0]} x {Z.shape[1]} codes to {args.out}.", file=sys.stderr)


def _score(args):
    _check_output(args)
    model, X = _model_and_data(args, "score_samples",
                               "has no score_samples, so it cannot score samples")
    try:
        with _columns_matched():
            columns = {"anomaly_score": -np.asarray(model.score_samples(X), dtype=float)}
            if hasattr(model, "offset_") and hasattr(model, "predict"):
                columns["is_outlier"] = (np.asarray(model.predict(X)) == -1).astype(int)
    except ValueError as exc:
        raise CommandError(f"scoring failed: {exc}") from None
    _write_rows(args.out, _with_ids(args, columns), f"{len(X)} anomaly scores")


def _predict(args):
    _check_output(args)
    model, X = _model_and_data(args, "predict", "has no predict (it does not label samples; "
                                                "use transform or score)")
    if args.proba and not hasattr(model, "predict_proba"):
        raise CommandError(f"MODEL '{args.model}' ({type(model).__name__}) has no "
                           "predict_proba, so --proba does not apply.")
    try:
        with _columns_matched():
            columns = {"label": np.asarray(model.predict(X))}
            if args.proba:
                proba = np.asarray(model.predict_proba(X), dtype=float)
                classes = getattr(model, "classes_", range(proba.shape[1]))
                columns.update({f"proba_{c}": proba[:, j] for j, c in enumerate(classes)})
    except ValueError as exc:
        raise CommandError(f"predict failed: {exc}") from None
    _write_rows(args.out, _with_ids(args, columns), f"{len(X)} labels")


def _write_rows(out, columns, what):
    """A per-row result to ``out``, or as CSV to the standard output when it is None."""
    if out is None:
        sys.stdout.write(_csv_text(columns))
    else:
        write_data(out, columns)
        print(f"Wrote {what} to {out}.", file=sys.stderr)


_COMMANDS = {"demo": _demo, "fit": _fit, "transform": _transform, "score": _score,
             "predict": _predict}


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skae: {category.__name__}: {message}", file=sys.stderr)


def main(argv=None):
    """Run the ``skae`` command with ``argv`` (default: the process arguments)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
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
