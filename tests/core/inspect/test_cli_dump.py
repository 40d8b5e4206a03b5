"""``dicomtab dump``: the inspector from the shell."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dicomtab.cli.main import main
from tests.conftest import bundled
from tests.core.inspect.conftest import MARKUP


@pytest.fixture
def sample_file(tmp_path: Path, sample_bytes: bytes) -> Path:
    path = tmp_path / "sample.dcm"
    path.write_bytes(sample_bytes)
    return path


def test_dump(sample_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", str(sample_file)]) == 0
    captured = capsys.readouterr()
    assert f"(0010,0010) PN [{MARKUP}^Jane]" in captured.out
    assert "# Dicom-Data-Set" in captured.out and captured.err == ""


def test_json_and_phi_only(sample_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", "--json", str(sample_file)]) == 0
    model = json.loads(capsys.readouterr().out)
    assert model["00100020"] == {"vr": "LO", "Value": ["ID-4711"]} and "00280010" in model
    assert main(["dump", "--json", "--phi-only", "--no-binary", str(sample_file)]) == 0
    model = json.loads(capsys.readouterr().out)
    assert "00100020" in model and "00280010" not in model and "00111002" not in model
    assert main(["dump", "--phi-only", str(sample_file)]) == 0
    text = capsys.readouterr().out
    assert "PatientID" in text and " Rows\n" not in text


def test_csv(sample_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", "--csv", str(sample_file)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["path", "tag", "keyword"] and len(rows) > 50


def test_damaged_file_prints_what_was_read_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", str(bundled("MR_truncated.dcm"))]) == 1
    captured = capsys.readouterr()
    assert "(0028,1051) DS [1600]" in captured.out
    assert "# dicomtab: MR_truncated.dcm is truncated" in captured.out
    assert "error: MR_truncated.dcm is truncated" in captured.err
    assert "(7FE0,0010), byte 1488" in captured.err


def test_bad_inputs(bad_inputs: dict, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in bad_inputs.values()] + [str(bundled("MR_small.dcm"))]
    assert main(["dump", *files]) == 1
    captured = capsys.readouterr()
    for name in bad_inputs:
        assert f"error: {name}" in captured.err
    assert captured.out.count("# File: ") == len(files) - 2  # empty and notes.txt: nothing
    assert "# dicomtab: huge-long-length.dcm" in captured.out
    assert "# File: " + str(bundled("MR_small.dcm")) in captured.out


def test_errors_never_quote_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bundled("CT_small.dcm").read_bytes()
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(data[:1000])
    assert main(["dump", str(cut)]) == 1
    err = capsys.readouterr().err
    assert "CompressedSamples" not in err and "1CT1" not in err


def test_installed_command_runs(sample_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dicomtab.cli.main", "dump", "--json", str(sample_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["00080060"]["Value"] == ["US"]
