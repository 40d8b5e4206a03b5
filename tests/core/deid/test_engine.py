"""Golden tests per action and per option (dicomtab/deid/engine.py, actions.py)."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from pydicom.datadict import dictionary_VR, keyword_dict
from pydicom.dataset import Dataset
from pydicom.uid import ImplicitVRLittleEndian

from dicomtab.deid.engine import IMPLEMENTATION_CLASS_UID, deidentify
from dicomtab.deid.methods import CID_7050
from dicomtab.deid.pixel_cleaning import PixelCleaning
from dicomtab.deid.profile import OPTIONS, Profile, profile_from_dict
from dicomtab.deid.table import load_table
from dicomtab.deid.writer import encode
from dicomtab.errors import PolicyError
from dicomtab.reading import read_dataset
from tests.core.deid.conftest import KEY
from tests.core.deid.phi_set import build_set

SET = build_set()
CT, CT2, DERIVED, SR, US = (SET[n] for n in ("a1_ct1.dcm", "a1_ct2.dcm", "a1_derived.dcm",
                                              "a1_sr.dcm", "b_us.dcm"))


def prof(*options: str, **extra: Any) -> Profile:
    return profile_from_dict({"name": "t", "options": list(options), **extra})


def run(ds: Dataset, *options: str, **extra: Any) -> Dataset:
    return deidentify(ds, prof(*options, **extra), KEY).dataset


# -- actions -----------------------------------------------------------------------------------

def test_source_dataset_is_not_modified() -> None:
    before = CT.PatientName, CT.SOPInstanceUID, len(CT)
    run(CT)
    assert (CT.PatientName, CT.SOPInstanceUID, len(CT)) == before


def test_x_removes() -> None:
    out = run(CT)
    for keyword in ("PatientAddress", "OtherPatientIDsSequence", "OtherPatientNames",
                    "IssuerOfPatientID", "RequestAttributesSequence", "ImageComments",
                    "StudyDescription", "SeriesDescription", "InstitutionAddress",
                    "PatientAge", "PatientWeight"):
        assert keyword not in out, keyword


def test_z_empties_but_keeps() -> None:
    out = run(CT)
    for keyword in ("AccessionNumber", "ReferringPhysicianName", "PatientBirthDate", "StudyID",
                    "StudyDate", "PatientSex"):
        assert keyword in out and out[keyword].is_empty, keyword


def test_d_and_combined_codes_replace_with_dummies() -> None:
    out = run(CT)
    assert out.InstitutionName == "ANONYMIZED"  # X/Z/D
    assert out.OperatorsName == "ANONYMIZED"  # X/Z/D, PN
    assert out.DeviceSerialNumber == "ANONYMIZED"  # X/Z/D
    assert out.ProtocolName == "ANONYMIZED"  # X/D
    assert out.SeriesDate == "19000101"  # X/D, DA
    assert out.ContentDate == "19000101"  # Z/D
    assert out.PatientID == "ANONYMIZED"  # Z/D without a template


def test_combined_codes_follow_the_profile() -> None:
    out = run(CT, combined_actions={"X/Z/D": "X", "X/D": "Z"})
    assert "InstitutionName" not in out and out.ProtocolName in ("", None)


def test_u_remaps_every_uid_consistently() -> None:
    out, out2 = run(CT), run(CT2)
    assert out.SOPInstanceUID.startswith("2.25.")
    assert out.StudyInstanceUID == out2.StudyInstanceUID != CT.StudyInstanceUID
    assert out.FrameOfReferenceUID == out2.FrameOfReferenceUID != CT.FrameOfReferenceUID
    ref = out2.ReferencedImageSequence[0]  # X/Z/U*: the sequence stays, its UIDs move
    assert ref.ReferencedSOPInstanceUID == out.SOPInstanceUID
    assert ref.ReferencedSOPClassUID == CT.SOPClassUID
    assert out.SOPClassUID == CT.SOPClassUID


def test_k_keeps_structure_and_pixels() -> None:
    out = run(CT)
    for keyword in ("Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit",
                    "PhotometricInterpretation", "SamplesPerPixel", "PixelSpacing",
                    "ImagePositionPatient", "ImageOrientationPatient", "Modality", "ImageType",
                    "RescaleSlope", "WindowCenter", "SliceThickness", "BodyPartExamined",
                    "SpecificCharacterSet", "Manufacturer", "BurnedInAnnotation"):
        assert out[keyword].value == CT[keyword].value, keyword
    assert out.PixelData == CT.PixelData


def test_unlisted_public_attribute_is_removed() -> None:
    table = load_table()
    tag = next(t for k, t in sorted(keyword_dict.items()) if dictionary_VR(t) == "LO"
               and t not in table.keep and table.row_for(t) is None and t >> 16 != 2)
    ds = Dataset()
    ds.add_new(tag, "LO", "anything")
    assert tag not in run(ds)


def test_templates_give_pseudonyms() -> None:
    out = run(CT, templates={"PatientName": "P^{hash8}", "PatientID": "ID{hash12}"})
    assert str(out.PatientName).startswith("P^") and len(str(out.PatientName)) == 10
    assert out.PatientID.startswith("ID") and out.PatientID[2:10] == str(out.PatientName)[2:]


def test_overrides_by_keyword_tag_and_private_creator() -> None:
    out = run(CT, overrides=[
        {"keyword": "PatientSex", "action": "K"},
        {"tag": "00080070", "action": "X"},
        {"creator": "ACME PHI 1.0", "group": "0029", "offset": "10", "action": "K"},
    ])
    assert out.PatientSex == "M" and "Manufacturer" not in out
    block = out.private_block(0x0029, "ACME PHI 1.0")
    assert block[0x10].value == CT.private_block(0x0029, "ACME PHI 1.0")[0x10].value
    assert 0x00291011 not in out


def test_private_attributes_removed_with_their_creators() -> None:
    out = run(CT)
    assert not [e for e in out if e.tag.group % 2]


def test_file_meta_is_rewritten() -> None:
    result = deidentify(CT, prof(), KEY)
    meta = result.dataset.file_meta
    assert meta.MediaStorageSOPInstanceUID == result.dataset.SOPInstanceUID
    assert meta.MediaStorageSOPClassUID == CT.SOPClassUID
    assert meta.TransferSyntaxUID == CT.file_meta.TransferSyntaxUID
    assert meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert meta.ImplementationVersionName.startswith("DICOMTAB")
    assert "SourceApplicationEntityTitle" not in meta
    assert result.dataset.preamble == b"\x00" * 128
    actions = {r.path: r.action for r in result.records}
    assert actions["FileMeta.SourceApplicationEntityTitle"] == "X"
    assert actions["FileMeta.MediaStorageSOPInstanceUID"] == "U"


def test_records_have_paths_and_never_values() -> None:
    result = deidentify(CT2, prof(), KEY)
    paths = {r.path: r for r in result.records}
    assert paths["ReferencedImageSequence[0].ReferencedSOPInstanceUID"].action == "U"
    assert paths["PatientAddress"].action == "X" and paths["PatientAddress"].vr == "LO"
    assert paths["OtherPatientIDsSequence"].tag == "(0010,1002)"
    text = repr(result.records)
    for value in ("Müller", "PID-A-4711", CT2.SOPInstanceUID, "20240110"):
        assert value not in text


def test_results_mark_themselves() -> None:
    out = run(CT)
    assert out.PatientIdentityRemoved == "YES"
    assert out.LongitudinalTemporalInformationModified == "REMOVED"
    assert [i.CodeValue for i in out.DeidentificationMethodCodeSequence] == ["113100"]
    assert all(i.CodingSchemeDesignator == "DCM" for i in out.DeidentificationMethodCodeSequence)
    assert all(len(v) <= 64 for v in out.DeidentificationMethod)


# -- options -----------------------------------------------------------------------------------

@pytest.mark.parametrize("option", [o for o in OPTIONS if o not in
                                    ("clean_pixel_data", "clean_recognizable_visual_features")])
def test_each_option_is_declared_with_its_cid_7050_code(option: str) -> None:
    out = run(CT, option)
    codes = [i.CodeValue for i in out.DeidentificationMethodCodeSequence]
    assert codes == ["113100", CID_7050[option][0]]
    assert CID_7050[option][1] in out.DeidentificationMethod


def test_retain_safe_private() -> None:
    out = run(CT, "retain_safe_private")
    assert out.private_block(0x0019, "SIEMENS MR HEADER")[0x0C].value == "1000"
    assert 0x00291010 not in out and 0x00290010 not in out  # ACME block: not on the list
    extra = run(CT, "retain_safe_private",
                safe_private=[{"creator": "ACME PHI 1.0", "group": "0029", "offset": "10"}])
    assert 0x00291010 in extra and extra[0x00290010].value == "ACME PHI 1.0"
    assert 0x00191000 | 0x0C not in run(CT)


def test_retain_uids() -> None:
    out = run(CT2, "retain_uids")
    assert out.SOPInstanceUID == CT2.SOPInstanceUID
    assert out.StudyInstanceUID == CT2.StudyInstanceUID
    assert out.ReferencedImageSequence[0].ReferencedSOPInstanceUID == CT.SOPInstanceUID


def test_retain_device_identity() -> None:
    out = run(CT, "retain_device_identity")
    assert out.DeviceSerialNumber == "SN-998877" and out.StationName == "CTSCAN01"


def test_retain_institution_identity() -> None:
    out = run(CT, "retain_institution_identity")
    assert out.InstitutionName == CT.InstitutionName
    assert out.InstitutionAddress == CT.InstitutionAddress


def test_retain_patient_characteristics() -> None:
    out = run(CT, "retain_patient_characteristics")
    assert (out.PatientSex, out.PatientAge, out.PatientWeight) == ("M", "062Y", 81.5)
    assert out.PatientBirthDate in ("", None)


def test_retain_full_dates() -> None:
    out = run(CT, "retain_long_full_dates")
    assert out.StudyDate == CT.StudyDate and out.AcquisitionDateTime == CT.AcquisitionDateTime
    assert out.LongitudinalTemporalInformationModified == "UNMODIFIED"


def test_retain_modified_dates_shifts_every_date_by_one_offset() -> None:
    result = deidentify(CT, prof("retain_long_modified_dates"), KEY)
    out, days = result.dataset, result.date_offset_days
    assert days is not None and days <= -365
    assert out.StudyDate != CT.StudyDate
    assert out.StudyDate == out.SeriesDate == out.AcquisitionDate
    assert out.AcquisitionDateTime[8:] == CT.AcquisitionDateTime[8:]
    assert out.AcquisitionDateTime[:8] == out.StudyDate
    assert out.StudyTime == CT.StudyTime
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"
    fixed = run(CT, "retain_long_modified_dates", date_offset_days=-10)
    assert fixed.StudyDate == "20231231"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_modified_dates_empties_unparseable_dates() -> None:
    ds = Dataset()
    ds.StudyDate = "2024-01-10"
    out = deidentify(ds, prof("retain_long_modified_dates"), KEY)
    assert out.dataset.StudyDate in ("", None)
    assert any("unparseable" in r.source for r in out.records)


def test_full_and_modified_dates_are_exclusive() -> None:
    with pytest.raises(PolicyError):
        prof("retain_long_full_dates", "retain_long_modified_dates")


def test_clean_descriptors_keeps_text_without_identifiers() -> None:
    out = run(CT, "clean_descriptors")
    assert out.SeriesDescription == "Axial 5mm"
    assert out.StudyDescription == "Chest follow-up ***"
    assert "Müller" not in out.ImageComments and "PID-A-4711" not in out.ImageComments
    assert "Wagner" not in out.ImageComments and out.ImageComments.startswith("Patient ***")
    assert "ProtocolName" in out and out.ProtocolName == "Chest routine"


def test_clean_structured_content_vs_basic_on_sr() -> None:
    basic, clean = run(SR), run(SR, "clean_structured_content")
    assert basic.ContentSequence[1].TextValue == "ANONYMIZED"
    text = clean.ContentSequence[1].TextValue
    assert text.startswith("No change since last visit of") and "Müller" not in text
    assert "PID-A-4711" not in text
    for out in (basic, clean):
        assert out.ContentSequence[0].PersonName == "ANONYMIZED"
        assert out.ContentSequence[2].Date == "19000101"
        assert out.ContentSequence[3].UID == run(CT).StudyInstanceUID
        assert [i.ValueType for i in out.ContentSequence] == ["PNAME", "TEXT", "DATE", "UIDREF"]
    dated = run(SR, "clean_structured_content", "retain_long_modified_dates")
    assert dated.ContentSequence[2].Date == dated.StudyDate != SR.StudyDate


def test_clean_graphics_keeps_overlays_with_clean_comments() -> None:
    basic = run(CT)
    assert not [e for e in basic if e.tag.group in (0x5000, 0x6000)]
    result = deidentify(CT, prof("clean_graphics"), KEY)
    out = result.dataset
    assert out[0x60003000].value == CT[0x60003000].value
    assert out[0x60000010].value == 4
    assert "Müller" not in out[0x60004000].value
    assert "overlay-review" in result.flags


def test_pixel_options_are_hooks_that_flag() -> None:
    result = deidentify(US, prof("clean_pixel_data"), KEY)
    codes = [i.CodeValue for i in result.dataset.DeidentificationMethodCodeSequence]
    assert "pixel-review" in result.flags and "113101" not in codes

    def cleaner(checked: bool):  # type: ignore[no-untyped-def]
        def clean(source: Dataset, out: Dataset) -> PixelCleaning:
            return PixelCleaning("cleaned", ("t",), {"boxes": [{}]}, checked=checked)
        return clean

    # Blanked but not checked for text: flagged for a check, and no claim of the option.
    unchecked = deidentify(US, prof("clean_pixel_data"), KEY, pixel_cleaner=cleaner(False))
    codes = [i.CodeValue for i in unchecked.dataset.DeidentificationMethodCodeSequence]
    assert unchecked.flags == ["pixel-check-review"] and "113101" not in codes
    assert "BurnedInAnnotation" not in unchecked.dataset or \
        unchecked.dataset.BurnedInAnnotation != "NO"
    assert "burned-in text blanked in 1 region (not checked for text)" in \
        unchecked.dataset.DeidentificationMethod
    # Checked by a detector: the option is claimed, and Burned In Annotation says NO.
    cleaned = deidentify(US, prof("clean_pixel_data"), KEY, pixel_cleaner=cleaner(True))
    codes = [i.CodeValue for i in cleaned.dataset.DeidentificationMethodCodeSequence]
    assert "113101" in codes and cleaned.flags == []
    assert cleaned.dataset.BurnedInAnnotation == "NO"
    assert deidentify(CT, prof(), KEY).flags == []


@pytest.mark.parametrize(
    ("modality", "extra", "flag"),
    [("US", {}, True), ("SC", {}, True), ("XA", {}, True), ("ES", {}, True), ("OT", {}, True),
     ("DX", {"StationName": "PORTABLE-3"}, True), ("DX", {}, False), ("CR", {}, False),
     ("CT", {"BurnedInAnnotation": "YES"}, True), ("MR", {}, False)],
)
def test_pixel_review_triggers(modality: str, extra: dict[str, str], flag: bool) -> None:
    ds = Dataset()
    ds.Modality = modality
    for k, v in extra.items():
        setattr(ds, k, v)
    assert ("pixel-review" in deidentify(ds, prof(), KEY).flags) is flag


def test_all_options_together() -> None:
    options = [o for o in OPTIONS if o != "retain_long_full_dates"]
    result = deidentify(SR, prof(*options), KEY)
    codes = {i.CodeValue for i in result.dataset.DeidentificationMethodCodeSequence}
    expected = {CID_7050[o][0] for o in options} - {"113101", "113102"} | {"113100"}
    assert codes == expected
    assert result.dataset.ContentSequence[1].TextValue.startswith("No change")


def test_profile_validation_errors_are_typed() -> None:
    for bad in ({"options": ["nope"]}, {"overrides": [{"keyword": "NoSuchThing", "action": "K"}]},
                {"overrides": [{"keyword": "PatientSex", "action": "Q"}]},
                {"templates": {"PatientName": "{name}"}},
                {"overrides": [{"creator": "X", "group": "0010", "offset": "10", "action": "K"}]},
                {"date_offset_days": "ten"}):
        with pytest.raises(PolicyError):
            profile_from_dict(bad)


def test_safe_private_attributes_are_cleaned_not_copied() -> None:
    # Table E.1-1 says C for safe private attributes; some on the list hold UIDs.
    ds = copy.deepcopy(CT)  # Dataset.copy() is shallow: it would change CT itself
    block = ds.private_block(0x0099, "NQHeader", create=True)
    block.add_new(0x02, "UI", CT.SeriesInstanceUID)  # Analyzed Series UID, on the safe list
    out = run(ds, "retain_safe_private")
    kept = out.private_block(0x0099, "NQHeader")[0x02].value
    assert kept == out.SeriesInstanceUID != CT.SeriesInstanceUID
    assert run(ds, "retain_safe_private", "retain_uids").private_block(
        0x0099, "NQHeader")[0x02].value == CT.SeriesInstanceUID


def test_safe_private_uid_is_remapped_even_when_the_file_does_not_give_its_vr() -> None:
    # Implicit VR, and a creator pydicom does not know: the element reads as UN. The safe
    # list says UI, so it is read as a UID and remapped rather than copied.
    ds = copy.deepcopy(CT)  # Dataset.copy() is shallow: it would change CT itself
    ds.private_block(0x0099, "NQHeader", create=True).add_new(0x02, "UI", CT.SeriesInstanceUID)
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    source = read_dataset(buffer.getvalue(), "implicit.dcm")
    assert source[0x00991002].VR == "UN"
    result = deidentify(source, prof("retain_safe_private"), KEY)
    data = encode(result.dataset)
    assert CT.SeriesInstanceUID.encode() not in data
    assert str(result.dataset.SeriesInstanceUID).encode() in data
