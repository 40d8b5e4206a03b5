"""Overlays: from Overlay Data, and from the bits above High Bit."""

from __future__ import annotations

import numpy as np
import pydicom

from dicomtab.pixels.frames import decode_frame
from dicomtab.pixels.overlays import overlay_bitmap, overlay_groups, overlay_info
from tests.conftest import bundled
from tests.core.pixels.helpers import make_image, roundtrip, u16


def test_overlay_data_matches_pydicom() -> None:
    ds = pydicom.dcmread(bundled("examples_overlay.dcm"))
    assert overlay_groups(ds) == [0x6000]
    bitmap = overlay_bitmap(ds, 0x6000, 0)
    assert bitmap is not None and bitmap.dtype == np.uint8
    assert np.array_equal(bitmap, ds.overlay_array(0x6000))
    assert overlay_info(ds, 0x6000)["source"] == "overlay-data"


def test_overlay_in_the_high_bits() -> None:
    # 12 bits stored; the overlay plane is bit 12 (PS3.3 C.9.2.1.2, retired but still met).
    words = [0x1000 | 5, 7, 0x1000 | 4095, 0]
    ds = make_image(u16(words), rows=2, columns=2, bits_stored=12)
    ds.add_new(0x60000010, "US", 2)
    ds.add_new(0x60000011, "US", 2)
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000100, "US", 16)
    ds.add_new(0x60000102, "US", 12)
    ds = roundtrip(ds)
    bitmap = overlay_bitmap(ds, 0x6000, 0)
    assert bitmap is not None and bitmap.tolist() == [[1, 0], [1, 0]]
    assert overlay_info(ds, 0x6000)["source"] == "pixel-data"
    # ... and the image values do not include the overlay bit.
    assert decode_frame(ds, 0)[0].tolist() == [[5, 7], [4095, 0]]


def test_overlay_for_other_frames_only() -> None:
    ds = pydicom.dcmread(bundled("examples_overlay.dcm"))
    ds.add_new(0x60000051, "US", 2)  # Image Frame Origin: applies from frame 2
    assert overlay_bitmap(ds, 0x6000, 0) is None
