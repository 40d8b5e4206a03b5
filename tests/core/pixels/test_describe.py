"""The frame the viewer gets: buffer and description."""

from __future__ import annotations

import json

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from dicomtab.pixels.describe import describe_frame
from dicomtab.pixels.voi import display_uint8
from tests.conftest import bundled
from tests.core.pixels.helpers import make_image, roundtrip, u16


def test_ct_frame() -> None:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    result = describe_frame(ds, 0)
    d = result.description
    json.dumps(d, allow_nan=False)
    values = np.frombuffer(result.buffer, dtype="<i4").reshape(d["rows"], d["columns"])
    expected = ds.pixel_array.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
    assert d["bufferType"] == "int32" and np.array_equal(values, expected)
    assert d["units"] == "HU" and d["min"] == expected.min() and d["max"] == expected.max()
    assert d["pixelSpacing"] == [0.661468, 0.661468] and not d["uncalibrated"]
    assert d["invert"] is False and d["byteLength"] == len(result.buffer)


def test_monochrome1_float_and_uncalibrated() -> None:
    values = np.array([[0.5, -2.0], [100.0, 7.25]], dtype="<f4")
    ds = roundtrip(make_image(values.tobytes(), rows=2, columns=2, bits_allocated=32,
                              keyword="FloatPixelData", photometric="MONOCHROME1"))
    result = describe_frame(ds, 0)
    d = result.description
    assert d["bufferType"] == "float32" and d["invert"] is True and d["uncalibrated"] is True
    assert np.array_equal(np.frombuffer(result.buffer, dtype="<f4").reshape(2, 2), values)
    assert (d["min"], d["max"]) == (-2.0, 100.0)
    shown = display_uint8(np.frombuffer(result.buffer, dtype="<f4"), center=0, width=10, invert=d["invert"])
    # C.11.2.1.2.1 with c = 0, w = 10: 0 at x <= -5, 255 at x > 4, else
    # ((x + 0.5) / 9 + 0.5) * 255: 0.5 → 155.8 → 156, -2 → 85; inverted: 99, 170, 0, 0.
    assert shown.tolist() == [99, 170, 0, 0]


def test_imager_pixel_spacing_and_cine() -> None:
    ds = make_image(u16([1, 2, 3, 4]) * 2, rows=2, columns=2, frames=2,
                    ImagerPixelSpacing=["0.2", "0.2"], FrameTime="40")
    d = describe_frame(roundtrip(ds), 1).description
    assert d["spacingSource"] == "detector" and d["pixelSpacing"] == [0.2, 0.2]
    assert d["frameTime"] == 40.0 and d["cineRate"] == 25.0 and d["frames"] == 2


def test_per_frame_values_in_functional_groups() -> None:
    ds = make_image(u16([1, 2, 1, 2]), rows=1, columns=2, frames=2)
    groups = []
    for intercept, center in (("0", "5"), ("100", "150")):
        transform, voi, measures = Dataset(), Dataset(), Dataset()
        transform.RescaleSlope, transform.RescaleIntercept = "1", intercept
        voi.WindowCenter, voi.WindowWidth = center, "10"
        measures.PixelSpacing = ["0.5", "0.5"]
        group = Dataset()
        group.PixelValueTransformationSequence = Sequence([transform])
        group.FrameVOILUTSequence = Sequence([voi])
        group.PixelMeasuresSequence = Sequence([measures])
        groups.append(group)
    ds.PerFrameFunctionalGroupsSequence = Sequence(groups)
    second = describe_frame(roundtrip(ds), 1)
    assert np.frombuffer(second.buffer, dtype="<i4").tolist() == [101, 102]
    assert second.description["windowPresets"][0]["center"] == 150.0
    assert second.description["pixelSpacing"] == [0.5, 0.5]


def test_colour_frames_are_rgb8() -> None:
    for name in ("examples_palette.dcm", "SC_rgb_rle_16bit.dcm", "examples_ybr_color.dcm", "SC_rgb_jpeg_dcmtk.dcm"):
        ds = pydicom.dcmread(bundled(name))
        result = describe_frame(ds, 0)
        assert result.description["bufferType"] == "rgb8"
        assert len(result.buffer) == ds.Rows * ds.Columns * 3


def test_rgb_buffer_is_the_decoded_rgb() -> None:
    ds = pydicom.dcmread(bundled("SC_rgb_rle.dcm"))
    result = describe_frame(ds, 0)
    assert result.buffer == np.ascontiguousarray(ds.pixel_array).tobytes()


def test_overlays_listed() -> None:
    d = describe_frame(pydicom.dcmread(bundled("examples_overlay.dcm")), 0).description
    assert [o["group"] for o in d["overlays"]] == ["6000"]


def test_16_bit_rgb_keeps_the_top_8_bits() -> None:
    ds = pydicom.dcmread(bundled("SC_rgb_rle_16bit.dcm"))
    result = describe_frame(ds, 0)
    expected = (ds.pixel_array.astype(np.uint32) >> (ds.BitsStored - 8)).astype(np.uint8)
    assert result.buffer == expected.tobytes()
