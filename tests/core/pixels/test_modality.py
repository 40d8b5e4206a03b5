"""Modality LUT: rescale, the Modality LUT Sequence, per-frame functional groups."""

from __future__ import annotations

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_modality_lut
from pydicom.sequence import Sequence

from dicomtab.pixels.modality import apply_modality, modality_transform
from tests.conftest import bundled
from tests.core.pixels.helpers import make_image, u16


def test_ct_rescale_to_hounsfield_units() -> None:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    transform = modality_transform(ds, 0)
    values = apply_modality(ds.pixel_array, ds, transform)
    assert values.dtype == np.int32
    # PS3.3 C.11.1: output = m * SV + b, here m = 1, b = -1024.
    assert np.array_equal(values, ds.pixel_array.astype(np.int32) - 1024)
    assert transform.rescale_type == "HU"


def test_whole_rescale_of_16_bit_values_is_exact_int32_at_the_extremes() -> None:
    """The int32 path for 16-bit stored values (no int64 copy) gives m * SV + b exactly,
    at both ends of each type, and falls back to the wide path when int32 cannot hold them."""
    cases = [
        (np.array([-32768, -1, 0, 32767], dtype=np.int16), "3", "-1024"),
        (np.array([0, 1, 65534, 65535], dtype=np.uint16), "-2", "7"),
        (np.array([0, 255, 128], dtype=np.uint8), "1", "0"),
        (np.array([-32768, 32767], dtype=np.int16), "40000", "5"),  # beyond int32: widened
    ]
    for stored, slope, intercept in cases:
        ds = make_image(u16([0, 0]), rows=1, columns=2, RescaleSlope=slope, RescaleIntercept=intercept)
        values = apply_modality(stored, ds, modality_transform(ds, 0))
        want = stored.astype(np.int64) * int(slope) + int(intercept)
        assert np.array_equal(values, want), (stored.dtype, slope, intercept)
        fits = want.min() >= -(2**31) and want.max() < 2**31
        assert values.dtype == (np.int32 if fits else np.float32)


def test_fractional_slope_gives_float32() -> None:
    ds = make_image(u16([0, 1, 100, 4095]), rows=2, columns=2, RescaleSlope="0.5", RescaleIntercept="-10.25")
    values = apply_modality(np.array([0, 1, 100, 4095], dtype=np.uint16), ds, modality_transform(ds, 0))
    assert values.dtype == np.float32
    assert values.tolist() == [-10.25, -9.75, 39.75, 2037.25]


def test_modality_lut_sequence_matches_pydicom() -> None:
    ds = make_image(u16([0, 1, 2, 3]), rows=2, columns=2, bits_stored=12)
    item = Dataset()
    item.LUTDescriptor = [4, 1, 16]  # 4 entries, first stored value mapped is 1
    item.ModalityLUTType = "OD"
    item.LUTData = [100, 200, 300, 400]
    ds.ModalityLUTSequence = Sequence([item])
    stored = np.array([[0, 1], [2, 9]], dtype=np.uint16)
    values = apply_modality(stored, ds, modality_transform(ds, 0))
    # PS3.3 C.11.1.1: below the first entry → first entry; above the last → last entry.
    assert values.tolist() == [[100, 100], [200, 400]]
    assert np.array_equal(values, apply_modality_lut(stored, ds))
    assert modality_transform(ds, 0).rescale_type == "OD"


def _frame_group(slope: str, intercept: str) -> Dataset:
    transform = Dataset()
    transform.RescaleSlope, transform.RescaleIntercept, transform.RescaleType = slope, intercept, "US"
    group = Dataset()
    group.PixelValueTransformationSequence = Sequence([transform])
    return group


def test_per_frame_functional_groups_override_shared() -> None:
    ds = make_image(u16([1, 2] * 3), rows=1, columns=2, frames=3)
    ds.SharedFunctionalGroupsSequence = Sequence([_frame_group("3", "0")])
    ds.PerFrameFunctionalGroupsSequence = Sequence([_frame_group("1", "5"), Dataset(), _frame_group("2", "1")])
    stored = np.array([1, 2], dtype=np.uint16)
    per_frame = [apply_modality(stored, ds, modality_transform(ds, i)).tolist() for i in range(3)]
    assert per_frame == [[6, 7], [3, 6], [3, 5]]
