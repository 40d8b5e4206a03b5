"""The pixel step of de-identification: find burned-in text, blank it, and prove it is gone.

Called by the engine with the original (to match templates on its header) and the
de-identified copy (whose pixel data is blanked). The boxes come from the templates that match
the file (the user's, and the known device layouts) and, when ``detect`` is set (profiles with
``clean_pixels: auto``, on files the burn-in heuristics flag), from the text detector run on
every frame (dicomtab.pixels.text_detection). After blanking, the detector runs again on every
blanked frame: text it still finds is blanked too, up to ``ROUNDS`` times, and any left after
that makes the file ``still-has-text``. Without the detector (no ``detect``, or it could not
be loaded) a cleaning is ``checked: false``.

A box that does not fit, a frame that does not decode or an encoder that fails leaves the file
uncleaned, with the reason: it is then written as it was and stays flagged for review, and the
batch goes on.
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

    #: "cleaned" (boxes blanked), "no-text" (the detector found none, nothing changed),
    #: "still-has-text" (blanked, but the detector still finds text) or "not-cleaned".
    status: str
    #: Names of the templates whose boxes were applied.
    templates: tuple[str, ...] = ()
    #: Redaction.to_dict() of a cleaned file.
    redaction: dict[str, Any] | None = None
    #: Why a file was not cleaned (value-free).
    reason: str | None = None
    #: Whether a text detector looked at the result (and found no text, unless
    #: ``still-has-text``).
    checked: bool = False
    #: Boxes the text detector proposed (before blanking), by frame.
    detected: int = 0

    @property
    def cleaned(self) -> bool:
        """Whether the pixel data was changed (some boxes blanked)."""
        return self.status in ("cleaned", "still-has-text")

    @property
    def proven(self) -> bool:
        """Whether the text detector found no text in the file as written."""
        return self.checked and self.status in ("cleaned", "no-text")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "checked": self.checked}
        if self.detected:
            out["detected"] = self.detected
        if self.templates:
            out["templates"] = list(self.templates)
        if self.redaction is not None:
            out["redaction"] = self.redaction
        if self.reason is not None:
            out["reason"] = self.reason
        return out


#: Detection rounds after the first blanking: text found again is blanked again this often.
ROUNDS = 2
#: How the templates list names text detection among the sources of boxes.
DETECTED = "text-detection"


def clean_pixels(source: Dataset, out: Dataset, templates: Templates, name: str,
                 *, detect: bool = False) -> PixelCleaning | None:
    """Blank in ``out`` the boxes of every template matching ``source`` and, with ``detect``,
    the text the detector finds; None when nothing applies (no template matches and no
    detection asked, or the file has no pixels)."""
    chosen = templates.for_instance(source)
    if not (chosen or detect) or not any(k in out for k in _CHANGED[:3]):
        return None
    boxes = _boxes(chosen, out)
    if not boxes and not detect:
        return None  # device layouts whose boxes all lie outside this image
    # numpy is needed from here on only (the worker loads it for pixels, not at start-up).
    from dicomtab.deid.redact import redact
    from dicomtab.pixels.text_detection import TextDetectorUnavailable

    names = tuple(dict.fromkeys(template.name for template, _box in chosen))
    # Shallow copies: redact may change an element's value in place (its bytes are kept).
    saved: dict[str | int, DataElement] = {k: copy.copy(out[k]) for k in _CHANGED if k in out}
    syntax = out.file_meta.get("TransferSyntaxUID")
    unavailable = None
    try:
        detected: list[Box] = []
        if detect:
            try:
                detected = _detect(out)
            except TextDetectorUnavailable as exc:
                unavailable = exc.message
        if detected:
            names += (DETECTED,)
        if not boxes and not detected:
            if unavailable:
                return PixelCleaning("not-cleaned", names, reason=_reason(name, unavailable))
            return PixelCleaning("no-text", names, checked=True)
        redaction = redact(out, boxes + detected, name)
        if not detect or unavailable:
            return PixelCleaning("cleaned", names, redaction.to_dict(),
                                 reason=_reason(name, unavailable) if unavailable else None)
        for _round in range(ROUNDS + 1):
            left = _detect(out)
            if not left or _round == ROUNDS:
                break
            detected = _joined(detected + left)
            _restore(out, saved, syntax)  # blanked again from the original, in one pass
            redaction = redact(out, boxes + detected, name)
        status = "still-has-text" if left else "cleaned"
        if detected and DETECTED not in names:  # found only once the templates' were blanked
            names += (DETECTED,)
        return PixelCleaning(status, names, redaction.to_dict(), checked=True,
                             detected=len(detected),
                             reason=_reason(name, f"text is still found in {len(left)} place"
                                            f"{'' if len(left) == 1 else 's'} after blanking")
                             if left else None)
    except Exception as exc:  # a typed error, or an encoder's own (its class names it)
        # Nothing half-done: the file goes out as it was (and stays flagged).
        _restore(out, saved, syntax)
        message = exc.message if isinstance(exc, DicomtabError) else \
            f"the encoder failed ({type(exc).__name__})"
        return PixelCleaning("not-cleaned", names, reason=_reason(name, message))


def _restore(out: Dataset, saved: dict[str | int, DataElement], syntax: Any) -> None:
    """Put back what redact may have changed."""
    for keyword in _CHANGED:
        if keyword in saved:
            out[keyword] = copy.copy(saved[keyword])
        elif keyword in out:
            del out[keyword]
    out.file_meta.TransferSyntaxUID = syntax


def _reason(name: str, message: str) -> str:
    return message if message.startswith(name) else \
        f"{name}: its pixels could not be cleaned: {message}"


def _joined(boxes: list[Box]) -> list[Box]:
    """Detected boxes joined per frame (see text_detection.merged)."""
    from dicomtab.pixels.text_detection import merged

    frames = sorted({box.frames for box in boxes}, key=lambda f: f or ())
    return [joined for frame in frames
            for joined in merged([box for box in boxes if box.frames == frame])]


def _detect(ds: Dataset) -> list[Box]:
    """The detector's boxes on every frame of ``ds`` (each for its own frame)."""
    from dicomtab.pixels.frames import number_of_frames
    from dicomtab.pixels.text_detection import detect_in_frame

    found: list[Box] = []
    for index in range(number_of_frames(ds)):
        found += detect_in_frame(ds, index)
    return found


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
