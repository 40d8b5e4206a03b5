"""A file's header read by slices: its bytes up to the pixel data, without the pixels.

Opening a folder lists each file's summary, which needs only the elements before the pixel
data. In the browser the worker reads each file through its ``File`` handle, and reading a
512 KB CT slice whole to summarise its first few KB cost more than parsing it (3 ms of its
10 ms, measured). :func:`header_bytes` takes a first slice (the tab reads 64 KB: a CT or
MR header is a few KB, one with vendor sequences some tens of KB), reads longer ones while the
header does not fit, and the bytes after the pixel value if there are any (padding,
signatures). pydicom parses the header as it would parse the whole file (it stops before the
pixel value either way), and the structural walk (:mod:`dicomtab.structure`) that found the
pixel element goes on over it and over the bytes after it: a native pixel value is never
looked into, only its declared length is checked against the file's size. So the summary,
the notes and every refusal are the ones reading the whole file gives; the file itself is
read when its pixels are needed. A file of any size opens this way.

Anything else returns None and the caller reads the whole file, as before: no preamble, a
deflated or unknown transfer syntax, encapsulated pixel data (its fragments are walked),
damage before the pixels, a header longer than :data:`MAX_SLICE` or more than
:data:`MAX_TAIL` bytes after the pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dicomtab.reading import ENCODINGS, MAGIC
from dicomtab.structure import (
    UNDEFINED_LENGTH,
    PixelsReached,
    StructureReport,
    TopElements,
    Walker,
    WalkStopped,
    meta_end,
)

#: Headers longer than this are read with the whole file.
MAX_SLICE = 4 * 1024 * 1024
#: Elements after the pixel data (padding, signatures) up to this many bytes are read.
MAX_TAIL = 1024 * 1024

_PREAMBLE = 128
#: Read past an element the slice cut off: the elements after it, up to the pixel data.
_MARGIN = 16 * 1024


@dataclass(frozen=True)
class _More:
    """The slice ends before the pixel element's header; ``needed``: the bytes (from the
    start) an element cut off by it needs, when known."""

    needed: int | None = None

#: ``read(start, end)``: the file's bytes ``[start, end)``.
Reader = Callable[[int, int], bytes]


@dataclass(frozen=True)
class FileHead:
    """What :func:`header_bytes` read: the file itself (``complete``), or its bytes up to its
    pixel value with the structural walk of the whole file done (``report``: what
    ``check_structure`` gives for the file's data set)."""

    data: bytes
    complete: bool
    report: StructureReport | None = None
    #: Where the walk found the header's top-level elements (with ``report``).
    top: TopElements | None = None


def header_bytes(first: bytes, size: int, read: Reader) -> FileHead | None:
    """The file's header (see the module's doc) from its ``first`` bytes, reading more
    through ``read``, or the file itself if all of it was read (a small file, or one without
    pixel data); None to read the file whole.

    ``size`` is the file's size in bytes. A ``read`` that returns fewer bytes than asked
    (the file changed since it was picked) gives None.
    """
    head = first
    while len(head) < size:
        found = _pixels(head)
        if found is None:
            return None
        if isinstance(found, _More):
            if len(head) >= MAX_SLICE:
                return None
            # At least twice as much, or what the element cut off needs and a little more.
            wanted = max(2 * len(head), (found.needed or 0) + _MARGIN)
            more = read(len(head), min(size, wanted, MAX_SLICE))
            if not more:
                return None
            head += more
            continue
        walker, reached = found
        value_end = reached.value_start + reached.length
        if reached.length == UNDEFINED_LENGTH or value_end > size:
            return None
        if size - value_end > MAX_TAIL:
            return None
        tail = read(value_end, size) if value_end < size else b""
        if len(tail) != size - value_end:
            return None
        return FileHead(head[:reached.value_start], False, _walk_on(walker, reached, head, tail),
                        walker.top)
    return FileHead(head, True)


def _walk_on(walker: Walker, reached: PixelsReached, head: bytes, tail: bytes) -> StructureReport:
    """Go on with the walk stopped at the pixel element: over that element, whose value is
    not read (a native value is never looked into: its length is all the walk checks), then
    over the elements after it. The report is the whole file's walk's."""
    walker.stop_at_pixels = False
    header = reached.value_start - reached.start
    try:
        walker.buf, walker.base = head[reached.start:reached.value_start], reached.start
        walker.dataset(0, header + reached.length, 0, until_delimiter=False,
                       previous=_moved(reached.previous, reached.start))
        if tail:
            value_end = reached.value_start + reached.length
            walker.buf, walker.base = tail, value_end
            walker.dataset(0, len(tail), 0, until_delimiter=False,
                           previous=(reached.tag, reached.start - value_end))
    except WalkStopped as stop:
        return StructureReport(stop.problem, walker.has_pixel_data, doubts=tuple(walker.doubts),
                               has_un=walker.has_un)
    return StructureReport(None, walker.has_pixel_data, walker.pixel_span, tuple(walker.doubts),
                           walker.has_un)


def _moved(previous: tuple[int, int] | None, base: int) -> tuple[int, int] | None:
    """``previous`` (tag, offset) with its offset relative to ``base``."""
    return None if previous is None else (previous[0], previous[1] - base)


def _pixels(head: bytes) -> tuple[Walker, PixelsReached] | _More | None:
    """The walk of ``head``'s data set stopped at the top-level pixel element; _More if
    ``head`` ends before that element's header; None if the file must be read whole."""
    if len(head) < _PREAMBLE + 4:
        return _More()
    if head[_PREAMBLE:_PREAMBLE + 4] != MAGIC:
        return None
    dataset_offset, syntax, problem = meta_end(head, _PREAMBLE + 4)
    if problem is not None:
        return _More() if problem.kind == "truncated" else None
    if dataset_offset + 8 > len(head):
        return _More()
    if syntax not in ENCODINGS:
        return None
    implicit, little, deflated = ENCODINGS[syntax]
    if deflated:
        return None
    walker = Walker(head, implicit=implicit, little=little, stop_at_pixels=True,
                    top=TopElements())
    try:
        walker.dataset(dataset_offset, len(head), 0, until_delimiter=False)
    except PixelsReached as reached:
        return walker, reached
    except WalkStopped as stop:
        return _More(stop.needed) if stop.problem.kind == "truncated" else None
    return _More()  # every element so far ends inside the slice: the pixels come later
