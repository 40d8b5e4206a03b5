"""Where burned-in text is: rectangles to blank, grouped in redaction templates.

A redaction template file is JSON, made by hand, by the viewer (boxes drawn on an image) or
from a device layout::

    {
      "format": "dicomtab-redaction-template",
      "version": 1,
      "templates": [
        {
          "name": "ACME Sono 5, 640 x 480: the header bar",
          "match": {"Manufacturer": "ACME", "ManufacturerModelName": "Sono 5",
                    "Rows": 480, "Columns": 640},
          "boxes": [
            {"x": 0, "y": 0, "width": 640, "height": 48},
            {"x": 500, "y": 440, "width": 140, "height": 40, "frames": [1, 2]}
          ]
        }
      ]
    }

Boxes are in image pixels (x to the right, y down, from the top-left pixel, as the stored
image, whatever the viewer's zoom, rotation or flip); ``frames`` lists frame numbers from 1
(absent: every frame). A template applies to an instance whose header has every ``match``
value (text compared without surrounding spaces, Rows and Columns as numbers; an empty match
applies to every instance), always on the original's values, before de-identification
changes them. Every template that matches contributes its boxes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

from dicomtab.deid.elements import values_of
from dicomtab.errors import PolicyError

FORMAT = "dicomtab-redaction-template"
VERSION = 1
#: Header attributes a template may match on (device, geometry, and one instance or series).
MATCH_KEYWORDS = ("Modality", "Manufacturer", "ManufacturerModelName", "SoftwareVersions",
                  "SOPClassUID", "Rows", "Columns", "StudyInstanceUID",
                  "SeriesInstanceUID", "SOPInstanceUID")
_NUMBERS = ("Rows", "Columns")


@dataclass(frozen=True)
class Box:
    """One rectangle to blank, in image pixels; ``frames``: numbers from 1, None = all."""

    x: int
    y: int
    width: int
    height: int
    frames: tuple[int, ...] | None = None

    def applies_to(self, frame_number: int) -> bool:
        return self.frames is None or frame_number in self.frames

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"x": self.x, "y": self.y, "width": self.width,
                               "height": self.height}
        if self.frames is not None:
            out["frames"] = list(self.frames)
        return out


@dataclass(frozen=True)
class Template:
    """Boxes for the instances whose header matches."""

    name: str
    match: tuple[tuple[str, str], ...]
    boxes: tuple[Box, ...]

    def matches(self, ds: Dataset) -> bool:
        return all(_header_value(ds, keyword) == wanted for keyword, wanted in self.match)


@dataclass(frozen=True)
class Templates:
    """Every template of one or more files, in order; what an instance gets is their union."""

    templates: tuple[Template, ...] = ()
    #: Where they came from, for the release record (file names and sha256; no values).
    sources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.templates)

    def for_instance(self, ds: Dataset) -> list[tuple[str, Box]]:
        """(template name, box) of every template matching the original ``ds``."""
        return [(t.name, box) for t in self.templates if t.matches(ds) for box in t.boxes]

    def __add__(self, other: Templates) -> Templates:
        return Templates(self.templates + other.templates, self.sources + other.sources)


def _header_value(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None:
        return ""
    return "\\".join(str(v).strip() for v in values_of(value))


def _integer(value: Any, what: str, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyError(f"{name}: {what} must be a whole number of at least {minimum}.")
    return value


def _box(raw: Any, where: str, name: str) -> Box:
    if not isinstance(raw, dict):
        raise PolicyError(f"{name}: {where} must be an object with x, y, width and height.")
    unknown = sorted(set(raw) - {"x", "y", "width", "height", "frames"})
    if unknown:
        raise PolicyError(f"{name}: {where} has unknown field(s) {', '.join(unknown)}.")
    x = _integer(raw.get("x"), f"{where}'s x", name, minimum=0)
    y = _integer(raw.get("y"), f"{where}'s y", name, minimum=0)
    # An empty or inverted box (width or height 0 or less) blanks nothing: refused.
    width = _integer(raw.get("width"), f"{where}'s width", name, minimum=1)
    height = _integer(raw.get("height"), f"{where}'s height", name, minimum=1)
    frames = raw.get("frames")
    if frames is not None:
        if not isinstance(frames, list) or not frames:
            raise PolicyError(f"{name}: {where}'s frames must be a list of frame numbers from 1.")
        frames = tuple(sorted({_integer(f, f"{where}'s frame number", name, minimum=1)
                               for f in frames}))
    return Box(x, y, width, height, frames)


def _template(raw: Any, index: int, name: str) -> Template:
    where = f"template {index + 1}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{name}: {where} must be an object with name, match and boxes.")
    label = raw.get("name", where)
    if not isinstance(label, str):
        raise PolicyError(f"{name}: {where}'s name must be text.")
    match = raw.get("match", {})
    if not isinstance(match, dict):
        raise PolicyError(f"{name}: {where}'s match must be an object.")
    unknown = sorted(set(match) - set(MATCH_KEYWORDS))
    if unknown:
        raise PolicyError(f"{name}: {where} matches on {', '.join(unknown)}; a template can "
                          f"match on {', '.join(MATCH_KEYWORDS)}.")
    pairs = []
    for keyword, value in match.items():
        if keyword in _NUMBERS:
            value = str(_integer(value, f"{where}'s {keyword}", name, minimum=1))
        elif not isinstance(value, str):
            raise PolicyError(f"{name}: {where}'s {keyword} must be text.")
        pairs.append((keyword, value.strip()))
    boxes = raw.get("boxes")
    if not isinstance(boxes, list) or not boxes:
        raise PolicyError(f"{name}: {where} must have at least one box.")
    return Template(label, tuple(pairs),
                    tuple(_box(b, f"{where}, box {i + 1}", name) for i, b in enumerate(boxes)))


def templates_from_json(data: bytes, name: str) -> Templates:
    """Parse a redaction template file; PolicyError naming the file and the problem."""
    import hashlib

    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PolicyError(f"{name}: not a redaction template (not valid JSON).") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise PolicyError(f'{name}: not a redaction template ("format" must be "{FORMAT}").')
    if raw.get("version") != VERSION:
        raise PolicyError(f"{name}: redaction template version {raw.get('version')!r} is not "
                          f"one this version reads ({VERSION}).")
    items = raw.get("templates")
    if not isinstance(items, list) or not items:
        raise PolicyError(f"{name}: a redaction template file needs a list of templates.")
    digest = hashlib.sha256(data).hexdigest()
    return Templates(tuple(_template(t, i, name) for i, t in enumerate(items)),
                     (f"{name} (sha256 {digest})",))
