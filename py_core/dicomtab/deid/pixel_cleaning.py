"""The pixel step of de-identification: blank the boxes of the templates that match a file.

Called by the engine with the original (to match templates on its header) and the
de-identified copy (whose pixel data is blanked). A box that does not fit, a frame that does
not decode or an encoder that fails leaves the file uncleaned, with the reason: it is then
written as it was and stays flagged for review, and the batch goes on.

Proof that the text is gone needs a text detector, which this version does not have yet:
every cleaning is recorded as not checked, so a file flagged for burned-in text is flagged
``pixel-check-review`` instead of ``pixel-review``, and the release cannot pass until someone
has looked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

from dicomtab.deid.regions import Box, Template, Templates, clipped
from dicomtab.errors import DicomtabError


@dataclass(frozen=True)
class PixelCleaning:
    """What the pixel step did to one file (never a pixel value)."""

    #: "cleaned" or "not-cleaned".
    status: str
    #: Names of the templates whose boxes were applied.
    templates: tuple[str, ...] = ()
    #: Redaction.to_dict() of a cleaned file.
    redaction: dict[str, Any] | None = None
    #: Why a file was not cleaned (value-free).
    reason: str | None = None
    #: Whether a text detector found no text afterwards.
    checked: bool = False

    @property
    def cleaned(self) -> bool:
        return self.status == "cleaned"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "checked": self.checked}
        if self.templates:
            out["templates"] = list(self.templates)
        if self.redaction is not None:
            out["redaction"] = self.redaction
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def clean_pixels(source: Dataset, out: Dataset, templates: Templates,
                 name: str) -> PixelCleaning | None:
    """Blank in ``out`` the boxes of every template matching ``source``; None when no
    template matches (or the file has no pixels)."""
    chosen = templates.for_instance(source)
    if not chosen or not any(k in out for k in _CHANGED[:3]):
        return None
    boxes = _boxes(chosen, out)
    if not boxes:
        return None  # device layouts whose boxes all lie outside this image
    # numpy is needed from here on only (the worker loads it for pixels, not at start-up).
    from dicomtab.deid.redact import redact

    names = tuple(dict.fromkeys(template.name for template, _box in chosen))
    # Shallow copies: redact may change an element's value in place (its bytes are kept).
    saved: dict[str | int, DataElement] = {k: copy.copy(out[k]) for k in _CHANGED if k in out}
    syntax = out.file_meta.get("TransferSyntaxUID")
    try:
        redaction = redact(out, boxes, name)
    except Exception as exc:  # a typed error, or an encoder's own (its class names it)
        # Nothing half-done: the file goes out as it was (and stays flagged).
        for keyword in _CHANGED:
            if keyword in saved:
                out[keyword] = saved[keyword]
            elif keyword in out:
                del out[keyword]
        out.file_meta.TransferSyntaxUID = syntax
        message = exc.message if isinstance(exc, DicomtabError) else \
            f"the encoder failed ({type(exc).__name__})"
        reason = message if message.startswith(name) else \
            f"{name}: its pixels could not be cleaned: {message}"
        return PixelCleaning("not-cleaned", names, reason=reason)
    return PixelCleaning("cleaned", names, redaction.to_dict())


def _boxes(chosen: list[tuple[Template, Box]], out: Dataset) -> list[Box]:
    """The boxes to blank: as given, or clipped to the image for device layouts."""
    try:
        rows, columns = int(out.Rows), int(out.Columns)
    except (AttributeError, TypeError, ValueError):
        return [box for _template, box in chosen]  # redact names the problem
    boxes = []
    for template, box in chosen:
        kept = clipped(box, rows, columns) if template.clip else box
        if kept is not None:
            boxes.append(kept)
    return boxes


#: What redact may change: put back as it was when it fails.
_CHANGED: tuple[str | int, ...] = ("PixelData", "FloatPixelData", "DoubleFloatPixelData", "PhotometricInterpretation",
            "PlanarConfiguration", "LossyImageCompression", "LossyImageCompressionMethod",
            "NumberOfFrames", *(((g << 16) | 0x3000) for g in range(0x6000, 0x6020, 2)))
