"""pydicom's bundled real files through the engine and back (engine.py, verify.py)."""

from __future__ import annotations

import io

import pydicom
import pytest

from dicomtab.deid.batch import encode
from dicomtab.deid.engine import deidentify
from dicomtab.deid.profile import load_profile
from dicomtab.deid.verify import Originals, verify_dataset, verify_output
from tests.conftest import bundled
from tests.core.deid.conftest import KEY

FILES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm", "rtstruct.dcm",
         "test-SR.dcm", "JPEG2000.dcm", "nested_priv_SQ.dcm", "priv_SQ.dcm", "image_dfl.dcm",
         "MR_small_implicit.dcm", "SC_rgb_gdcm_KY.dcm"]


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("profile", ["basic", "research", "vendor-support", "hipaa-safe-harbor",
                                     "expert-determination-research"])
def test_bundled_file(name: str, profile: str) -> None:
    source = pydicom.dcmread(bundled(name), force=True)
    result = deidentify(source, load_profile(profile), KEY)
    out = result.dataset
    assert not [e for e in out.iterall() if e.tag.group % 2 and e.tag.element >= 0x1000
                and profile == "basic"]
    if "PixelData" in source and "Rows" in source:
        assert out.PixelData == source.PixelData
        for keyword in ("Rows", "Columns", "BitsAllocated", "PhotometricInterpretation"):
            assert out[keyword].value == source[keyword].value
    originals = Originals()
    originals.add_dataset(source)
    if "SOPInstanceUID" not in source:
        return  # bare data sets (priv_SQ, nested_priv_SQ) cannot be written as files
    data = encode(out)
    back = pydicom.dcmread(io.BytesIO(data))
    if "TransferSyntaxUID" in source.file_meta:
        assert back.file_meta.TransferSyntaxUID == source.file_meta.TransferSyntaxUID
    findings = verify_dataset(back, name, originals, data)  # elements and raw bytes
    allowed = {"burned-in-annotation"} | ({"private-not-on-safe-list"} if profile != "basic"
                                           else set())
    assert {f.kind for f in findings} <= allowed, [str(f) for f in findings]
    assert back.SOPInstanceUID != source.SOPInstanceUID
    assert back.PatientIdentityRemoved == "YES"


def test_rtplan_references_are_remapped_like_their_targets() -> None:
    plan = pydicom.dcmread(bundled("rtplan.dcm"))
    out = deidentify(plan, load_profile("basic"), KEY).dataset
    refs = [e.value for e in out.iterall() if e.keyword == "ReferencedSOPInstanceUID"]
    originals = [e.value for e in plan.iterall() if e.keyword == "ReferencedSOPInstanceUID"]
    assert refs and all(r.startswith("2.25.") for r in refs)
    assert len(set(refs)) == len(set(originals))


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("profile", ["basic", "research"])
def test_checking_the_encoded_data_set_finds_what_reading_the_file_back_finds(
        name: str, profile: str) -> None:
    """A batch verifies the data set it encoded (and walks and searches the bytes) instead of
    parsing the bytes back: same findings, also with a name leaked into a description."""
    source = pydicom.dcmread(bundled(name), force=True)
    if "SOPInstanceUID" not in source:
        return
    out = deidentify(source, load_profile(profile), KEY).dataset
    names = [str(e.value) for e in source.iterall() if e.VR == "PN" and e.value]
    if names:
        out.StudyDescription = f"for {names[0]}"
    data = encode(out)
    read_back = verify_output(source, data, name)
    assert verify_output(source, data, name, written=out) == read_back
    if names and len(names[0]) >= 3:
        assert any(f.path == "StudyDescription" for f in read_back)
