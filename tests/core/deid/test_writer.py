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
