"""``dicomtab summary``: same core, from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from dicomtab.cli.main import main
from tests.conftest import bundled


def test_summary_json(capsys) -> None:
    assert main(["summary", "--json", str(bundled("CT_small.dcm"))]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["modality"] == "CT" and line["patient"]["id"] == "1CT1"


def test_bad_files_are_reported_and_the_rest_summarised(bad_inputs: dict, capsys) -> None:
    files = [str(p) for p in bad_inputs.values()] + [str(bundled("MR_small.dcm"))]
    assert main(["summary", *files]) == 1
    captured = capsys.readouterr()
    for name in bad_inputs:
        assert f"error: {name}" in captured.err
    assert "MR_small.dcm" in captured.out and "Modality  MR" in captured.out


def test_installed_command_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dicomtab.cli.main", "summary", str(bundled("CT_small.dcm"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "CT Image Storage" in result.stdout
