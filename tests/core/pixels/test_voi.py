"""VOI: presets, LUT tables, functions and the reference display mapping (PS3.3 C.11.2)."""

from __future__ import annotations

import math

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_windowing
from pydicom.sequence import Sequence

from dicomtab.errors import PixelDataError
from dicomtab.pixels.voi import (
    display_uint8,
    is_inverted,
    voi_function,
    voi_lut_table,
    window_float,
    window_presets,
)
from tests.conftest import bundled
from tests.core.pixels.helpers import make_image, roundtrip, u16


def _linear(x: float, c: float, w: float) -> float:
    """PS3.3 C.11.2.1.2.1 written out, y_min = 0, y_max = 255."""
    if x <= c - 0.5 - (w - 1) / 2:
        return 0.0
    if x > c - 0.5 + (w - 1) / 2:
        return 255.0
    return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255


@pytest.mark.parametrize(
    "x,expected",
    # c = 40, w = 400: lower edge -160, upper edge 239 (x > 239.5 - 0.5... see _linear).
    [(-1000, 0), (-160.5, 0), (-159, 1), (40, 128), (39.5, 128), (239, 255), (239.4, 255), (3000, 255)],
)
def test_linear_window_golden(x: float, expected: int) -> None:
    assert display_uint8(np.array([x]), center=40, width=400)[0] == expected
    assert expected == math.floor(_linear(x, 40, 400) + 0.5)


def test_linear_exact_and_sigmoid_golden() -> None:
    x = np.array([-200.0, -160.0, -159.0, 40.0, 240.0, 241.0])
    exact = display_uint8(x, center=40, width=400, function="LINEAR_EXACT")
    # C.11.2.1.3.2: y = ((x - c) / w + 0.5) inside (c - w/2, c + w/2]; x <= c - w/2 → min.
    assert exact.tolist() == [0, 0, 1, 128, 255, 255]
    sigmoid = display_uint8(x, center=40, width=400, function="SIGMOID")
    # C.11.2.1.3.1: y = 255 / (1 + exp(-4 (x - c) / w)).
    expected = [math.floor(255 / (1 + math.exp(-4 * (v - 40) / 400)) + 0.5) for v in x]
    assert sigmoid.tolist() == expected
    assert sigmoid[3] == 128


def test_linear_agrees_with_pydicom_windowing() -> None:
    ds = make_image(u16([0]), rows=1, columns=1, WindowCenter="40", WindowWidth="400")
    x = np.arange(-300, 400, 0.5)
    ours = window_float(x, 40, 400)
    # pydicom maps to the range of the data type; with an 8-bit unsigned input that is [0, 255].
    ds.BitsStored = ds.BitsAllocated = 8
    theirs = apply_windowing(x, ds) / 255.0
    assert np.allclose(ours, theirs, atol=1e-9)


def test_width_rules() -> None:
    with pytest.raises(PixelDataError):
        window_float(np.array([0.0]), 0, 0.5)
    assert window_float(np.array([-1.0, 0.0, 1.0]), 0.5, 1).tolist() == [0.0, 0.0, 1.0]
    assert window_float(np.array([0.0]), 0, 0.5, "LINEAR_EXACT").tolist() == [0.5]


def test_invert() -> None:
    assert display_uint8(np.array([-1000.0, 3000.0]), center=40, width=400, invert=True).tolist() == [255, 0]
    ds = Dataset()
    assert is_inverted(ds, "MONOCHROME1") and not is_inverted(ds, "MONOCHROME2")
    ds.PresentationLUTShape = "IDENTITY"
    assert not is_inverted(ds, "MONOCHROME1")
    ds.PresentationLUTShape = "INVERSE"
    assert is_inverted(ds, "MONOCHROME2")


def test_presets_with_explanations() -> None:
    ds = make_image(u16([0]), rows=1, columns=1)
    ds.WindowCenter = ["40", "300"]
    ds.WindowWidth = ["400", "1500"]
    ds.WindowCenterWidthExplanation = ["SOFT TISSUE", "BONE"]
    ds.VOILUTFunction = "SIGMOID"
    assert window_presets(ds, 0) == [
        {"center": 40.0, "width": 400.0, "explanation": "SOFT TISSUE"},
        {"center": 300.0, "width": 1500.0, "explanation": "BONE"},
    ]
    assert voi_function(ds, 0) == "SIGMOID"
    mr = pydicom.dcmread(bundled("MR_small.dcm"))
    assert window_presets(mr, 0) == [{"center": 600.0, "width": 1600.0, "explanation": "Window 1"}]


def test_frame_voi_lut_sequence_per_frame() -> None:
    ds = make_image(u16([0, 0]), rows=1, columns=1, frames=2)
    groups = []
    for center in ("10", "20"):
        voi = Dataset()
        voi.WindowCenter, voi.WindowWidth, voi.VOILUTFunction = center, "5", "LINEAR_EXACT"
        group = Dataset()
        group.FrameVOILUTSequence = Sequence([voi])
        groups.append(group)
    ds.PerFrameFunctionalGroupsSequence = Sequence(groups)
    assert [window_presets(ds, i)[0]["center"] for i in (0, 1)] == [10.0, 20.0]
    assert voi_function(ds, 1) == "LINEAR_EXACT"


def test_voi_lut_table() -> None:
    ds = make_image(u16([0]), rows=1, columns=1)
    item = Dataset()
    item.LUTDescriptor = [3, 10, 8]
    item.LUTData = [0, 128, 255]
    item.LUTExplanation = "CUSTOM"
    ds.VOILUTSequence = Sequence([item])
    table = voi_lut_table(ds, 0)
    assert table == {"first": 10, "bits": 8, "data": [0, 128, 255], "explanation": "CUSTOM"}
    # Below the first mapped value → first entry; above the last → last entry (C.11.2.1.1).
    assert display_uint8(np.array([0.0, 10, 11, 12, 99]), table=table).tolist() == [0, 0, 128, 255, 255]


def test_voi_lut_data_as_ow_words() -> None:
    ds = make_image(u16([0]), rows=1, columns=1)
    item = Dataset()
    item.LUTDescriptor = [3, 0, 8]
    item.add_new(0x00283006, "OW", u16([0, 128, 255]))  # 8-bit entries, one word each
    ds.VOILUTSequence = Sequence([item])
    table = voi_lut_table(roundtrip(ds), 0)
    assert table is not None and table["data"] == [0, 128, 255]
