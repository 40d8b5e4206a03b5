"""``dicomtab verify`` on what is open in the tab (dicomtab/deid/verify_open.py, worker_api)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydicom
import pytest

from dicomtab import worker_api
from tests.core.deid.phi_set import SEEDED_VALUES
from tests.deid_runs import cli_run
from tests.worker_results import ok

RECORD = "out/release-record.json"


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())



def _open(data: bytes, name: str) -> str:
    return str(ok(worker_api.open_file(data, name))["instanceId"])


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path) -> tuple[list[Path], dict[str, bytes], str]:
    """The CT and MR originals (no ultrasound: nothing to flag), their basic-profile outputs
    and the release record's text."""
    inputs = sorted(p for p in phi_dir.rglob("*.dcm") if "_us" not in p.name)
    out = tmp_path_factory.mktemp("released") / "run"
    files, _ = cli_run(inputs, out, "basic")
    record = (out / "files" / "release-record.json").read_text(encoding="utf-8")
    return inputs, files, record


def _verify(records: list[dict[str, str]], ids: list[str] | None = None) -> Any:
    return ok(worker_api.verify_open(ids, json.dumps(records)))


def test_outputs_with_their_originals_and_record_pass(released: tuple) -> None:
    inputs, files, record = released
    for path in inputs:
        _open(path.read_bytes(), path.name)
    for rel, data in files.items():
        _open(data, f"out/{rel}")
    found = _verify([{"name": RECORD, "text": record}])
    assert found["result"] == "passed", found
    assert (found["checked"], found["originals"]) == (len(files), len(inputs))
    assert found["manifests"] == [{"record": RECORD, "listed": len(files), "problems": []}]


def test_a_leaked_value_an_altered_and_a_missing_file_are_found(released: tuple) -> None:
    inputs, files, record = released
    for path in inputs:
        _open(path.read_bytes(), path.name)
    paths = sorted(files)
    leaky = pydicom.dcmread(pydicom.filebase.DicomBytesIO(files[paths[0]]))
    leaky.ImageComments = "seen by Müller"
    buffer = pydicom.filebase.DicomBytesIO()
    leaky.save_as(buffer)
    _open(buffer.getvalue(), f"out/{paths[0]}")
    for rel in paths[2:]:  # paths[1] is not opened: missing
        _open(files[rel], f"out/{rel}")
    found = _verify([{"name": RECORD, "text": record}])
    assert found["result"] == "not passed"
    leaks = [f for f in found["findings"] if f["path"] == "ImageComments"]
    assert leaks and leaks[0]["file"] == f"out/{paths[0]}" and leaks[0]["kind"] == "name-in-free-text"
    text = json.dumps(found, ensure_ascii=False)
    assert not [v for v in SEEDED_VALUES if v in text]  # where, never what
    problems = {(p["path"], p["kind"]) for p in found["manifests"][0]["problems"]}
    assert problems == {(paths[0], "altered"), (paths[1], "missing")}


def test_without_originals_the_checks_that_need_none_still_run(released: tuple) -> None:
    _, files, _ = released
    ids = [_open(data, rel) for rel, data in sorted(files.items())]
    found = _verify([], ids[:2])
    assert (found["checked"], found["originals"], found["result"]) == (2, 0, "passed")
    assert _verify([], [])["result"] == "nothing to verify"


def test_a_file_that_is_no_record_is_named(released: tuple) -> None:
    error = json.loads(worker_api.verify_open(None, json.dumps([{"name": "x/release-record.json",
                                                                  "text": "{}"}])))
    assert error["status"] == "failed" and "x/release-record.json" in error["error"]["message"]


def test_the_inspector_says_how_a_file_was_de_identified(released: tuple) -> None:
    inputs, files, _ = released
    original = _open(inputs[0].read_bytes(), inputs[0].name)
    output = _open(next(iter(files.values())), "out.dcm")
    assert ok(worker_api.phi_summary(original))["deidentified"] is None
    marking = ok(worker_api.phi_summary(output))["deidentified"]
    assert "profile basic" in marking["method"] and marking["safeHarbor"] is False
    assert {"value": "113100", "scheme": "DCM", "meaning": "Basic Application Confidentiality Profile",
            "option": "basic"} in marking["codes"]
