"""VOI: window presets, VOI LUT tables, and the reference display mapping (PS3.3 C.11.2).

The browser maps modality values to 8-bit grey with a lookup table in JS ("no Python in the
drag loop"). :func:`display_uint8` is the reference for that mapping, written from the
standard's formulas; tests of the JS renderer compare against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydicom.dataset import Dataset

from dicomtab.errors import PixelDataError
from dicomtab.pixels.modality import functional_item

if TYPE_CHECKING:
    from numpy.typing import NDArray

FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")


def _multi(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str | bytes | int | float):
        return [value]
    return list(value)


def voi_source(ds: Dataset, index: int) -> Dataset:
    """Where the frame's VOI attributes are: Frame VOI LUT Sequence item, else the data set."""
    return functional_item(ds, index, "FrameVOILUTSequence") or ds


def window_presets(ds: Dataset, index: int) -> list[dict[str, Any]]:
    """Every Window Center/Width pair with its explanation (PS3.3 C.11.2.1.2)."""
    source = voi_source(ds, index)
    centers = _multi(source.get("WindowCenter"))
    widths = _multi(source.get("WindowWidth"))
    explanations = _multi(source.get("WindowCenterWidthExplanation"))
    presets = []
    for n, (center, width) in enumerate(zip(centers, widths, strict=False)):
        try:
            c, w = float(center), float(width)
        except (TypeError, ValueError):
            continue  # an unreadable pair is skipped, the others still offered
        explanation = str(explanations[n]) if n < len(explanations) else f"Window {n + 1}"
        presets.append({"center": c, "width": w, "explanation": explanation})
    return presets


def voi_function(ds: Dataset, index: int) -> str:
    """VOI LUT Function; LINEAR when absent or not one the standard defines."""
    value = str(voi_source(ds, index).get("VOILUTFunction") or "LINEAR").strip().upper()
    return value if value in FUNCTIONS else "LINEAR"


def voi_lut_table(ds: Dataset, index: int) -> dict[str, Any] | None:
    """The first VOI LUT Sequence item as {first, bits, data}, or None."""
    source = voi_source(ds, index)
    items = source.get("VOILUTSequence") or ds.get("VOILUTSequence")
    if not items:
        return None
    item = items[0]
    try:
        entries, first, bits = (int(v) for v in item.LUTDescriptor)
        raw = item.LUTData
        little = ds.original_encoding[1] is not False
        data = list(raw) if not isinstance(raw, bytes) else _lut_from_bytes(raw, little)
    except (AttributeError, TypeError, ValueError):
        raise PixelDataError("The VOI LUT Sequence is incomplete or invalid.") from None
    entries = entries or 65536  # PS3.3 C.11.2.1.1: 0 means 2^16 entries
    if len(data) < entries:
        raise PixelDataError("The VOI LUT Sequence holds fewer entries than it declares.")
    return {
        "first": first,
        "bits": bits,
        "data": [int(v) for v in data[:entries]],
        "explanation": str(item.get("LUTExplanation") or "VOI LUT"),
    }


def _lut_from_bytes(raw: bytes, little: bool) -> list[int]:
    """LUT Data read as OW: one 16-bit word per entry, whatever the entry's bit depth."""
    dtype = np.dtype("<u2" if little else ">u2")
    usable = len(raw) - len(raw) % 2
    return [int(v) for v in np.frombuffer(raw[:usable], dtype=dtype)]


def window_float(
    x: NDArray, center: float, width: float, function: str = "LINEAR"
) -> NDArray:
    """Window ``x`` to [0, 1] by PS3.3 C.11.2.1.2.1 (LINEAR), .3.2 (LINEAR_EXACT), .3.1
    (SIGMOID), with y_min = 0 and y_max = 1."""
    x = np.asarray(x, dtype=np.float64)
    if function == "SIGMOID":
        if width <= 0:
            raise PixelDataError("A SIGMOID window needs a width above 0.")
        return 1.0 / (1.0 + np.exp(-4.0 * (x - center) / width))
    if function == "LINEAR_EXACT":
        if width <= 0:
            raise PixelDataError("A LINEAR_EXACT window needs a width above 0.")
        y = (x - center) / width + 0.5
        y = np.where(x <= center - width / 2, 0.0, y)
        return np.where(x > center + width / 2, 1.0, y)
    if width < 1:
        raise PixelDataError("A LINEAR window needs a width of at least 1.")
    if width == 1:
        # (w - 1) is 0: the formula degenerates to a threshold at c - 0.5.
        return np.where(x <= center - 0.5, 0.0, 1.0)
    y = (x - (center - 0.5)) / (width - 1) + 0.5
    y = np.where(x <= center - 0.5 - (width - 1) / 2, 0.0, y)
    return np.where(x > center - 0.5 + (width - 1) / 2, 1.0, y)


def lut_float(x: NDArray, table: dict[str, Any]) -> NDArray:
    """Apply a VOI LUT table (C.11.2.1.1): clamp to the first/last entry, scale to [0, 1]."""
    data = np.asarray(table["data"], dtype=np.float64)
    idx = np.clip(np.rint(np.asarray(x, dtype=np.float64)) - table["first"], 0, len(data) - 1)
    return data[idx.astype(np.int64)] / float((1 << int(table["bits"])) - 1)


def display_uint8(
    values: NDArray,
    *,
    center: float | None = None,
    width: float | None = None,
    function: str = "LINEAR",
    table: dict[str, Any] | None = None,
    invert: bool = False,
) -> NDArray:
    """Reference display mapping: modality values → 8-bit grey.

    A VOI LUT table when given, else the window. ``y`` in [0, 1] becomes
    ``floor(255 · y + 0.5)``; ``invert`` (MONOCHROME1, Presentation LUT Shape INVERSE) gives
    ``255 − that``. The JS renderer must produce exactly this.
    """
    if table is not None:
        y = lut_float(values, table)
    else:
        if center is None or width is None:
            raise PixelDataError("A window centre and width are needed to display the image.")
        y = window_float(values, center, width, function)
    out = np.floor(np.clip(y, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return 255 - out if invert else out


def is_inverted(ds: Dataset, photometric: str) -> bool:
    """Whether the display inverts: MONOCHROME1, or Presentation LUT Shape INVERSE."""
    shape = str(ds.get("PresentationLUTShape") or "").strip().upper()
    if shape:
        # PS3.3 C.11.6.1.2: the shape already accounts for MONOCHROME1 when present.
        return shape == "INVERSE"
    return photometric == "MONOCHROME1"
