"""Generalisation actions, the ZIP3 list, the face/voice rules and the profile fields that use
them (generalize.py, review.py, profile.py, actions.py)."""

from __future__ import annotations

import io
import re
from typing import Any

import pydicom
import pytest
from pydicom import config
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.uid import (
    CTImageStorage,
    MRImageStorage,
    VLPhotographicImageStorage,
)

from dicomtab.deid.actions import decide
from dicomtab.deid.engine import deidentify
from dicomtab.deid.generalize import (
    GENERALIZERS,
    age_years,
    generalize,
    restricted_zip3,
    zip3_data,
)
from dicomtab.deid.profile import load_profile, profile_from_dict
from dicomtab.deid.review import may_show_face, review_flags
from dicomtab.deid.table import load_table
from dicomtab.errors import PolicyError
from tests.core.deid.conftest import KEY
from tests.core.deid.phi_set import build_set


@pytest.mark.parametrize(("vr", "value", "expected"), [
    ("DA", "20240315", "20240101"),
    ("DA", "2024.03.15", "20240101"),  # ACR-NEMA form
    ("DA", "20240101", "20240101"),
    ("DA", "20240315\\20230505", "20240101\\20230101"),
    ("DA", "2024", None),  # not a DA: emptied, never kept
    ("DA", "garbage", None),
    ("DT", "20240310143000.000000+0500", "2024"),
    ("DT", "202403", "2024"),
    ("DT", "2024-0500", "2024"),
    ("DT", "2024", "2024"),
    ("TM", "101500", ""),
    ("TM", "101500.123\\111111", ""),
])
def test_year(vr: str, value: str, expected: str | None) -> None:
    assert generalize("year", vr, value) == expected


@pytest.mark.parametrize(("value", "years", "expected"), [
    ("062Y", 62, "062Y"),
    ("089Y", 89, "089Y"),
    ("090Y", 90, "090Y"),
    ("094Y", 94, "090Y"),
    ("102Y", 102, "090Y"),
    ("999M", 83, "999M"),  # months, weeks and days never reach 90 years in 3 digits
    ("999W", 19, "999W"),
    ("999D", 2, "999D"),
    ("012M", 1, "012M"),
    ("52W", None, None),  # not an Age String
    ("90 years", None, None),
])
def test_age_over_89_becomes_090Y(value: str, years: int | None, expected: str | None) -> None:
    assert age_years(value) == years
    assert generalize("age90", "AS", value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("27 Pleasant St, Claremont NH 03603", "000"),  # 036: 20,000 people or fewer
    ("PO Box 1, Gillette WY 82716", "827"),  # 827 is not on the list
    ("500 Main Street, Cambridge, MA 02139-4307", "021"),  # ZIP+4
    ("10001", "100"),
    ("59001", "590"),  # the prefix is the first three digits: 590, not 059
    ("05901", "000"),
    ("Apt 12, 90210 Beverly Hills", "902"),
    ("Hauptstraße 5, Berlin", None),  # no ZIP code: emptied
    ("Suite 123456", None),  # six digits are no ZIP code
])
def test_zip3(value: str, expected: str | None) -> None:
    assert generalize("zip3", "LO", value) == expected


def test_zip3_list_is_data_with_its_source_and_census_year() -> None:
    data = zip3_data()
    header = data["header"]
    assert header["census_year"] == 2000
    assert "Guidance Regarding Methods for De-identification" in header["source"]
    assert "current" in header["caveat"]
    assert restricted_zip3() == frozenset({
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831",
        "878", "879", "884", "890", "893"})


def test_generalisation_that_does_not_fit_the_vr_empties() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^John"
    ds.PatientID = "X"
    ds.StudyDescription = "CT"
    # Not an AS value: it cannot be reduced, so it is emptied.
    ds.add(DataElement(0x00101010, "AS", "45 years", validation_mode=config.IGNORE))
    profile = profile_from_dict({"name": "t", "overrides": [
        {"keyword": "PatientName", "action": "year"},
        {"keyword": "PatientAge", "action": "age90"},
        {"keyword": "StudyDescription", "action": "zip3"},
    ]})
    result = deidentify(ds, profile, KEY)
    out = result.dataset
    assert all(out[k].is_empty for k in ("PatientName", "PatientAge", "StudyDescription"))
    sources = {r.keyword: r.source for r in result.records}
    assert sources["PatientName"] == "override+not-year"
    assert sources["PatientAge"] == "override+unreadable-for-age90"


def test_generalisations_are_actions_any_profile_can_use() -> None:
    ct = build_set()["a1_ct1.dcm"]
    ct.PatientAge = "093Y"
    ct.PatientAddress = "1 Elm St, Hanover NH 03755"
    profile = profile_from_dict({"name": "custom", "options": ["retain_patient_characteristics"],
                                 "overrides": [
                                     {"keyword": "StudyDate", "action": "year"},
                                     {"keyword": "PatientAge", "action": "age90"},
                                     {"keyword": "PatientAddress", "action": "zip3"},
                                 ]})
    result = deidentify(ct, profile, KEY)
    out = result.dataset
    assert (out.StudyDate, out.PatientAge, out.PatientAddress) == ("20240101", "090Y", "037")
    assert out.SeriesDate == "19000101"  # the rest follows the Basic Profile
    actions = {r.keyword: r.action for r in result.records}
    assert actions["StudyDate"] == "year" and actions["PatientAge"] == "age90"


def test_date_precision_reduces_every_temporal_attribute() -> None:
    profile = profile_from_dict({"name": "t", "date_precision": "year"})
    table = load_table()
    assert decide(0x00080020, "DA", "StudyDate", None, profile, table).action == "year"
    assert decide(0x00080030, "TM", "StudyTime", None, profile, table).action == "year"
    assert decide(0x0008002A, "DT", "AcquisitionDateTime", None, profile, table).action == "year"
    # Patient's Birth Date has no date option column: the Basic Profile's Z stands.
    assert decide(0x00100030, "DA", "PatientBirthDate", None, profile, table).action == "Z"
    # An unlisted date attribute.
    assert decide(0x00181200, "DA", "DateOfLastCalibration", None, profile,
                  table).action == "year"


def test_multi_valued_elements_read_from_a_file_are_handled_value_by_value() -> None:
    ds = build_set()["a1_ct1.dcm"]
    ds.CalibrationDate = ["20240315", "20230505"]
    ds.SeriesDescription = ["Axial", "Jürgen"]  # two values, the second an identifier
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    back = pydicom.dcmread(io.BytesIO(buffer.getvalue()))  # values come back as MultiValue
    profile = profile_from_dict({"name": "t", "options": ["clean_descriptors"],
                                 "date_precision": "year"})
    out = deidentify(back, profile, KEY).dataset
    assert list(out.CalibrationDate) == ["20240101", "20230101"]
    assert list(out.SeriesDescription) == ["Axial", "***"]


# -- profiles ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    ({"hipaa": "safe-harbor", "options": ["retain_long_modified_dates"]}, "shifted full dates"),
    ({"hipaa": "safe-harbor", "options": ["retain_device_identity", "retain_uids"]},
     "device identifiers and serial numbers; original UIDs"),
    ({"hipaa": "limited-data-set"}, "hipaa must be one of"),
    ({"date_precision": "month"}, "date_precision can only be"),
    ({"date_precision": "year", "options": ["retain_long_full_dates"]}, "excludes the options"),
    ({"scrub_patterns": ["phone", "vin"]}, "scrub_patterns may name"),
    ({"overrides": [{"keyword": "PatientAge", "action": "age80"}]}, "age90"),
    ({"combined_actions": {"X/Z": "year"}}, "combined_actions must map"),
])
def test_profile_validation(data: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        profile_from_dict({"name": "t", **data})


def test_builtin_hipaa_profiles() -> None:
    safe = load_profile("hipaa-safe-harbor")
    assert safe.hipaa == "safe-harbor" and safe.date_precision == "year" and safe.builtin
    assert set(safe.scrub_patterns) == {"phone", "email", "ssn", "url", "ip", "date", "age90"}
    assert set(safe.overrides.values()) >= set(GENERALIZERS) - {"year"}
    expert = load_profile("expert-determination-research")
    assert expert.hipaa == "expert-determination" and expert.date_precision is None
    assert load_profile("research").options | {"clean_recognizable_visual_features"} == (
        expert.options)
    assert "NOT HIPAA Safe Harbor" in expert.description
    assert len(safe.sha256) == 64 and safe.sha256 != expert.sha256


# -- faces and voices --------------------------------------------------------------------------

def _ds(**values: Any) -> Dataset:
    ds = Dataset()
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(("values", "flags"), [
    ({"Modality": "MR", "BodyPartExamined": "HEAD", "SOPClassUID": MRImageStorage},
     ["face-review"]),
    ({"Modality": "CT", "BodyPartExamined": "CHEST", "SeriesDescription": "CT Brain w/o"},
     ["face-review"]),
    ({"Modality": "CT", "ProtocolName": "Sinus low dose"}, ["face-review"]),
    ({"Modality": "CT", "SOPClassUID": CTImageStorage, "BodyPartExamined": "ABDOMEN",
      "StudyDescription": "CT abdomen (forehead marker)"}, []),
    ({"Modality": "MR", "BodyPartExamined": "KNEE"}, []),
    ({"Modality": "US", "BodyPartExamined": "HEAD"}, []),  # an ultrasound shows no face
    ({"Modality": "XC"}, ["face-review"]),
    ({"Modality": "OT", "SOPClassUID": VLPhotographicImageStorage}, ["face-review"]),
    ({"Modality": "AU", "SOPClassUID": "1.2.840.10008.5.1.4.1.1.9.4.1"}, ["voice-review"]),
])
def test_review_flags(values: dict[str, Any], flags: list[str]) -> None:
    assert review_flags(_ds(**values)) == flags


def test_anatomic_region_code_for_the_head() -> None:
    region = _ds(CodeValue="69536005", CodingSchemeDesignator="SCT", CodeMeaning="Head")
    ds = _ds(Modality="PT")
    ds.AnatomicRegionSequence = [region]
    assert may_show_face(ds)
