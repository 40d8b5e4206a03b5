"""The worker's Python entry points: JSON in all cases, failures as data, nothing leaked."""

from __future__ import annotations

import json

import pytest

from dicomtab import session, worker_api
from tests.conftest import bundled


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())


def test_open_returns_summary_with_instance_id() -> None:
    result = json.loads(worker_api.open_file(bundled("CT_small.dcm").read_bytes(), "CT_small.dcm"))
    assert result["status"] == "success"
    assert result["payload"]["instanceId"] == "i1"
    assert result["payload"]["fileName"] == "CT_small.dcm"
    assert result["payload"]["patient"]["id"] == "1CT1"


def test_memoryviews_are_accepted_as_the_worker_hands_them_over() -> None:
    # The worker converts a JS Uint8Array with pyodide.toPy: a memoryview, never a proxy.
    data = memoryview(bytearray(bundled("CT_small.dcm").read_bytes()))
    assert json.loads(worker_api.open_file(data, "ct.dcm"))["status"] == "success"
    assert json.loads(worker_api.open_file(memoryview(b"DICM"), "x"))["status"] == "failed"


def test_bad_files_fail_as_data_and_the_session_goes_on(bad_inputs: dict) -> None:
    for name, path in bad_inputs.items():
        result = json.loads(worker_api.open_file(path.read_bytes(), name))
        assert result["status"] == "failed", name
        assert name in result["error"]["message"]
        assert result["error"]["code"] in {"empty-file", "not-dicom", "truncated", "malformed"}
    ok = json.loads(worker_api.open_file(bundled("MR_small.dcm").read_bytes(), "MR_small.dcm"))
    assert ok["status"] == "success"
    listed = json.loads(worker_api.list_instances())["payload"]
    assert [s["fileName"] for s in listed] == ["MR_small.dcm"]


def test_unexpected_errors_do_not_leak_file_content(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(_opened: object) -> None:
        raise ValueError("Invalid value 'DOE^JANE' in PatientName")

    monkeypatch.setattr(session, "summarize", explode)
    result = json.loads(worker_api.open_file(bundled("CT_small.dcm").read_bytes(), "ct.dcm"))
    assert result == {
        "status": "failed",
        "error": {
            "code": "internal",
            "message": "Internal error (ValueError); the file was not processed.",
        },
    }
    captured = capsys.readouterr()
    assert "DOE^JANE" not in captured.out + captured.err
    assert "ValueError" in captured.err  # developers still learn where it happened


def test_values_decoded_later_do_not_warn_with_their_content(capsys: pytest.CaptureFixture[str]) -> None:
    import struct
    import warnings

    # SeriesNumber (IS) holding text: pydicom warns "Invalid value for VR IS: '<value>'" when
    # the summary reads it, long after open_dataset returned.
    data = bundled("CT_small.dcm").read_bytes()
    at = data.index(b"\x20\x00\x11\x00IS")
    length = struct.unpack("<H", data[at + 6 : at + 8])[0]
    bad = data[: at + 6] + struct.pack("<H", 8) + b"SECRET42" + data[at + 8 + length :]
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        result = json.loads(worker_api.open_file(bad, "ct.dcm"))
    assert result["status"] == "success" and result["payload"]["series"]["number"] is None
    assert not [r for r in records if "SECRET42" in str(r.message)]
    captured = capsys.readouterr()
    assert "SECRET42" not in captured.out + captured.err
