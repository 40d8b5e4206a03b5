"""One frame for the viewer: a typed buffer plus a JSON-able description.

The JS side does VOI → 8-bit display with a lookup table, so this module stops at modality
values: grey frames become int32 or float32 modality values (little endian), colour frames
become RGB, 8 bits per channel. Everything else the renderer and the measuring tools need is
in the description.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from dicomtab.errors import PixelDataError
from dicomtab.pixels.color import palette_bits, palette_to_rgb, to_rgb8
from dicomtab.pixels.decoders import REGISTRY, DecoderRegistry
from dicomtab.pixels.frames import decode_frame, frame_info, little_endian_bytes
from dicomtab.pixels.modality import apply_modality, functional_item, modality_transform
from dicomtab.pixels.overlays import overlay_groups, overlay_info
from dicomtab.pixels.regions import ultrasound_regions
from dicomtab.pixels.voi import is_inverted, voi_function, voi_lut_table, window_presets

_GREY = frozenset({"MONOCHROME1", "MONOCHROME2"})


@dataclass(frozen=True)
class FrameResult:
    """What the viewer gets for one frame: ``description`` (JSON) and ``buffer`` (bytes)."""

    description: dict[str, Any]
    buffer: bytes


def _floats(value: Any) -> list[float] | None:
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError):
        return None
    return numbers if len(numbers) == 2 and all(n > 0 for n in numbers) else None


def spacing(ds: Dataset, index: int) -> dict[str, Any]:
    """Pixel spacing (row, column) in mm and where it comes from, for measurements.

    Pixel Spacing (per frame in Pixel Measures, or top level) is in the patient; Imager Pixel
    Spacing is at the detector (projection images: magnified). Without either, measurements
    are in pixels and flagged ``uncalibrated``.
    """
    measures = functional_item(ds, index, "PixelMeasuresSequence")
    for source, keyword, kind in (
        (measures, "PixelSpacing", "patient"),
        (ds, "PixelSpacing", "patient"),
        (ds, "ImagerPixelSpacing", "detector"),
    ):
        if source is not None and keyword in source:
            numbers = _floats(source[keyword].value)
            if numbers:
                return {"pixelSpacing": numbers, "spacingSource": kind, "uncalibrated": False}
    return {"pixelSpacing": None, "spacingSource": None, "uncalibrated": True}


def timing(ds: Dataset) -> dict[str, Any]:
    """Frame time (ms) and the cine rate (frames per second) to play at."""
    frame_time = None
    try:
        if ds.get("FrameTime"):
            frame_time = float(ds.FrameTime)
    except (TypeError, ValueError):
        frame_time = None
    rate = None
    for keyword in ("RecommendedDisplayFrameRate", "CineRate"):
        try:
            if ds.get(keyword):
                rate = float(ds.get(keyword))
                break
        except (TypeError, ValueError):
            continue
    if rate is None and frame_time and frame_time > 0:
        rate = 1000.0 / frame_time
    return {"frameTime": frame_time, "cineRate": rate}


def describe_frame(ds: Dataset, index: int, registry: DecoderRegistry = REGISTRY) -> FrameResult:
    """Decode frame ``index`` and prepare it for display.

    Raises:
        PixelDataError, MissingCodecError, UnsupportedError (see :mod:`dicomtab.errors`)
    """
    info = frame_info(ds, index)
    stored, photometric = decode_frame(ds, index, registry)
    description: dict[str, Any] = {
        "index": index,
        "frames": info.number_of_frames,
        "rows": info.rows,
        "columns": info.columns,
        "samplesPerPixel": info.samples_per_pixel,
        "photometric": info.photometric_interpretation,
        "transferSyntax": info.transfer_syntax,
        **spacing(ds, index),
        **timing(ds),
        "overlays": _overlays(ds, index),
        "regions": ultrasound_regions(ds),
    }
    if photometric in _GREY and stored.ndim == 2:
        transform = modality_transform(ds, index)
        values = apply_modality(stored, ds, transform)
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 0.0
        description.update(
            bufferType="float32" if values.dtype.kind == "f" else "int32",
            modality=transform.describe(),
            units=transform.rescale_type,
            min=low,
            max=high,
            autoWindow={"center": (low + high) / 2, "width": max(high - low, 1.0)},
            windowPresets=window_presets(ds, index),
            voiLutFunction=voi_function(ds, index),
            voiLut=voi_lut_table(ds, index),
            invert=is_inverted(ds, photometric),
        )
        buffer = little_endian_bytes(values)
    else:
        if photometric == "PALETTE COLOR":
            rgb8 = to_rgb8(palette_to_rgb(stored, ds), palette_bits(ds))
        else:
            rgb8 = to_rgb8(stored, info.bits_stored)
        description.update(bufferType="rgb8", modality=None, units=None, invert=False)
        buffer = np.ascontiguousarray(rgb8).tobytes()
    description["byteLength"] = len(buffer)
    # JSON has no NaN/Infinity: a float frame made only of them has no range to report.
    for key in ("min", "max"):
        if isinstance(description.get(key), float) and not math.isfinite(description[key]):
            description[key] = None
    return FrameResult(description, buffer)


def _overlays(ds: Dataset, index: int) -> list[dict[str, Any]]:
    """The overlays that apply to frame ``index``; a damaged one is left out, not fatal."""
    shown = []
    for group in overlay_groups(ds):
        try:
            info = overlay_info(ds, group)
        except PixelDataError:
            continue
        if info["firstFrame"] - 1 <= index < info["firstFrame"] - 1 + info["frames"]:
            shown.append(info)
    return shown
