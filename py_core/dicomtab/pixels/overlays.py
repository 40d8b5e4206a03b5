"""Overlay planes (60xx, PS3.3 C.9.2) as 0/1 bitmaps, from Overlay Data or pixel high bits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydicom.dataset import Dataset

from dicomtab.errors import PixelDataError
from dicomtab.pixels.decoders import is_encapsulated
from dicomtab.pixels.frames import frame_info

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Overlay groups are the even groups 6000–601E (PS3.5 7.6).
OVERLAY_GROUPS = tuple(range(0x6000, 0x6020, 2))


def overlay_groups(ds: Dataset) -> list[int]:
    """Groups that define an overlay (Overlay Rows present)."""
    return [g for g in OVERLAY_GROUPS if (g << 16) | 0x0010 in ds]


def _get(ds: Dataset, group: int, element: int, default: Any = None) -> Any:
    tag = (group << 16) | element
    return ds[tag].value if tag in ds and ds[tag].value not in (None, "") else default


def overlay_info(ds: Dataset, group: int) -> dict[str, Any]:
    """An overlay's description, value-free apart from its own label and description.

    Raises:
        PixelDataError: its rows, columns, origin, frames or bit position are missing or
        are not numbers.
    """
    try:
        return _overlay_info(ds, group)
    except (TypeError, ValueError, IndexError, KeyError):
        raise PixelDataError(
            f"Overlay {group:04X} has missing or invalid attributes (rows, columns, origin, "
            "frames or bit position); it is not shown."
        ) from None


def _overlay_info(ds: Dataset, group: int) -> dict[str, Any]:
    origin = _get(ds, group, 0x0050, [1, 1])
    in_data = (group << 16) | 0x3000 in ds
    return {
        "group": f"{group:04X}",
        "rows": int(_get(ds, group, 0x0010)),
        "columns": int(_get(ds, group, 0x0011)),
        "origin": [int(origin[0]), int(origin[1])],
        "type": str(_get(ds, group, 0x0040, "G")),
        "frames": int(_get(ds, group, 0x0015, 1)),
        "firstFrame": int(_get(ds, group, 0x0051, 1)),
        "source": "overlay-data" if in_data else "pixel-data",
        "bitPosition": int(_get(ds, group, 0x0102, 0)),
        "label": str(_get(ds, group, 0x1500, "")),
        "description": str(_get(ds, group, 0x0022, "")),
    }


def overlay_bitmap(
    ds: Dataset, group: int, frame: int, unmasked: NDArray | None = None
) -> NDArray | None:
    """The overlay's bitmap (rows × columns of 0/1 uint8) for image frame ``frame``.

    ``unmasked`` is the frame's stored words before masking: overlays in the pixel data
    (retired, but still met) live in the bits above High Bit. None when the overlay does not
    apply to this frame.
    """
    info = overlay_info(ds, group)
    first = info["firstFrame"] - 1
    if not first <= frame < first + info["frames"]:
        return None
    rows, columns = info["rows"], info["columns"]
    if info["source"] == "overlay-data":
        data = bytes(_get(ds, group, 0x3000, b""))
        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
        start = (frame - first) * rows * columns
        plane = bits[start : start + rows * columns]
    else:
        if unmasked is None:
            unmasked = _raw_words(ds, frame)
        plane = ((unmasked.astype(np.int64) >> info["bitPosition"]) & 1).astype(np.uint8)
        plane = plane.ravel()
    if plane.size != rows * columns:
        raise PixelDataError(f"Overlay {info['group']} holds fewer bits than it declares.")
    return plane.reshape(rows, columns).astype(np.uint8)


def _raw_words(ds: Dataset, frame: int) -> NDArray:
    """The frame's stored words with the bits above High Bit still in them (native only)."""
    info = frame_info(ds, frame)
    if is_encapsulated(info.transfer_syntax) or info.bits_allocated not in (16, 32):
        raise PixelDataError("An overlay in the pixel data is only read from native 16/32-bit data.")
    little = ds.original_encoding[1] is not False
    dtype = np.dtype(f"{'<' if little else '>'}u{info.bits_allocated // 8}")
    count = info.rows * info.columns * info.samples_per_pixel
    start = frame * count * dtype.itemsize
    data = bytes(ds.PixelData)[start : start + count * dtype.itemsize]
    if len(data) != count * dtype.itemsize:
        raise PixelDataError("The pixel data is shorter than the image it declares.")
    return np.frombuffer(data, dtype=dtype)
