"""The core says what an opened file is (a DICOMDIR, a damaged file) and what its exports are
named; the page only shows it (issue #15 item 6: no DICOM rules in page code)."""

from __future__ import annotations

import io

import pydicom
import pytest

from dicomtab import worker_api
from dicomtab.session import Session
from tests.conftest import bundled
from tests.worker_results import failed, ok

DICOMDIR = bundled("dicomdirtests/DICOMDIR")


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> Session:
    session = Session()
    monkeypatch.setattr(worker_api, "SESSION", session)
    return session


def _opened(data: bytes, name: str) -> dict:
    return ok(worker_api.open_file(data, name))


def _with_other_sop_class(data: bytes) -> bytes:
    """A DICOMDIR whose file meta names another SOP class (its records kept; their offsets
    no longer match, which does not matter here)."""
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


@pytest.mark.parametrize(("name", "edit", "dicomdir"), [
    ("media/DICOMDIR", None, True),         # its SOP class and its name
    ("media/index.dcm", None, True),        # its SOP class, whatever its name
    ("media/dicomdir", "other-class", True),  # the name (any case) with directory records
    ("media/index.dcm", "other-class", False),  # neither: records alone do not make one
])
def test_a_dicomdir_is_known_by_its_sop_class_or_its_name_and_records(
        name: str, edit: str | None, dicomdir: bool) -> None:
    data = DICOMDIR.read_bytes()
    if edit:
        data = _with_other_sop_class(data)
    summary = _opened(data, name)
    assert summary["dicomdir"] is dicomdir
    if dicomdir:  # what the page then asks of it: the records that shape the study tree
        tree = ok(worker_api.dicomdir(summary["instanceId"]))
        assert tree["records"] > 0
        # Of several DICOMDIRs naming one file, the page prefers the one the core says has
        # the standard name.
        assert tree["standardName"] is name.lower().endswith("/dicomdir")


def test_a_file_only_named_dicomdir_is_an_instance() -> None:
    summary = _opened(bundled("CT_small.dcm").read_bytes(), "disc/DICOMDIR")
    assert summary["dicomdir"] is False and summary["damaged"] is False
    assert summary["modality"] == "CT"
    assert failed(worker_api.dicomdir(summary["instanceId"]))["code"] == "not-dicomdir"


def test_damaged_files_are_marked_and_numbered_apart_from_sound_ones() -> None:
    first = _opened(bundled("CT_small.dcm").read_bytes(), "ct.dcm")
    truncated = bundled("MR_truncated.dcm").read_bytes()
    refused = failed(worker_api.open_file(truncated, "mr.dcm"))
    # The failure says the file can still be inspected (the page then asks open_damaged)...
    assert refused["code"] in ("truncated", "malformed") and refused["inspectable"] is True
    # ...which it never says of a file with nothing to show.
    not_dicom = failed(worker_api.open_file(b"not a DICOM file at all" * 10, "notes.txt"))
    assert not_dicom["code"] == "not-dicom" and "inspectable" not in not_dicom
    damaged = ok(worker_api.open_damaged(truncated, "mr.dcm"))
    second = _opened(bundled("MR_small.dcm").read_bytes(), "mr-small.dcm")
    assert (first["damaged"], damaged["damaged"], second["damaged"]) == (False, True, False)
    assert damaged["dicomdir"] is False
    # Export names: a number in opening order per kind, never a value from the file.
    assert [s["downloadName"] for s in (first, damaged, second)] == [
        "instance-1", "damaged-1", "instance-2"]
    # Only sound files are listed as the open instances.
    listed = ok(worker_api.list_instances())
    assert [s["instanceId"] for s in listed] == [first["instanceId"], second["instanceId"]]
