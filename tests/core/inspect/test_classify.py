"""PHI categories and Basic Profile actions, from the de-identifier's own table."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from dicomtab.deid.engine import needs_pixel_review
from dicomtab.deid.table import load_table
from dicomtab.inspect.classify import CATEGORIES, classify_all, counts, phi_paths, pixel_warnings
from dicomtab.inspect.nodes import build_elements, walk
from dicomtab.inspect.partial import Inspected, load
from tests.conftest import bundled


def _categories(inspected: Inspected) -> dict[str, str]:
    phi = classify_all(inspected.all_elements)
    return {e.keyword or e.path: phi[e.path].category for e in walk(inspected.all_elements)}


@pytest.mark.parametrize(
    ("keyword", "category"),
    [
        ("PatientName", "direct-identifier"),
        ("PatientID", "direct-identifier"),
        ("OtherPatientIDs", "direct-identifier"),
        ("RequestedProcedureID", "direct-identifier"),
        ("StudyDate", "date-time"),
        ("PatientBirthDate", "date-time"),
        ("SOPInstanceUID", "uid"),
        ("StudyInstanceUID", "uid"),
        ("MediaStorageSOPInstanceUID", "uid"),
        ("SOPClassUID", "other"),
        ("TransferSyntaxUID", "other"),
        ("StudyDescription", "free-text"),
        ("ImageComments", "free-text"),
        ("InstitutionName", "device-institution"),
        ("StationName", "device-institution"),
        ("SourceApplicationEntityTitle", "device-institution"),
        ("PatientAge", "patient-characteristic"),
        ("Rows", "other"),
        ("Modality", "other"),
    ],
)
def test_categories(sample: Inspected, keyword: str, category: str) -> None:
    assert _categories(sample)[keyword] == category


def test_private_elements_and_creators(sample: Inspected) -> None:
    phi = classify_all(sample.all_elements)
    assert phi["00111001"].category == "private" and phi["00111001"].identifying
    assert phi["00110010"].category == "private-creator" and not phi["00110010"].identifying
    assert phi["00111001"].action == "X" and phi["00111001"].source == "private"


def test_actions_are_the_tables_basic_profile_codes(sample: Inspected) -> None:
    table = load_table()
    phi = classify_all(sample.all_elements)
    checked = 0
    for element in walk(sample.elements):
        row = table.row_for(element.tag)
        if row is not None and not element.is_private:
            assert phi[element.path].action == row.basic, element.keyword
            checked += 1
    assert checked > 10
    assert phi["00100010"].action == "Z" and phi["00100020"].action in ("Z", "Z/D")


def test_counts(sample: Inspected) -> None:
    phi = classify_all(sample.all_elements)
    out = counts(sample.all_elements, phi)
    assert set(out) == {"total", "identifying", *CATEGORIES.values()}
    assert out["private"] == 3 and out["privateCreators"] == 2
    categories = sum(out[key] for key in CATEGORIES.values())
    assert categories == out["total"]
    assert out["identifying"] == out["total"] - out["other"] - out["privateCreators"]
    assert out["dates"] >= 2 and out["uids"] >= 4 and out["direct"] >= 4


def test_burned_in_annotation_and_risky_modality_are_called_out(sample: Inspected) -> None:
    warnings = pixel_warnings(sample.dataset)
    assert len(warnings) == 1
    assert "header cleaning alone does not clean pixels" in warnings[0]["message"].lower()
    reasons = " ".join(warnings[0]["reasons"])
    assert "Burned In Annotation" in reasons and "US" in reasons


def test_a_ct_has_no_pixel_warning() -> None:
    inspected = load(bundled("CT_small.dcm").read_bytes(), "ct")
    assert pixel_warnings(inspected.dataset) == []


@pytest.mark.parametrize(
    ("modality", "station", "expected"),
    [("DX", "PORTABLE-3", True), ("CR", "ROOM 1", False), ("SC", "", True), ("MR", "", False)],
)
def test_warnings_follow_the_engine(modality: str, station: str, expected: bool) -> None:
    ds = Dataset()
    ds.Modality = modality
    ds.StationName = station
    assert needs_pixel_review(ds) is expected
    assert bool(pixel_warnings(ds)) is expected


def test_phi_only_keeps_listed_sequences_without_identifying_content() -> None:
    item = Dataset()
    item.TypeOfPatientID = "TEXT"
    ds = Dataset()
    ds.OtherPatientIDsSequence = [item]
    ds.Rows = 2
    elements = build_elements(ds)
    keep = phi_paths(elements, classify_all(elements))
    assert keep == {"00101002"}
