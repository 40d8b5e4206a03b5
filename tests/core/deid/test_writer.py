"""The direct writer is byte for byte pydicom's writer (deid/writer.py, deid/elements.py)."""

from __future__ import annotations

import pydicom
import pytest

from dicomtab.deid.engine import deidentify
from dicomtab.deid.profile import load_profile
from dicomtab.deid.writer import (
    _encode_direct,
    _file_meta_bytes,
    encode,
    encode_with_pydicom,
)
from dicomtab.reading import read_dataset
from tests.conftest import bundled
from tests.core.deid.conftest import KEY
from tests.core.deid.phi_set import build_set

#: Explicit and implicit little endian (direct), big endian, deflated, JPEG 2000, RLE, SR.
BUNDLED = ["CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "image_dfl.dcm",
           "JPEG2000.dcm", "MR_small_RLE.dcm", "test-SR.dcm", "SC_rgb_gdcm_KY.dcm", "rtplan.dcm"]


def _result(data: bytes, name: str, profile: str) -> pydicom.Dataset:
    return deidentify(read_dataset(data, name), load_profile(profile), KEY).dataset


@pytest.mark.parametrize("profile", ["basic", "research"])
@pytest.mark.parametrize("name", BUNDLED)
def test_same_bytes_as_pydicom_for_bundled_files(name: str, profile: str) -> None:
    data = bundled(name).read_bytes()
    assert encode(_result(data, name, profile)) == encode_with_pydicom(
        _result(data, name, profile))


def test_same_bytes_as_pydicom_for_the_phi_set(tmp_path: pytest.TempPathFactory) -> None:
    for name, ds in build_set().items():
        path = tmp_path / name  # type: ignore[operator]
        ds.save_as(path, enforce_file_format=True)
        data = path.read_bytes()
        for profile in ("basic", "research", "vendor-support"):
            result = _result(data, name, profile)
            assert _file_meta_bytes(result.file_meta) is not None  # written directly too
            direct = _encode_direct(result)
            assert direct is not None  # explicit VR little endian: the direct path
            assert direct == encode_with_pydicom(_result(data, name, profile)), (name, profile)


def test_kept_elements_keep_their_bytes() -> None:
    data = bundled("SC_rgb_gdcm_KY.dcm").read_bytes()
    out = encode(_result(data, "sc.dcm", "basic"))
    # ImageType as the file has it (odd padding included), not as re-encoded from values.
    assert b"DERIVED \\SECONDARY\\OTHER  " in data and b"DERIVED \\SECONDARY\\OTHER  " in out


#: New elements of every string VR the direct writer lays out itself: (tag, VR, value).
#: Odd lengths (padding), several values, empty ones, a backslash in text, a long UT, and
#: values that are not ASCII (left to pydicom).
NEW_ELEMENTS = [
    (0x00080008, "CS", ["ORIGINAL", "PRIMARY", "AXIAL"]),
    (0x00080018, "UI", "1.2.3"),
    (0x00080020, "DA", "20240102"),
    (0x00080021, "DA", None),
    (0x00080022, "DA", ["20240102", "20240103"]),
    (0x0008002A, "DT", "20240102101010.1"),
    (0x00080030, "TM", "101"),
    (0x00080031, "TM", ""),
    (0x00080050, "SH", ""),
    (0x00080054, "AE", "AE1"),
    (0x00080081, "ST", "Street 1"),
    (0x00080090, "PN", "Doe^John"),  # PN: always pydicom's
    (0x00080119, "UC", "CODE1"),
    (0x00080120, "UR", "http://x.org/a"),
    (0x00081030, "LO", "Ünïcode study"),
    (0x00081090, "LO", "Model 7"),
    (0x00101000, "LO", ["ID1", "ID22"]),
    (0x00101010, "AS", "045Y"),
    (0x00104000, "LT", "left\\right"),
    (0x00180015, "CS", "CHÉST"),
    (0x0040A160, "UT", "x" * 70001),
]


def _made(charset: str | list[str] | None) -> pydicom.Dataset:
    from pydicom import config
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

    from dicomtab.deid.elements import mark_encoding

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = "1.2.3.4"
    ds.file_meta.ImplementationVersionName = "TEST"
    ds.preamble = b"\x00" * 128
    if charset is not None:
        ds.SpecificCharacterSet = charset
    for tag, vr, value in NEW_ELEMENTS:
        ds.add(DataElement(tag, vr, value, validation_mode=config.IGNORE))
    mark_encoding(ds, False, True)
    return ds


@pytest.mark.filterwarnings("ignore:Failed to encode value")  # "Ü" in Cyrillic, in pydicom
@pytest.mark.parametrize(("charset", "ascii_text"), [
    (None, True), ("ISO_IR 100", True), ("ISO_IR 192", True), (["", "ISO 2022 IR 87"], True),
    ("ISO 2022 IR 6", True), ("ISO 2022 IR 87", False), ("GB18030", False),
    ("ISO_IR 144", False),
])
def test_new_string_elements_as_pydicom_writes_them(
        charset: str | list[str] | None, ascii_text: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Elements the engine makes (string VRs, text values) are laid out directly, byte for
    byte as pydicom writes them, in any character set; pydicom still writes the others."""
    import dicomtab.deid.writer as writer

    by_pydicom: list[int] = []
    real = writer.write_data_element

    def counted(fp, elem, encodings=None):  # type: ignore[no-untyped-def]
        by_pydicom.append(int(elem.tag))
        real(fp, elem, encodings)

    monkeypatch.setattr(writer, "write_data_element", counted)
    direct = _encode_direct(_made(charset))
    assert direct is not None
    assert direct == encode_with_pydicom(_made(charset))
    not_ascii = {tag for tag, _, value in NEW_ELEMENTS
                 if isinstance(value, str) and not value.isascii()}
    text = {tag for tag, vr, _ in NEW_ELEMENTS if vr in ("LO", "LT", "SH", "ST", "UC", "UT")}
    # Specific Character Set itself (CS) is written directly too.
    assert set(by_pydicom) == {0x00080090} | not_ascii | (set() if ascii_text else text)
