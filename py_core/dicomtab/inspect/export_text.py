"""Plain-text views: a dump in DCMTK ``dcmdump``'s layout, and the flat view as CSV.

The dump follows dcmdump's default output::

    (0010,0010) PN [Doe^John]                               #   8, 1 PatientName

indent two spaces a nesting level; value padded to 40 characters; ``#``, the length (``u/l``
when undefined), the VM and the keyword. Sequences, items and delimiters are written the way
dcmdump writes them (``(Sequence with explicit length #=2)``, ``(fffe,e000) na (Item with
undefined length #=3)``, ``(ItemDelimitationItem for re-encoding)``, …), encapsulated pixel
data as ``(PixelSequence #=N)`` with ``pi`` items. Deviations, on purpose:

* UIDs are always printed as numbers in brackets (dcmdump prints ``=CTImageStorage`` for
  UIDs it knows; pydicom's names differ from DCMTK's);
* the "Used TransferSyntax" line gives pydicom's name for the syntax;
* known private tags are named by pydicom's private dictionary (description without spaces),
  unknown ones ``PrivateTag``, creators ``PrivateCreator``, as dcmdump does;
* control characters in values (ESC, CR, LF, …) are printed as ``\\xNN`` so that a value
  cannot move the cursor or change the terminal; long values are cut at 70 characters with
  ``...`` like dcmdump's default (``+L`` has no equivalent; use the JSON or CSV export);
* item lengths of items read from a file are recomputed from their elements;
* a damaged file ends with a ``# dicomtab:`` comment saying where parsing stopped.

The CSV has one row per element (path, tag, keyword, name, VR, VM, length, value, PHI
category, action), full values. Cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR
that are not plain numbers get a leading ``'`` so a spreadsheet does not run them as
formulas (values come from untrusted files).
"""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Iterable

from pydicom.uid import UID

from dicomtab.inspect.classify import Phi
from dicomtab.inspect.nodes import Element, Item, walk
from dicomtab.inspect.partial import Inspected
from dicomtab.inspect.tree import hex_preview, phi_of

#: dcmdump's value column width and the length at which it shortens values.
VALUE_WIDTH = 40
LINE_LIMIT = 70

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_STRING_VRS = frozenset(
    {
        "AE",
        "AS",
        "CS",
        "DA",
        "DS",
        "DT",
        "IS",
        "LO",
        "LT",
        "PN",
        "SH",
        "ST",
        "TM",
        "UC",
        "UI",
        "UR",
        "UT",
    }
)
#: struct format and hex width per value of the binary VRs dcmdump prints as numbers.
_WORD_FORMATS = {"OW": ("H", 4), "OL": ("I", 8), "OV": ("Q", 16)}
_FLOAT_FORMATS = {"OF": "f", "OD": "d"}


def _escape(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _dump_tag(tag: int) -> str:
    return f"({tag >> 16:04x},{tag & 0xFFFF:04x})"


def _shorten(text: str) -> str:
    if len(text) > LINE_LIMIT:
        return text[: LINE_LIMIT - 3] + "..."
    return text


def _line(depth: int, tag: str, vr: str, value: str, length: int | None, vm: int, name: str) -> str:
    start = "  " * depth + f"{tag} {vr} "
    length_text = "u/l" if length is None else f"{length:>3}"
    return f"{start}{value.ljust(VALUE_WIDTH)} # {length_text},{vm:>2} {name}"


def _binary_text(element: Element, data: bytes | memoryview, little: bool) -> str:
    """dcmdump's rendering of a binary value, enough of it to fill the line."""
    order = "<" if little else ">"
    # Enough bytes for LINE_LIMIT characters whatever the VR (at least one char per byte).
    head = bytes(data[: LINE_LIMIT + 16])
    more = len(data) > len(head)
    if element.vr in _WORD_FORMATS:
        code, width = _WORD_FORMATS[element.vr]
        size = struct.calcsize(code)
        count = len(head) // size
        words = struct.unpack(f"{order}{count}{code}", head[: count * size])
        text = "\\".join(f"{w:0{width}x}" for w in words)
        more = more or len(head) % size != 0
    elif element.vr in _FLOAT_FORMATS:
        code = _FLOAT_FORMATS[element.vr]
        size = struct.calcsize(code)
        count = len(head) // size
        floats = struct.unpack(f"{order}{count}{code}", head[: count * size])
        text = "\\".join(f"{f:g}" for f in floats)
    else:
        text = "\\".join(f"{b:02x}" for b in head)
    if more:
        text += "..."
    return _shorten(text)


def _value_text(element: Element, little: bool) -> str:
    if element.data is not None:
        if not element.size:
            return "(no value available)"
        return _binary_text(element, element.data, little)
    if not element.values:
        return "(no value available)"
    text = _escape(element.text())
    if element.vr in _STRING_VRS:
        return _shorten(f"[{text}]")
    return _shorten(text)


def _label(element: Element) -> str:
    if element.keyword:
        return element.keyword
    if element.is_private_creator:
        return "PrivateCreator"
    if element.is_private and element.name not in ("Private tag data", "Private Group Length"):
        return re.sub(r"[^0-9A-Za-z]", "", element.name) or "PrivateTag"
    return "PrivateTag" if element.is_private else "UnknownTagAndData"


def _element_lines(element: Element, little: bool, keep: set[str] | None) -> Iterable[str]:
    depth = element.depth  # items count as a level, as in dcmdump
    tag = _dump_tag(element.tag)
    if element.items is not None:
        items = [i for i in element.items if keep is None or i.path in keep]
        kind = "undefined" if element.length is None else "explicit"
        yield _line(
            depth,
            tag,
            "SQ",
            f"(Sequence with {kind} length #={len(items)})",
            element.length,
            1,
            _label(element),
        )
        for item in items:
            yield from _item_lines(item, little, keep)
        closing = (
            "(SequenceDelimitationItem)"
            if element.length is None
            else ("(SequenceDelimitationItem for re-encod.)")
        )
        yield _line(depth, "(fffe,e0dd)", "na", closing, 0, 0, "SequenceDelimitationItem")
        return
    if element.fragments is not None and element.data is not None:
        yield from _pixel_sequence(element, depth, little)
        return
    yield _line(
        depth,
        tag,
        element.vr,
        _value_text(element, little),
        element.length,
        element.vm,
        _label(element),
    )


def _item_lines(item: Item, little: bool, keep: set[str] | None) -> Iterable[str]:
    depth = item.depth
    elements = [e for e in item.elements if keep is None or e.path in keep]
    kind = "undefined" if item.undefined_length else "explicit"
    yield _line(
        depth,
        "(fffe,e000)",
        "na",
        f"(Item with {kind} length #={len(elements)})",
        item.length,
        1,
        "Item",
    )
    for element in elements:
        yield from _element_lines(element, little, keep)
    closing = (
        "(ItemDelimitationItem)"
        if item.undefined_length
        else ("(ItemDelimitationItem for re-encoding)")
    )
    yield _line(depth, "(fffe,e00d)", "na", closing, 0, 0, "ItemDelimitationItem")


def _pixel_sequence(element: Element, depth: int, little: bool) -> Iterable[str]:
    assert element.data is not None and element.fragments is not None
    yield _line(
        depth,
        _dump_tag(element.tag),
        element.vr,
        f"(PixelSequence #={len(element.fragments)})",
        None,
        1,
        _label(element),
    )
    pos = 0
    for length in element.fragments:
        fragment = element.data[pos + 8 : pos + 8 + length]
        value = _binary_text(element, fragment, little) if length else "(no value available)"
        yield _line(depth + 1, "(fffe,e000)", "pi", value, length, 1, "Item")
        pos += 8 + length
    yield _line(
        depth, "(fffe,e0dd)", "na", "(SequenceDelimitationItem)", 0, 0, "SequenceDelimitationItem"
    )


def _syntax_name(inspected: Inspected) -> str:
    if inspected.transfer_syntax:
        uid = UID(inspected.transfer_syntax)
        return uid.name if uid.name != str(uid) else f"{uid} (unknown)"
    if inspected.implicit:
        return "Implicit VR Little Endian (assumed)"
    return f"Explicit VR {'Little' if inspected.little else 'Big'} Endian (assumed)"


def dump(inspected: Inspected, *, keep: set[str] | None = None) -> str:
    """The instance in dcmdump's layout; ``keep`` limits it to these paths (phi-only)."""
    lines: list[str] = []
    if inspected.meta:
        lines += [
            "",
            "# Dicom-File-Format",
            "",
            "# Dicom-Meta-Information-Header",
            "# Used TransferSyntax: Little Endian Explicit",
        ]
        for element in inspected.meta:
            if keep is None or element.path in keep:
                lines.extend(_element_lines(element, True, keep))
    lines += ["", "# Dicom-Data-Set", f"# Used TransferSyntax: {_syntax_name(inspected)}"]
    for element in inspected.elements:
        if keep is None or element.path in keep:
            lines.extend(_element_lines(element, inspected.little, keep))
    if inspected.problem is not None:
        lines.append(f"# dicomtab: {_escape(inspected.problem.message)}")
    return "\n".join(lines) + "\n"


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(text):
        return "'" + text
    return text


CSV_COLUMNS = (
    "path",
    "tag",
    "keyword",
    "name",
    "vr",
    "vm",
    "length",
    "value",
    "phi_category",
    "action",
)


def _csv_value(element: Element) -> str:
    if element.items is not None:
        return f"{len(element.items)} item(s)"
    if element.data is not None:
        more = " ..." if element.size > 32 else ""
        return f"{element.size} bytes: {hex_preview(element.data)}{more}"
    return element.text()


def to_csv(inspected: Inspected, *, keep: set[str] | None = None) -> str:
    """The flat view: one CSV row per element, nested ones included (see their path)."""
    phi: dict[str, Phi] = phi_of(inspected)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for element in walk(inspected.all_elements):
        if keep is not None and element.path not in keep:
            continue
        item = phi[element.path]
        length = "u/l" if element.length is None else str(element.length)
        writer.writerow(
            [
                element.path,
                element.tag_text,
                element.keyword,
                csv_cell(element.name),
                element.vr,
                element.vm,
                length,
                csv_cell(_csv_value(element)),
                item.category,
                item.action,
            ]
        )
    return out.getvalue()
