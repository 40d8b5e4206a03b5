"""Where each element's value lies in the bytes of a file, to name what a byte offset is in.

``verify`` searches whole files for original values; a hit is only useful with a place a person
can look at. This walk records, for every element (inside sequences too), the byte range of its
value and its path in the form the rest of ``verify`` uses (``Keyword``, ``(gggg,eeee)``,
``Seq[0].Keyword``, ``FileMeta.Keyword``). Like :mod:`dicomtab.structure` it reads element
headers only and never decodes a value; unlike it, it does not judge: the file was already
read, and where the walk cannot go on it simply stops, leaving the rest of the file unnamed.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from pydicom.datadict import dictionary_VR, keyword_for_tag

from dicomtab.structure import (
    ITEM,
    ITEM_DELIMITER,
    LONG_VRS,
    MAX_DEPTH,
    PIXEL_TAGS,
    SEQUENCE_DELIMITER,
    UNDEFINED_LENGTH,
    meta_end,
)

PREAMBLE = 128


@dataclass(frozen=True)
class Span:
    """The value bytes ``[start, end)`` of the element at ``path``."""

    start: int
    end: int
    path: str


@dataclass
class Region:
    """Bytes to search and the spans that name their offsets.

    A file has one region; a deflated one has two, the file and its inflated data set, whose
    offsets count from the start of the inflated bytes (``label`` says which is which).
    """

    data: bytes
    label: str
    spans: list[Span] = field(default_factory=list)
    has_preamble: bool = False

    def path_at(self, offset: int) -> str:
        """The innermost element whose value holds ``offset`` ("" if none does)."""
        best: Span | None = None
        for span in self.spans:
            if span.start <= offset < span.end and (
                best is None or span.end - span.start < best.end - best.start
            ):
                best = span
        if best is not None:
            return best.path
        if self.has_preamble and offset < PREAMBLE:
            return "(preamble)"
        return ""


class WalkStopped(Exception):
    """The walk cannot go on here; the spans found so far stand."""


def _name(tag: int) -> str:
    return keyword_for_tag(tag) or f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _is_sequence(tag: int) -> bool:
    try:
        return str(dictionary_VR(tag)) == "SQ"
    except KeyError:
        return False


class Walker:
    def __init__(self, buf: bytes, spans: list[Span], *, implicit: bool, little: bool) -> None:
        self.buf = buf
        self.spans = spans
        self.implicit = implicit
        self.u16 = struct.Struct("<H" if little else ">H").unpack_from
        self.u32 = struct.Struct("<I" if little else ">I").unpack_from

    def _tag(self, pos: int) -> int:
        return (self.u16(self.buf, pos)[0] << 16) | self.u16(self.buf, pos + 2)[0]

    def dataset(self, pos: int, end: int, prefix: str, depth: int, *, delimited: bool) -> int:
        if depth > MAX_DEPTH:
            raise WalkStopped
        while end - pos >= 8:
            tag = self._tag(pos)
            if delimited and tag == ITEM_DELIMITER:
                return pos + 8
            pos = self.element(pos, end, tag, prefix, depth)
        if delimited:
            raise WalkStopped
        return end

    def element(self, pos: int, end: int, tag: int, prefix: str, depth: int) -> int:
        vr = self.buf[pos + 4 : pos + 6]
        explicit = not self.implicit and vr.isalpha() and vr.isupper()
        if explicit and vr in LONG_VRS:
            if end - pos < 12:
                raise WalkStopped
            length, pos = self.u32(self.buf, pos + 8)[0], pos + 12
        elif explicit:
            length, pos = self.u16(self.buf, pos + 6)[0], pos + 8
        else:
            length, pos = self.u32(self.buf, pos + 4)[0], pos + 8
        path = prefix + _name(tag)
        if length == UNDEFINED_LENGTH:
            if tag in PIXEL_TAGS:
                stop = self.fragments(pos, end)
            else:
                walker = self
                if vr == b"UN" and not self.implicit:  # PS3.5 6.2.2: implicit LE inside
                    walker = Walker(self.buf, self.spans, implicit=True, little=True)
                stop = walker.items(pos, end, path, depth + 1, defined=False)
            self.spans.append(Span(pos, stop, path))
            return stop
        if length > end - pos:
            raise WalkStopped
        self.spans.append(Span(pos, pos + length, path))
        if (explicit and vr == b"SQ") or (not explicit and _is_sequence(tag)):
            self.items(pos, pos + length, path, depth + 1, defined=True)
        return pos + length

    def items(self, pos: int, end: int, path: str, depth: int, *, defined: bool) -> int:
        index = 0
        while not (defined and pos >= end):
            if end - pos < 8:
                raise WalkStopped
            tag, length = self._tag(pos), self.u32(self.buf, pos + 4)[0]
            if tag == SEQUENCE_DELIMITER:
                return pos + 8
            if tag != ITEM:
                raise WalkStopped
            prefix = f"{path}[{index}]."
            if length == UNDEFINED_LENGTH:
                pos = self.dataset(pos + 8, end, prefix, depth, delimited=True)
            else:
                if length > end - pos - 8:
                    raise WalkStopped
                self.dataset(pos + 8, pos + 8 + length, prefix, depth, delimited=False)
                pos += 8 + length
            index += 1
        return end

    def fragments(self, pos: int, end: int) -> int:
        while end - pos >= 8:
            tag, length = self._tag(pos), self.u32(self.buf, pos + 4)[0]
            if tag == SEQUENCE_DELIMITER:
                return pos + 8
            if tag != ITEM or length > end - pos - 8:
                raise WalkStopped
            pos += 8 + length
        raise WalkStopped


def _walk(walker: Walker, start: int, end: int, prefix: str) -> int:
    try:
        return walker.dataset(start, end, prefix, 0, delimited=False)
    except (WalkStopped, struct.error):
        return -1


def regions(data: bytes, *, implicit: bool, little: bool, deflated: bool) -> list[Region]:
    """The regions of a file: its bytes with every element value's span, in file order.

    ``implicit``/``little``/``deflated`` describe the data set's transfer syntax, as read.
    """
    has_preamble = data[PREAMBLE : PREAMBLE + 4] == b"DICM"
    region = Region(data, "file", has_preamble=has_preamble)
    start = PREAMBLE + 4 if has_preamble else 0
    dataset_start, _, _ = meta_end(data, start)
    meta = Walker(data, region.spans, implicit=False, little=True)
    _walk(meta, start, dataset_start, "FileMeta.")
    if not deflated:
        _walk(Walker(data, region.spans, implicit=implicit, little=little),
              dataset_start, len(data), "")
        return [region]
    try:
        inflated = zlib.decompress(data[dataset_start:], -zlib.MAX_WBITS)
    except zlib.error:
        return [region]
    inner = Region(inflated, "inflated data set")
    _walk(Walker(inflated, inner.spans, implicit=False, little=True), 0, len(inflated), "")
    return [region, inner]
