"""Reading bytes into a Dataset: good files open, bad ones fail with a message naming them."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import pydicom
import pytest

from dicomtab.errors import (
    EmptyFileError,
    MalformedFileError,
    NotDicomError,
    TruncatedFileError,
)
from dicomtab.reading import open_dataset, read_dataset
from tests import badfiles
from tests.conftest import BUNDLED_DIR, bundled

#: Bundled files that really are damaged (pydicom reads them leniently); we must say so.
DAMAGED = {
    "MR_truncated.dcm": TruncatedFileError,
    "rtplan_truncated.dcm": TruncatedFileError,
    "no_meta.dcm": NotDicomError,  # starts with one stray byte before its first element
}


def _bundled_dicom() -> list[Path]:
    return sorted(p for p in BUNDLED_DIR.glob("*.dcm") if p.name not in DAMAGED)


@pytest.mark.parametrize("path", _bundled_dicom(), ids=lambda p: p.name)
def test_every_sound_bundled_file_opens(path: Path) -> None:
    opened = open_dataset(path.read_bytes(), path.name, stop_before_pixels=True)
    reference = pydicom.dcmread(path, force=True, stop_before_pixels=True)
    assert opened.dataset.get("SOPInstanceUID") == reference.get("SOPInstanceUID")
    assert len(opened.dataset) == len(reference)


@pytest.mark.parametrize(("name", "error"), sorted(DAMAGED.items()))
def test_damaged_bundled_files_are_reported(name: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=name):
        read_dataset(bundled(name).read_bytes(), name)


def test_truncated_pixel_data_is_reported_with_tag_and_offset() -> None:
    with pytest.raises(TruncatedFileError) as caught:
        read_dataset(bundled("MR_truncated.dcm").read_bytes(), "MR_truncated.dcm")
    assert "(7FE0,0010) at byte 1488" in caught.value.message
    assert "8192" in caught.value.message


def test_empty_file() -> None:
    with pytest.raises(EmptyFileError, match=r"empty\.dcm is empty"):
        read_dataset(b"", "empty.dcm")


@pytest.mark.parametrize(
    "data",
    [b"Just some text, not DICOM.\n" * 10, b"\x89PNG\r\n\x1a\n" + bytes(300), b"x"],
    ids=["text", "png", "one-byte"],
)
def test_not_dicom(data: bytes) -> None:
    with pytest.raises(NotDicomError, match=r"report\.bin is not a DICOM file"):
        read_dataset(data, "report.bin")


@pytest.mark.parametrize("keep", [10, 131, 140, 200, 930, 20000, 39205])
def test_truncated_anywhere(keep: int) -> None:
    data = bundled("CT_small.dcm").read_bytes()
    with pytest.raises((TruncatedFileError, NotDicomError, MalformedFileError), match="ct.dcm"):
        read_dataset(data[:keep], "ct.dcm", stop_before_pixels=True)


def test_cut_between_elements_is_noted() -> None:
    data = bundled("CT_small.dcm").read_bytes()
    pixel_data_header = data.rindex(b"\xe0\x7f\x10\x00OW")
    opened = open_dataset(data[:pixel_data_header], "ct.dcm", stop_before_pixels=True)
    assert opened.notes == ["ct.dcm describes an image but has no pixel data; it may be truncated."]
    assert open_dataset(data, "ct.dcm", stop_before_pixels=True).notes == []


def test_truncation_inside_pixel_data_is_caught_without_loading_pixels() -> None:
    data = bundled("CT_small.dcm").read_bytes()
    with pytest.raises(TruncatedFileError, match=r"\(7FE0,0010\)"):
        read_dataset(data[:-1000], "ct.dcm", stop_before_pixels=True)


def test_huge_16_bit_length() -> None:
    data = badfiles.huge_short_length(bundled("CT_small.dcm").read_bytes())
    with pytest.raises(
        TruncatedFileError, match=r"\(0010,0010\) at byte \d+: declares 65520 bytes"
    ):
        read_dataset(data, "ct.dcm")


def test_huge_32_bit_length() -> None:
    data = badfiles.huge_long_length(bundled("CT_small.dcm").read_bytes())
    with pytest.raises(TruncatedFileError, match=r"declares 2147483632 bytes"):
        read_dataset(data, "ct.dcm", stop_before_pixels=True)


def test_truncated_encapsulated_pixel_data() -> None:
    data = bundled("JPEG2000.dcm").read_bytes()
    with pytest.raises(TruncatedFileError, match=r"\(7FE0,0010\)"):
        read_dataset(data[: len(data) - 100], "j2k.dcm", stop_before_pixels=True)


def test_missing_sequence_delimiter_in_encapsulated_pixel_data() -> None:
    data = bundled("JPEG2000.dcm").read_bytes()
    assert data.endswith(b"\xfe\xff\xdd\xe0\x00\x00\x00\x00")
    with pytest.raises(TruncatedFileError, match="encapsulated pixel data"):
        read_dataset(data[:-8], "j2k.dcm")


def test_sequences_nested_absurdly_deep_are_refused() -> None:
    item_open = struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    seq_open = struct.pack("<HH", 0x0008, 0x1140) + b"SQ\x00\x00" + struct.pack("<I", 0xFFFFFFFF)
    body = (seq_open + item_open) * 200
    data = bytes(128) + b"DICM" + _meta() + body
    with pytest.raises(MalformedFileError, match="nested more than"):
        read_dataset(data, "deep.dcm")


def _meta() -> bytes:
    uid = b"1.2.840.10008.1.2.1\x00"
    element = struct.pack("<HH", 0x0002, 0x0010) + b"UI" + struct.pack("<H", len(uid)) + uid
    length = struct.pack("<HH", 0x0002, 0x0000) + b"UL" + struct.pack("<HI", 4, len(element))
    return length + element


def test_file_without_meta_header_opens_with_a_note() -> None:
    opened = open_dataset(bundled("ExplVR_LitEndNoMeta.dcm").read_bytes(), "raw.dcm")
    assert not opened.has_file_meta
    assert opened.notes == [
        "raw.dcm has no File Meta Information header (no preamble and 'DICM' marker); "
        "it was read as Explicit VR Little Endian."
    ]


def test_deflated_file_is_walked_after_inflating() -> None:
    data = bundled("image_dfl.dcm").read_bytes()
    assert open_dataset(data, "dfl.dcm").dataset.Rows > 0
    # Cut the deflated stream: inflating it must fail, and be reported as damage.
    with pytest.raises((TruncatedFileError, MalformedFileError), match="dfl.dcm"):
        read_dataset(data[:-200], "dfl.dcm")


def test_pydicom_warnings_with_values_do_not_escape(capsys: pytest.CaptureFixture[str]) -> None:
    data = bundled("CT_small.dcm").read_bytes()
    # A DA value that is not a date: pydicom warns, quoting it; we must not pass that on.
    at = data.index(b"\x08\x00\x20\x00DA")
    bad = data[: at + 8] + b"SECRET42" + data[at + 16 :]
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        dataset = read_dataset(bad, "ct.dcm")
        str(dataset.StudyDate)  # values are parsed lazily: touch it
    captured = capsys.readouterr()
    assert "SECRET42" not in captured.out + captured.err
    assert not [r for r in records if "SECRET42" in str(r.message)]
