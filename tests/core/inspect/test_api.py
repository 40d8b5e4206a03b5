"""The worker's inspector calls: JSON strings, failures as data, one parse per instance."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dicomtab import worker_api
from dicomtab.inspect import api, partial
from tests.conftest import bundled
from tests.core.inspect.conftest import MARKUP, sample_dataset, to_bytes
from tests.worker_results import failed, ok


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())




def _open(data: bytes, name: str = "sample.dcm") -> str:
    return ok(worker_api.open_file(data, name))["instanceId"]


def test_every_inspector_call(sample_bytes: bytes) -> None:
    first = _open(sample_bytes)
    ds = sample_dataset()
    ds.PatientID = "OTHER"
    second = _open(to_bytes(ds), "other.dcm")

    tags = ok(worker_api.tags(first))
    assert tags["00100020"] == {"vr": "LO", "Value": ["ID-4711"]}
    assert "7FE00010" not in ok(worker_api.tags(first, "omit"))
    assert "00020010" in ok(worker_api.tags(first, "inline", True))

    summary = ok(worker_api.phi_summary(first))
    assert summary["identifying"] > 0 and summary["private"] == 3
    assert summary["warnings"][0]["code"] == "pixels-may-show-text"

    rows = ok(worker_api.tree(first))["rows"]
    name = next(r for r in rows if r["path"] == "00100010")
    assert name["value"] == MARKUP + "^Jane"
    phi_rows = ok(worker_api.tree(first, True))["rows"]
    assert len(phi_rows) < len(rows)

    assert ok(worker_api.value_of(first, "00204000"))["value"].startswith("word word")
    found = ok(worker_api.search(first, "(0010,0020)"))["matches"]
    assert found[0]["path"] == "00100020"

    changes = ok(worker_api.diff(first, second))["changes"]
    assert [c["path"] for c in changes] == ["00100020"]
    varying = ok(worker_api.series_diff([first, second]))["varying"]
    assert [v["path"] for v in varying] == ["00100020"]

    assert ok(worker_api.export_csv(first)).startswith("path,tag,keyword")
    assert "Rows" not in ok(worker_api.export_csv(first, True))
    assert "# Dicom-Data-Set" in ok(worker_api.export_dump(first))


def test_usage_errors_are_data(sample_bytes: bytes) -> None:
    instance = _open(sample_bytes)
    assert failed(worker_api.tree("i99"))["code"] == "usage"
    assert failed(worker_api.value_of(instance, "00100011"))["code"] == "usage"
    assert failed(worker_api.search(instance, ""))["code"] == "usage"
    assert failed(worker_api.tags(instance, "bulk"))["code"] == "usage"
    assert failed(worker_api.series_diff([instance]))["code"] == "usage"


def test_damaged_files_are_opened_for_inspection_only() -> None:
    data = bundled("MR_truncated.dcm").read_bytes()
    assert failed(worker_api.open_file(data, "MR_truncated.dcm"))["code"] == "truncated"
    opened = ok(worker_api.open_damaged(data, "MR_truncated.dcm"))
    assert opened["instanceId"] == "d1" and opened["problem"]["offset"] == 1488
    assert opened["patient"]["id"] is not None and opened["fileName"] == "MR_truncated.dcm"
    tree = ok(worker_api.tree("d1"))
    assert tree["problem"]["tag"] == "(7FE0,0010)" and tree["rows"][-1]["kind"] == "problem"
    assert "# dicomtab:" in ok(worker_api.export_dump("d1"))
    assert json.loads(worker_api.list_instances())["payload"] == []  # not a session file


def test_open_damaged_refuses_sound_and_non_dicom_files(bad_inputs: dict) -> None:
    sound = bundled("CT_small.dcm").read_bytes()
    assert failed(worker_api.open_damaged(sound, "ct.dcm"))["code"] == "usage"
    assert failed(worker_api.open_damaged(b"", "empty.dcm"))["code"] == "empty-file"
    text = bad_inputs["notes.txt"].read_bytes()
    assert failed(worker_api.open_damaged(text, "notes.txt"))["code"] == "not-dicom"
    for name in ("truncated-in-header.dcm", "huge-long-length.dcm", "huge-short-length.dcm"):
        assert ok(worker_api.open_damaged(bad_inputs[name].read_bytes(), name))["problem"]


def test_instances_are_parsed_once(monkeypatch: pytest.MonkeyPatch, sample_bytes: bytes) -> None:
    instance = _open(sample_bytes)
    calls = []
    real = partial.load

    def counting(data: bytes, name: str, *rest: Any) -> partial.Inspected:
        calls.append(name)
        return real(data, name, *rest)

    monkeypatch.setattr(partial, "load", counting)
    for _ in range(3):
        ok(worker_api.tree(instance))
        ok(worker_api.search(instance, "jane"))
    assert calls == ["sample.dcm"]


def test_a_new_session_does_not_see_old_instances(sample_bytes: bytes) -> None:
    instance = _open(sample_bytes)
    old = partial.of_instance(worker_api.SESSION.get(instance))
    new_session = worker_api.Session()
    new_id = new_session.open(bundled("CT_small.dcm").read_bytes(), "ct.dcm")["instanceId"]
    assert new_id == instance
    assert api.tree(new_session, new_id)["fileName"] == "ct.dcm"
    assert old.name == "sample.dcm"


def test_unexpected_errors_do_not_leak_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sample_bytes: bytes
) -> None:
    instance = _open(sample_bytes)

    def explode(*_args: object, **_kwargs: object) -> None:
        raise ValueError("Invalid value 'DOE^JANE' in PatientName")

    monkeypatch.setattr(api.tree_module, "tree", explode)
    error = failed(worker_api.tree(instance))
    assert error["code"] == "internal" and "DOE^JANE" not in error["message"]
    captured = capsys.readouterr()
    assert "DOE^JANE" not in captured.out + captured.err
