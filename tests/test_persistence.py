"""skae.save / skae.load: identical models back, and no code run from the file, ever.

(The round trip into a fresh process is in test_reliability.py, with pickle's.)"""

import json
import os
import pickle
import re
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skae
from skae import AutoencoderTransformer
from skae.persistence import InconsistentVersionWarning

pytestmark = pytest.mark.timeout(300)


def small_ae(**params):
    params = {"latent_dim": 3, "hidden_layer_sizes": (16,), "max_iter": 4, "random_state": 0,
              **params}
    return AutoencoderTransformer(**params)


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:300]


@pytest.fixture(scope="module")
def fitted(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return small_ae(early_stopping=True).fit(X)


def _equal(a, b):
    """Deep equality of fitted attributes (arrays, tensors, dicts, lists, RandomStates)."""
    if isinstance(a, np.random.RandomState):
        return all(_equal(x, y) for x, y in zip(a.get_state(), b.get_state()))
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, dict):
        return (type(b) is dict and list(a) == list(b)
                and all(_equal(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


def test_round_trip_gives_the_same_model(fitted, X, tmp_path):
    path = tmp_path / "model.skae"
    skae.save(fitted, path)
    loaded = skae.load(path)
    assert type(loaded) is AutoencoderTransformer
    assert _equal(loaded.get_params(), fitted.get_params())
    assert set(vars(loaded)) == set(vars(fitted))
    for name, value in vars(fitted).items():
        if name != "module_":
            assert _equal(getattr(loaded, name), value), name
    for key, tensor in fitted.module_.state_dict().items():
        assert torch.equal(loaded.module_.state_dict()[key], tensor), key
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))
    np.testing.assert_array_equal(loaded.score_samples(X), fitted.score_samples(X))
    Z = fitted.transform(X)
    np.testing.assert_array_equal(loaded.inverse_transform(Z), fitted.inverse_transform(Z))


# A 4-epoch model trained one epoch more: the test compares bits, not what was learned.
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_loaded_model_trains_on_exactly_like_the_original(fitted, X, tmp_path):
    # The optimizer state and the random generator are stored too.
    skae.save(fitted, tmp_path / "m.skae")
    loaded = skae.load(tmp_path / "m.skae")
    original = pickle.loads(pickle.dumps(fitted))
    for estimator in (original, loaded):
        estimator.partial_fit(X)
    np.testing.assert_array_equal(loaded.transform(X), original.transform(X))
    assert loaded.n_iter_ == original.n_iter_ == fitted.n_iter_ + 1


def test_feature_names_output_config_and_unfitted_models_survive(X, tmp_path):
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae = small_ae(hidden_layer_sizes=[16, 8]).set_output(transform="pandas").fit(frame)
    skae.save(ae, tmp_path / "named.skae")
    loaded = skae.load(tmp_path / "named.skae")
    assert list(loaded.feature_names_in_) == list(frame.columns)
    assert loaded.feature_names_in_.dtype == object
    assert loaded.hidden_layer_sizes == [16, 8]
    pd.testing.assert_frame_equal(loaded.transform(frame), ae.transform(frame))

    skae.save(small_ae(random_state=np.random.RandomState(3)), tmp_path / "unfitted.skae")
    unfitted = skae.load(tmp_path / "unfitted.skae")
    assert not hasattr(unfitted, "module_")
    assert unfitted.random_state.randint(1000) == np.random.RandomState(3).randint(1000)


def test_the_file_is_safetensors_with_a_json_header(fitted, tmp_path):
    skae.save(fitted, tmp_path / "m.skae")
    with safe_open(tmp_path / "m.skae", framework="pt") as f:
        header = json.loads(f.metadata()["skae"])
        keys = set(f.keys())
    assert header["estimator"]["class"] == "AutoencoderTransformer"
    import sklearn

    assert header["versions"] == {"skae": skae.__version__, "torch": torch.__version__,
                                  "scikit-learn": sklearn.__version__}
    assert {f"module_.{k}" for k in fitted.module_.state_dict()} <= keys


def test_what_cannot_be_stored_safely_is_named(fitted, tmp_path):
    class Opaque:
        pass

    odd = pickle.loads(pickle.dumps(fitted))
    odd.extra_ = Opaque()
    with pytest.raises(TypeError, match="'extra_'.*Opaque.*joblib"):
        skae.save(odd, tmp_path / "x.skae")
    from sklearn.neighbors import KNeighborsClassifier

    with pytest.raises(TypeError, match="public estimators.*KNeighborsClassifier.*joblib"):
        skae.save(KNeighborsClassifier(), tmp_path / "x.skae")


# -- files that must not run ------------------------------------------------------------------


class _Bomb:
    """Unpickling this creates ``marker``: a stand-in for arbitrary code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _pickle_bomb(path, marker):
    with open(path, "wb") as f:
        pickle.dump(_Bomb(marker), f)


def test_a_pickle_bomb_is_refused_and_runs_nothing(tmp_path):
    bomb, marker = tmp_path / "model.skae", tmp_path / "PWNED"
    _pickle_bomb(bomb, marker)
    # Control: pickle (and so joblib) runs it.
    control = f"import pickle; pickle.load(open({str(bomb)!r}, 'rb'))"
    subprocess.run([sys.executable, "-c", control], check=True)
    assert marker.exists()
    marker.unlink()

    with pytest.raises(ValueError, match="not a skae safe file.*never unpickles"):
        skae.load(bomb)
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["joblib", "torch.save"])
def test_other_pickle_based_files_are_refused_and_run_nothing(tmp_path, kind):
    path, marker = tmp_path / "model.skae", tmp_path / "PWNED"
    if kind == "joblib":
        joblib.dump({"model": _Bomb(marker)}, path)
    else:
        torch.save({"model": _Bomb(marker)}, path)
    with pytest.raises(ValueError, match="not a skae safe file"):
        skae.load(path)
    assert not marker.exists()


def _rewrite(src, dst, edit_header=None, edit_tensors=None):
    with safe_open(src, framework="pt") as f:
        header = json.loads(f.metadata()["skae"])
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    if edit_header:
        edit_header(header)
    if edit_tensors:
        edit_tensors(tensors)
    text = json.dumps(header)
    # json.dumps itself cannot write what is nested too deeply: splice it in as text.
    text = text.replace('"DEEP"', '{"__tuple__": [' * 50_000 + "0" + "]}" * 50_000)
    save_file(tensors, dst, metadata={"skae": text})


def _set(*keys, value):
    def edit(header):
        node = header
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return edit


CRAFTED = {
    "a class outside skae": (_set("estimator", "class", value="Popen"), None,
                             "unknown estimator class 'Popen'"),
    "a dotted class path": (_set("estimator", "class", value="os.system"), None,
                            "unknown estimator class"),
    "a dunder attribute": (_set("estimator", "attributes", "__class__", value="x"), None,
                           "'__class__' is not allowed"),
    "an attribute shadowing a method": (_set("estimator", "attributes", "transform",
                                             value=1), None, "'transform' is not allowed"),
    "an unknown parameter": (_set("estimator", "params", "exec", value="rm -rf /"), None,
                             "no parameters \\['exec'\\]"),
    "an invalid parameter": (_set("estimator", "params", "latent_dim", value=-1), None,
                             "latent_dim"),
    "an unknown tag": (_set("estimator", "attributes", "n_iter_",
                            value={"__reduce__": ["os.system", "id"]}), None,
                       "unknown tag '__reduce__'"),
    "weights of the wrong shape": (None, lambda t: t.update(
        {k: torch.zeros(2, 2) for k in t if k.endswith("0.weight")}), "do not fit"),
    "missing weights": (None, lambda t: [t.pop(k) for k in list(t) if "decoder" in k],
                        "do not fit"),
    "a huge claimed input width": (_set("estimator", "attributes", "n_features_in_",
                                        value=10**12), None, "do not fit"),
    "another format": (_set("format", value="other-9"), None, "not one written by skae.save"),
    "a deeply nested value": (_set("estimator", "attributes", "n_iter_", value="DEEP"), None,
                              "nested too deeply|not one written"),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_safe_files_are_refused_clearly(fitted, tmp_path, case):
    edit_header, edit_tensors, match = CRAFTED[case]
    skae.save(fitted, tmp_path / "good.skae")
    _rewrite(tmp_path / "good.skae", tmp_path / "bad.skae", edit_header, edit_tensors)
    with pytest.raises(ValueError, match=match):
        skae.load(tmp_path / "bad.skae")


def test_a_plain_safetensors_file_is_refused(tmp_path):
    save_file({"w": torch.zeros(3)}, tmp_path / "plain.safetensors")
    with pytest.raises(ValueError, match="not one written by skae.save"):
        skae.load(tmp_path / "plain.safetensors")


def test_a_version_mismatch_warns(fitted, X, tmp_path):
    skae.save(fitted, tmp_path / "m.skae")
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        skae.load(tmp_path / "m.skae")
    _rewrite(tmp_path / "m.skae", tmp_path / "old.skae",
             _set("versions", "torch", value="1.13.0"))
    with pytest.warns(InconsistentVersionWarning, match=r"torch 1\.13\.0 \(now "):
        loaded = skae.load(tmp_path / "old.skae")
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))


# -- plain scikit-learn estimators around skae ---------------------------------------------------


def test_a_pipeline_into_a_classifier_or_clusterer_saves_safely(X, digits, tmp_path):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    y = digits[1][:len(X)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classify = make_pipeline(MinMaxScaler(), small_ae(), StandardScaler(),
                                 LogisticRegression(max_iter=500)).fit(X, y)
        cluster = make_pipeline(PCA(20), small_ae(),
                                KMeans(4, n_init=2, random_state=0)).fit(X)
    skae.save(classify, tmp_path / "classify.skae")
    skae.save(cluster, tmp_path / "cluster.skae")
    loaded = skae.load(tmp_path / "classify.skae")
    np.testing.assert_array_equal(loaded.predict_proba(X), classify.predict_proba(X))
    assert [name for name, _ in loaded.steps] == [name for name, _ in classify.steps]
    loaded = skae.load(tmp_path / "cluster.skae")
    np.testing.assert_array_equal(loaded.transform(X), cluster.transform(X))
    np.testing.assert_array_equal(loaded.predict(X), cluster.predict(X))


def test_a_pipeline_that_would_read_a_cache_directory_is_refused(fitted, tmp_path):
    from sklearn.pipeline import Pipeline

    with pytest.raises(TypeError, match="memory=None"):
        skae.save(Pipeline([("ae", fitted)], memory=str(tmp_path)), tmp_path / "p.skae")
    skae.save(Pipeline([("ae", fitted)]), tmp_path / "p.skae")
    _rewrite(tmp_path / "p.skae", tmp_path / "bad.skae",
             _set("estimator", "params", "memory", value=str(tmp_path)))
    with pytest.raises(ValueError, match="memory=None"):
        skae.load(tmp_path / "bad.skae")


def test_save_refuses_an_estimator_whose_module_it_cannot_rebuild(X, tmp_path, monkeypatch):
    """A file that save writes must load: a module without untrained_module is refused
    before anything is written."""
    clf = skae.AutoencoderClassifier(small_ae(), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:100], np.arange(100) % 3)
    monkeypatch.delattr(skae.AutoencoderClassifier, "untrained_module")
    with pytest.raises(TypeError, match="cannot store a fitted AutoencoderClassifier yet"):
        skae.save(clf, tmp_path / "clf.skae")
    assert not (tmp_path / "clf.skae").exists()


def test_untrained_module_is_the_fitted_architecture_with_fresh_weights(fitted):
    """The public way an estimator hands out its architecture (what skae.load and the
    estimators built on an autoencoder use): same keys and shapes as module_, new weights,
    and a clear error before fit."""
    fresh = fitted.untrained_module()
    original = fitted.module_.state_dict()
    assert fresh is not fitted.module_
    assert {k: v.shape for k, v in fresh.state_dict().items()} == {
        k: v.shape for k, v in original.items()}
    assert not torch.equal(fresh.state_dict()["encoder.0.weight"], original["encoder.0.weight"])
    for estimator in (small_ae(), skae.DeepEmbeddedClustering(small_ae()),
                      skae.AutoencoderClassifier(small_ae())):
        with pytest.raises(NotFittedError):
            estimator.untrained_module()


def test_a_failed_save_leaves_the_previous_file_intact(fitted, X, tmp_path, monkeypatch):
    path = tmp_path / "model.skae"
    skae.save(fitted, path)
    before = path.read_bytes()

    real_fdopen = os.fdopen

    class HalfWriter:
        """The temporary file's writer: writes half the bytes, then fails like a full disk."""

        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            self.f.flush()
            raise OSError(28, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    with pytest.warns(ConvergenceWarning, match="max_iter=4"):
        other = small_ae(latent_dim=5).fit(X)
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfWriter(real_fdopen(fd, *a, **k)))
    with pytest.raises(OSError, match="No space left"):
        skae.save(other, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert skae.load(path).latent_dim == 3 and len(list(tmp_path.iterdir())) == 1


def _meta_models():
    def ae():
        return small_ae(max_iter=3)

    return {
        "AutoencoderClassifier": (
            skae.AutoencoderClassifier(ae(), max_iter=2, random_state=0), "predict_proba"),
        "AutoencoderClassifier-hidden": (
            skae.AutoencoderClassifier(ae(), hidden_layer_sizes=(5,), max_iter=2,
                                       random_state=0), "predict_proba"),
        "DeepEmbeddedClustering": (
            skae.DeepEmbeddedClustering(ae(), n_clusters=4, max_iter=2, random_state=0),
            "predict"),
        "DeepEmbeddedClustering-VAE": (
            skae.DeepEmbeddedClustering(
                skae.VariationalAutoencoder(latent_dim=3, hidden_layer_sizes=(16,),
                                            max_iter=3, random_state=0),
                n_clusters=4, max_iter=2, random_state=0), "predict"),
        "LatentClassifier": (skae.LatentClassifier(ae(), random_state=0), "predict_proba"),
        "AutoencoderOutlierDetector": (skae.AutoencoderOutlierDetector(ae()), "score_samples"),
        "ConvClassifier": (skae.ConvClassifier(channels=(3,), hidden_size=5, max_iter=2,
                                               random_state=0), "predict_proba"),
    }


@pytest.mark.parametrize("name", list(_meta_models()))
def test_estimators_built_on_an_autoencoder_round_trip(X, tmp_path, name):
    """The joint classifier and DEC rebuild their torch module (autoencoder plus head or
    centres) from the file; all four meta-estimators predict bit-identically after load.
    Standardised data makes the module's input map a non-identity one, so it is checked too."""
    estimator, method = _meta_models()[name]
    Xs = (X - X.mean(axis=0)) * 3.0
    y = np.where(np.arange(len(Xs)) < 60, np.arange(len(Xs)) % 3, -1)
    if name == "ConvClassifier":  # supervised: every row labeled
        y = np.arange(len(Xs)) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(Xs, y) if "Classifier" in name else estimator.fit(Xs)
    skae.save(estimator, tmp_path / "m.skae")
    loaded = skae.load(tmp_path / "m.skae")
    assert type(loaded) is type(estimator)
    np.testing.assert_array_equal(getattr(loaded, method)(Xs), getattr(estimator, method)(Xs))
    if hasattr(estimator, "module_"):
        original, restored = estimator.module_.state_dict(), loaded.module_.state_dict()
        assert list(original) == list(restored)
        fresh = estimator.untrained_module().state_dict()
        assert {k: v.shape for k, v in fresh.items()} == {
            k: v.shape for k, v in original.items()}
        assert all(torch.equal(original[k], restored[k]) for k in original)
    if hasattr(estimator, "estimator_") and hasattr(estimator, "module_"):
        assert not loaded.module_.autoencoder.is_identity_map
        np.testing.assert_array_equal(loaded.estimator_.transform(Xs),
                                      estimator.estimator_.transform(Xs))
    for attribute in ("classes_", "cluster_centers_", "labels_", "offset_", "history_"):
        if hasattr(estimator, attribute):
            assert _equal(getattr(loaded, attribute), getattr(estimator, attribute))


def test_architecture_parameters_changed_after_fit_still_load(X, tmp_path):
    """set_params after fit changes the parameters, not the fitted module: the file keeps
    both, as joblib's copy does, and load rebuilds the module the fit built (it refused
    the file as inconsistent before)."""
    ae = small_ae(max_iter=2)
    y = np.where(np.arange(len(X)) < 60, np.arange(len(X)) % 3, -1)
    classifier = skae.AutoencoderClassifier(small_ae(max_iter=2), hidden_layer_sizes=(5,),
                                            max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
        classifier.fit(X, y)
    ae.set_params(latent_dim=5, hidden_layer_sizes=(8, 4))
    classifier.set_params(hidden_layer_sizes=(3, 3))
    for estimator, method in ((ae, "transform"), (classifier, "predict_proba")):
        skae.save(estimator, tmp_path / "m.skae")
        loaded = skae.load(tmp_path / "m.skae")
        assert loaded.get_params()["hidden_layer_sizes"] == estimator.hidden_layer_sizes
        np.testing.assert_array_equal(getattr(loaded, method)(X),
                                      getattr(estimator, method)(X))
    assert ae.untrained_module().encoder[-1].out_features == 3
    # NumPy numbers (np.arange, a parameter grid) are recorded as Python's, so read back.
    grid = small_ae(max_iter=1, latent_dim=np.int64(3), hidden_layer_sizes=(np.int64(16),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X)
    grid.set_params(latent_dim=5)
    skae.save(grid, tmp_path / "g.skae")
    np.testing.assert_array_equal(skae.load(tmp_path / "g.skae").transform(X), grid.transform(X))
    assert loaded.untrained_module().head[0].out_features == 5


def test_paths_that_cannot_be_used_are_named(fitted, tmp_path):
    """A folder, a missing folder and a damaged file: each error names the user's path."""
    with pytest.raises(IsADirectoryError, match=re.escape(f"'{tmp_path}' is a folder")):
        skae.save(fitted, tmp_path)
    with pytest.raises(FileNotFoundError,
                       match=r"folder '.*nodir' \(of '.*m.skae'\) does not exist"):
        skae.save(fitted, tmp_path / "nodir" / "m.skae")
    with pytest.raises(IsADirectoryError, match="is a folder, not a file written by skae.save"):
        skae.load(tmp_path)
    skae.save(fitted, tmp_path / "m.skae")
    data = (tmp_path / "m.skae").read_bytes()
    (tmp_path / "cut.skae").write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match="damaged safe file, truncated or corrupt"):
        skae.load(tmp_path / "cut.skae")
    (tmp_path / "other.bin").write_bytes(b"\x80\x04 not a safe file at all")
    with pytest.raises(ValueError, match="is not a skae safe file"):
        skae.load(tmp_path / "other.bin")
