"""Modality LUT: stored values to modality values (PS3.3 C.11.1), per frame.

Multi-frame enhanced objects carry Rescale Slope/Intercept per frame in the Pixel Value
Transformation Sequence of the Per-frame (or Shared) Functional Groups; they take
precedence over the top-level attributes, which such objects do not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_modality_lut

from dicomtab.errors import PixelDataError

if TYPE_CHECKING:
    from numpy.typing import NDArray


def functional_item(ds: Dataset, index: int, sequence: str) -> Dataset | None:
    """The first item of ``sequence`` for frame ``index``: Per-frame, else Shared groups."""
    for groups, position in (
        ("PerFrameFunctionalGroupsSequence", index),
        ("SharedFunctionalGroupsSequence", 0),
    ):
        items = ds.get(groups)
        if items and len(items) > position and sequence in items[position]:
            inner = items[position][sequence]
            if inner.value:
                item: Dataset = inner.value[0]
                return item
    return None


@dataclass(frozen=True)
class ModalityTransform:
    """How frame values become modality values."""

    slope: float
    intercept: float
    rescale_type: str | None
    #: The Modality LUT Sequence item, when a table replaces the linear rescale.
    lut: Dataset | None

    @property
    def is_identity(self) -> bool:
        return self.lut is None and self.slope == 1 and self.intercept == 0

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "lut" if self.lut is not None else "rescale",
            "slope": self.slope,
            "intercept": self.intercept,
            "rescaleType": self.rescale_type,
        }


def _number(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PixelDataError("The image's Rescale Slope or Intercept is not a number.") from None


def modality_transform(ds: Dataset, index: int) -> ModalityTransform:
    """The frame's Modality LUT: functional groups first, then the top-level attributes."""
    source: Dataset = functional_item(ds, index, "PixelValueTransformationSequence") or ds
    lut = None
    if "ModalityLUTSequence" in ds and ds.ModalityLUTSequence:
        lut = ds.ModalityLUTSequence[0]
    rescale_type = source.get("RescaleType") or (lut.get("ModalityLUTType") if lut else None)
    if rescale_type is None and ds.get("Modality") == "CT" and "RescaleIntercept" in source:
        rescale_type = "HU"  # PS3.3 C.8.2.1.1.2: CT images are rescaled to Hounsfield units
    return ModalityTransform(
        slope=_number(source.get("RescaleSlope"), 1.0),
        intercept=_number(source.get("RescaleIntercept"), 0.0),
        rescale_type=str(rescale_type) if rescale_type else None,
        lut=lut,
    )


def apply_modality(stored: NDArray, ds: Dataset, transform: ModalityTransform) -> NDArray:
    """Modality values: int32 when they stay whole numbers, else float32.

    int32 holds every 16-bit value rescaled by a whole slope and intercept exactly; the
    JS side indexes its lookup table with it. Float pixel data stays float32.
    """
    if transform.lut is not None:
        try:
            out = apply_modality_lut(stored, ds)
        except Exception:
            raise PixelDataError("The Modality LUT Sequence is incomplete or invalid.") from None
        return out.astype(np.float32 if out.dtype.kind == "f" else np.int32)
    if stored.dtype.kind == "f":
        return (stored * transform.slope + transform.intercept).astype(np.float32)
    whole = float(transform.slope).is_integer() and float(transform.intercept).is_integer()
    if whole and stored.dtype.kind in "iu" and stored.dtype.itemsize <= 2:
        # Every 16-bit value rescaled stays within int32 for these bounds: computed in int32
        # directly, with no int64 copy and no range check over the frame (each image of a
        # scrolled series comes here).
        slope, intercept = int(transform.slope), int(transform.intercept)
        if abs(slope) * 65536 + abs(intercept) < 2**31:
            values = stored.astype(np.int32)
            if slope != 1:
                values *= slope
            if intercept:
                values += intercept
            return values
    if whole:
        wide = stored.astype(np.int64) * int(transform.slope) + int(transform.intercept)
        if wide.size == 0 or (wide.min() >= -(2**31) and wide.max() < 2**31):
            return wide.astype(np.int32)
    return (stored.astype(np.float64) * transform.slope + transform.intercept).astype(np.float32)
