"""The skae command."""

import subprocess
import sys

import pytest

from skae.cli import main


def test_demo_writes_a_report_with_the_figures(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--max-iter", "20", "--quiet"]) == 0
    report = (tmp_path / "report.md").read_text()
    assert "PCA, 2 components" in report and "raw pixels" in report
    assert "test reconstruction MSE" in capsys.readouterr().out


def test_demo_reports_missing_mnist_cleanly(tmp_path, capsys):
    assert main(["demo", "--data", "mnist", "--data-dir", str(tmp_path), "--quiet"]) == 2
    assert "No MNIST train files" in capsys.readouterr().err


def test_unknown_option_exits_non_zero():
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--no-such-option"])
    assert exc.value.code == 2


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "skae.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "demo" in out
