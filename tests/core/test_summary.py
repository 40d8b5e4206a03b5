"""The instance summary the page and ``dicomtab summary`` show."""

from __future__ import annotations

import pytest

from dicomtab.reading import open_dataset
from dicomtab.summary import summarize
from tests.conftest import BUNDLED_DIR, bundled


def _summary(name: str) -> dict:
    return summarize(open_dataset(bundled(name).read_bytes(), name, stop_before_pixels=True))


def test_ct_small() -> None:
    s = _summary("CT_small.dcm")
    assert s["patient"] == {
        "name": "CompressedSamples^CT1",
        "id": "1CT1",
        "birthDate": None,
        "sex": "O",
    }
    assert s["study"]["uid"] == "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
    assert s["study"]["date"] == "20040119"
    assert s["series"]["uid"] == "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322"
    assert s["instance"] == {"uid": "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322", "number": 1}
    assert s["modality"] == "CT"
    assert s["sopClass"] == {"uid": "1.2.840.10008.5.1.4.1.1.2", "name": "CT Image Storage"}
    assert s["transferSyntax"] == {
        "uid": "1.2.840.10008.1.2.1",
        "name": "Explicit VR Little Endian",
    }
    assert (s["rows"], s["columns"], s["frames"]) == (128, 128, 1)
    assert s["fileSize"] == bundled("CT_small.dcm").stat().st_size
    assert s["notes"] == []


def test_multiframe_counts_frames() -> None:
    assert _summary("SC_rgb_rle_2frame.dcm")["frames"] == 2


def test_compressed_syntax_is_named() -> None:
    assert _summary("JPEG2000.dcm")["transferSyntax"]["name"] == "JPEG 2000 Image Compression"


def test_no_meta_file_states_the_assumed_syntax() -> None:
    s = _summary("ExplVR_BigEndNoMeta.dcm")
    assert s["transferSyntax"]["name"] == "Explicit VR Big Endian (assumed: the file does not say)"
    assert s["hasFileMeta"] is False
    assert s["rows"] is None and s["frames"] == 0


@pytest.mark.parametrize(
    ("name", "patient"),
    [
        ("chrGerm.dcm", "Äneas^Rüdiger"),  # ISO_IR 100
        ("chrGreek.dcm", "Διονυσιος"),  # ISO_IR 126
        ("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"),  # ISO 2022 IR 87
        ("chrX1.dcm", "Wang^XiaoDong=王^小東"),  # ISO_IR 192 (UTF-8)
    ],
)
def test_names_are_decoded_with_the_character_set(name: str, patient: str) -> None:
    path = BUNDLED_DIR.parent / "charset_files" / name
    s = summarize(open_dataset(path.read_bytes(), name, stop_before_pixels=True))
    assert s["patient"]["name"] == patient
