"""A series' preview for the study tree: one frame, in its default window, at most
:data:`MAX_SIZE` pixels on its longer side, as 8-bit RGBA the page draws as it is.

The frame goes through the viewer's own preparation (:func:`describe_frame`) and the reference
display mapping (:func:`display_uint8`); the window is the one the viewer starts with. The
preview is then sampled down (nearest pixel centre): it is a picture to recognise a series by,
not one to read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from dicomtab.pixels.decoders import REGISTRY, DecoderRegistry
from dicomtab.pixels.describe import describe_frame
from dicomtab.pixels.voi import display_uint8

#: The longest side of a preview (CSS pixels in the tree; the page draws it at most this big).
MAX_SIZE = 96
#: The narrowest window each VOI LUT function accepts (as the viewer clamps it).
_MIN_WIDTH = {"LINEAR": 1.0}


def default_window(description: dict[str, Any]) -> dict[str, Any]:
    """The display mapping the viewer starts a grey frame with (keyword arguments of
    :func:`display_uint8`): the file's first window, else its VOI LUT, else the data range."""
    function = description.get("voiLutFunction") or "LINEAR"
    presets = description.get("windowPresets") or []
    auto = description.get("autoWindow") or {"center": 0.0, "width": 1.0}
    table = None
    if presets:
        center, width = presets[0]["center"], presets[0]["width"]
    else:
        center, width = auto["center"], auto["width"]
        table = description.get("voiLut")
    width = max(float(width), _MIN_WIDTH.get(function, 1e-6))
    return {"center": float(center), "width": width, "function": function, "table": table,
            "invert": bool(description.get("invert"))}


def preview_size(rows: int, columns: int, size: int = MAX_SIZE) -> tuple[int, int]:
    """(rows, columns) of the preview: the frame's shape scaled to fit ``size``, never enlarged."""
    scale = min(1.0, size / max(rows, columns))
    return max(1, round(rows * scale)), max(1, round(columns * scale))


def _centres(length: int, count: int) -> NDArray[np.intp]:
    """Indices of the source pixels under ``count`` evenly spaced sample centres."""
    return np.minimum(((np.arange(count) + 0.5) * length / count).astype(np.intp), length - 1)


def preview(ds: Dataset, index: int, size: int = MAX_SIZE,
            registry: DecoderRegistry = REGISTRY) -> tuple[dict[str, Any], bytes]:
    """``({rows, columns, index}, RGBA bytes)`` of frame ``index``'s preview.

    Raises:
        the errors of :func:`describe_frame` (a frame that cannot be decoded)
    """
    result = describe_frame(ds, index, registry)
    d = result.description
    rows, columns = int(d["rows"]), int(d["columns"])
    if d["bufferType"] == "rgb8":
        rgb = np.frombuffer(result.buffer, dtype=np.uint8).reshape(rows, columns, 3)
    else:
        dtype = "<f4" if d["bufferType"] == "float32" else "<i4"
        values = np.frombuffer(result.buffer, dtype=dtype).reshape(rows, columns)
        grey = display_uint8(values, **default_window(d))
        rgb = np.repeat(grey[:, :, None], 3, axis=2)
    out_rows, out_columns = preview_size(rows, columns, size)
    small = rgb[_centres(rows, out_rows)][:, _centres(columns, out_columns)]
    rgba = np.empty((out_rows, out_columns, 4), dtype=np.uint8)
    rgba[:, :, :3] = small
    rgba[:, :, 3] = 255
    return {"rows": out_rows, "columns": out_columns, "index": index}, rgba.tobytes()
