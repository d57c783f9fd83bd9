"""The skae command: demo, and fit / transform / score through files."""

import gzip
import subprocess
import sys

import joblib
import numpy as np
import pytest

import skae
from skae.cli import main, parse_value, read_data

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
    for command in ("demo", "fit", "transform", "score"):
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
