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

Known device layouts (``dicomtab/data/pixel_layouts.json``, generated from pydicom/deid's
recipe by ``build/standard/gen_pixel_layouts.py``) are templates too, with deid's conditions
instead of exact matches (``when``: every line must hold; a line's conditions are joined by
"or"/"and" from left to right; ``contains`` is a regular expression search and ``equals`` an
equality, both ignoring case and surrounding spaces; ``missing``, ``empty``). Their boxes
were written for typical image sizes, so they are clipped to the image rather than refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pydicom.datadict import tag_for_keyword
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
class Term:
    """One condition of a device layout: ``op`` (contains, equals, missing, empty) on
    ``field``; ``join`` ("and"/"or") ties it to the condition before it on its line."""

    op: str
    field: str
    value: str = ""
    join: str = "and"


@dataclass(frozen=True)
class Template:
    """Boxes for the instances whose header matches."""

    name: str
    match: tuple[tuple[str, str], ...]
    boxes: tuple[Box, ...]
    #: deid-style condition lines (device layouts); all must hold.
    when: tuple[tuple[Term, ...], ...] = ()
    #: Clip boxes to the image instead of refusing those that do not fit (device layouts).
    clip: bool = False

    def matches(self, ds: Dataset) -> bool:
        return all(_header_value(ds, keyword) == wanted for keyword, wanted in self.match) \
            and all(_line_holds(ds, line) for line in self.when)


@dataclass(frozen=True)
class Templates:
    """Every template of one or more files, in order; what an instance gets is their union."""

    templates: tuple[Template, ...] = ()
    #: Where they came from, for the release record (file names and sha256; no values).
    sources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.templates)

    def for_instance(self, ds: Dataset) -> list[tuple[Template, Box]]:
        """(template, box) of every template matching the original ``ds``."""
        return [(t, box) for t in self.templates if t.matches(ds) for box in t.boxes]

    def __add__(self, other: Templates) -> Templates:
        return Templates(self.templates + other.templates, self.sources + other.sources)


def _header_value(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None:
        return ""
    return "\\".join(str(v).strip() for v in values_of(value))


@lru_cache(maxsize=512)
def _pattern(expression: str) -> re.Pattern[str] | None:
    try:
        return re.compile(expression.lower().strip())
    except re.error:
        return None


def _term_holds(ds: Dataset, term: Term) -> bool:
    """One deid condition on the header (a field that is no keyword is never there)."""
    present = tag_for_keyword(term.field) is not None and term.field in ds
    if term.op == "missing":
        return not present
    if not present:
        return False
    text = _header_value(ds, term.field).lower()
    if term.op == "empty":
        return text == ""
    if term.op == "equals":
        return text == term.value.lower().strip()
    pattern = _pattern(term.value)  # contains
    return pattern is not None and pattern.search(text) is not None


def _line_holds(ds: Dataset, line: tuple[Term, ...]) -> bool:
    """Conditions joined from left to right, as deid evaluates them."""
    held = False
    for index, term in enumerate(line):
        value = _term_holds(ds, term)
        held = value if index == 0 else (held or value) if term.join == "or" else (held and value)
    return held


@lru_cache(maxsize=1)
def device_layouts() -> Templates:
    """The known device layouts shipped with the tool (see the module docstring)."""
    text = resources.files("dicomtab").joinpath("data", "pixel_layouts.json").read_text(
        encoding="utf-8")
    data = json.loads(text)
    header = data["header"]
    templates = tuple(
        Template(
            name=f"{layout['name']} {layout['source']}".strip(),
            match=(),
            boxes=tuple(Box(b["x"], b["y"], b["width"], b["height"]) for b in layout["boxes"]),
            when=tuple(tuple(Term(t["op"], t["field"], t.get("value", ""), t.get("join", "and"))
                             for t in line) for line in layout["when"]),
            clip=True,
        )
        for layout in data["layouts"]
    )
    source = (f"built-in device layouts: {header['package']} {header['member']} "
              f"(sha256 {header['member_sha256']})")
    return Templates(templates, (source,))


def clipped(box: Box, rows: int, columns: int) -> Box | None:
    """``box`` cut to a rows x columns image; None when nothing of it is inside."""
    width, height = min(box.width, columns - box.x), min(box.height, rows - box.y)
    if width < 1 or height < 1:
        return None
    return Box(box.x, box.y, width, height, box.frames)


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


def check_boxes(boxes: list[Box], rows: int, columns: int, frames: int, name: str) -> None:
    """PolicyError naming the file when a box lies outside the image or names no frame of it
    (a template made for another geometry, most often)."""
    for box in boxes:
        if box.x + box.width > columns or box.y + box.height > rows:
            raise PolicyError(
                f"{name}: a box ({box.x},{box.y} {box.width}x{box.height}) lies outside the "
                f"{columns}x{rows} image; was the template made for another geometry?")
        if box.frames is not None and max(box.frames) > frames:
            raise PolicyError(f"{name}: a box names frame {max(box.frames)}, but the image "
                              f"has {frames}.")


#: What a template drawn in the viewer matches on, by the scope the user chose.
SCOPES: dict[str, tuple[str, ...]] = {
    "instance": ("SOPInstanceUID",),
    "series": ("SeriesInstanceUID",),
    "device": ("Manufacturer", "ManufacturerModelName", "Rows", "Columns"),
}
_SCOPE_WORDS = {"instance": "this instance", "series": "this series",
                "device": "every image of this device and size"}


def template_for(ds: Dataset, boxes: list[Any], scope: str, name: str) -> dict[str, Any]:
    """A redaction template file (as data) with ``boxes`` for the instances ``scope`` names
    around ``ds``: the instance, its series, or every image of its device and size. Boxes
    are checked as a template file's are, and against the image. Its match holds the
    original's UIDs for "instance" and "series": such a file stays with the originals."""
    if scope not in SCOPES:
        raise PolicyError(f"{name}: a template applies to {', '.join(SCOPES)}, not {scope!r}.")
    parsed = [_box(b, f"box {i + 1}", name) for i, b in enumerate(boxes)]
    if not parsed:
        raise PolicyError(f"{name}: draw at least one box first.")
    try:
        rows, columns = int(ds.Rows), int(ds.Columns)
        frames = int(ds.get("NumberOfFrames") or 1)
    except (AttributeError, TypeError, ValueError):
        raise PolicyError(f"{name}: this object has no image to draw boxes on.") from None
    check_boxes(parsed, rows, columns, frames, name)
    match: dict[str, Any] = {}
    for keyword in SCOPES[scope]:
        match[keyword] = int(ds.get(keyword)) if keyword in _NUMBERS else \
            _header_value(ds, keyword)
    return {"format": FORMAT, "version": VERSION, "templates": [{
        "name": f"boxes drawn in the viewer ({_SCOPE_WORDS[scope]})",
        "match": match, "boxes": [b.to_dict() for b in parsed]}]}
