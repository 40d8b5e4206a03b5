"""Comparing two instances, and the elements of a series."""

from __future__ import annotations

from pydicom.dataset import Dataset

from dicomtab.inspect.diff import diff, series
from dicomtab.inspect.partial import Inspected, load
from tests.core.inspect.conftest import sample_dataset, to_bytes


def _changes(a: Inspected, b: Inspected) -> dict[tuple[str, str], dict]:
    return {(c["change"], c["path"]): c for c in diff(a.all_elements, b.all_elements)["changes"]}


def test_identical_instances_have_no_changes(sample: Inspected, sample_bytes: bytes) -> None:
    other = load(sample_bytes, "copy.dcm")
    assert diff(sample.all_elements, other.all_elements) == {
        "changes": [],
        "counts": {"added": 0, "removed": 0, "changed": 0},
    }


def test_added_removed_changed_at_any_depth(sample: Inspected) -> None:
    ds = sample_dataset()
    ds.PatientID = "ID-9999"
    del ds.InstitutionName
    ds.AccessionNumber = "ACC1"
    ds.RequestAttributesSequence[1].RequestedProcedureID = "RP-11"
    ds.RequestAttributesSequence[0].ScheduledProtocolCodeSequence[0].CodeValue = "C2"
    extra = Dataset()
    extra.RequestedProcedureID = "RP-12"
    ds.RequestAttributesSequence.append(extra)
    pixels = bytearray(ds.PixelData)
    pixels[3] = 0xFF
    ds.PixelData = bytes(pixels)
    changes = _changes(sample, load(to_bytes(ds), "b.dcm"))
    assert set(changes) == {
        ("changed", "00100020"),
        ("removed", "00080080"),
        ("added", "00080050"),
        ("changed", "00400275/1/00401001"),
        ("changed", "00400275/0/00400008/0/00080100"),
        ("added", "00400275/2"),
        ("changed", "7FE00010"),
    }
    patient_id = changes[("changed", "00100020")]
    assert (patient_id["a"], patient_id["b"], patient_id["keyword"]) == (
        "ID-4711",
        "ID-9999",
        "PatientID",
    )
    assert changes[("removed", "00080080")]["b"] is None
    assert changes[("added", "00400275/2")]["keyword"] == "Item"
    assert changes[("changed", "7FE00010")]["a"].startswith("16 bytes: 00 01 02")


def test_a_vr_change_is_a_change(sample: Inspected) -> None:
    ds = sample_dataset()
    ds.add_new(0x00111001, "UT", "secret note")
    changes = _changes(sample, load(to_bytes(ds), "b.dcm"))
    assert changes[("changed", "00111001")]["vr"] == ["LO", "UT"]


def test_series_constant_and_varying() -> None:
    instances = []
    for number in range(1, 4):
        ds = sample_dataset()
        ds.InstanceNumber = str(number)
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.{1000 + number}"
        if number == 3:
            del ds.StationName
            ds.RequestAttributesSequence[1].RequestedProcedureID = "RP-X"
        instances.append(load(to_bytes(ds), f"{number}.dcm").elements)
    result = series(instances)
    assert result["instances"] == 3
    varying = {v["path"]: v for v in result["varying"]}
    assert set(varying) == {"00080018", "00200013", "00081010", "00400275/1/00401001"}
    assert varying["00200013"]["values"] == ["1", "2", "3"]
    assert varying["00200013"]["distinct"] == 3
    assert varying["00081010"]["present"] == 2 and varying["00081010"]["values"][2] is None
    constant = {c["path"]: c for c in result["constant"]}
    assert constant["00100020"]["value"] == "ID-4711"
    assert "7FE00010" in constant and "00400275/0/00401001" in constant
    assert "00400275" not in constant  # sequences are compared through their content
