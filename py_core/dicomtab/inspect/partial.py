"""Opening a file for the inspector: sound files in full, damaged files as far as they go.

:func:`dicomtab.reading.open_dataset` refuses a truncated or malformed file, which is right
for de-identification and viewing. The inspector must still show such a file: it reads what
lies before the damaged element and says where parsing stopped (tag and byte offset), using
the same structural walk (:mod:`dicomtab.structure`) that found the damage.

Large binary values are never read into pydicom elements here (``defer_size``); the
inspector slices previews out of the file's bytes instead.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import DeflatedExplicitVRLittleEndian

from dicomtab.errors import MalformedFileError, TruncatedFileError
from dicomtab.inspect.nodes import Element, Item, build_elements, tag_text
from dicomtab.reading import ENCODINGS, MAGIC, PREAMBLE_LENGTH, open_dataset
from dicomtab.session import Instance

# The structural walker's element step finds where each top-level element starts, and its
# hooks which sequences and items are open at the damage.
from dicomtab.structure import (
    MAX_DOUBTS,
    StructureProblem,
    StructureReport,
    Walker,
    WalkHooks,
    WalkStopped,
    check_structure,
    meta_end,
)

#: Values longer than this are left in the file's bytes and sliced out on demand.
DEFER_SIZE = 16 * 1024


@dataclass(frozen=True)
class Problem:
    """Where parsing of a damaged file stopped, as a user sees it."""

    kind: str
    tag: int | None
    offset: int
    detail: str
    message: str
    #: Path of the partly read element (a sequence cut inside), if the tree shows it.
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "tag": tag_text(self.tag) if self.tag is not None else None,
            "offset": self.offset,
            "detail": self.detail,
            "message": self.message,
            "path": self.path,
        }


@dataclass(eq=False)
class Inspected:
    """One instance as the inspector sees it: the parsed data set and its element tree."""

    name: str
    #: The bytes the offsets refer to (the file, with a preamble restored if it lacked one).
    data: bytes
    dataset: Dataset
    meta: list[Element]
    elements: list[Element]
    implicit: bool
    little: bool
    transfer_syntax: str | None
    notes: list[str] = field(default_factory=list)
    problem: Problem | None = None
    #: Elements read that may not hold their own value (see StructureReport.doubts).
    doubts: tuple[StructureProblem, ...] = ()
    #: Per-instance caches filled by the modules that need them (classification, search).
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def all_elements(self) -> list[Element]:
        """File meta elements, then the data set's."""
        return self.meta + self.elements

    def find(self, path: str) -> Element | Item | None:
        """The element or item at ``path`` (see :mod:`dicomtab.inspect.nodes`), or None."""
        index = self.cache.get("paths")
        if index is None:
            index = self.cache["paths"] = _index(self.all_elements)
        return index.get(path.strip().upper())


def _index(elements: list[Element]) -> dict[str, Element | Item]:
    out: dict[str, Element | Item] = {}
    for element in elements:
        out[element.path.upper()] = element
        for item in element.items or ():
            out[item.path.upper()] = item
            out.update(_index(item.elements))
    return out


def _with_preamble(data: bytes) -> bytes:
    # Same rule as open_dataset: 'DICM' at byte 0 means the 128-byte preamble is missing.
    if data[PREAMBLE_LENGTH : PREAMBLE_LENGTH + 4] != MAGIC and data[:4] == MAGIC:
        return bytes(PREAMBLE_LENGTH) + data
    return data


def _read(buf: bytes, *, defer: bool) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(
            io.BytesIO(buf), force=True, defer_size=DEFER_SIZE if defer else None
        )


def load(data: bytes, name: str, checked: StructureReport | None = None) -> Inspected:
    """Open ``data`` for inspection; a damaged file gives a partial tree and a problem.

    ``checked``: the structural walk of ``data`` made when it was opened (see
    :attr:`dicomtab.reading.OpenedFile.report`), not made again.

    Raises:
        EmptyFileError, NotDicomError: nothing in the file can be shown.
    """
    try:
        opened = open_dataset(data, name, stop_before_pixels=True,
                              checked=None if checked is None else (checked, len(data)))
    except (TruncatedFileError, MalformedFileError):
        return _lenient(data, name)
    buf = _with_preamble(data)
    syntax = opened.dataset.file_meta.get("TransferSyntaxUID")
    # A deflated data set's value offsets refer to the inflated stream, not to ``buf``, so
    # its values cannot be sliced out of the file later: read them in full (deflated files
    # are rare, and pydicom inflates the whole data set anyway).
    defer = syntax != DeflatedExplicitVRLittleEndian
    try:
        ds = _read(buf, defer=defer)
    except Exception:  # sound by our checks but pydicom disagrees: show what it can read
        return _lenient(data, name)
    inspected = _inspected(name, buf, ds, list(opened.notes), None)
    _mark_doubts(inspected, opened.doubts)
    return inspected


def of_instance(instance: Instance) -> Inspected:
    """The inspector's parse of an open instance (held in its session's cache)."""
    return instance.parsed("inspected", lambda i: load(i.data, i.name, i.report))


def _mark_doubts(inspected: Inspected, doubts: tuple[StructureProblem, ...]) -> None:
    """Note on each doubted element why, and on the file that de-identification refuses it."""
    inspected.doubts = doubts
    if not doubts:
        return
    for doubt in doubts:
        found = inspected.find(doubt.path_text)
        if isinstance(found, Element) and found.note is None:
            found.note = f"damaged? {doubt.detail}"
    count = len(doubts)
    inspected.notes.append(
        f"{inspected.name}: {count}{'+' if count >= MAX_DOUBTS else ''} element"
        f"{'' if count == 1 else 's'} do{'es' if count == 1 else ''} not fit "
        f"{'its tag' if count == 1 else 'their tags'} (first: {doubts[0].describe()}); "
        "de-identification refuses this file unless damaged files are allowed.")


def _inspected(
    name: str, buf: bytes, ds: Dataset, notes: list[str], problem: Problem | None
) -> Inspected:
    implicit, little = ds.original_encoding
    implicit = bool(implicit)
    little = little is not False
    syntax = ds.file_meta.get("TransferSyntaxUID")
    meta = build_elements(ds.file_meta, buf, meta=True)
    elements = build_elements(ds, buf, implicit=implicit, little=little)
    return Inspected(
        name=name,
        data=buf,
        dataset=ds,
        meta=meta,
        elements=elements,
        implicit=implicit,
        little=little,
        transfer_syntax=str(syntax) if syntax else None,
        notes=notes,
        problem=problem,
    )


def _encoding(buf: bytes, offset: int, syntax: str | None) -> tuple[bool, bool, bool]:
    """(implicit, little endian, deflated) of the data set starting at ``offset``."""
    if syntax in ENCODINGS:
        return ENCODINGS[syntax]
    try:
        ds = _read(buf, defer=True)
        implicit, little = ds.original_encoding
        if implicit is not None and little is not None:
            return implicit, little, False
    except Exception:  # pydicom cannot say: guess from the first element header below
        pass
    vr = buf[offset + 4 : offset + 6]
    return not (vr.isalpha() and vr.isupper()), True, False


class _Nesting(WalkHooks):
    """Which sequences and items are open where the structural walk stops."""

    def __init__(self) -> None:
        #: (kind, undefined length) of each open level, outermost first; left as it was
        #: when a problem stopped the walk (no ``leave_*`` is called then).
        self.open: list[tuple[str, bool]] = []

    def enter_sequence(self, walker: Walker, tag: int, undefined: bool) -> None:
        self.open.append(("sequence", undefined))

    def leave_sequence(self, walker: Walker) -> None:
        self.open.pop()

    def enter_item(self, walker: Walker, tag: int, index: int, undefined: bool) -> None:
        self.open.append(("item", undefined))

    def leave_item(self, walker: Walker) -> None:
        self.open.pop()


@dataclass(frozen=True)
class _Cut:
    """Where the top-level element holding the damage starts, and how to close it early."""

    start: int
    #: Whole top-level elements before ``start``.
    before: int
    tag: int | None
    #: Delimiters that close the sequences and items open at the damage, or None when one of
    #: them has a defined length (it cannot be closed by a delimiter).
    closing: bytes | None


_ITEM_DELIMITER = b"\xfe\xff\x0d\xe0\x00\x00\x00\x00"
_SEQUENCE_DELIMITER = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"


def _find_cut(buf: bytes, offset: int, implicit: bool, little: bool, problem_offset: int) -> _Cut:
    """Locate the top-level element containing ``problem_offset`` (a structural walk)."""
    body = buf[offset:]
    nesting = _Nesting()
    walker = Walker(body, implicit=implicit, little=little, base=offset, hooks=nesting)
    pos = count = 0
    while len(body) - pos >= 8:
        tag = walker._tag(pos)
        nesting.open.clear()
        try:
            end = walker.element(pos, len(body), tag, 0)
        except WalkStopped:
            return _Cut(offset + pos, count, tag, _closing(nesting.open, little))
        if offset + end > problem_offset:
            return _Cut(offset + pos, count, tag, None)
        pos, count = end, count + 1
    return _Cut(offset + pos, count, None, None)


def _closing(levels: list[tuple[str, bool]], little: bool) -> bytes | None:
    if not levels or not little or not all(undefined for _kind, undefined in levels):
        return None
    return b"".join(
        _ITEM_DELIMITER if kind == "item" else _SEQUENCE_DELIMITER for kind, _ in reversed(levels)
    )


def readable_part(data: bytes, name: str) -> tuple[Dataset, Problem, tuple[StructureProblem, ...]]:
    """What can be read of a file open_dataset refuses as truncated or malformed: the
    elements before the damage, with every value loaded (nothing deferred), where reading
    stopped, and the elements before it that were doubted. De-identification uses it when
    damaged files are allowed."""
    inspected = _lenient(data, name, defer=False)
    assert inspected.problem is not None  # _lenient always names the problem
    return inspected.dataset, inspected.problem, inspected.doubts


def _lenient(data: bytes, name: str, *, defer: bool = True) -> Inspected:
    buf = _with_preamble(data)
    start = PREAMBLE_LENGTH + 4 if buf[PREAMBLE_LENGTH : PREAMBLE_LENGTH + 4] == MAGIC else 0
    dataset_offset, syntax, problem = meta_end(buf, start)
    in_meta = problem is not None
    implicit, little, deflated = _encoding(buf, dataset_offset, syntax)
    doubts: tuple[StructureProblem, ...] = ()
    if problem is None:
        report = check_structure(
            buf, dataset_offset, implicit=implicit, little=little, deflated=deflated
        )
        problem, doubts = report.problem, report.doubts
    if problem is None:
        # The structure is sound but pydicom could not parse the data set: only the file
        # meta group can be shown.
        problem = StructureProblem(
            "malformed", None, dataset_offset, "the data set could not be parsed"
        )
    inspected = _partial(buf, name, problem, dataset_offset, (implicit, little, deflated),
                         in_meta, defer)
    _mark_doubts(inspected, doubts)
    return inspected


def _partial(
    buf: bytes,
    name: str,
    problem: StructureProblem,
    dataset_offset: int,
    encoding: tuple[bool, bool, bool],
    in_meta: bool,
    defer: bool = True,
) -> Inspected:
    implicit, little, deflated = encoding
    notes = [f"{name} is damaged; only what precedes byte {problem.offset} is shown."]
    top_tag: int | None = None
    if in_meta or deflated:
        # Offsets inside a deflated data set are offsets into the inflated stream.
        ds = _read_prefix(buf[: min(problem.offset, dataset_offset)], defer=defer)
        if deflated:
            notes.append(f"{name} has a deflated data set; none of it can be shown.")
    else:
        cut = _find_cut(buf, dataset_offset, implicit, little, problem.offset)
        top_tag = cut.tag
        ds = _read_damaged(buf, problem.offset, cut, defer)
    inspected = _inspected(name, buf, ds, notes, None)
    damaged_path = None
    if not in_meta and top_tag is not None:
        last = inspected.elements[-1] if inspected.elements else None
        if last is not None and last.tag == top_tag:
            last.damaged = True
            damaged_path = last.path
    tag = problem.tag if problem.tag is not None else top_tag
    where = tag_text(tag) if tag is not None else "?"
    message = (
        f"{name} is {'truncated' if problem.kind == 'truncated' else 'damaged'}: "
        f"parsing stopped at element {where}, byte {problem.offset}: {problem.detail}."
    )
    inspected.problem = Problem(
        problem.kind, tag, problem.offset, problem.detail, message, damaged_path
    )
    return inspected


def _read_damaged(buf: bytes, problem_offset: int, cut: _Cut, defer: bool = True) -> Any:
    """The top-level elements before ``cut``, plus what can be read of the damaged one."""
    if cut.closing is not None and problem_offset > cut.start:
        # The damage is inside undefined-length sequences: close them with delimiters where
        # the damage starts, so that pydicom reads the items before it. Keep that reading
        # only if it agrees with the walk about what precedes the damaged element.
        deep = _read_prefix(buf[:problem_offset] + cut.closing, strict=True, defer=defer)
        tags = list(deep.keys()) if deep is not None else []
        if len(tags) == cut.before + 1 and int(tags[-1]) == cut.tag:
            return deep
    return _read_prefix(buf[: cut.start], defer=defer)


def _read_prefix(prefix: bytes, *, strict: bool = False, defer: bool = True) -> Any:
    """pydicom's reading of the first bytes of a file; an empty data set if it fails."""
    try:
        return _read(prefix, defer=defer)
    except Exception:  # the damage is past this prefix only in theory: never raise here
        if strict:
            return None
        empty = FileDataset("", Dataset(), file_meta=FileMetaDataset())
        empty.set_original_encoding(False, True)
        return empty
