"""Colour: YBR → RGB, planar configuration, palette colour (incl. segmented palettes)."""

from __future__ import annotations

import numpy as np
import pydicom
from pydicom.pixels.processing import apply_color_lut, convert_color_space

from dicomtab.pixels.color import palette_bits, palette_to_rgb, to_rgb8, ybr_to_rgb
from dicomtab.pixels.frames import decode_frame
from tests.conftest import bundled
from tests.core.pixels.helpers import make_image, roundtrip, u16


def test_ybr_full_golden() -> None:
    # PS3.3 C.7.6.3.1.2: R = Y + 1.402 (Cr - 128), G = Y - 0.3441 (Cb - 128) - 0.7141 (Cr - 128),
    # B = Y + 1.772 (Cb - 128).
    ybr = np.array([[[128, 128, 128], [100, 90, 200], [255, 128, 128]]], dtype=np.uint8)
    rgb = ybr_to_rgb(ybr)
    assert rgb[0, 0].tolist() == [128, 128, 128] and rgb[0, 2].tolist() == [255, 255, 255]
    r, g, b = 100 + 1.402 * 72, 100 - 0.344136 * -38 - 0.714136 * 72, 100 + 1.772 * -38
    assert np.abs(rgb[0, 1].astype(float) - [r, g, b]).max() <= 1
    assert np.array_equal(rgb, convert_color_space(ybr, "YBR_FULL", "RGB"))


def test_native_ybr_full_422_is_upsampled_and_converted() -> None:
    ds = pydicom.dcmread(bundled("SC_ybr_full_422_uncompressed.dcm"))
    decoded, photometric = decode_frame(ds, 0)
    assert photometric == "RGB" and np.array_equal(decoded, ds.pixel_array)


def test_planar_configuration_1_is_interleaved() -> None:
    planes = np.array([[10, 20], [30, 40], [50, 60]], dtype=np.uint8)  # R plane, G plane, B plane
    ds = make_image(planes.tobytes(), rows=1, columns=2, bits_allocated=8, samples=3, photometric="RGB")
    ds.PlanarConfiguration = 1
    decoded, _ = decode_frame(roundtrip(ds), 0)
    assert decoded.tolist() == [[[10, 30, 50], [20, 40, 60]]]


def test_palette_matches_pydicom() -> None:
    ds = pydicom.dcmread(bundled("examples_palette.dcm"))
    stored, photometric = decode_frame(ds, 0)
    assert photometric == "PALETTE COLOR"
    assert np.array_equal(palette_to_rgb(stored, ds), apply_color_lut(ds.pixel_array, ds))
    rgb8 = to_rgb8(palette_to_rgb(stored, ds), palette_bits(ds))
    assert rgb8.dtype == np.uint8 and rgb8.shape == (*stored.shape, 3)


def test_segmented_palette() -> None:
    ds = make_image(bytes([0, 1, 128, 255]), rows=2, columns=2, bits_allocated=8, photometric="PALETTE COLOR")
    for colour in ("Red", "Green", "Blue"):
        setattr(ds, f"{colour}PaletteColorLookupTableDescriptor", [256, 0, 16])
    # PS3.3 C.7.9.2: a discrete segment (type 0) of one entry 0, then a linear segment (type 1)
    # of 255 entries to 65535: entry k = 65535 * k / 255 = 257 k. Green: all 1000 (discrete,
    # then linear to the same value). Blue: two discrete entries, then a linear fall to 0.
    ds.SegmentedRedPaletteColorLookupTableData = u16([0, 1, 0, 1, 255, 65535])
    ds.SegmentedGreenPaletteColorLookupTableData = u16([0, 1, 1000, 1, 255, 1000])
    ds.SegmentedBluePaletteColorLookupTableData = u16([0, 2, 65535, 65535, 1, 254, 0])
    stored = np.array([[0, 1], [128, 255]], dtype=np.uint8)
    rgb = palette_to_rgb(stored, ds)
    assert rgb[..., 0].tolist() == [[0, 257], [257 * 128, 65535]]
    assert rgb[..., 1].tolist() == [[1000, 1000], [1000, 1000]]
    # Blue: 65535, 65535, then 254 entries falling linearly to 0: entry k>=2 is 65535*(255-k)/254.
    assert rgb[0, 0, 2] == 65535 and rgb[0, 1, 2] == 65535 and rgb[1, 1, 2] == 0
    assert abs(int(rgb[1, 0, 2]) - 65535 * (255 - 128) / 254) <= 1
    assert to_rgb8(rgb, palette_bits(ds))[..., 0].tolist() == [[0, 1], [128, 255]]
