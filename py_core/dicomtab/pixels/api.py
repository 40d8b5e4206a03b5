"""The viewer's operations on an open instance, for :mod:`dicomtab.worker_api`.

Imported on the first pixel request, after numpy is loaded (see :mod:`dicomtab.numpy_later`).
The full data set (pixels included) is parsed on demand and the last few are kept, so paging
through the frames of one instance does not re-parse it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from dicomtab.errors import UsageError
from dicomtab.pixels import decoders, describe, export, frames, objects, overlays
from dicomtab.reading import open_dataset

#: How many fully parsed instances to keep; each holds its pixel data in memory.
CACHE_SIZE = 4
_CACHE: OrderedDict[tuple[str, int], Dataset] = OrderedDict()


def dataset(session: Any, instance_id: str) -> Dataset:
    """The instance's full data set (parsed once, then cached)."""
    instance = session.get(instance_id)
    key = (instance_id, id(instance.data))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ds = open_dataset(instance.data, instance.name).dataset
    _CACHE[key] = ds
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return ds


def _index(index: Any) -> int:
    try:
        return int(index)
    except (TypeError, ValueError):
        raise UsageError("The frame index must be a whole number.") from None


def frame(session: Any, instance_id: str, index: Any) -> tuple[dict[str, Any], bytes]:
    """Description and buffer of one frame (see :mod:`dicomtab.pixels.describe`)."""
    result = describe.describe_frame(dataset(session, instance_id), _index(index))
    return result.description, result.buffer


def frame_digest(session: Any, instance_id: str, index: Any) -> dict[str, Any]:
    """frameDigest of one frame, with the codec that decoded it."""
    ds = dataset(session, instance_id)
    info = frames.frame_info(ds, _index(index))
    codec = decoders.REGISTRY.codec_for(info.transfer_syntax).name
    return {"digest": frames.frame_digest(ds, info.index), "codec": codec}


def frame_npy(session: Any, instance_id: str, index: Any) -> tuple[dict[str, Any], bytes]:
    """The frame's raw values as a .npy file."""
    data = export.frame_npy(dataset(session, instance_id), _index(index))
    return {"mimeType": "application/octet-stream", "byteLength": len(data)}, data


def object_info(session: Any, instance_id: str) -> dict[str, Any]:
    """What the instance holds (image, pdf, sr, waveform, none); see objects.describe_object."""
    return objects.describe_object(dataset(session, instance_id))


def document(session: Any, instance_id: str) -> tuple[dict[str, Any], bytes]:
    """The encapsulated document's bytes (a PDF for download)."""
    ds = dataset(session, instance_id)
    if objects.object_kind(ds) not in ("pdf", "document"):
        raise UsageError("This instance holds no encapsulated document.")
    data = objects.document_bytes(ds)
    mime = str(ds.get("MIMETypeOfEncapsulatedDocument") or "application/octet-stream")
    return {"mimeType": mime, "byteLength": len(data)}, data


def waveform(session: Any, instance_id: str, index: Any) -> tuple[dict[str, Any], bytes]:
    """One waveform multiplex group: description and float32 samples (samples × channels)."""
    ds = dataset(session, instance_id)
    if objects.object_kind(ds) != "waveform":
        raise UsageError("This instance holds no waveform.")
    groups = objects.waveforms(ds)
    n = _index(index)
    if not 0 <= n < len(groups):
        raise UsageError(f"Waveform {n + 1} does not exist; the instance has {len(groups)}.")
    entry = dict(groups[n])
    samples = np.ascontiguousarray(entry.pop("samples"), dtype="<f4")
    entry.update(bufferType="float32", shape=list(samples.shape))
    return entry, samples.tobytes()


def overlay(session: Any, instance_id: str, index: Any, group: str) -> tuple[dict[str, Any], bytes]:
    """One overlay plane for frame ``index``: description and rows × columns 0/1 bytes."""
    ds = dataset(session, instance_id)
    try:
        number = int(str(group), 16)
    except ValueError:
        raise UsageError("The overlay group must be hexadecimal, e.g. 6000.") from None
    if number not in overlays.overlay_groups(ds):
        raise UsageError("This instance has no overlay in that group.")
    bitmap = overlays.overlay_bitmap(ds, number, _index(index))
    if bitmap is None:
        raise UsageError("That overlay does not apply to this frame.")
    return overlays.overlay_info(ds, number), bitmap.tobytes()


def decoder_status() -> list[dict[str, Any]]:
    """Per transfer syntax, whether it decodes here and with which codec."""
    return decoders.REGISTRY.status()
