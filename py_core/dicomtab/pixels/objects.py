"""What an instance holds, when it is not (only) an image: PDF, structured report, waveform.

Each kind gives a typed result, and an object with nothing to show gives ``kind: "none"``
with the reason, not a failure.
"""

from __future__ import annotations

from typing import Any

from pydicom.dataset import Dataset

from dicomtab.errors import PixelDataError
from dicomtab.pixels.frames import number_of_frames, pixel_keyword

#: Indentation per SR content tree level in the text rendering.
_INDENT = "  "

#: SR Value Types whose value is one attribute of the item (PS3.3 Table C.17.3-7).
_VALUE_KEYWORDS = {
    "DATETIME": "DateTime",
    "DATE": "Date",
    "TIME": "Time",
    "UIDREF": "UID",
    "PNAME": "PersonName",
}


def object_kind(ds: Dataset) -> str:
    """``image``, ``pdf``, ``document`` (other encapsulated), ``sr``, ``waveform`` or ``none``."""
    if pixel_keyword(ds) is not None:
        return "image"
    if "EncapsulatedDocument" in ds:
        mime = str(ds.get("MIMETypeOfEncapsulatedDocument") or "").strip().lower()
        return "pdf" if mime == "application/pdf" else "document"
    if "ContentSequence" in ds and str(ds.get("Modality") or "") == "SR":
        return "sr"
    if "ContentSequence" in ds and "ValueType" in ds:
        return "sr"
    if "WaveformSequence" in ds:
        return "waveform"
    return "none"


def describe_object(ds: Dataset) -> dict[str, Any]:
    """A JSON-able summary of what the instance holds and how to show it."""
    kind = object_kind(ds)
    result: dict[str, Any] = {"kind": kind}
    if kind == "image":
        result["frames"] = number_of_frames(ds)
    elif kind in ("pdf", "document"):
        result["mimeType"] = str(ds.get("MIMETypeOfEncapsulatedDocument") or "")
        result["byteLength"] = len(document_bytes(ds))
    elif kind == "sr":
        result["lines"] = sr_lines(ds)
    elif kind == "waveform":
        result["waveforms"] = [
            {key: value for key, value in w.items() if key != "samples"}
            for w in waveforms(ds, with_samples=False)
        ]
    else:
        result["reason"] = "This object holds no image, document, report or waveform to show."
    return result


def document_bytes(ds: Dataset) -> bytes:
    """The encapsulated document (a PDF, for download), without DICOM's even-length pad."""
    data = bytes(ds.EncapsulatedDocument)
    length = ds.get("EncapsulatedDocumentLength")
    if length is not None and 0 <= int(length) <= len(data):
        return data[: int(length)]
    # PS3.3 A.45.1.4.1: a PDF padded to even length ends with one NUL after %%EOF.
    if data.endswith(b"\x00") and data.rstrip(b"\x00").rstrip().endswith(b"%%EOF"):
        return data.rstrip(b"\x00")
    return data


def _meaning(item: Dataset, keyword: str) -> str:
    codes = item.get(keyword)
    if codes:
        return str(codes[0].get("CodeMeaning") or codes[0].get("CodeValue") or "")
    return ""


def _item_value(item: Dataset) -> str:
    """The item's value as text, per Value Type (PS3.3 C.17.3)."""
    value_type = str(item.get("ValueType") or "")
    if value_type == "TEXT":
        return str(item.get("TextValue") or "")
    if value_type == "CODE":
        return _meaning(item, "ConceptCodeSequence")
    if value_type == "NUM":
        measured = item.get("MeasuredValueSequence")
        if not measured:
            return ""
        number = str(measured[0].get("NumericValue") or "")
        unit = _meaning(measured[0], "MeasurementUnitsCodeSequence")
        return f"{number} {unit}".strip()
    keyword = _VALUE_KEYWORDS.get(value_type)
    if keyword and keyword in item:
        return str(item.get(keyword))
    if value_type in ("IMAGE", "COMPOSITE", "WAVEFORM"):
        refs = item.get("ReferencedSOPSequence")
        return f"reference to {len(refs)} object(s)" if refs else ""
    return ""


def sr_lines(ds: Dataset) -> list[str]:
    """The SR content tree as indented lines: ``name: value``, container titles alone."""
    lines = []
    title = _meaning(ds, "ConceptNameCodeSequence")
    if title:
        lines.append(title)

    def walk(items: Any, depth: int) -> None:
        for item in items or []:
            name = _meaning(item, "ConceptNameCodeSequence")
            value = _item_value(item)
            text = f"{name}: {value}" if name and value else (name or value)
            if text:
                lines.append(_INDENT * depth + text)
            walk(item.get("ContentSequence"), depth + 1)

    walk(ds.get("ContentSequence"), 1 if title else 0)
    return lines


def waveforms(ds: Dataset, *, with_samples: bool = True) -> list[dict[str, Any]]:
    """Each multiplex group: sampling frequency, channel labels and (optionally) samples.

    ``samples`` is a (samples × channels) float array in the channels' units (pydicom's
    ``waveform_array`` applies sensitivity and baseline).
    """
    out = []
    for n, group in enumerate(ds.WaveformSequence):
        labels = []
        units = []
        for channel in group.get("ChannelDefinitionSequence") or []:
            labels.append(_meaning(channel, "ChannelSourceSequence") or str(channel.get("ChannelLabel") or ""))
            units.append(_meaning(channel, "ChannelSensitivityUnitsSequence"))
        entry: dict[str, Any] = {
            "index": n,
            "samplingFrequency": float(group.SamplingFrequency),
            "channels": int(group.NumberOfWaveformChannels),
            "samplesPerChannel": int(group.NumberOfWaveformSamples),
            "labels": labels,
            "units": units,
        }
        if with_samples:
            try:
                entry["samples"] = ds.waveform_array(n)
            except Exception:
                raise PixelDataError("The waveform data is truncated or inconsistent.") from None
        out.append(entry)
    return out
