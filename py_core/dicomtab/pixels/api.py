"""The viewer's operations on an open instance, for :mod:`dicomtab.worker_api`.

Imported on the first pixel request, after numpy is loaded (see :mod:`dicomtab.numpy_later`).
The data set is parsed on demand and held in the session's cache (:mod:`dicomtab.session`),
so paging through the frames of one instance does not re-parse it. Its pixel value is not copied out of the file: it is a
view of the bytes the session already holds, and each frame is decoded from that view when
asked for. A 40 MB multi-frame file thus costs 40 MB once, not twice.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

from dicomtab.errors import DicomtabError, OutOfMemoryError, PixelDataError, UsageError
from dicomtab.pixels import decoders, describe, export, frames, objects, overlays, thumbnail
from dicomtab.reading import open_dataset
from dicomtab.session import Instance, Session
from dicomtab.stack import stack_order

#: The VRs a pixel data element may have (PS3.5 A.1, PS3.3 C.7.6.3.1.4, C.7.6.24).
PIXEL_VRS = frozenset({"OB", "OW", "OF", "OD", "UN"})


def dataset(session: Session, instance_id: str) -> Dataset:
    """The instance's full data set (parsed once, held in the session's cache)."""
    return session.get(instance_id).parsed("pixels", _with_pixel_view)


def _with_pixel_view(instance: Instance) -> Dataset:
    """The data set, its pixel element's value a memoryview of the instance's bytes where
    possible (the walk made when it was opened says where that value is)."""
    data, name, report = instance.data, instance.name, instance.report
    opened = open_dataset(data, name, stop_before_pixels=True,
                          checked=None if report is None else (report, len(data)))
    span = opened.pixel_span if report is None else report.pixel_span
    if span is None:  # deflated, or a preamble the reader had to add: parse it all
        return open_dataset(data, name).dataset
    ds = opened.dataset
    vr = span.vr or _implicit_vr(ds, span.tag, span.encapsulated)
    if vr not in PIXEL_VRS:
        raise PixelDataError(f"{name}'s pixel data is written with VR {vr}, which cannot hold "
                             "pixels; the file is damaged.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom notes that a memoryview is not bytes
        ds[span.tag] = DataElement(span.tag, vr, memoryview(data)[span.start : span.end],
                                   is_undefined_length=span.encapsulated)
    return ds


def _implicit_vr(ds: Dataset, tag: int, encapsulated: bool) -> str:
    """The VR an implicit VR file leaves unsaid (PS3.5 A.1: OW for native > 8 bits)."""
    if tag != 0x7FE00010:
        return "OF" if tag == 0x7FE00008 else "OD"
    bits = ds.get("BitsAllocated")
    return "OB" if encapsulated or (isinstance(bits, int) and bits <= 8) else "OW"


def _index(index: Any) -> int:
    try:
        return int(index)
    except (TypeError, ValueError):
        raise UsageError("The frame index must be a whole number.") from None


def frame(session: Session, instance_id: str, index: Any) -> tuple[dict[str, Any], bytes]:
    """Description and buffer of one frame (see :mod:`dicomtab.pixels.describe`)."""
    ds, n = dataset(session, instance_id), _index(index)
    try:
        result = describe.describe_frame(ds, n)
    except MemoryError:
        raise _frame_too_big(ds, n, session.get(instance_id).name) from None
    return result.description, result.buffer


#: Bytes a decoded frame takes per sample at most while it is prepared: the stored values,
#: the modality values (float64 when rescaled) and the buffer sent to the page.
BYTES_PER_SAMPLE_PREPARED = 8 + 8 + 4


def _frame_too_big(ds: Dataset, index: int, name: str) -> OutOfMemoryError:
    """The error for a frame the tab's memory could not hold, saying how much it needs."""
    try:
        info = frames.frame_info(ds, index)
        samples = info.rows * info.columns * info.samples_per_pixel
        needed = f"about {max(1, samples * BYTES_PER_SAMPLE_PREPARED // 2**20):,} MB"
    except DicomtabError:  # the size cannot be told: say so rather than fail here
        needed = "more memory than is left"
    return OutOfMemoryError(
        f"Frame {index + 1} of {name} needs {needed} to be shown; close some series or files "
        "(or reload the page) and try again.")


def frame_digest(session: Session, instance_id: str, index: Any) -> dict[str, Any]:
    """frameDigest of one frame, with the codec that decoded it."""
    ds = dataset(session, instance_id)
    info = frames.frame_info(ds, _index(index))
    codec = decoders.REGISTRY.codec_for(info.transfer_syntax).name
    return {"digest": frames.frame_digest(ds, info.index), "codec": codec}


def frame_npy(session: Session, instance_id: str, index: Any) -> tuple[dict[str, Any], bytes]:
    """The frame's raw values as a .npy file."""
    data = export.frame_npy(dataset(session, instance_id), _index(index))
    return {"mimeType": "application/octet-stream", "byteLength": len(data)}, data


def series_preview(session: Session, instance_ids: Any, size: Any) -> tuple[dict[str, Any], bytes]:
    """A series' preview (:mod:`dicomtab.pixels.thumbnail`): of its middle image in stack order,
    that image's middle frame; ``{rows, columns, index, instanceId}`` and RGBA bytes."""
    ids = [str(i) for i in instance_ids]
    if not ids:
        raise UsageError("A series preview needs at least one instance.")
    order = stack_order([session.get(i).summary for i in ids])["order"]
    chosen = order[len(order) // 2]
    ds = dataset(session, chosen)
    index = frames.number_of_frames(ds) // 2
    try:
        side = min(max(int(size), 16), thumbnail.MAX_SIZE)
    except (TypeError, ValueError):
        raise UsageError("The preview size must be a whole number.") from None
    try:
        meta, data = thumbnail.preview(ds, index, side)
    except MemoryError:
        raise _frame_too_big(ds, index, session.get(chosen).name) from None
    return {**meta, "instanceId": chosen}, data


def object_info(session: Session, instance_id: str) -> dict[str, Any]:
    """What the instance holds (image, pdf, sr, waveform, none); see objects.describe_object."""
    return objects.describe_object(dataset(session, instance_id))


def document(session: Session, instance_id: str) -> tuple[dict[str, Any], bytes]:
    """The encapsulated document's bytes (a PDF for download)."""
    ds = dataset(session, instance_id)
    if objects.object_kind(ds) not in ("pdf", "document"):
        raise UsageError("This instance holds no encapsulated document.")
    data = objects.document_bytes(ds)
    mime = str(ds.get("MIMETypeOfEncapsulatedDocument") or "application/octet-stream")
    return {"mimeType": mime, "byteLength": len(data)}, data


def waveform(session: Session, instance_id: str, index: Any) -> tuple[dict[str, Any], bytes]:
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


def overlay(session: Session, instance_id: str, index: Any, group: str) -> tuple[dict[str, Any], bytes]:
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
