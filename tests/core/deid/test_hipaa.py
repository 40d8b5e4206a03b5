"""The HIPAA profiles on the HIPAA set: every Safe Harbor category handled as the README's table
says (profiles/*.json, actions.py, engine.py, generalize.py, review.py, verify.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from dicomtab.deid.batch import collect_inputs
from dicomtab.deid.methods import HIPAA_NOTES, YEAR_NOTE
from dicomtab.deid.uids import is_well_known
from dicomtab.deid.verify import Originals, verify_items
from tests.core.deid import hipaa_set as H
from tests.core.deid.conftest import Batches, Out
from tests.core.deid.phi_set import SEEDED_VALUES

SH = "hipaa-safe-harbor"
ED = "expert-determination-research"


def by_source(out: Out) -> dict[str, Dataset]:
    """Input file name -> its output data set."""
    folder, batch = out
    return {Path(o.source).name: pydicom.dcmread(folder / o.output)
            for o in batch.outcomes if o.output is not None}


@pytest.fixture(scope="module")
def sh(batches: Batches) -> dict[str, Dataset]:
    return by_source(batches("hipaa", SH))


@pytest.fixture(scope="module")
def ed(batches: Batches) -> dict[str, Dataset]:
    return by_source(batches("hipaa", ED))


def patient(name: str) -> str:
    return name[0]


# -- the 18 categories of 45 CFR 164.514(b)(2)(i) under hipaa-safe-harbor -----------------------

def test_a_names(sh: dict[str, Dataset]) -> None:
    for ds in sh.values():
        assert re.fullmatch(r"ANON\^[0-9A-F]{8}", str(ds.PatientName))
        assert "OtherPatientNames" not in ds and ds.ReferringPhysicianName == ""
        assert ds.OperatorsName == "ANONYMIZED"  # X/Z/D: a dummy
        assert not [e for e in ds if e.tag.group % 2]  # the private block held the name


def test_b_geography_zip3_with_restricted_prefix(sh: dict[str, Dataset]) -> None:
    for name, ds in sh.items():
        assert ds.PatientAddress == H.EXPECTED_ZIP3[patient(name)], name
        for keyword in ("InstitutionAddress", "RegionOfResidence", "ReferringPhysicianAddress"):
            assert keyword not in ds
    assert sh["c_mr1.dcm"].PatientAddress == "000"  # 036 covers 20,000 people or fewer


def test_c_dates_to_the_year_times_emptied_ages_aggregated(sh: dict[str, Dataset]) -> None:
    for name, ds in sh.items():
        year = H.YEARS[patient(name)]
        dated = [e for e in ds.iterall() if e.VR in ("DA", "DT", "TM") and not e.is_empty]
        assert {e.keyword for e in dated} >= {"StudyDate", "AcquisitionDateTime"}
        for e in dated:
            value = str(e.value)
            assert e.VR != "TM", e.keyword
            assert value == (year + "0101" if e.VR == "DA" else year), (e.keyword, value)
        assert ds.PatientBirthDate == "" and ds.StudyTime == ""
        assert ds.PatientAge == H.EXPECTED_AGE[patient(name)]
        assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
        assert YEAR_NOTE in ds.DeidentificationMethod
        assert HIPAA_NOTES["safe-harbor"] in ds.DeidentificationMethod


EXPECTED_TEXT = {
    "c": {"ImageComments": "Images at *** - questions to ***",
          "StudyDescription": "MRI brain, results to ***",
          "AdditionalPatientHistory": "SSN ***; daughter's fax ***; last seen ***"},
    "d": {"ImageComments": "Call *** or ***; uploaded from ***",
          "AdditionalPatientHistory": "Home phone ***"},
    "e": {"ImageComments": "Routine abdomen", "AdditionalPatientHistory": "No history given"},
}


@pytest.mark.parametrize("profile", [SH, ED])
def test_d_to_o_phone_fax_email_ssn_url_ip_and_dates_in_kept_text(
    profile: str, batches: Batches
) -> None:
    for name, ds in by_source(batches("hipaa", profile)).items():
        for keyword, text in EXPECTED_TEXT[patient(name)].items():
            assert ds[keyword].value == text, (profile, name, keyword)
        for keyword in ("PatientTelephoneNumbers", "RetrieveURL"):
            assert keyword not in ds


def test_g_to_k_and_r_identifying_numbers(sh: dict[str, Dataset]) -> None:
    for ds in sh.values():
        assert re.fullmatch(r"ANON[0-9A-F]{12}", ds.PatientID)
        assert "OtherPatientIDsSequence" not in ds and "IssuerOfPatientID" not in ds
        assert ds.AccessionNumber == "" and ds.StudyID == ""
        uids = [str(e.value) for e in ds.iterall() if e.VR == "UI"]
        assert all(u.startswith("2.25.") or is_well_known(u) for u in uids)


def test_m_device_identifiers_and_serial_numbers(sh: dict[str, Dataset]) -> None:
    ct = sh["d_ct1.dcm"]
    assert ct.DeviceSerialNumber == "ANONYMIZED" and ct.StationName == "ANONYMIZED"
    assert "DeviceID" not in ct


def test_q_full_face_images_are_flagged_not_passed(batches: Batches,
                                                   sh: dict[str, Dataset]) -> None:
    _, batch = batches("hipaa", SH)
    flags = {Path(o.source).name: o.flags for o in batch.outcomes}
    assert flags == {"c_mr1.dcm": ["face-review"], "c_mr2.dcm": ["face-review"],
                     "d_ct1.dcm": [], "d_xc1.dcm": ["face-review"], "e_ct1.dcm": []}
    for ds in sh.values():  # the option is not claimed: the faces are still there
        codes = {i.CodeValue for i in ds.DeidentificationMethodCodeSequence}
        assert codes == {"113100", "113104", "113105", "113108"}
    assert sh["c_mr1.dcm"].PixelData == H.build_hipaa_set()["c_mr1.dcm"].PixelData


@pytest.mark.parametrize("which", ["phi", "hipaa"])
def test_no_seeded_value_anywhere_in_the_output_bytes(which: str, batches: Batches) -> None:
    folder, _ = batches(which, SH)
    values = SEEDED_VALUES + H.SEEDED
    for path in folder.rglob("*.dcm"):
        data = path.read_bytes()
        for value in values:
            for raw in {value.encode("utf-8"), value.encode("latin-1", "replace")}:
                assert raw not in data, (path.name, value)


def test_verify_reports_only_the_faces(batches: Batches, all_originals: Originals) -> None:
    folder, batch = batches("hipaa", SH)
    faces = {str(folder / o.output) for o in batch.outcomes if o.flags and o.output}
    findings = verify_items(collect_inputs([folder]), all_originals)
    assert sorted((f.file, f.path, f.kind) for f in findings) == sorted(
        (file, "PixelData", "recognizable-face") for file in faces)
    assert len(faces) == 3
    in_batch = [f.kind for o in batch.outcomes for f in o.findings]
    assert in_batch == ["recognizable-face"] * 3  # the batch's own check agrees


def _leftovers(ds: Dataset) -> None:
    ds.StudyDate = "20240315"
    ds.StudyTime = "101500"
    ds.AcquisitionDateTime = "202403"
    ds.PatientAge = "095Y"
    ds.ImageComments = "ring 555-123-4567 or see http://example.org/x"
    block = ds.private_block(0x0019, "SIEMENS MR HEADER", create=True)  # on the safe list
    block.add_new(0x0C, "IS", "1000")


def test_verify_reports_dates_more_specific_than_the_year_and_other_leftovers(
    tmp_path: Path, sh: dict[str, Dataset]
) -> None:
    ds = sh["e_ct1.dcm"]
    _leftovers(ds)
    ds.save_as(tmp_path / "left.dcm", enforce_file_format=True)
    found = {(f.path, f.kind, f.what) for f in verify_items(collect_inputs([tmp_path]))}
    assert found == {
        ("StudyDate", "date-more-specific-than-year", "DA"),
        ("StudyTime", "date-more-specific-than-year", "TM"),
        ("AcquisitionDateTime", "date-more-specific-than-year", "DT"),
        ("PatientAge", "age-over-89", "AS"),
        ("ImageComments", "identifier-shape-in-text", "url"),
        ("ImageComments", "identifier-shape-in-text", "phone"),
        # The free-text detector counts the same two pieces (it quotes nothing).
        ("ImageComments", "identifying-text", "2 word(s) neither known safe nor imaging text"),
        ("(0019,100C)", "private-attribute", "Safe Harbor output keeps a private attribute"),
    }


def test_safe_harbor_rules_on_demand_for_other_profiles(batches: Batches) -> None:
    folder, _ = batches("hipaa", ED)
    assert [f for f in verify_items(collect_inputs([folder])) if "date" in f.kind] == []
    forced = verify_items(collect_inputs([folder]), safe_harbor=True)
    kinds = {f.kind for f in forced}
    assert {"date-more-specific-than-year", "age-over-89", "recognizable-face",
            "private-attribute"} <= kinds


# -- expert-determination-research ------------------------------------------------------------

def test_expert_determination_keeps_detail_and_says_it_is_not_safe_harbor(
    ed: dict[str, Dataset]
) -> None:
    source = H.build_hipaa_set()
    for name, ds in ed.items():
        assert ds.PatientAge == H.AGES[patient(name)]  # 094Y, 102Y kept
        assert ds.StudyDate != source[name].StudyDate and not ds.StudyDate.endswith("0101")
        assert ds.StudyTime == "101500"  # a whole-day shift keeps times
        assert HIPAA_NOTES["expert-determination"] in ds.DeidentificationMethod
        assert HIPAA_NOTES["safe-harbor"] not in ds.DeidentificationMethod
        assert "PatientAddress" not in ds
    assert ed["d_ct1.dcm"].DeviceSerialNumber == H.SERIAL  # Retain Device Identity
    assert "RetrieveURL" not in ed["d_ct1.dcm"]


def test_expert_determination_leaks_no_identifier_but_device_identity(batches: Batches) -> None:
    folder, batch = batches("hipaa", ED)
    assert [Path(o.source).name for o in batch.outcomes if o.flags] == [
        "c_mr1.dcm", "c_mr2.dcm", "d_xc1.dcm"]
    for path in folder.rglob("*.dcm"):
        data = path.read_bytes()
        for value in H.SEEDED:
            if value not in H.DEVICE_VALUES and not value.isdigit():  # dates are shifted
                assert value.encode() not in data, (path.name, value)


def test_a_safe_harbor_profile_that_removes_dates_passes_verify(tmp_path: Path,
                                                               hipaa_dir: Path) -> None:
    from dicomtab.deid.batch import run_batch
    from dicomtab.deid.profile import profile_from_dict
    from tests.core.deid.conftest import KEY
    profile = profile_from_dict({"name": "strict", "hipaa": "safe-harbor",
                                 "overrides": [{"keyword": "PatientAge", "action": "age90"}]})
    batch = run_batch(collect_inputs([hipaa_dir]), tmp_path, profile, KEY, verify=True)
    dummies = [e.value for p in tmp_path.rglob("*.dcm") for e in pydicom.dcmread(p).iterall()
               if e.VR in ("DT", "TM") and not e.is_empty]
    assert "19000101000000" in dummies  # D's dummies, not dates
    # No date finding; the faces are reported whether or not the profile flags them.
    assert {f.kind for o in batch.outcomes for f in o.findings} == {"recognizable-face"}
