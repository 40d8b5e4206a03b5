"""De-identifying a damaged file, when the user allows it: what could be read, minus what
the damage may have moved, with every identifying value of the whole file still hunted.

A damaged file is refused by default (:mod:`dicomtab.deid.batch`). With damaged files
allowed, three kinds are processed:

* a file whose reading stopped early (a length running past the end, a malformed header):
  the elements before the damage, read as the inspector reads them;
* an image whose pixel data is missing (cut between two elements): what was read;
* a file with doubted elements (a VR its tag does not allow, a fixed-format value longer
  than its VR allows, control bytes in text): every doubted element is removed, since its
  value may belong to another element.

In all three the scrubber's hunt list (and verification's) also gets the identifying values
found anywhere in the file's bytes (:func:`harvest`): a patient's name whose own element was
cut, swapped or swallowed is still searched for in the text that is kept.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import lru_cache

from pydicom.datadict import DicomDictionary, keyword_for_tag
from pydicom.dataset import Dataset

from dicomtab.deid.freetext import IDENTIFIER_KEYWORDS, MIN_LENGTH, identifier_strings
from dicomtab.reading import ENCODINGS, MAGIC, PREAMBLE_LENGTH
from dicomtab.structure import (
    KNOWN_VRS,
    LONG_VRS,
    MAX_DEPTH,
    STRING_VRS,
    StructureProblem,
    has_control_bytes,
    inflate,
    inflate_limit,
    meta_end,
)

#: A harvested value is read up to this many bytes: identifiers are short, and a damaged
#: length may claim the rest of the file.
MAX_HARVESTED = 1024
_CONTROL_RUNS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]+")


@dataclass(frozen=True)
class Damage:
    """How a damaged file is de-identified: what is dropped and what is hunted besides."""

    #: The first problem, as a value-free sentence (for the outcome and the record).
    reason: str
    #: Doubted elements (paths as in StructureProblem.path): removed from the output.
    paths: frozenset[tuple[int, ...]]
    #: Identifying values found anywhere in the file's bytes, as (tag, VR, value); tag 0
    #: for the text of a doubted element (whose owner is unknown).
    identifiers: tuple[tuple[int, str, str], ...]

    def values(self) -> list[str]:
        """Every identifying value, whoever owns it."""
        return list(dict.fromkeys(value for _tag, _vr, value in self.identifiers))


@lru_cache(maxsize=1)
def _identifying_tags() -> dict[bytes, tuple[int, str, bool]]:
    """The tag bytes of every identifying attribute (every PN, and the free-text rules'
    identifier keywords), in both byte orders -> (tag, VR, little endian)."""
    out: dict[bytes, tuple[int, str, bool]] = {}
    for tag, entry in DicomDictionary.items():
        vr = entry[0]
        if vr != "PN" and keyword_for_tag(tag) not in IDENTIFIER_KEYWORDS:
            continue
        group, element = tag >> 16, tag & 0xFFFF
        out[struct.pack("<HH", group, element)] = (tag, vr, True)
        out[struct.pack(">HH", group, element)] = (tag, vr, False)
    return out


@lru_cache(maxsize=1)
def _tag_pattern() -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(key) for key in _identifying_tags()))


def _value_at(data: bytes, pos: int, little: bool) -> bytes:
    """The (clipped) value of the element whose header starts at ``pos``, read as explicit
    VR when a known VR follows the tag, else as implicit VR."""
    u16, u32 = ("<H", "<I") if little else (">H", ">I")
    vr = data[pos + 4: pos + 6]
    if vr in KNOWN_VRS and vr in LONG_VRS and len(data) >= pos + 12:
        start, length = pos + 12, struct.unpack_from(u32, data, pos + 8)[0]
    elif vr in KNOWN_VRS and len(data) >= pos + 8:
        start, length = pos + 8, struct.unpack_from(u16, data, pos + 6)[0]
    elif len(data) >= pos + 8:
        start, length = pos + 8, struct.unpack_from(u32, data, pos + 4)[0]
    else:
        return b""
    return data[start: start + min(length, MAX_HARVESTED)]


def _plausible(data: bytes, pos: int, vr: str, little: bool) -> bytes | None:
    """The value at ``pos`` if the bytes there look like a header of an identifying element:
    the tag followed by a text VR, its own or not (damage may have changed it; explicit VR)
    or by a length that fits (implicit VR), and a value that is text. Four tag bytes alone
    occur by chance in pixel data."""
    written = data[pos + 4: pos + 6]
    explicit = written in KNOWN_VRS
    if explicit and written not in STRING_VRS and written != b"UN":
        return None
    if not explicit:
        length = struct.unpack_from("<I" if little else ">I", data, pos + 4)[0] \
            if len(data) >= pos + 8 else None
        if length is None or length > MAX_HARVESTED or length > len(data) - pos - 8:
            return None
    value = _value_at(data, pos, little)
    return value if value and not has_control_bytes(value) else None


def _strings(vr: str, value: bytes) -> list[str]:
    """The identifier strings in a raw value: its text runs, decoded, split as the scrubber
    splits the value of an element of ``vr``."""
    out: list[str] = []
    for run in _CONTROL_RUNS.split(value):
        run = run.strip(b" ")
        if len(run) < MIN_LENGTH:
            continue
        try:
            text = run.decode("utf-8")
        except UnicodeDecodeError:
            text = run.decode("latin-1")
        out.extend(s.strip() for s in identifier_strings(vr, text))
    return [s for s in out if len(s) >= MIN_LENGTH and any(c.isalnum() for c in s)]


def _body(data: bytes) -> bytes:
    """The bytes to search: the file, or its inflated data set when it is deflated, with
    offsets as the structural walk gave them."""
    if data[PREAMBLE_LENGTH: PREAMBLE_LENGTH + 4] != MAGIC and data[:4] == MAGIC:
        data = bytes(PREAMBLE_LENGTH) + data  # as reading.open_dataset restores it
    start = PREAMBLE_LENGTH + 4 if data[PREAMBLE_LENGTH: PREAMBLE_LENGTH + 4] == MAGIC else 0
    offset, syntax, _problem = meta_end(data, start)
    if syntax in ENCODINGS and ENCODINGS[syntax][2]:
        inflated = inflate(data[offset:], limit=inflate_limit(len(data)))
        if isinstance(inflated, bytes):
            return data[:offset] + inflated
    return data


def harvest(body: bytes) -> list[tuple[int, str, str]]:
    """Identifying values found anywhere in ``body`` (see :func:`_body`): the value after
    every header of an identifying tag, in either byte order and either VR encoding (a chance
    match in pixel data adds a few harmless strings to the hunt list)."""
    tags = _identifying_tags()
    found: dict[tuple[int, str, str], None] = {}
    for match in _tag_pattern().finditer(body):
        tag, vr, little = tags[match.group()]
        value = _plausible(body, match.start(), vr, little)
        for s in _strings(vr, value) if value else ():
            found.setdefault((tag, vr, s))
    return list(found)


def doubted_values(body: bytes, doubts: tuple[StructureProblem, ...],
                   little: bool) -> list[tuple[int, str, str]]:
    """The text of every doubted element's value (it may be another element's value)."""
    out: list[tuple[int, str, str]] = []
    for doubt in doubts:
        if doubt.offset < len(body):
            out.extend((0, "LO", s) for s in _strings("LO", _value_at(body, doubt.offset, little)))
    return out


def damage_of(data: bytes, dataset: Dataset, reason: str,
              doubts: tuple[StructureProblem, ...] = ()) -> Damage:
    """The Damage for ``data`` read as ``dataset`` despite ``reason`` (value-free)."""
    body = _body(data)
    little = dataset.original_encoding[1] is not False
    values = dict.fromkeys(harvest(body) + doubted_values(body, doubts, little))
    return Damage(reason, frozenset(d.path for d in doubts if d.path), tuple(values))


def drop_unreadable(ds: Dataset, depth: int = 0) -> int:
    """Convert every element of a leniently read data set, removing those pydicom cannot
    convert (a damaged value, an ambiguous VR whose deciding element was lost) and sequences
    nested past MAX_DEPTH; the number removed. The rest can then be de-identified like any
    sound data set."""
    dropped = 0
    for tag in list(ds.keys()):
        try:
            elem = ds[tag]
            if elem.VR == "SQ":
                if depth >= MAX_DEPTH:
                    raise RecursionError  # refused like the walk refuses it
                for item in elem.value or []:
                    dropped += drop_unreadable(item, depth + 1)
        except Exception:  # pydicom's conversion errors are many; the value is not kept
            del ds[tag]
            dropped += 1
    return dropped


def holds_control_bytes(value: object) -> bool:
    """Whether an element's value (raw bytes, text, several values) holds control bytes:
    in a damaged file, the sign of elements swallowed into it."""
    if isinstance(value, bytes | bytearray | memoryview):
        return has_control_bytes(bytes(value))
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return any(holds_control_bytes(v) for v in value)  # type: ignore[attr-defined]
    return has_control_bytes(str(value).encode("utf-8", "surrogateescape"))
