"""Ultrasound regions (Sequence of Ultrasound Regions, PS3.3 C.8.5.5): where in the image each
region lies and, for regions measured in centimetres, the pixel spacing they give.

An ultrasound image usually carries no Pixel Spacing: its calibration is per region (a B-mode
sector, a Doppler strip), so a measurement is calibrated only by the region its points lie in.
"""

from __future__ import annotations

import math
from typing import Any

from pydicom.dataset import Dataset

#: Physical Units X/Y Direction code for centimetres (PS3.3 C.8.5.5.1.15).
UNITS_CM = 3
_MM_PER_CM = 10.0
_BOUNDS = ("RegionLocationMinX0", "RegionLocationMinY0", "RegionLocationMaxX1", "RegionLocationMaxY1")


def _number(item: Dataset, keyword: str) -> float | None:
    """The element's value as a finite number, or None if absent or damaged."""
    try:
        value = float(item.get(keyword))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _region(item: Dataset) -> dict[str, Any] | None:
    """One region as the viewer uses it, or None when its bounds are missing or damaged."""
    bounds = [_number(item, keyword) for keyword in _BOUNDS]
    if any(b is None for b in bounds):
        return None
    x0, y0, x1, y1 = (int(b) for b in bounds)  # type: ignore[arg-type]
    if x1 < x0 or y1 < y0:
        return None
    units_x, units_y = _number(item, "PhysicalUnitsXDirection"), _number(item, "PhysicalUnitsYDirection")
    delta_x, delta_y = _number(item, "PhysicalDeltaX"), _number(item, "PhysicalDeltaY")
    spacing = None
    if units_x == UNITS_CM and units_y == UNITS_CM and delta_x and delta_y:
        # [row, column] in mm, as Pixel Spacing; a delta's sign gives only the axis direction.
        spacing = [abs(delta_y) * _MM_PER_CM, abs(delta_x) * _MM_PER_CM]
    return {
        "x0": x0, "y0": y0, "x1": x1, "y1": y1,
        "unitsX": None if units_x is None else int(units_x),
        "unitsY": None if units_y is None else int(units_y),
        "pixelSpacing": spacing,
    }


def ultrasound_regions(ds: Dataset) -> list[dict[str, Any]]:
    """The regions of the image, in file order (bounds inclusive, in pixels; a region whose
    bounds are damaged is left out, not fatal)."""
    try:
        items = ds.get("SequenceOfUltrasoundRegions") or []
        regions = [_region(item) for item in items]
    except (TypeError, ValueError, AttributeError):
        return []
    return [r for r in regions if r is not None]
