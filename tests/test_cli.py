"""The skae command: demo, and fit / transform / score through files."""

import gzip
import subprocess
import sys

import joblib
import numpy as np
import pytest

import skae
from skae.cli import feature_names, main, parse_value, read_data

FIT_FAST = ["--hidden-layer-sizes", "16", "--latent-dim", "3", "--max-iter", "5",
            "--random-state", "0", "--quiet"]


@pytest.fixture(scope="module")
def files(tmp_path_factory, digits):
    """Digits as .npy, .npz and .csv, and a model fitted on them through the CLI."""
    folder = tmp_path_factory.mktemp("cli")
    X = digits[0][:300]
    np.save(folder / "X.npy", X)
    np.savez(folder / "X.npz", X=X[:40], y=digits[1][:40])
    header = ",".join(f"pixel{i}" for i in range(64))
    np.savetxt(folder / "X.csv", X[:40], delimiter=",", header=header, comments="")
    model = folder / "model.skae"
    assert main(["fit", str(folder / "X.npy"), "--out", str(model), *FIT_FAST]) == 0
    return folder, X, model


# -- demo --------------------------------------------------------------------------------------

def test_demo_writes_every_file_and_a_report_with_the_figures(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--max-iter", "20", "--quiet"]) == 0
    from skae.demo import FIGURES

    for name in [*FIGURES.values(), "report.md"]:
        assert (tmp_path / name).stat().st_size > 0, name
    report = (tmp_path / "report.md").read_text()
    for name in FIGURES.values():
        assert f"]({name})" in report
    assert "| 2 | " in report and "| 16 | " in report          # reconstruction, both sizes
    assert "| raw pixels | 0." in report                          # few-label and k-means rows
    assert "| autoencoder, 16-D latent | 0." in report
    assert "k-means" in report and "PCA, 16 components" in report
    out = capsys.readouterr().out
    assert "Test reconstruction error" in out and "report.md" in out


def _write_idx(path, array):
    dtype_code = {np.uint8: 0x08}[array.dtype.type]
    header = bytes([0, 0, dtype_code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def test_demo_on_a_fake_mnist_folder(tmp_path, capsys):
    rng = np.random.RandomState(0)
    data = tmp_path / "mnist"
    data.mkdir()
    for split, n in (("train", 150), ("t10k", 50)):
        labels = np.arange(n) % 10
        images = (rng.uniform(0, 60, (n, 28, 28)) + labels[:, None, None] * 19).astype(np.uint8)
        _write_idx(data / f"{split}-images-idx3-ubyte.gz", images)
        _write_idx(data / f"{split}-labels-idx1-ubyte.gz", labels.astype(np.uint8))
    out = tmp_path / "out"
    assert main(["demo", "--data", "mnist", "--data-dir", str(data), "--out", str(out),
                 "--max-iter", "3", "--threads", "1", "--quiet"]) == 0
    report = (out / "report.md").read_text()
    assert report.startswith("# skae demo on mnist")
    assert "150 training and 50 test images" in report
    assert (out / "manifold.png").stat().st_size > 0


def test_demo_reports_missing_mnist_cleanly(tmp_path, capsys):
    assert main(["demo", "--data", "mnist", "--data-dir", str(tmp_path), "--quiet"]) == 2
    assert "No MNIST train files" in capsys.readouterr().err
    assert main(["demo", "--threads", "0", "--out", str(tmp_path), "--quiet"]) == 2
    assert "n_threads must be a positive int" in capsys.readouterr().err


# -- fit / transform / score ----------------------------------------------------------------

def test_round_trip_through_files(files, tmp_path, capsys):
    folder, X, model_path = files
    model = skae.load(model_path)  # the safe format: 'skae fit' writes with skae.save
    assert model.latent_dim == 3 and model.hidden_layer_sizes == 16 and model.max_iter == 5
    expected = model.transform(X)

    for suffix in ("npy", "npz", "csv"):
        out = tmp_path / f"Z.{suffix}"
        assert main(["transform", str(model_path), str(folder / "X.npy"), "--out",
                     str(out)]) == 0
        np.testing.assert_allclose(read_data(out), expected, rtol=1e-6, atol=1e-6)
    header = (tmp_path / "Z.csv").read_text().splitlines()[0]
    assert header == "latent0,latent1,latent2"

    # .npz input picks the array named X; .csv input skips its header row.
    for name in ("X.npz", "X.csv"):
        assert main(["transform", str(model_path), str(folder / name), "--out",
                     str(tmp_path / "Z40.npy")]) == 0
        np.testing.assert_allclose(np.load(tmp_path / "Z40.npy"), expected[:40], rtol=1e-5,
                                   atol=1e-6)

    assert main(["score", str(model_path), str(folder / "X.npy"), "--out",
                 str(tmp_path / "s.npy")]) == 0
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"), -model.score_samples(X),
                               rtol=1e-6)
    capsys.readouterr()
    assert main(["score", str(model_path), str(folder / "X.csv")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "anomaly_score" and len(lines) == 41
    np.testing.assert_allclose([float(v) for v in lines[1:]], -model.score_samples(X[:40]),
                               rtol=1e-6)


def test_fit_is_reproducible_and_accepts_boolean_options(files, tmp_path):
    folder, X, model_path = files
    again = tmp_path / "again.skae"
    assert main(["fit", str(folder / "X.npy"), "--out", str(again), *FIT_FAST]) == 0
    np.testing.assert_array_equal(skae.load(again).transform(X),
                                  skae.load(model_path).transform(X))
    stopped = tmp_path / "es.skae"
    assert main(["fit", str(folder / "X.csv"), "--out", str(stopped), *FIT_FAST,
                 "--early-stopping", "--validation-fraction", "0.25"]) == 0
    assert skae.load(stopped).early_stopping is True
    assert hasattr(skae.load(stopped), "validation_loss_curve_")


def test_corrupt_files_fail_with_a_message(files, tmp_path, capsys):
    folder, _, model_path = files
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"this is not numpy" * 4)
    assert main(["transform", str(model_path), str(bad), "--out", str(tmp_path / "z.npy")]) == 2
    assert "bad.npy' is not a .npy file" in capsys.readouterr().err

    truncated = tmp_path / "truncated.npy"
    truncated.write_bytes((folder / "X.npy").read_bytes()[:500])
    assert main(["score", str(model_path), str(truncated)]) == 2
    assert "cannot read DATA file" in capsys.readouterr().err

    bad_model = tmp_path / "model.joblib"
    bad_model.write_bytes(b"\x80\x04garbage")
    assert main(["score", str(bad_model), str(folder / "X.npy")]) == 2
    err = capsys.readouterr().err
    assert "is not a model written by 'skae fit'" in err and "--allow-pickle" in err
    assert main(["score", str(bad_model), str(folder / "X.npy"), "--allow-pickle"]) == 2
    assert "cannot load MODEL file" in capsys.readouterr().err

    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b\n1,2\n3,oops\n")
    assert main(["fit", str(bad_csv), "--out", str(tmp_path / "m.skae")]) == 2
    assert "line 3, column 2 ('b'): 'oops' is not a number" in capsys.readouterr().err

    assert main(["transform", str(model_path), str(tmp_path / "missing.npy"), "--out",
                 str(tmp_path / "z.npy")]) == 2
    assert "does not exist" in capsys.readouterr().err

    assert main(["transform", str(model_path), str(folder / "X.npy"), "--out",
                 str(tmp_path / "z.parquet")]) == 2
    assert "unsupported type '.parquet'" in capsys.readouterr().err


def test_outputs_never_destroy_inputs_and_damage_is_named(files, tmp_path, capsys):
    """An --out that is an input (DATA, --y, MODEL) or a folder is refused before any work;
    fit will not write its model under a data file's name; a truncated model file is
    called damaged, not a possible pickle; a folder given as an input is named a folder."""
    folder, X, model_path = files
    data = tmp_path / "X.npy"
    np.save(data, X[:40])
    before = data.read_bytes()
    (tmp_path / "link.npy").symlink_to(data)  # another name for the same file
    labels = tmp_path / "y.npy"
    np.save(labels, np.arange(40) % 3)
    cases = [
        (["fit", str(data), "--out", str(data), *FIT_FAST], "names a data file"),
        (["fit", str(data), "--out", str(tmp_path / "model.csv"), *FIT_FAST],
         "names a data file"),
        (["fit", str(data), "--out", str(tmp_path), *FIT_FAST], "is a folder"),
        (["fit", str(data), "--out", str(labels.with_suffix(".skae")), *FIT_FAST], None),
        (["transform", str(model_path), str(data), "--out", str(data)], "is the DATA file"),
        (["transform", str(model_path), str(data), "--out", str(tmp_path / "link.npy")],
         "is the DATA file"),
        (["transform", str(model_path), str(data), "--out", str(tmp_path / "none" / "z.npy")],
         "does not exist"),
        (["fit", str(data), "--out", str(labels / "m.skae"), *FIT_FAST],
         "is a file, not a folder"),
        (["score", str(model_path), str(data), "--out", str(data)], "is the DATA file"),
        (["transform", str(tmp_path), str(data), "--out", str(tmp_path / "z.npy")],
         "is a folder; give a file"),
        (["transform", str(model_path), str(tmp_path), "--out", str(tmp_path / "z.npy")],
         "is a folder; give a file"),
    ]
    for argv, match in cases:
        if match is None:  # a model file beside the data: fine
            assert main(argv) == 0, argv
            continue
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert match in err, (argv, err)
    assert data.read_bytes() == before

    model_bytes = model_path.read_bytes()
    truncated = tmp_path / "truncated.skae"
    truncated.write_bytes(model_bytes[:len(model_bytes) // 2])
    assert main(["transform", str(truncated), str(data), "--out", str(tmp_path / "z.npy")]) \
        == 2
    err = capsys.readouterr().err
    assert "damaged safe file, truncated or corrupt" in err and "--allow-pickle" not in err


def test_demo_checks_its_arguments_before_training(tmp_path, capsys, monkeypatch):
    import skae.demo

    taken = tmp_path / "taken.txt"
    taken.write_text("keep")
    # Refused before the run: the run itself fails the test if it is reached.
    monkeypatch.setattr(skae.demo, "_run", lambda *a, **k: pytest.fail("the demo trained"))
    for argv, match in ((["--out", str(taken)], "is a file, not a folder"),
                        (["--out", str(tmp_path / "o"), "--latent-dim", "0"], "latent_dim"),
                        (["--out", str(tmp_path / "o"), "--max-train", "-5"], "max_train")):
        assert main(["demo", *argv, "--quiet"]) == 2
        err = capsys.readouterr().err
        assert match in err and "Traceback" not in err, err
    assert taken.read_text() == "keep"
    assert not (tmp_path / "o").exists()  # no folder is left by a refused run
    monkeypatch.undo()
    # A folder that cannot be made (a file in its path) is named before the first fit.
    monkeypatch.setattr(skae.AutoencoderTransformer, "fit",
                        lambda *a, **k: pytest.fail("the demo trained"))
    assert main(["demo", "--out", str(taken / "sub"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot be created" in err and "Traceback" not in err, err


def test_feature_count_mismatch(files, tmp_path, capsys):
    _, X, model_path = files
    narrow = tmp_path / "narrow.npy"
    np.save(narrow, X[:, :10])
    for command in (["transform", str(model_path), str(narrow), "--out",
                     str(tmp_path / "z.npy")], ["score", str(model_path), str(narrow)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "has 10 features" in err and "fitted on 64" in err
    assert not (tmp_path / "z.npy").exists()


def test_unknown_option_and_bad_parameter_exit_non_zero(files, tmp_path, capsys):
    folder, _, _ = files
    with pytest.raises(SystemExit) as exc:
        main(["fit", str(folder / "X.npy"), "--out", "m.skae", "--no-such-option", "1"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--no-such-option"])
    assert exc.value.code == 2
    assert main(["fit", str(folder / "X.npy"), "--out", str(tmp_path / "m.skae"),
                 "--latent-dim", "0"]) == 2
    assert "latent_dim" in capsys.readouterr().err
    assert not (tmp_path / "m.skae").exists()


def test_parse_value():
    assert parse_value("128,64") == (128, 64)
    assert parse_value("(32,)") == (32,)
    assert parse_value("none") is None and parse_value("True") is True
    assert parse_value("0.5") == 0.5 and parse_value("7") == 7
    assert parse_value("relu") == "relu"


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "skae.cli", "fit", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--latent-dim", "--hidden-layer-sizes", "--early-stopping", "--max-iter"):
        assert option in out
    assert "Size of the latent code" in out        # help text from the docstring
    out = subprocess.run([sys.executable, "-m", "skae.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("demo", "fit", "transform", "score", "predict"):
        assert command in out


def test_read_data_formats_and_their_errors(tmp_path):
    from skae.cli import CommandError

    X = np.arange(12, dtype=float).reshape(4, 3)
    np.savetxt(tmp_path / "plain.csv", X, delimiter=",")
    np.testing.assert_array_equal(read_data(tmp_path / "plain.csv"), X)
    np.save(tmp_path / "images.npy", X.reshape(4, 3, 1).astype(np.float32))
    assert read_data(tmp_path / "images.npy").shape == (4, 3)
    np.savez(tmp_path / "two.npz", a=X, b=X)
    with pytest.raises(CommandError, match=r"several arrays \(a, b\)"):
        read_data(tmp_path / "two.npz")
    np.save(tmp_path / "flat.npy", X[0])
    with pytest.raises(CommandError, match="1-D array"):
        read_data(tmp_path / "flat.npy")
    X[0, 0] = np.nan
    np.save(tmp_path / "nan.npy", X)
    with pytest.raises(CommandError, match="NaN"):
        read_data(tmp_path / "nan.npy")
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="cannot read DATA file"):
        read_data(tmp_path / "broken.npz")


def test_clustering_accuracy_matches_clusters_to_classes():
    from skae.demo import clustering_accuracy

    y = np.array([0, 0, 1, 1, 2, 2])
    assert clustering_accuracy(y, np.array([2, 2, 0, 0, 1, 1])) == 1.0
    assert clustering_accuracy(y, np.array([0, 0, 0, 0, 1, 1])) == pytest.approx(4 / 6)


# -- the public API: each model's own options, labels, the safe format ------------------------

def _run(*args, env=None, check=True):
    """``python -X importtime -m skae *args``: (stdout, stderr, names of imported modules)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "skae", *args],
                            capture_output=True, text=True, env=env)
    if check:
        assert result.returncode in (0, 2), result.stderr
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    errors = "\n".join(line for line in result.stderr.splitlines()
                       if not line.startswith("import time:"))
    return result.stdout, errors, modules


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """An environment with its own, empty option cache (as on a first run)."""
    import os

    return {**os.environ, "SKAE_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


def test_fit_help_on_a_cold_cache_imports_no_torch(tmp_path):
    """The first 'skae fit --help' after an install, with no cache anywhere, answers from
    the options shipped in skae._cli_options: no torch, no scikit-learn, no cache written."""
    import os

    env = {**os.environ, "SKAE_CACHE_DIR": str(tmp_path / "skae-cache"),
           "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    out, _, modules = _run("fit", "--help", env=env)
    max_iter = " ".join(out.split()).split("--max-iter INT")[-1].split("--shuffle")[0]
    assert max_iter.strip().startswith("Maximum number of epochs")
    assert max_iter.strip().endswith("[default: 200]")
    assert "torch" not in modules and "sklearn" not in modules and "skae.cli" in modules
    out, _, modules = _run("fit", "--model", "DeepEmbeddedClustering", "--help", env=env)
    assert "--n-clusters" in out and "torch" not in modules
    assert not (tmp_path / "skae-cache").exists() and not (tmp_path / "xdg").exists()


def test_shipped_options_are_the_estimators_own():
    """skae._cli_options is generated from the estimators: it must say what they say."""
    from skae import _cli_options, cli

    regenerate = "regenerate it: python -m skae._cli_options"
    assert _cli_options.KEY == cli._source_key(), f"skae/_cli_options.py is stale; {regenerate}"
    assert _cli_options.SPECS == cli.live_specs(), regenerate


def test_stale_shipped_options_fall_back_to_the_estimators_and_a_cache(tmp_path):
    """In a checkout edited since skae/_cli_options.py was generated, its key no longer
    matches: the options are asked of the estimators (torch imported) once, then cached."""
    import os

    code = ("import sys, skae._cli_options as shipped; shipped.KEY = 'stale'; "
            "from skae.cli import main\n"
            "try:\n    main(['fit', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules)")
    env = {**os.environ, "SKAE_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env) for _ in range(2)]
    assert [run.stdout.split()[-1] for run in runs] == ["True", "False"], runs[0].stderr
    assert "[default: 200]" in runs[1].stdout
    assert len(list(tmp_path.glob("cli-options-*.json"))) == 1


def test_help_and_input_errors_answer_without_importing_torch(cli_env, tmp_path):
    out, _, modules = _run("--help", env=cli_env)
    assert "fit" in out and "torch" not in modules and "skae" in modules
    out, _, modules = _run("fit", "--help", env=cli_env)
    assert "--max-iter" in out and "torch" not in modules and "sklearn" not in modules
    _, err, modules = _run("fit", str(tmp_path / "missing.csv"), "--out", "m.skae",
                           env=cli_env)
    assert "missing.csv' does not exist" in err and "torch" not in modules
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    _, err, modules = _run("fit", str(bad), "--out", "m.skae", "--max-iter", "3",
                           env=cli_env)
    assert "line 3: 1 values, expected 2" in err and "torch" not in modules
    _, err, modules = _run("transform", "m.skae", str(bad), "--out", "z.npy", env=cli_env)
    assert "m.skae' does not exist" in err and "torch" not in modules


def test_import_skae_is_lazy_and_complete():
    code = ("import sys, skae; assert 'torch' not in sys.modules; "
            "assert set(skae.__all__) <= set(dir(skae)); "
            "from skae import AutoencoderTransformer, save, local_training; "
            "assert skae.AutoencoderTransformer is AutoencoderTransformer; "
            "ns = {}; exec('from skae import *', ns); "
            "assert {n for n in skae.__all__} <= set(ns); print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        skae.Nothing  # noqa: B018


def test_fit_help_shows_each_models_own_options_and_defaults(cli_env):
    out, _, _ = _run("fit", "--help", env=cli_env)
    flat = " ".join(out.split())
    assert "Fit AutoencoderTransformer" in flat
    max_iter = flat.split("--max-iter INT")[-1].split("--shuffle")[0]
    assert max_iter.strip().startswith("Maximum number of epochs")
    assert max_iter.strip().endswith("[default: 200]")
    learning_rate = flat.split("--learning-rate-init FLOAT")[-1].split("--max-iter")[0]
    assert learning_rate.strip().startswith("Adam's learning rate")
    assert learning_rate.strip().endswith("[default: 0.003]")
    assert "--classification-weight" not in out   # AutoencoderClassifier's, not this model's
    out, _, _ = _run("fit", "--model", "AutoencoderClassifier", "--help", env=cli_env)
    flat = " ".join(out.split())
    assert "--classification-weight" in out and "--estimator NAME" in out
    assert "--max-iter INT Epochs of joint training" in flat and "[default: 30]" in flat
    estimator_max_iter = flat.split("--estimator-max-iter INT")[-1].split("--estimator-shuffle")[0]
    assert estimator_max_iter.strip().startswith("Maximum number of epochs")
    assert estimator_max_iter.strip().endswith("[default: 200]")
    assert "supervised" in flat and "--y" in flat


def test_supervised_models_take_labels_or_say_how(files, tmp_path, capsys, digits):
    folder, X, _ = files
    y = digits[1][:300].copy()
    y[100:] = -1                                       # few labels
    np.save(tmp_path / "y.npy", y)
    out = tmp_path / "clf.skae"
    assert main(["fit", str(folder / "X.npy"), "--out", str(out),
                 "--model", "AutoencoderClassifier"]) == 2
    err = capsys.readouterr().err
    assert "AutoencoderClassifier is supervised and needs labels: pass --y FILE" in err
    assert "--label-column" in err and not out.exists()
    joint = ["fit", str(folder / "X.npy"), "--out", str(out), "--model",
             "AutoencoderClassifier", "--y", str(tmp_path / "y.npy"), "--max-iter", "2",
             "--estimator-hidden-layer-sizes", "16", "--estimator-max-iter", "3",
             "--random-state", "0", "--quiet"]
    assert main(joint) == 0
    assert "with 100 labels" in capsys.readouterr().out
    model = skae.load(out)
    assert model.max_iter == 2 and model.estimator.max_iter == 3
    assert model.estimator.hidden_layer_sizes == 16
    assert model.predict(X[:5]).shape == (5,)
    assert main(["fit", str(folder / "X.npy"), "--out", str(out), "--model",
                 "LatentClassifier", "--y", str(tmp_path / "y.npy"),
                 "--estimator-hidden-layer-sizes", "16", "--estimator-max-iter", "3",
                 "--random-state", "0", "--quiet"]) == 0
    model = skae.load(out)
    np.testing.assert_array_equal(model.classes_, np.arange(10))

    # Labels in a CSV column, as words: taken out of the features, by name or number.
    table = tmp_path / "named.csv"
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"])[digits[1][:60]]
    with open(table, "w") as f:
        f.write(",".join(f"p{i}" for i in range(64)) + ",digit\n")
        for row, name in zip(X[:60], names):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{name}\n")
    for column in ("digit", "65"):
        out = tmp_path / f"latent{column}.skae"
        assert main(["fit", str(table), "--out", str(out), "--model", "LatentClassifier",
                     "--label-column", column, "--estimator-hidden-layer-sizes", "16",
                     "--estimator-max-iter", "3", "--random-state", "0", "--quiet"]) == 0
        model = skae.load(out)
        assert model.n_features_in_ == 64
        assert set(model.classes_) == set(names)
    # The classifier labels from the command line too, the label column left out of its
    # training file; its words and probabilities, as CSV on the standard output or in files.
    capsys.readouterr()
    assert main(["predict", str(out), str(table), "--label-column", "digit", "--proba"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "label," + ",".join(f"proba_{c}" for c in model.classes_)
    expected = model.predict(X[:60])
    assert [line.split(",")[0] for line in lines[1:]] == list(expected)
    proba = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    np.testing.assert_allclose(proba, model.predict_proba(X[:60]), rtol=1e-6, atol=1e-7)
    assert main(["predict", str(out), str(table), "--label-column", "65", "--out",
                 str(tmp_path / "labels.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "labels.npy"), expected)
    assert main(["predict", str(out), str(table)]) == 2       # the label column is words
    assert "'digit'" in capsys.readouterr().err
    assert main(["predict", str(files[2]), str(folder / "X.npy")]) == 2
    assert "has no predict (it does not label samples" in capsys.readouterr().err

    assert main(["fit", str(folder / "X.npy"), "--out", str(tmp_path / "m.skae"),
                 "--y", str(tmp_path / "y.npy")]) == 2
    assert "AutoencoderTransformer is not supervised" in capsys.readouterr().err
    np.save(tmp_path / "short.npy", y[:10])
    assert main(["fit", str(folder / "X.npy"), "--out", str(tmp_path / "m.skae"), "--model",
                 "LatentClassifier", "--y", str(tmp_path / "short.npy")]) == 2
    assert "has 10 labels but DATA has 300 rows" in capsys.readouterr().err


def test_meta_estimator_fits_its_autoencoder_from_estimator_options(files, tmp_path, capsys):
    folder, X, _ = files
    out = tmp_path / "detector.skae"
    assert main(["fit", str(folder / "X.npy"), "--out", str(out), "--model",
                 "AutoencoderOutlierDetector", "--contamination", "0.1",
                 "--estimator", "DenoisingAutoencoder", "--estimator-hidden-layer-sizes", "16",
                 "--estimator-latent-dim", "4", "--estimator-max-iter", "3",
                 "--estimator-random-state", "0", "--quiet"]) == 0
    model = skae.load(out)
    assert type(model.estimator_).__name__ == "DenoisingAutoencoder"
    assert model.estimator_.latent_dim == 4 and model.contamination == 0.1
    capsys.readouterr()
    assert main(["score", str(out), str(folder / "X.npy")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "anomaly_score,is_outlier"
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 30   # 10% of 300


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_meta_estimator_without_estimator_options_keeps_its_own_default(tmp_path, capsys):
    # On a table the detector's own default autoencoder is not AutoencoderTransformer():
    # the command line must not put the latter in its place.
    from sklearn.datasets import load_wine

    X = load_wine(return_X_y=True)[0][:60]
    np.save(tmp_path / "wine.npy", X)
    out = tmp_path / "detector.skae"
    assert main(["fit", str(tmp_path / "wine.npy"), "--out", str(out), "--model",
                 "AutoencoderOutlierDetector", "--cv", "none", "--random-state", "0"]) == 0
    # Its own default autoencoder shows its progress, as the one of the options would.
    assert "AutoencoderTransformer:" in capsys.readouterr().err
    model = skae.load(out)
    expected = skae.AutoencoderOutlierDetector(cv=None, random_state=0).fit(X)
    assert model.estimator is None and model.distance_ == "input"
    assert model.estimator_.get_params() == expected.estimator_.set_params(
        verbose=1).get_params()
    assert (model.estimator_.latent_dim, model.estimator_.scaling) == (8, "minmax")
    # Any --estimator-* option: AutoencoderTransformer with it.
    assert main(["fit", str(tmp_path / "wine.npy"), "--out", str(out), "--model",
                 "AutoencoderOutlierDetector", "--cv", "none", "--estimator-max-iter", "3",
                 "--quiet"]) == 0
    inner = skae.load(out).estimator_
    assert type(inner).__name__ == "AutoencoderTransformer" and inner.max_iter == 3
    assert inner.scaling == "auto"


def test_pickle_files_load_only_when_allowed(files, tmp_path, capsys):
    folder, X, model_path = files
    pickled = tmp_path / "old.joblib"
    joblib.dump(skae.load(model_path), pickled)
    out = tmp_path / "z.npy"
    assert main(["transform", str(pickled), str(folder / "X.npy"), "--out", str(out)]) == 2
    assert "runs code from the file" in capsys.readouterr().err and not out.exists()
    assert main(["transform", str(pickled), str(folder / "X.npy"), "--out", str(out),
                 "--allow-pickle"]) == 0
    np.testing.assert_array_equal(np.load(out), skae.load(model_path).transform(X))
    help_text = subprocess.run([sys.executable, "-m", "skae", "transform", "--help"],
                               capture_output=True, text=True).stdout
    assert "RUNS CODE FROM IT" in " ".join(help_text.split())


# -- CSV files as people write them -----------------------------------------------------------

def test_csv_with_pandas_index_column_is_dropped_with_a_note(tmp_path, capsys):
    import pandas as pd

    X = np.arange(12, dtype=float).reshape(4, 3) / 7
    path = tmp_path / "frame.csv"
    pd.DataFrame(X, columns=["a", "b", "c"]).to_csv(path)       # index=True, the default
    np.testing.assert_allclose(read_data(path), X)
    assert "dropped the first column, an unnamed row index 0..3" in capsys.readouterr().err
    # An unnamed first column that is not 0..n-1 is refused: it may be a feature or an index.
    pd.DataFrame(X, columns=["a", "b", "c"], index=[10, 11, 12, 13]).to_csv(path)
    from skae.cli import CommandError

    with pytest.raises(CommandError, match=r"first column has no name.*index=False"):
        read_data(path)


def test_csv_with_pandas_default_column_names_reads_them_as_a_header(tmp_path, capsys):
    """``DataFrame(X).to_csv(index=False)`` writes the header 0,1,...,n-1: numbers, but
    names, not a row of data (once read as one: an extra row, and a wrong scaling)."""
    import pandas as pd

    X = np.arange(12, dtype=float).reshape(4, 3) / 7
    path = tmp_path / "frame.csv"
    pd.DataFrame(X).to_csv(path, index=False)
    np.testing.assert_allclose(read_data(path), X)
    assert "the first row, 0..2, is read as a header" in capsys.readouterr().err
    assert feature_names(path) == ["0", "1", "2"]
    # With the index too: the same rows, the index dropped.
    pd.DataFrame(X).to_csv(path)
    np.testing.assert_allclose(read_data(path), X)
    # Another first row of numbers is data.
    np.savetxt(path, np.r_[[[1.0, 0.0, 2.0]], X], delimiter=",")
    assert read_data(path).shape == (5, 3)


def test_csv_columns_are_matched_by_their_header_names(tmp_path, capsys):
    """A model fit on a .csv with a header keeps its column names: a DATA file with the
    columns reordered is put back in order (with a note), one with other names is refused,
    one without a header is read by position. Reordered or renamed columns were encoded
    and scored silently before, and a row id was learnt as a feature without a word."""
    import pandas as pd

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.randn(40), "b": rng.rand(40) * 100,
                          "c": rng.randint(0, 5, 40).astype(float)})
    frame.to_csv(tmp_path / "num.csv", index=False)
    frame[["c", "b", "a"]].to_csv(tmp_path / "reordered.csv", index=False)
    frame.set_axis(["x", "y", "z"], axis=1).to_csv(tmp_path / "renamed.csv", index=False)
    np.savetxt(tmp_path / "plain.csv", frame.to_numpy(), delimiter=",")
    frame.assign(id=np.arange(1001, 1041)).to_csv(tmp_path / "with_id.csv", index=False)
    model = str(tmp_path / "m.skae")
    assert main(["fit", str(tmp_path / "num.csv"), "--out", model, "--max-iter", "2",
                 "--quiet"]) == 0
    import skae

    assert list(skae.load(model).feature_names_in_) == ["a", "b", "c"]
    codes = {}
    for name in ("num", "reordered", "plain"):
        out = tmp_path / f"{name}_codes.npy"
        assert main(["transform", model, str(tmp_path / f"{name}.csv"), "--out",
                     str(out)]) == 0
        codes[name] = np.load(out)
    err = capsys.readouterr().err
    assert "columns put in the model's order by their header names (a, b, c)" in err
    assert "feature names" not in err
    np.testing.assert_array_equal(codes["reordered"], codes["num"])
    np.testing.assert_allclose(codes["plain"], codes["num"], rtol=1e-6, atol=1e-6)
    for command in (["transform", model, str(tmp_path / "renamed.csv"), "--out",
                     str(tmp_path / "z.npy")], ["score", model, str(tmp_path / "renamed.csv")]):
        assert main(command) == 2
        assert ("other columns than MODEL" in capsys.readouterr().err
                and not (tmp_path / "z.npy").exists())
    assert main(["fit", str(tmp_path / "with_id.csv"), "--out", str(tmp_path / "id.skae"),
                 "--max-iter", "1", "--quiet"]) == 0
    assert "column 'id' holds a distinct integer per row, like a row id" in (
        capsys.readouterr().err)


def test_csv_separated_by_semicolons_or_tabs_is_detected(tmp_path, capsys):
    X = np.arange(12, dtype=float).reshape(4, 3)
    for delimiter, name in ((";", "semicolon"), ("\t", "tab")):
        path = tmp_path / "table.csv"
        np.savetxt(path, X, delimiter=delimiter, header=delimiter.join("abc"), comments="")
        np.testing.assert_array_equal(read_data(path), X)
        assert f"read as {name}-separated values" in capsys.readouterr().err
    path.write_text("a;b\n1,5;2,5\n3,0;4,0\n")             # a decimal comma
    from skae.cli import CommandError

    with pytest.raises(CommandError, match=r"line 2, column 1 \('a'\).*write 1\.5, not 1,5"):
        read_data(path)


def test_csv_errors_name_the_line_the_column_and_its_header(tmp_path):
    from skae.cli import CommandError

    path = tmp_path / "t.csv"
    path.write_text("height,weight,age\n1,2,3\n4,5,6\n7,8\n")
    with pytest.raises(CommandError, match=r"line 4: 2 values, expected 3 as in the header"):
        read_data(path)
    path.write_text("1,2,3\n\n4,5,6,7\n")                   # no header; a blank line
    with pytest.raises(CommandError, match=r"line 3: 4 values, expected 3 as in line 1"):
        read_data(path)
    path.write_text("height,weight,city\n1,2,3\n4,5,Paris\n")
    with pytest.raises(CommandError, match=r"line 3, column 3 \('city'\): 'Paris' is not a "
                                           r"number.*--label-column"):
        read_data(path)
    path.write_text("height,weight\n1,\n")
    with pytest.raises(CommandError, match=r"line 2, column 2 \('weight'\): empty"):
        read_data(path)


# -- atomic writes ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_a_write_that_fails_midway_leaves_the_old_file_intact(files, tmp_path, suffix):
    """A file-size limit makes every write fail midway; the old files still load."""
    folder, X, model_path = files
    model = tmp_path / "model.skae"
    model.write_bytes(model_path.read_bytes())
    codes = tmp_path / f"codes{suffix}"
    assert main(["transform", str(model), str(folder / "X.npy"), "--out", str(codes)]) == 0
    old_model, old_codes = model.read_bytes(), codes.read_bytes()
    limit = 2048
    assert len(old_model) > limit and len(old_codes) > limit
    script = f"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails with EFBIG
from skae.cli import main
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))
fit = main(["fit", {str(folder / "X.npy")!r}, "--out", {str(model)!r}, "--latent-dim", "5",
            "--max-iter", "1", "--quiet"])
transform = main(["transform", {str(model)!r}, {str(folder / "X.npy")!r}, "--out",
                  {str(codes)!r}])
print(fit, transform)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.split() == ["2", "2"], result.stderr
    assert "File too large" in result.stderr
    assert model.read_bytes() == old_model and codes.read_bytes() == old_codes
    assert skae.load(model).latent_dim == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [codes.name, "model.skae"]


def test_atomic_write_keeps_the_old_file_when_the_writer_raises(tmp_path):
    from skae._io import atomic_write

    path = tmp_path / "report.md"
    path.write_text("old report")
    path.chmod(0o640)
    with pytest.raises(RuntimeError), atomic_write(path, "w") as f:
        f.write("half a new rep")
        raise RuntimeError("disk gone")
    assert path.read_text() == "old report" and len(list(tmp_path.iterdir())) == 1
    with atomic_write(path, "w") as f:
        f.write("new report")
    assert path.read_text() == "new report" and (path.stat().st_mode & 0o777) == 0o640


def test_every_model_is_saved_in_the_safe_format(files, tmp_path, capsys):
    """DeepEmbeddedClustering's refined module is rebuilt by skae.load: no pickle needed,
    and the pickle option of 'skae fit' is gone."""
    folder, X, _ = files
    out = tmp_path / "dec.skae"
    assert main(["fit", str(folder / "X.npy"), "--out", str(out), "--model",
                 "DeepEmbeddedClustering", "--n-clusters", "3", "--max-iter", "2",
                 "--estimator-hidden-layer-sizes", "16", "--estimator-max-iter", "2",
                 "--random-state", "0", "--quiet"]) == 0
    capsys.readouterr()
    model = skae.load(out)
    assert model.n_clusters == 3 and model.cluster_centers_.shape[0] == 3
    np.testing.assert_array_equal(model.predict(X), model.labels_[:len(X)])
    with pytest.raises(SystemExit):
        main(["fit", str(folder / "X.npy"), "--out", str(out), "--pickle"])
    assert "unrecognized arguments: --pickle" in capsys.readouterr().err


def test_id_column_is_no_feature_and_follows_the_rows_into_every_output(tmp_path, capsys):
    # A column of row ids (text here) is left out of the features by fit, transform, score
    # and predict, and copied as the first column of their outputs.
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    X, y = X[::4], y[::4]                       # 45 rows of the three classes
    ids = [f"W{1000 + i}" for i in range(len(X))]
    table = tmp_path / "wine.csv"
    with open(table, "w") as f:
        f.write("sample_id," + ",".join(f"f{i}" for i in range(13)) + ",label\n")
        for name, row, label in zip(ids, X, y):
            f.write(f"{name}," + ",".join(f"{v:.4f}" for v in row) + f",{label}\n")
    model_path = tmp_path / "m.skae"
    assert main(["fit", str(table), "--out", str(model_path), "--model", "LatentClassifier",
                 "--label-column", "label", "--id-column", "sample_id",
                 "--estimator-hidden-layer-sizes", "8", "--estimator-max-iter", "2",
                 "--random-state", "0", "--quiet"]) == 0
    model = skae.load(model_path)
    assert list(model.feature_names_in_) == [f"f{i}" for i in range(13)]
    capsys.readouterr()
    assert main(["predict", str(model_path), str(table), "--label-column", "label",
                 "--id-column", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "sample_id,label"
    assert [line.split(",")[0] for line in lines[1:]] == ids

    features = tmp_path / "features.csv"           # the same rows without their labels
    features.write_text("\n".join(",".join(line.split(",")[:-1])
                                  for line in table.read_text().splitlines()) + "\n")
    ae_path = tmp_path / "ae.skae"
    assert main(["fit", str(features), "--out", str(ae_path), "--id-column", "sample_id",
                 "--max-iter", "2", "--random-state", "0", "--quiet"]) == 0
    ae = skae.load(ae_path)
    assert ae.n_features_in_ == 13
    assert main(["transform", str(ae_path), str(features), "--id-column", "sample_id",
                 "--out", str(tmp_path / "z.npz")]) == 0
    with np.load(tmp_path / "z.npz") as saved:
        assert list(saved["sample_id"]) == ids
        with pytest.warns(UserWarning, match="feature names"):
            np.testing.assert_allclose(saved["latent"], ae.transform(X.round(4)), rtol=1e-5,
                                       atol=1e-6)
    capsys.readouterr()
    assert main(["score", str(ae_path), str(features), "--id-column", "sample_id"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "sample_id,anomaly_score" and lines[1].startswith("W1000,")

    # Without a header, text ids do not make the first row a header; ids may start with
    # '#' (not a comment then); an id column named like an output column is renamed.
    bare = tmp_path / "bare.csv"
    bare.write_text("".join(f"{'#' if i % 2 else ''}{name}," + ",".join(f"{v:.4f}" for v in row)
                            + "\n" for i, (name, row) in enumerate(zip(ids, X))))
    bare_model = tmp_path / "bare.skae"
    assert main(["fit", str(bare), "--out", str(bare_model), "--id-column", "1",
                 "--max-iter", "2", "--random-state", "0", "--quiet"]) == 0
    assert skae.load(bare_model).n_features_in_ == 13
    capsys.readouterr()
    assert main(["score", str(bare_model), str(bare), "--id-column", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,anomaly_score"
    assert [line.split(",")[0] for line in lines[1:]] == [
        f"{'#' if i % 2 else ''}{name}" for i, name in enumerate(ids)]
    clash = tmp_path / "clash.csv"
    clash.write_text(features.read_text().replace("sample_id,", "latent0,", 1))
    assert main(["transform", str(ae_path), str(clash), "--id-column", "latent0", "--out",
                 str(tmp_path / "clash_out.csv")]) == 0
    header = (tmp_path / "clash_out.csv").read_text().splitlines()[0]
    assert header.startswith("row_latent0,latent0,latent1")

    # Refused, named: a .npy output (one array), the label column as ids, a missing column,
    # and a .npy DATA file (no columns to name).
    assert main(["transform", str(ae_path), str(features), "--id-column", "sample_id",
                 "--out", str(tmp_path / "z.npy")]) == 2
    assert "holds one array" in capsys.readouterr().err
    assert not (tmp_path / "z.npy").exists()
    assert main(["fit", str(table), "--out", str(tmp_path / "x.skae"), "--model",
                 "LatentClassifier", "--label-column", "label", "--id-column", "label"]) == 2
    assert "name the same column" in capsys.readouterr().err
    assert main(["fit", str(features), "--out", str(tmp_path / "x.skae"),
                 "--id-column", "nope"]) == 2
    assert "--id-column 'nope' is not a column" in capsys.readouterr().err
    np.save(tmp_path / "X.npy", X)
    assert main(["fit", str(tmp_path / "X.npy"), "--out", str(tmp_path / "x.skae"),
                 "--id-column", "1"]) == 2
    assert "--id-column applies to a .csv DATA file" in capsys.readouterr().err
    # Without --id-column, a text id column is refused with the option named.
    assert main(["fit", str(features), "--out", str(tmp_path / "x.skae")]) == 2
    assert "--id-column for row ids" in capsys.readouterr().err


def test_a_model_fit_with_id_column_names_the_option_when_data_comes_without_it(tmp_path,
                                                                                 capsys):
    # Numeric ids read as a feature without --id-column: the column the model never saw is
    # named, with the option that leaves it out.
    rng = np.random.RandomState(0)
    table = tmp_path / "t.csv"
    table.write_text("sample_id,a,b,c\n" + "".join(
        f"{100 + i},{r[0]:.3f},{r[1]:.3f},{r[2]:.3f}\n" for i, r in enumerate(rng.rand(30, 3))))
    model = tmp_path / "m.skae"
    assert main(["fit", str(table), "--out", str(model), "--id-column", "sample_id",
                 "--max-iter", "2", "--random-state", "0", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["transform", str(model), str(table), "--out", str(tmp_path / "z.csv")]) == 2
    assert not (tmp_path / "z.csv").exists()
    err = capsys.readouterr().err
    assert "not in the model 'sample_id'" in err
    assert "If 'sample_id' holds row ids, name it with --id-column as at fit time" in err
