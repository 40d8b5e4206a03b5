"""Where each element's value lies in the bytes of a file, to name what a byte offset is in.

``verify`` searches whole files for original values; a hit is only useful with a place a person
can look at. This walk records, for every element (inside sequences too), the byte range of its
value and its path in the form the rest of ``verify`` uses (``Keyword``, ``(gggg,eeee)``,
``Seq[0].Keyword``, ``FileMeta.Keyword``). It is :mod:`dicomtab.structure`'s walk, which
reads element headers only and never decodes a value, told not to judge: the file was
already read, and where the walk cannot go on it simply stops, leaving the rest of the file
unnamed.
"""

from __future__ import annotations

import struct
import zlib
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache

from pydicom.datadict import keyword_for_tag

from dicomtab.structure import Walker, WalkHooks, WalkStopped, meta_end

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


@lru_cache(maxsize=4096)
def _name(tag: int) -> str:
    return keyword_for_tag(tag) or f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


class _SpanHooks(WalkHooks):
    """Records each element's value span and its path as the walk passes it."""

    def __init__(self, spans: list[Span], prefix: str) -> None:
        self.spans = spans
        self.prefix = prefix

    def element(self, walker: Walker, tag: int, start: int, value_start: int, after: int
                ) -> None:
        where = walker.where
        items = "".join(f"{_name(where[i])}[{where[i + 1]}]." for i in range(0, len(where), 2))
        self.spans.append(Span(value_start, after, self.prefix + items + _name(tag)))


def _walk(buf: bytes, spans: list[Span], start: int, end: int, prefix: str, *, implicit: bool,
          little: bool) -> None:
    """Record the spans of the data set in ``buf[start:end]``, as far as the walk goes."""
    walker = Walker(buf, implicit=implicit, little=little, strict=False,
                    hooks=_SpanHooks(spans, prefix))
    with suppress(WalkStopped, struct.error):
        walker.dataset(start, end, 0, until_delimiter=False)


def regions(data: bytes, *, implicit: bool, little: bool, deflated: bool) -> list[Region]:
    """The regions of a file: its bytes with every element value's span, in file order.

    ``implicit``/``little``/``deflated`` describe the data set's transfer syntax, as read.
    """
    has_preamble = data[PREAMBLE : PREAMBLE + 4] == b"DICM"
    region = Region(data, "file", has_preamble=has_preamble)
    start = PREAMBLE + 4 if has_preamble else 0
    dataset_start, _, _ = meta_end(data, start)
    _walk(data, region.spans, start, dataset_start, "FileMeta.", implicit=False, little=True)
    if not deflated:
        _walk(data, region.spans, dataset_start, len(data), "", implicit=implicit, little=little)
        return [region]
    try:
        inflated = zlib.decompress(data[dataset_start:], -zlib.MAX_WBITS)
    except zlib.error:
        return [region]
    inner = Region(inflated, "inflated data set")
    _walk(inflated, inner.spans, 0, len(inflated), "", implicit=False, little=True)
    return [region, inner]
