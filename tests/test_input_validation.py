"""Bad input, every public estimator, every entry point: a clear error or a finite answer.

The tables below are the contract. ``ESTIMATORS`` lists a factory of small instances for each
public estimator (``test_registry_covers_every_public_estimator`` fails when one is missing);
``ENTRY_POINTS`` lists the methods, taken where the class has them; ``BAD_INPUTS`` lists inputs
that must be refused with a ValueError or TypeError whose message names the problem, raised by
skae or scikit-learn code, never from inside torch; ``ODD_BUT_VALID`` lists inputs that must
give a finite result of the right shape and dtype. No call may modify the caller's data.
"""

import pickle
import re
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning

import skae
from skae import AutoencoderTransformer

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")]

N_FEATURES = 12
TORCH_DIR = str(Path(torch.__file__).parent)

# -- the registries: extend these when an estimator or an entry point lands -------------------

def _small_ae():
    return AutoencoderTransformer(latent_dim=3, hidden_layer_sizes=(8,), max_iter=2,
                                  random_state=0)


#: name -> (factory of a small unfitted instance, what ``fit`` gets as ``y``).
#: ``y`` is None (unsupervised), "labels" (class labels) or "few_labels" (-1 = unlabeled).
ESTIMATORS = {
    "AutoencoderTransformer": (
        lambda: AutoencoderTransformer(latent_dim=3, hidden_layer_sizes=(8,), max_iter=2,
                                       random_state=0),
        None,
    ),
    "SparseAutoencoder": (lambda: skae.SparseAutoencoder(
        latent_dim=12, hidden_layer_sizes=(8,), max_iter=2, random_state=0), None),
    "DenoisingAutoencoder": (lambda: skae.DenoisingAutoencoder(
        latent_dim=3, hidden_layer_sizes=(8,), max_iter=2, random_state=0), None),
    "ContractiveAutoencoder": (lambda: skae.ContractiveAutoencoder(
        latent_dim=3, hidden_layer_sizes=(8,), max_iter=2, random_state=0), None),
    "VariationalAutoencoder": (lambda: skae.VariationalAutoencoder(
        latent_dim=3, hidden_layer_sizes=(8,), max_iter=2, random_state=0), None),
    "AutoencoderOutlierDetector": (lambda: skae.AutoencoderOutlierDetector(
        _small_ae()), None),
    "LatentClassifier": (lambda: skae.LatentClassifier(_small_ae(), random_state=0),
                         "few_labels"),
    "AutoencoderClassifier": (lambda: skae.AutoencoderClassifier(
        _small_ae(), max_iter=2, random_state=0), "few_labels"),
    "DeepEmbeddedClustering": (lambda: skae.DeepEmbeddedClustering(
        _small_ae(), n_clusters=3, max_iter=2, n_init=2, random_state=0), None),
    "LatentClustering": (lambda: skae.LatentClustering(
        _small_ae(), n_clusters=3, n_neighbors=5, random_state=0), None),
    "ManifoldLabelSpreading": (lambda: skae.ManifoldLabelSpreading(
        _small_ae(), n_neighbors=5, random_state=0), "few_labels"),
    "ConvClassifier": (lambda: skae.ConvClassifier(channels=(4,), hidden_size=8, max_iter=2,
                                                   random_state=0), "labels"),
}

#: Estimators whose fit needs several rows (two classes, n_clusters samples).
NEEDS_SEVERAL_ROWS = {"LatentClassifier", "AutoencoderClassifier", "DeepEmbeddedClustering",
                      "LatentClustering", "ManifoldLabelSpreading"}

#: Methods that take an ``X`` like the training data, and those that take the output space.
ENTRY_POINTS = ["fit", "partial_fit", "transform", "score_samples", "predict",
                "decision_function", "predict_proba", "inverse_transform"]
FIT_METHODS = {"fit", "partial_fit"}
OUTPUT_SPACE = {"inverse_transform"}  # takes latent codes: width is the output width


def _data():
    rng = np.random.RandomState(0)
    return rng.uniform(size=(40, N_FEATURES)), np.arange(40) % 3


def _y(kind, n):
    y = np.arange(n) % 3
    if kind == "few_labels":
        y = np.where(np.arange(n) % 4 == 0, y, -1)
    return None if kind is None else y


_FITTED = {}


def make(name):
    return ESTIMATORS[name][0]()


def fitted(name):
    """A fitted instance (cached per test session; entry points never refit it)."""
    if name not in _FITTED:
        X, _ = _data()
        _FITTED[name] = make(name).fit(X, _y(ESTIMATORS[name][1], len(X)))
    return _FITTED[name]


def _width(estimator, method):
    if method in OUTPUT_SPACE:
        return estimator.transform(_data()[0][:1]).shape[1]
    return N_FEATURES


def fitted_on_frame(name, columns):
    """A fitted instance that saw a DataFrame with these column names (cached), so that a
    DataFrame given to an entry point meets an estimator fit on the same kind of input."""
    key = (name, columns)
    if key not in _FITTED:
        X, _ = _data()
        frame = pd.DataFrame(X[:, :len(columns)], columns=list(columns))
        _FITTED[key] = make(name).fit(frame, _y(ESTIMATORS[name][1], len(X)))
    return _FITTED[key]


def call(name, method, X):
    """Call ``method`` of a fresh (fit methods) or fitted estimator on ``X``."""
    if method in FIT_METHODS:
        estimator = make(name)
        return getattr(estimator, method)(X, _y(ESTIMATORS[name][1], _n_rows(X)))
    if (isinstance(X, pd.DataFrame) and method not in OUTPUT_SPACE
            and len(X.columns) == N_FEATURES and all(isinstance(c, str) for c in X.columns)):
        return getattr(fitted_on_frame(name, tuple(X.columns)), method)(X)
    return getattr(fitted(name), method)(X)


def _n_rows(X):
    try:
        return len(X)
    except TypeError:
        return 1


def _pairs():
    for name, (factory, _) in ESTIMATORS.items():
        cls = type(factory())
        for method in ENTRY_POINTS:
            if hasattr(cls, method):
                yield name, method


PAIRS = list(_pairs())


# -- bad inputs ---------------------------------------------------------------------------------


def _with(value):
    def build(width):
        X = _data()[0][:6, :width].copy()
        X[2, 1] = value
        return X
    return build


def _frame_with(column):
    def build(width):
        frame = pd.DataFrame(_data()[0][:3, :width - 1],
                             columns=[f"x{i}" for i in range(width - 1)])
        frame["extra"] = column
        return frame
    return build


#: id -> (builder(width) -> X, exception types, regex the message must match, where it applies:
#: None everywhere, "not fit" outside fit/partial_fit, "input space" outside OUTPUT_SPACE)
BAD_INPUTS = {
    "nan": (_with(np.nan), ValueError, "NaN", None),
    "inf": (_with(np.inf), ValueError, "infinity", None),
    "-inf": (_with(-np.inf), ValueError, "infinity", None),
    "beyond float32 (1e39)": (_with(1e39), ValueError, "float32 range", None),
    "beyond float32 (-1e300)": (_with(-1e300), ValueError, "float32 range", None),
    "strings": (lambda w: np.full((4, w), "a"), ValueError, "could not convert string to float",
                None),
    "numeric strings mixed with words": (
        lambda w: np.array([["1.5"] * (w - 1) + ["abc"]] * 4), ValueError,
        "convert string to float: .*abc", None),
    "object array with a string": (
        lambda w: np.array([[0.5] * (w - 1) + ["x"]] * 4, dtype=object), ValueError,
        "convert string to float: 'x'", None),
    "object array with a dict": (
        lambda w: np.array([[{"a": 1}] * w] * 3, dtype=object), TypeError,
        "real number, not 'dict'", None),
    "complex": (lambda w: _data()[0][:4, :w] * (1 + 1j), ValueError, "Complex data", None),
    "complex with zero imaginary part": (lambda w: _data()[0][:4, :w].astype(complex),
                                         ValueError, "Complex data", None),
    "datetime64": (lambda w: np.full((3, w), np.datetime64("2024-01-01")), TypeError,
                   "dates or durations", None),
    "empty (0 rows)": (lambda w: np.empty((0, w)), ValueError, "0 sample", None),
    "empty (0 columns)": (lambda w: np.empty((4, 0)), ValueError, "0 feature", None),
    "1-D": (lambda w: _data()[0][0, :w], ValueError, "Expected 2D array", None),
    "3-D": (lambda w: _data()[0][:4, :w].reshape(4, w, 1), ValueError,
            "Found array with dim 3", None),
    "scalar": (lambda w: 0.5, ValueError, "Expected 2D array", None),
    "pandas Series": (lambda w: pd.Series(_data()[0][:4, 0]), ValueError,
                      "Expected a 2-dimensional container", None),
    "None": (lambda w: None, ValueError, "X is None", None),
    "ragged rows": (lambda w: [[0.1] * w, [0.2] * (w - 1)], ValueError, "inhomogeneous shape",
                    None),
    "scipy csr_matrix": (lambda w: sp.csr_matrix(_data()[0][:5, :w]), TypeError,
                         "Sparse data was passed for X, but dense data is required", None),
    "scipy csc_matrix": (lambda w: sp.csc_matrix(_data()[0][:5, :w]), TypeError,
                         "Sparse data was passed for X, but dense data is required", None),
    "scipy coo_array": (lambda w: sp.coo_array(_data()[0][:5, :w]), TypeError,
                        "Sparse data was passed for X, but dense data is required", None),
    # Named by column, with the encoder to use (scikit-learn's message names a value only).
    "pandas, a text column": (_frame_with(["a", "b", "c"]), ValueError,
                              "column 'extra' holds text or categories.*OneHotEncoder", None),
    "pandas, a categorical column": (_frame_with(pd.Categorical(["u", "v", "u"])), ValueError,
                                     "column 'extra' holds text or categories", None),
    "pandas, a string column": (_frame_with(pd.array(["u", "v", None], dtype="string")),
                                ValueError, "column 'extra' holds text or categories", None),
    "pandas, a datetime column": (_frame_with(pd.to_datetime(["2024-01-01"] * 3)), TypeError,
                                  "dates or durations", None),
    "pandas, missing values (pd.NA)": (_frame_with(pd.array([1.0, None, 2.0], dtype="Float64")),
                                       ValueError, "NaN", None),
    "pandas, int and str column names": (
        lambda w: pd.DataFrame(_data()[0][:3, :w]).rename(columns={0: "a"}), TypeError,
        "string names", "input space"),
    "fewer features than fit": (lambda w: _data()[0][:4, :w - 1], ValueError,
                                "features|columns", "not fit"),
    "more features than fit": (lambda w: np.hstack([_data()[0][:4, :w]] * 2), ValueError,
                               "features|columns", "not fit"),
}


def _origin(exc):
    """File of the innermost frame that raised ``exc``."""
    return traceback.extract_tb(exc.__traceback__)[-1].filename


def _fingerprint(X):
    """What must not change: values, dtype and shape (and a frame's columns and index)."""
    if isinstance(X, pd.DataFrame):
        return ("frame", X.copy(deep=True))
    if sp.issparse(X):
        X = X.tocoo()
        return pickle.dumps((X.data, X.coords, X.shape))
    return pickle.dumps(X)


def _unchanged(X, fingerprint):
    if isinstance(X, pd.DataFrame):
        copy = fingerprint[1]
        return (X.equals(copy) and list(X.dtypes) == list(copy.dtypes)
                and list(X.columns) == list(copy.columns))
    return _fingerprint(X) == fingerprint


def _cases():
    for name, method in PAIRS:
        for case, (_, _, _, methods) in BAD_INPUTS.items():
            if methods == "not fit" and method in FIT_METHODS:
                continue
            if methods == "input space" and method in OUTPUT_SPACE:
                continue
            yield pytest.param(name, method, case, id=f"{name}-{method}-{case}")


@pytest.mark.parametrize("name, method, case", list(_cases()))
def test_bad_input_is_refused_clearly(name, method, case):
    build, types, match, _ = BAD_INPUTS[case]
    X = build(_width(fitted(name), method))
    before = _fingerprint(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(types, match=match) as info:
            call(name, method, X)
    assert not _origin(info.value).startswith(TORCH_DIR), "the error came from inside torch"
    assert type(info.value).__module__ == "builtins" or "sklearn" in type(
        info.value).__module__, f"unexpected exception class {type(info.value)}"
    assert _unchanged(X, before), "the caller's data was modified"


def test_partial_fit_refuses_a_changed_feature_count():
    for name, method in PAIRS:
        if method != "partial_fit":
            continue
        X, _ = _data()
        estimator = make(name)
        estimator.partial_fit(X, _y(ESTIMATORS[name][1], len(X)))
        with pytest.raises(ValueError, match=f"expecting {N_FEATURES} features"):
            estimator.partial_fit(X[:, :5], _y(ESTIMATORS[name][1], len(X)))


# -- odd but valid inputs: a finite answer of the right shape and dtype ---------------------------


def _odd_inputs(width):
    X = _data()[0][:6, :width]
    return {
        "one sample": X[:1],
        "bool": X > 0.5,
        "int64": (X * 100).astype(np.int64),
        "uint8": (X * 255).astype(np.uint8),
        "float16": X.astype(np.float16),
        "float32": X.astype(np.float32),
        "object array of numbers": X.astype(object),
        "numeric strings": X.astype(str),
        "list of lists": X.tolist(),
        "Fortran order": np.asfortranarray(X),
        "non-contiguous view": np.hstack([X, X])[:, ::2],
        "read-only": _read_only(X),
        "pandas, numeric mixed dtypes": pd.DataFrame(
            {f"c{i}": (X[:, i] * 10).astype(np.int32) if i % 2 else X[:, i].astype(np.float32)
             for i in range(width)}),
        "huge but within float32 (1e30)": X * 1e30,
        "tiny (1e-30)": X * 1e-30,
        "constant columns": np.ones((6, width)),
    }


def _read_only(X):
    X = X.copy()
    X.flags.writeable = False
    return X


ODD_NAMES = list(_odd_inputs(N_FEATURES))


def _out_dtype(X):
    dtype = getattr(X, "dtype", None)
    return np.float32 if dtype == np.float32 else np.float64


@pytest.mark.parametrize("name, method", PAIRS, ids=[f"{n}-{m}" for n, m in PAIRS])
@pytest.mark.parametrize("case", ODD_NAMES)
def test_odd_but_valid_input_gives_a_finite_answer(name, method, case):
    estimator = fitted(name)
    X = _odd_inputs(_width(estimator, method))[case]
    before = _fingerprint(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            result = call(name, method, X)
        except ValueError as exc:
            # Allowed for what float32 cannot represent, said as such, and for fitting a
            # classifier or clusterer on fewer rows than it has classes or clusters.
            too_few = (method in FIT_METHODS and name in NEEDS_SEVERAL_ROWS
                       and re.search("class|samples", str(exc)))
            assert too_few or (case.startswith("huge") and "float32" in str(exc)), exc
            return
    assert _unchanged(X, before), "the caller's data was modified"
    if method in FIT_METHODS:
        # Predict on the same kind of input as the fit: a DataFrame keeps its column names,
        # which a fit on a DataFrame expects (sklearn warns otherwise).
        as_float = X.astype(float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
        result = _main_output(result)(as_float)
    out = np.asarray(result)
    assert np.isfinite(out).all()
    n_rows = len(X)
    assert out.shape[0] == n_rows
    if method in ("transform", "inverse_transform"):
        assert out.dtype == _out_dtype(X)


# -- invalid parameters -----------------------------------------------------------------------

#: (parameter, bad value, regex the message must match); applied where the estimator has it.
INVALID_PARAMS = [
    ("latent_dim", 0, "latent_dim"),
    ("latent_dim", -3, "latent_dim"),
    ("latent_dim", 2.5, "latent_dim"),
    ("latent_dim", "2", "latent_dim"),
    ("hidden_layer_sizes", (16, 0), "hidden_layer_sizes"),
    ("hidden_layer_sizes", (16, -1), "hidden_layer_sizes"),
    ("hidden_layer_sizes", "wide", "hidden_layer_sizes"),
    ("hidden_layer_sizes", (8.5,), "hidden_layer_sizes"),
    ("learning_rate_init", -1e-3, "learning_rate_init"),
    ("learning_rate_init", 0.0, "learning_rate_init"),
    ("learning_rate_init", float("nan"), "learning_rate_init"),
    ("learning_rate_init", float("inf"), "learning_rate_init"),
    ("activation", "swish", "activation"),
    ("activation", None, "activation"),
    ("scaling", "log", "scaling"),
    ("alpha", -1.0, "alpha"),
    ("batch_size", 0, "batch_size"),
    ("batch_size", "big", "batch_size"),
    ("max_iter", 0, "max_iter"),
    ("tol", -1.0, "tol"),
    ("validation_fraction", 1.5, "validation_fraction"),
    ("n_iter_no_change", 0, "n_iter_no_change"),
    ("random_state", "seed", "random_state"),
    ("device", "tpu9", "device"),
    ("device", "meta", "device"),
    ("device", "cuda" if not torch.cuda.is_available() else "cuda:99", "device|CUDA"),
    ("variant", "unknown", "variant"),
]


#: Values INVALID_PARAMS lists that one estimator gives a meaning to.
VALID_HERE = {("DeepEmbeddedClustering", "max_iter", 0)}  # keep the k-means clusters


def _param_cases():
    for name, (factory, _) in ESTIMATORS.items():
        params = factory().get_params()
        for param, value, match in INVALID_PARAMS:
            if param in params and (name, param, value) not in VALID_HERE:
                for method in ("fit", "partial_fit"):
                    if hasattr(factory(), method):
                        yield pytest.param(name, method, param, value, match,
                                           id=f"{name}-{method}-{param}={value!r}")


@pytest.mark.parametrize("name, method, param, value, match", list(_param_cases()))
def test_invalid_parameter_is_named(name, method, param, value, match):
    X, _ = _data()
    estimator = make(name).set_params(**{param: value})
    with pytest.raises((ValueError, TypeError), match=match) as info:
        getattr(estimator, method)(X, _y(ESTIMATORS[name][1], len(X)))
    assert not _origin(info.value).startswith(TORCH_DIR)


def test_registry_covers_every_public_estimator():
    public = {name for name in skae.__all__
              if isinstance(getattr(skae, name), type)
              and issubclass(getattr(skae, name), BaseEstimator)}
    assert public <= set(ESTIMATORS), f"add {public - set(ESTIMATORS)} to ESTIMATORS"


def test_a_failed_fit_leaves_an_unfitted_estimator():
    from sklearn.exceptions import NotFittedError

    X, _ = _data()
    for name in ESTIMATORS:
        estimator = make(name)
        if "learning_rate_init" not in estimator.get_params():
            continue  # the meta-estimators fit a clone of an autoencoder checked here
        # A step of 1e300 (inf in float32) makes the weights non-finite whatever the signs of
        # the gradients: 1e30 left a convolutional network with dead units and a finite loss.
        estimator.set_params(learning_rate_init=1e300, batch_size=4)
        with pytest.raises(ValueError, match="diverged"):
            estimator.fit(X * 100, _y(ESTIMATORS[name][1], len(X)))
        with pytest.raises(NotFittedError):
            _main_output(estimator)(X)


# -- the command line ---------------------------------------------------------------------------

#: (argv, regex stderr must match). Extend with fit/transform/score cases when they land.
CLI_CASES = [
    (["demo", "--max-iter", "0"], "max_iter"),
    (["demo", "--data", "mnist", "--data-dir", "/nonexistent/mnist"], "mnist|MNIST|nonexistent"),
]


@pytest.mark.parametrize("argv, match", CLI_CASES, ids=[" ".join(a) for a, _ in CLI_CASES])
def test_cli_bad_arguments_exit_with_a_message(argv, match, tmp_path, capsys):
    import re

    from skae.cli import main

    assert main([*argv, "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert re.search(match, err), err
    assert "Traceback" not in err


# -- property-based: random shapes, dtypes and values -------------------------------------------

_DTYPES = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8,
                           np.bool_, np.complex128])
_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)


@st.composite
def arrays(draw, n_features=None):
    dtype = np.dtype(draw(_DTYPES))
    ndim = draw(st.sampled_from([1, 2, 2, 2, 3]))
    if n_features is not None and ndim == 2:
        shape = (draw(st.integers(0, 6)), n_features)
    else:
        shape = tuple(draw(st.integers(0, 5)) for _ in range(ndim))
    if dtype.kind == "f" and dtype.itemsize == 8:
        elements = st.one_of(_FLOATS, st.floats(-1e40, 1e40), st.floats(-2, 2))
        return draw(hnp.arrays(dtype, shape, elements=elements))
    if dtype.kind == "c":
        return draw(hnp.arrays(dtype, shape, elements=st.complex_numbers(max_magnitude=10)))
    return draw(hnp.arrays(dtype, shape))


def _main_output(estimator):
    """The method whose output stands for the estimator's answer on X."""
    for method in ("transform", "predict_proba", "score_samples", "predict"):
        if hasattr(estimator, method):
            return getattr(estimator, method)


def _check_outcome(run, X, n_out, *, is_transform=True):
    before = _fingerprint(X)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = run(X)
    except (ValueError, TypeError) as exc:
        assert not _origin(exc).startswith(TORCH_DIR), f"torch error: {exc!r}"
        assert str(exc), "an error without a message"
        return
    finally:
        assert _unchanged(X, before)
    out = np.asarray(out)
    if n_out is not None:
        assert out.reshape(X.shape[0], -1).shape == (X.shape[0], n_out)
    assert np.isfinite(out).all()
    if is_transform:
        assert out.dtype == (np.float32 if X.dtype == np.float32 else np.float64)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(X=arrays())
def test_fit_transform_random_arrays(name, X):
    def run(X):
        estimator = make(name).set_params(max_iter=1)
        return _main_output(estimator.fit(X, _y(ESTIMATORS[name][1], _n_rows(X))))(X)
    # A classifier's probabilities are as wide as the classes this X's labels hold.
    transformer = hasattr(fitted(name), "transform")
    _check_outcome(run, X, _n_out(fitted(name)) if transformer else None,
                   is_transform=transformer)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@settings(max_examples=60, deadline=None, derandomize=True)
@given(X=arrays(n_features=N_FEATURES))
def test_transform_random_arrays(name, X):
    estimator = fitted(name)
    _check_outcome(_main_output(estimator), X, _n_out(estimator),
                   is_transform=hasattr(estimator, "transform"))


def _n_out(estimator):
    return np.asarray(_main_output(estimator)(_data()[0][:1])).reshape(1, -1).shape[1]


def test_columns_the_float32_cast_blurs_are_named():
    """A small spread at a large offset (timestamps) rounds away on the cast to float32,
    which the model computes in: the fit names the column and what to do. Columns the cast
    keeps well (one day of seconds: rounding 0.3% of the spread; integers below 2**24; data
    already in float32; float64 round-off on a constant) stay silent."""
    rng = np.random.RandomState(0)
    base = rng.rand(48, 2)
    seconds = np.linspace(0, 1, 48)

    def fit(column, dtype=np.float64, frame=False):
        X = np.column_stack([base, column]).astype(dtype)
        if frame:
            X = pd.DataFrame(X, columns=["a", "b", "when"])
        AutoencoderTransformer(hidden_layer_sizes=(4,), max_iter=1, manifold_weight=0).fit(X)

    with pytest.warns(DataConversionWarning,
                      match=r"Column 'when' of X loses detail .*: column 'when' spreads 1.06e\+03 "
                            r"\(standard deviation\) .* rounds by up to 6.* \(6% of"):
        fit(1.7e9 + 3600 * seconds, frame=True)  # one hour of Unix seconds
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*float32.*")
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(1.7e9 + 86400 * seconds)  # one day
        fit(1e7 + np.arange(48.0))
        fit(1.7e9 + 3600 * seconds, dtype=np.float32)
        fit(1.0 + rng.choice([-1, 0, 1], 48) * np.finfo(np.float64).eps)
