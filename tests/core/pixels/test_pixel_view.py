"""The viewer decodes frames from a view of the file's bytes, never a second copy of them."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pydicom
import pytest

from dicomtab import worker_api
from dicomtab.pixels import api
from dicomtab.pixels.frames import digest_of, number_of_frames
from tests.conftest import BUNDLED_DIR, bundled


def _open(path_bytes: bytes, name: str) -> str:
    return json.loads(worker_api.open_file(path_bytes, name))["payload"]["instanceId"]


def test_the_pixel_value_is_a_view_of_the_session_bytes() -> None:
    data = bundled("rtdose.dcm").read_bytes()  # 15 frames, native, implicit VR
    instance = _open(data, "multi.dcm")
    ds = api.dataset(worker_api.SESSION, instance)
    value = ds.PixelData
    assert isinstance(value, memoryview) and value.obj is worker_api.SESSION.get(instance).data
    reference = pydicom.dcmread(bundled("rtdose.dcm")).pixel_array
    for index in range(15):
        got = json.loads(worker_api.frame_digest(instance, index))["payload"]["digest"]
        assert got == digest_of(reference[index])


def _bundled_images() -> list[tuple[str, bytes]]:
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted(p for p in BUNDLED_DIR.rglob("*") if p.is_file()):
            try:
                pydicom.dcmread(path, force=True).pixel_array  # noqa: B018
            except Exception:
                continue
            found.append((str(path.relative_to(BUNDLED_DIR)), path.read_bytes()))
    return found


@pytest.mark.parametrize("name,data", _bundled_images(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_bundled_image_decodes_through_the_view_as_pixel_array(name: str, data: bytes) -> None:
    opened = json.loads(worker_api.open_file(data, name))
    if opened["status"] != "success":
        pytest.skip("refused as damaged when opened (tested in tests/core/test_reading.py)")
    instance = opened["payload"]["instanceId"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = pydicom.dcmread(BUNDLED_DIR / name, force=True)
        array = reference.pixel_array
    frames = number_of_frames(reference)
    for index in range(frames):
        result = json.loads(worker_api.frame_digest(instance, index))
        expected = digest_of(np.asarray(array[index] if frames > 1 else array))
        assert result["payload"]["digest"] == expected, f"{name} frame {index}"
