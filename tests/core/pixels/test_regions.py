"""Ultrasound regions: the calibration an ultrasound carries per region, in the frame's
description."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom

from dicomtab.pixels.describe import describe_frame
from dicomtab.pixels.regions import ultrasound_regions
from tests.conftest import bundled
from tests.core.pixels.helpers import damaged_ultrasound, region, ultrasound


def test_regions_in_cm_give_mm_spacing_and_others_none(tmp_path: Path) -> None:
    path = ultrasound(tmp_path / "us.dcm", [
        region(0, 0, 31, 63, 3, 0.02, -0.03),  # cm: 0.2 mm per column, 0.3 mm per row
        region(32, 0, 63, 63, 4, 0.01, 0.5),  # seconds across (a Doppler strip): no spacing
    ])
    d = describe_frame(pydicom.dcmread(path), 0).description
    json.dumps(d, allow_nan=False)
    assert d["uncalibrated"] is True and d["pixelSpacing"] is None
    first, second = d["regions"]
    assert (first["x0"], first["y0"], first["x1"], first["y1"]) == (0, 0, 31, 63)
    assert first["unitsX"] == first["unitsY"] == 3
    assert first["pixelSpacing"] == [0.3, 0.2]
    assert second["unitsX"] == 4 and second["pixelSpacing"] is None


def test_no_regions_is_an_empty_list() -> None:
    assert describe_frame(pydicom.dcmread(bundled("CT_small.dcm")), 0).description["regions"] == []


def test_damaged_region_values_are_left_out_not_fatal(tmp_path: Path) -> None:
    damaged = pydicom.dcmread(damaged_ultrasound(tmp_path / "us.dcm"))
    regions = ultrasound_regions(damaged)
    assert len(regions) == 1 and regions[0]["pixelSpacing"] == [0.2, 0.2]
    # The frame is still described.
    assert describe_frame(damaged, 0).description["regions"] == regions
