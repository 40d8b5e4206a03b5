"""Damaged inputs: refused by default, and with damaged files allowed, de-identified from what
could be read, without the doubted elements, with every identifying value of the whole file
still hunted in the text that is kept (PS3.15 cannot be applied to a value nobody can see).

Each damage is made on purpose in a PHI-laden file; for each, the test also shows the leak
the hunt list prevents (the engine given no damage keeps the value), so it cannot pass idly.
"""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest

from dicomtab.deid import engine
from dicomtab.deid.batch import BatchResult, run_batch
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.deid.release import build_record
from dicomtab.deid.review import DAMAGED_FLAG
from dicomtab.inspect.partial import load
from dicomtab.reading import open_dataset
from tests.conftest import bundled
from tests.damaged_set import SEEDED, phi_file, stopped, swallowing, wrong_vr

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom on the damage made here

KEY = Key(bytes(32))


def _run(data: bytes, tmp_path: Path, allow: bool, profile: str = "basic") -> BatchResult:
    items = [InputItem("damaged.dcm", lambda: data)]
    return run_batch(items, tmp_path / ("allowed" if allow else "refused"), load_profile(profile),
                     KEY, verify=True, allow_damaged=allow)


def _output(result: BatchResult, tmp_path: Path) -> bytes:
    outcome = result.outcomes[0]
    assert outcome.error is None and outcome.output is not None, outcome.error
    assert DAMAGED_FLAG in outcome.flags and outcome.damaged
    assert outcome.findings == []  # verified against the hunted values too
    return (tmp_path / "allowed" / outcome.output).read_bytes()


def _refused(result: BatchResult, code: str, *words: str) -> None:
    error = result.outcomes[0].error
    assert error is not None and error["code"] == code
    assert all(w in error["message"] for w in ("damaged.dcm", *words)), error["message"]
    assert result.outcomes[0].output is None


def test_a_name_under_the_wrong_vr_is_still_hunted_in_kept_text(tmp_path: Path) -> None:
    data = wrong_vr(phi_file())
    _refused(_run(data, tmp_path, False), "malformed", "(0010,0010)", "byte",
             "written with VR SH where the standard has PN")
    out = _output(_run(data, tmp_path, True), tmp_path)
    assert b"DOE" not in out and b"JANE" not in out
    written = pydicom.dcmread(io.BytesIO(out))
    assert written.Manufacturer == "*** IMAGING"
    # Without the hunt list of the damaged file, the name stays in Manufacturer.
    source = open_dataset(data, "damaged.dcm").dataset
    leaked = engine.deidentify(source, load_profile("basic"), KEY).dataset
    assert "JANE DOE" in str(leaked.Manufacturer)


def test_a_length_that_swallowed_an_element_drops_the_swallower_and_hunts_the_swallowed(
        tmp_path: Path) -> None:
    data = swallowing(phi_file(), b"\x08\x00\x80\x00LO")
    _refused(_run(data, tmp_path, False), "malformed", "(0008,0070)", "control bytes")
    out = _output(_run(data, tmp_path, True), tmp_path)
    assert b"ST MARY" not in out and b"JANE DOE" not in out
    written = pydicom.dcmread(io.BytesIO(out))
    assert "Manufacturer" not in written
    assert written.ManufacturerModelName == "*** MODEL"
    source = open_dataset(data, "damaged.dcm").dataset
    assert "InstitutionName" not in source  # swallowed: no rule of its own reaches it
    leaked = engine.deidentify(source, load_profile("basic"), KEY).dataset
    assert "ST MARY CLINIC" in str(leaked.ManufacturerModelName)


def test_a_file_whose_reading_stopped_is_processed_up_to_the_damage(tmp_path: Path) -> None:
    data = stopped(phi_file(StudyDescription=("LO", "HEAD")))
    _refused(_run(data, tmp_path, False), "malformed", "(0008,1030)", "unknown value")
    out = _output(_run(data, tmp_path, True), tmp_path)
    written = pydicom.dcmread(io.BytesIO(out))
    assert "PatientID" not in written  # after the damage: not read, so not written
    assert written.Modality == "CT"
    # The patient's name lies past the damage; it is still hunted in the kept Manufacturer.
    assert b"JANE" not in out and b"ST MARY" not in out


def test_a_swallowing_value_before_where_reading_stopped_is_dropped_too(tmp_path: Path) -> None:
    data = stopped(swallowing(phi_file(StudyDescription=("LO", "HEAD")), b"\x08\x00\x80\x00LO"))
    _refused(_run(data, tmp_path, False), "malformed", "(0008,1030)")
    out = _output(_run(data, tmp_path, True), tmp_path)
    assert "Manufacturer" not in pydicom.dcmread(io.BytesIO(out))
    assert not any(value in out for value in SEEDED)


def test_swapped_tags_of_the_same_vr_are_caught_by_their_order(tmp_path: Path) -> None:
    """Two LO tags swapped: both VRs fit, so only the order shows it (PS3.5 7.1); the kept
    Position Reference Indicator would otherwise carry the device's serial number."""
    data = phi_file(DeviceSerialNumber=("LO", "SN-4471"), PositionReferenceIndicator=("LO", "XY"))
    serial, position = b"\x18\x00\x00\x10LO", b"\x20\x00\x40\x10LO"
    data = data.replace(serial, b"@@SERIAL@@").replace(position, serial).replace(
        b"@@SERIAL@@", position)
    _refused(_run(data, tmp_path, False), "malformed", "(0020,1040)", "out of tag order")
    out = _output(_run(data, tmp_path, True), tmp_path)
    assert b"SN-4471" not in out
    assert "PositionReferenceIndicator" not in pydicom.dcmread(io.BytesIO(out))


def test_a_fixed_format_value_too_long_for_its_vr_is_doubted_and_dropped(tmp_path: Path) -> None:
    data = phi_file(BodyPartExamined=("CS", "CHEST DOE JANE WAS HERE"))
    opened = open_dataset(data, "damaged.dcm")
    assert opened.suspect is not None and opened.suspect.tag == 0x00180015
    assert "a CS value of 23 bytes, where the standard allows at most 16" in opened.suspect.detail
    _refused(_run(data, tmp_path, False), "malformed", "(0018,0015)")
    written = pydicom.dcmread(io.BytesIO(_output(_run(data, tmp_path, True), tmp_path)))
    assert "BodyPartExamined" not in written


def test_an_attribute_the_profile_keeps_is_not_scrubbed_by_the_hunt(tmp_path: Path) -> None:
    data = phi_file(StationName=("SH", "CTROOM9"), Modality=("CS", "CT CT CT CT CT CT CT"))
    written = pydicom.dcmread(io.BytesIO(_output(_run(data, tmp_path, True, "research"),
                                                 tmp_path)))
    assert written.StationName == "CTROOM9"  # retained by the research profile's option


def test_an_image_cut_inside_its_pixels_keeps_its_header_only(tmp_path: Path) -> None:
    good = bundled("CT_small.dcm").read_bytes()
    cut = good[: len(good) - 1000]
    _refused(_run(cut, tmp_path, False), "truncated", "(7FE0,0010)")
    written = pydicom.dcmread(io.BytesIO(_output(_run(cut, tmp_path, True), tmp_path)))
    assert "PixelData" not in written and "Rows" in written
    assert written.PatientIdentityRemoved == "YES"


def test_the_record_of_a_run_with_a_damaged_file_never_passes(tmp_path: Path) -> None:
    data = wrong_vr(phi_file())
    result = _run(data, tmp_path, True)
    record = build_record(result, load_profile("basic"), KEY, settings={"allow_damaged": True})
    assert record["verification"]["result"] == "not passed"
    assert record["verification"]["review_required"][0]["flags"] == [DAMAGED_FLAG]


def test_the_inspector_marks_each_doubted_element() -> None:
    data = phi_file(BodyPartExamined=("CS", "CHEST DOE JANE WAS HERE"))
    data = wrong_vr(data)
    inspected = load(data, "damaged.dcm")
    assert inspected.problem is None  # it reads; it is only doubted
    part = inspected.find("00180015")
    name = inspected.find("00100010")
    assert part is not None and name is not None
    assert "at most 16" in (getattr(part, "note", "") or "")
    assert "written with VR SH" in (getattr(name, "note", "") or "")
    assert any("2 elements do not fit their tags" in note for note in inspected.notes)


@pytest.mark.parametrize("allow", [False, True])
def test_nothing_identifying_in_the_messages_of_damaged_files(tmp_path: Path, allow: bool) -> None:
    data = swallowing(phi_file(), b"\x08\x00\x80\x00LO")
    outcome = _run(data, tmp_path, allow).outcomes[0]
    said = repr(outcome.error) + repr(outcome.damaged) + repr(outcome.findings)
    assert not any(v in said for v in ("JANE", "DOE", "ST MARY", "PID-7741"))
