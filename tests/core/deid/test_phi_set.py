"""The PHI-seeded multi-patient set end to end (batch.py, engine.py, verify.py)."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from dicomtab.deid.batch import collect_inputs, run_batch
from dicomtab.deid.profile import Profile, builtin_names, load_profile
from dicomtab.deid.verify import Originals, verify_items
from tests.core.deid.conftest import OTHER_KEY, Batches, Out
from tests.core.deid.phi_set import DEVICE_VALUES, SEEDED_PATHS, SEEDED_VALUES, build_set


def outputs(folder: Path) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(p) for p in sorted(folder.rglob("*.dcm"))]


def encodings(value: str) -> list[bytes]:
    out = [value.encode("utf-8")]
    try:
        out.append(value.encode("latin-1"))
    except UnicodeEncodeError:
        pass
    return out


def profile_of(folder: Path) -> Profile:
    """The profile an output folder was made with (its files say it)."""
    ds = pydicom.dcmread(next(folder.rglob("*.dcm")))
    name = next(str(v) for v in ds.DeidentificationMethod if str(v).startswith("profile "))
    return load_profile(name.removeprefix("profile ").strip())


@pytest.fixture(params=builtin_names())
def result(request: pytest.FixtureRequest, batches: Batches) -> Out:
    return batches("phi", request.param)


def test_every_file_written_and_readable(result: Out) -> None:
    folder, batch = result
    assert batch.failed == []
    files = sorted(folder.rglob("*.dcm"))
    assert len(files) == len(build_set())
    for path in files:
        ds = pydicom.dcmread(path)
        assert ds.preamble == b"\x00" * 128
        assert path.stem == ds.SOPInstanceUID == ds.file_meta.MediaStorageSOPInstanceUID
        assert path.parent.name == ds.SeriesInstanceUID
        assert path.parent.parent.name == ds.StudyInstanceUID


def test_no_seeded_identifier_anywhere_in_the_output_bytes(result: Out) -> None:
    folder, _ = result
    keeps_devices = profile_of(folder).has("retain_device_identity")
    originals = build_set()
    uids = {str(e.value) for ds in originals.values() for e in ds.iterall() if e.VR == "UI"
            and str(e.value).startswith("1.2.826.0.1.3680043.9.9999.")}
    dates = {"20240110", "20240131", "20230615", "19610412", "19750203"}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for value in SEEDED_VALUES:
            if keeps_devices and value in DEVICE_VALUES:
                continue  # Retain Device Identity keeps them, as asked
            for raw in encodings(value):
                assert raw not in data, (path.name, value)
        for text in uids | dates:
            assert text.encode() not in data, (path.name, text)
        assert not [p for p in path.relative_to(folder).parts
                    if any(v in p for v in SEEDED_VALUES)]


def test_verify_is_clean_except_the_burned_in_ultrasound(result: Out, originals: Originals) -> None:
    folder, _ = result
    findings = verify_items(collect_inputs([folder]), originals)
    if profile_of(folder).clean_pixels == "auto":
        # The text detector looked at the ultrasound (4 x 4 pixels) and found no text: the
        # file says so, and claims Clean Pixel Data.
        assert findings == []
        us = next(ds for ds in outputs(folder) if ds.Modality == "US")
        assert us.BurnedInAnnotation == "NO"
        assert "no burned-in text found by a text detector" in us.DeidentificationMethod
    else:
        assert [(f.path, f.kind) for f in findings] == [
            ("BurnedInAnnotation", "burned-in-annotation")]


def test_verify_on_the_inputs_reports_every_seeded_identifier(
    phi_dir: Path, originals: Originals
) -> None:
    findings = verify_items(collect_inputs([phi_dir]), originals)
    paths = {f.path for f in findings}
    missing = [p for p in SEEDED_PATHS if p not in paths]
    assert missing == []
    kinds = {f.kind for f in findings}
    assert {"original-value", "name-in-free-text", "private-not-on-safe-list",
            "not-marked-deidentified", "burned-in-annotation"} <= kinds
    text = "\n".join(str(f) for f in findings)
    for value in SEEDED_VALUES:
        assert value not in text  # findings say where, never what


def test_verify_catches_a_leak_introduced_into_an_output(
    tmp_path: Path, basic_out: Out, originals: Originals
) -> None:
    folder, _ = basic_out
    ds = next(ds for ds in outputs(folder) if ds.Modality == "CT")
    ds.SeriesDescription = "for Jürgen"
    ds.save_as(tmp_path / "leak.dcm", enforce_file_format=True)
    findings = verify_items(collect_inputs([tmp_path]), originals)
    assert [(f.path, f.kind) for f in findings] == [("SeriesDescription", "name-in-free-text")]
    no_originals = verify_items(collect_inputs([tmp_path]))
    assert no_originals == []


def test_verify_finds_an_original_in_another_case_beyond_ascii(
    tmp_path: Path, basic_out: Out, originals: Originals
) -> None:
    """The bytes of "JÜRGEN" are not those of "Jürgen" in any ASCII case: only the element
    search, case-insensitive over all of Unicode, finds it (and its pre-test must let it)."""
    folder, _ = basic_out
    ds = next(ds for ds in outputs(folder) if ds.Modality == "CT")
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SeriesDescription = "FÜR JÜRGEN"
    ds.save_as(tmp_path / "leak.dcm", enforce_file_format=True)
    findings = verify_items(collect_inputs([tmp_path]), originals)
    assert [(f.path, f.kind) for f in findings] == [("SeriesDescription", "name-in-free-text")]


def test_uids_are_remapped_consistently_and_references_resolve(result: Out) -> None:
    folder, _ = result
    dss = outputs(folder)
    sops = {ds.SOPInstanceUID for ds in dss}
    assert len(sops) == len(dss)
    referenced = [e.value for ds in dss for e in ds.iterall() if e.keyword ==
                  "ReferencedSOPInstanceUID"]
    assert len(referenced) >= 5 and set(referenced) <= sops
    by_patient: dict[str, set[str]] = {}
    for ds in dss:
        by_patient.setdefault(str(ds.PatientID), set()).add(ds.StudyInstanceUID)
    assert sorted(len(v) for v in by_patient.values()) == [1, 2]
    sr = next(ds for ds in dss if ds.Modality == "SR")
    evidence = sr.CurrentRequestedProcedureEvidenceSequence[0]
    assert evidence.StudyInstanceUID == sr.StudyInstanceUID == sr.ContentSequence[3].UID
    series = {ds.SeriesInstanceUID for ds in dss}
    assert evidence.ReferencedSeriesSequence[0].SeriesInstanceUID in series
    # Patient A's two studies share a frame of reference in the input; so do the outputs.
    ct_frames = {ds.FrameOfReferenceUID for ds in dss if ds.Modality == "CT"}
    assert len(ct_frames) == 1


def test_pixel_data_unchanged(result: Out) -> None:
    folder, _ = result
    produced = sorted(ds.PixelData for ds in outputs(folder) if "PixelData" in ds)
    expected = sorted(ds.PixelData for ds in build_set().values() if "PixelData" in ds)
    assert len(produced) == 7 and produced == expected


def test_dates_shifted_per_patient_with_intervals_preserved(research_out: Out) -> None:
    folder, _ = research_out
    dss = outputs(folder)
    a = sorted({ds.StudyDate for ds in dss if ds.Modality == "CT"})
    assert len(a) == 2 and a[0] != "20240110"
    from datetime import date
    d0, d1 = (date(int(s[:4]), int(s[4:6]), int(s[6:])) for s in a)
    assert (d1 - d0).days == 21  # 2024-01-10 -> 2024-01-31
    for ds in dss:
        assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
        if "AcquisitionDateTime" in ds:
            assert ds.AcquisitionDateTime[:8] == ds.AcquisitionDate
    b = {ds.StudyDate for ds in dss if ds.Modality in ("MR", "US")}
    assert len(b) == 1 and b != {"20230615"}


def test_character_sets_survive(result: Out) -> None:
    folder, _ = result
    charsets = {ds.SpecificCharacterSet for ds in outputs(folder)}
    assert charsets == {"ISO_IR 100", "ISO_IR 192"}


def test_research_keeps_what_it_promises(research_out: Out) -> None:
    folder, _ = research_out
    ct = next(ds for ds in outputs(folder) if ds.Modality == "CT")
    assert ct.private_block(0x0019, "SIEMENS MR HEADER")[0x0C].value == "1000"
    assert 0x00290010 not in ct
    assert (ct.PatientSex, ct.PatientAge) == ("M", "062Y")
    assert ct.SeriesDescription == "Axial 5mm" and ct.DeviceSerialNumber == "SN-998877"
    codes = {i.CodeValue for i in ct.DeidentificationMethodCodeSequence}
    assert codes == {"113100", "113104", "113105", "113107", "113108", "113109", "113111"}


def test_same_key_same_outputs_other_key_different(
    tmp_path: Path, phi_dir: Path, basic_out: Out, key: object
) -> None:
    folder, _ = basic_out
    again = run_batch(collect_inputs([phi_dir]), tmp_path / "again", load_profile("basic"),
                      key)  # type: ignore[arg-type]
    first = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.dcm"))
    assert sorted(o.output for o in again.outcomes) == first  # type: ignore[type-var]
    other = run_batch(collect_inputs([phi_dir]), tmp_path / "other", load_profile("basic"),
                      OTHER_KEY)
    assert not set(o.output for o in other.outcomes) & set(first)
    names = {str(ds.PatientName) for ds in outputs(folder)}
    assert len(names) == 2 and all(n.startswith("ANON^") for n in names)


def test_patient_b_ultrasound_is_flagged(basic_out: Out) -> None:
    _, batch = basic_out
    flagged = [o for o in batch.outcomes if o.flags]
    assert [o.source.endswith("b_us.dcm") for o in flagged] == [True]
    assert flagged[0].flags == ["pixel-review"]
