"""Export of the current frame as .npy."""

from __future__ import annotations

import io

import numpy as np
import pydicom

from dicomtab.pixels.export import frame_npy
from tests.conftest import bundled


def test_npy_round_trip() -> None:
    for name, index in (("CT_small.dcm", 0), ("SC_rgb_rle_2frame.dcm", 1)):
        ds = pydicom.dcmread(bundled(name))
        loaded = np.load(io.BytesIO(frame_npy(ds, index)), allow_pickle=False)
        reference = ds.pixel_array
        expected = reference[index] if reference.ndim == 4 or int(ds.get("NumberOfFrames", 1)) > 1 else reference
        assert loaded.dtype == expected.dtype and np.array_equal(loaded, expected)
