"""A structural walk over the raw bytes of a DICOM file.

pydicom is forgiving by design: it stops quietly at a truncated value, trusts a declared
length of 4 GB and reads whatever is there. A tool that must say "this file is damaged,
here is where" needs a stricter view, so this module walks the element headers itself:
tags, VRs and declared lengths, into sequences and encapsulated pixel data, checking that
every declared length fits in the bytes that follow. Values are never decoded, so the walk
is cheap even for a large multi-frame file and quotes nothing identifying.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from pydicom.datadict import dictionary_VR
from pydicom.valuerep import MAX_VALUE_LEN

UNDEFINED_LENGTH = 0xFFFFFFFF
ITEM = 0xFFFEE000
ITEM_DELIMITER = 0xFFFEE00D
SEQUENCE_DELIMITER = 0xFFFEE0DD
PIXEL_DATA = 0x7FE00010
TRANSFER_SYNTAX_UID = 0x00020010

#: Explicit VRs whose header has two reserved bytes and a 4-byte length (PS3.5 7.1.2).
LONG_VRS = frozenset(
    {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"}
)

#: Every VR of PS3.5 6.2; an explicit VR header naming anything else is damage.
KNOWN_VRS = frozenset(
    vr.encode("ascii") for vr in (
        "AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI "
        "UL UN UR US UT UV"
    ).split()
)
#: The VRs with a 2-byte length: never a sequence, never an undefined length.
SHORT_VRS = KNOWN_VRS - LONG_VRS
#: Bytes per value of the binary VRs: a value length must be a multiple of it (PS3.5 6.2).
VALUE_SIZES = {b"AT": 4, b"FL": 4, b"FD": 8, b"SL": 4, b"SS": 2, b"SV": 8, b"UL": 4, b"US": 2,
               b"UV": 8, b"OD": 8, b"OF": 4, b"OL": 4, b"OV": 8, b"OW": 2}

#: The most bytes one value of a fixed-format VR may hold, padding aside (PS3.5 Table 6.2-1):
#: pydicom's table for AE, CS, DS, IS and UI, and the table's own figures for the date, time
#: and age VRs pydicom does not check, DA and TM widened to the "yyyy.mm.dd" and
#: "hh:mm:ss.frac" forms the table's notes ask readers to accept from files older than the
#: standard's version 3.0. A longer value is damage (a length that swallowed the
#: elements after it, or a value moved under the wrong tag). The text VRs (LO, SH, PN, ST,
#: LT) count characters, not bytes, and are not held to a limit here: their damage shows as
#: control bytes (see has_control_bytes).
MAX_VALUE_BYTES = {
    **{vr.encode(): MAX_VALUE_LEN[vr] for vr in ("AE", "CS", "DS", "IS", "UI")},
    b"AS": 4, b"DA": 10, b"DT": 26, b"TM": 16,
}
#: At most this many doubted elements are listed per file (the first decides a refusal).
MAX_DOUBTS = 256

#: Nesting deeper than this is treated as malicious rather than recursed into.
MAX_DEPTH = 64
#: A deflated data set may inflate to at most this many times the file's size, and never
#: past MAX_INFLATED bytes: beyond that it is treated as a decompression bomb.
MAX_INFLATE_RATIO = 64
MAX_INFLATED = 2 * 1024**3


@dataclass(frozen=True)
class StructureProblem:
    """Where and why the walk stopped.

    ``kind`` is ``"truncated"`` (a length runs past the end of the file) or ``"malformed"``
    (bytes that cannot be an element header where one must be).
    """

    kind: str
    tag: int | None
    offset: int
    detail: str
    #: Where the element sits: the tags and item indices from the top level down, ending
    #: with its own tag (``(seq_tag, item_index, ..., tag)``); empty when unknown.
    path: tuple[int, ...] = ()

    @property
    def tag_text(self) -> str:
        """The tag as ``(gggg,eeee)``, or ``"?"`` when the header itself was unreadable."""
        if self.tag is None:
            return "?"
        return f"({self.tag >> 16:04X},{self.tag & 0xFFFF:04X})"

    @property
    def path_text(self) -> str:
        """``path`` as the inspector writes element paths: ``00081115/0/0020000E``."""
        return "/".join(f"{part:08X}" if i % 2 == 0 else str(part)
                        for i, part in enumerate(self.path))

    def describe(self) -> str:
        """One sentence for a user: the element, the byte offset and what is wrong."""
        return f"element {self.tag_text} at byte {self.offset}: {self.detail}"


@dataclass(frozen=True)
class PixelSpan:
    """Where a top-level pixel element's value lies in the file: ``data[start:end]``."""

    tag: int
    start: int
    end: int
    #: The VR written in the file; None for an implicit VR data set.
    vr: str | None
    encapsulated: bool


@dataclass(frozen=True)
class StructureReport:
    """The outcome of a walk: the first problem (None if sound) and what was seen."""

    problem: StructureProblem | None
    #: Whether a top-level Pixel Data / Float / Double Float Pixel Data element was reached.
    has_pixel_data: bool
    #: Where that element's value lies in the walked bytes (None: not reached, or deflated).
    pixel_span: PixelSpan | None = None
    #: The elements whose value does not fit their tag: a VR the dictionary does not allow
    #: for it, a fixed-format value longer than its VR allows, or control bytes in a text
    #: value. The file reads, but a value may sit where no rule for its tag expects it.
    doubts: tuple[StructureProblem, ...] = ()
    #: Whether an explicit VR element has VR UN, whose value pydicom converts by the
    #: dictionary (a UN sequence holds implicit VR items). Without one, an explicit VR data
    #: set's nested elements all have their VR written out.
    has_un: bool = False

    @property
    def suspect(self) -> StructureProblem | None:
        """The first doubted element, if any."""
        return self.doubts[0] if self.doubts else None


#: (7FE0,0008) Float Pixel Data, (7FE0,0009) Double Float Pixel Data, (7FE0,0010) Pixel Data.
PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, PIXEL_DATA})


#: VRs whose value is text (PS3.5 6.2): NUL and most control bytes have no place inside it.
STRING_VRS = frozenset(vr.encode() for vr in
                       "AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT".split())
#: Control bytes text may hold: TAB, LF, FF, CR (LT, ST, UT) and ESC (ISO 2022 escapes).
_ALLOWED_CONTROLS = frozenset(b"\t\n\x0c\r\x1b")
_CONTROLS = bytes(b for b in range(32) if b not in _ALLOWED_CONTROLS) + b"\x7f"


#: Finds a control byte (trailing NUL padding included) in ``buf[pos:endpos]`` without
#: copying it: most values hold none, and need no closer look (has_control_bytes).
_find_control = re.compile(b"[" + re.escape(_CONTROLS) + b"]").search


def has_control_bytes(value: bytes) -> bool:
    """Whether a text value holds control bytes other than trailing NUL padding."""
    body = bytes(value).rstrip(b"\x00 ")
    return len(body.translate(None, _CONTROLS)) != len(body)


def _too_long(value: bytes, limit: int) -> int | None:
    """The length of the first value of a multi-valued fixed-format element longer than
    ``limit`` bytes, padding aside; None if every value fits."""
    if len(value) <= limit:
        return None
    for part in bytes(value).split(b"\\"):
        size = len(part.strip(b"\x00 "))
        if size > limit:
            return size
    return None


@lru_cache(maxsize=4096)
def dictionary_vr(tag: int) -> str | None:
    """A public tag's VR in the data dictionary (None for private and unknown tags)."""
    if tag >> 16 & 1 or tag >> 16 == 0xFFFE:
        return None
    try:
        return str(dictionary_VR(tag))
    except KeyError:
        return None


@lru_cache(maxsize=4096)
def _allowed_vrs(tag: int) -> frozenset[bytes] | None:
    """The VRs the dictionary allows a public tag, as written in a file (None: any)."""
    expected = dictionary_vr(tag)
    return None if expected is None else frozenset(v.encode() for v in expected.split(" or "))


@dataclass
class TopElements:
    """What a walk records so that a file's header can be built from it, without pydicom
    reading the file again (:func:`dicomtab.reading.open_dataset`'s ``only``)."""

    #: Tag → where the element's header starts in the file, for each top-level element before
    #: the first top-level pixel element (pydicom's stop_before_pixels reads those).
    offsets: dict[int, int] = field(default_factory=dict)
    #: False when the walk met what pydicom reads its own way: an element of an explicit VR
    #: data set without a VR (pydicom guesses per data set, the walk per element), or an
    #: undefined-length value other than a sequence before the pixel data (pydicom looks for
    #: the first delimiter in the bytes, the walk goes from fragment to fragment).
    plain: bool = True


class WalkStopped(Exception):
    """Raised inside a walk at the first problem; carries it as ``problem``, and for a value
    running past the end of the bytes, how many bytes (from the start) it needs."""

    def __init__(self, problem: StructureProblem, needed: int | None = None) -> None:
        super().__init__(problem.describe())
        self.problem = problem
        self.needed = needed


class PixelsReached(Exception):
    """Raised by a walk told to stop at the top-level pixel element, before its value.

    ``previous`` is what :meth:`Walker.dataset` takes to resume the walk at ``start``.
    """

    def __init__(self, tag: int, start: int, value_start: int, length: int,
                 previous: tuple[int, int] | None) -> None:
        super().__init__(f"pixel element at byte {start}")
        self.tag, self.start, self.value_start, self.length = tag, start, value_start, length
        self.previous = previous


class WalkHooks:
    """What one use of the walk is told as it goes; every method here does nothing.

    The uses subclass it: the de-identification's byte spans (:mod:`dicomtab.deid.spans`),
    the inspector's cut of a damaged file (:mod:`dicomtab.inspect.partial`), the fragment
    lengths of encapsulated pixel data (:func:`fragment_lengths`). Offsets are into the
    walked buffer (``walker.base`` added gives the file's); ``walker.where`` holds the
    sequence tags and item indices above the element. When a problem stops the walk
    (:class:`WalkStopped`) no ``leave_*`` is called for the levels open there.
    """

    def element(self, walker: Walker, tag: int, start: int, value_start: int, after: int
                ) -> None:
        """The element whose header is at ``start`` has its value from ``value_start`` and
        ends at ``after`` (past its closing delimiter for an undefined length). Told as soon
        as its end is known: for a defined length before its items are walked (so a use
        knows the sequence around damage found inside it), for an undefined one after."""

    def enter_sequence(self, walker: Walker, tag: int, undefined: bool) -> None:
        """The items of sequence ``tag`` start (``undefined``: it ends at a delimiter)."""

    def leave_sequence(self, walker: Walker) -> None:
        """The sequence last entered ended."""

    def enter_item(self, walker: Walker, tag: int, index: int, undefined: bool) -> None:
        """Item ``index`` of sequence ``tag`` starts (``walker.where`` ends with both)."""

    def leave_item(self, walker: Walker) -> None:
        """The item last entered ended."""

    def fragment(self, walker: Walker, offset: int, length: int) -> None:
        """An item of encapsulated pixel data declares ``length`` bytes at ``offset`` (told
        before the length is checked against the bytes left)."""


#: By byte order (little endian first), made once (a walk is made per file and per meta
#: group): a 16-bit and a 32-bit number, a tag's group and element, and an explicit VR
#: header with a 2-byte length (group, element, VR, length; see Walker.dataset).
_UNPACKERS = {
    little: tuple(struct.Struct(("<" if little else ">") + form).unpack_from
                  for form in ("H", "I", "HH", "HH2sH"))
    for little in (True, False)
}


class Walker:
    """The one byte-level walk over DICOM elements: one encoding (implicit/explicit, little/
    big endian) of one byte buffer. The structure check, opening by slices, the inspector's
    reading of damaged files, the de-identification's byte spans and the inspector's
    fragment lengths all walk through it (with :class:`WalkHooks`), so they agree on where
    every element is. The rules, in every use:

    * Group FFFE (items and delimiters) always has an 8-byte header, tag and 4-byte length,
      never a VR, whatever the transfer syntax (PS3.5 7.5). An item delimiter ends an
      undefined-length item; anywhere else where a data element must be, an item or a
      delimiter is ``malformed`` (pydicom ends the data set at an item delimiter, so the
      elements after it would vanish from every view and from de-identification).
    * An undefined length is a sequence (items, up to a sequence delimiter) for VR SQ; for
      explicit VR UN, whose items are implicit VR little endian (PS3.5 6.2.2); and for an
      implicit VR element unless the dictionary gives its tag another VR. It is encapsulated
      data (fragments of defined length up to a sequence delimiter) for the pixel tags, for
      explicit OB/OW and for implicit VR elements the dictionary gives another VR, as
      pydicom reads them. Any other explicit VR with an undefined length is ``malformed``.
    * A defined length is a sequence walked into for VR SQ, and for implicit VR or explicit
      UN (implicit VR little endian inside) when the dictionary gives the tag VR SQ and the
      value starts with an item, as pydicom converts them; any other value is not looked
      into.

    ``strict`` walks judge what they see (unknown VRs, VRs the dictionary does not allow,
    values that do not fit their VR, tag order): :func:`check_structure`. A walk that is not
    strict only needs the structure, and goes on where a strict one would stop or doubt.
    """

    def __init__(self, buf: bytes, *, implicit: bool, little: bool, base: int = 0,
                 parent: Walker | None = None, stop_at_pixels: bool = False,
                 strict: bool = True, hooks: WalkHooks | None = None,
                 top: TopElements | None = None) -> None:
        self.buf = buf
        #: Raise PixelsReached at the top-level pixel element's header (its value need not be
        #: in ``buf``), for reading a file's header by slices (dicomtab.file_head), which then
        #: resumes the walk there over the file's stand-in.
        self.stop_at_pixels = stop_at_pixels
        #: The walker of the whole buffer (``parent``'s, for a nested implicit VR walk).
        self.root: Walker = parent.root if parent else self
        self.strict: bool = parent.strict if parent else strict
        self.hooks: WalkHooks | None = parent.hooks if parent else hooks
        #: Where the top-level elements are, recorded if given (see TopElements).
        self.top: TopElements | None = parent.top if parent else top
        #: Whether an explicit VR element has VR UN (see StructureReport.has_un).
        self.has_un = False
        self.implicit = implicit
        self.u16, self.u32, self._group_element, self._short_header = _UNPACKERS[little]
        # ``base`` maps offsets in an inflated buffer back to the file for messages.
        self.base = base
        self.has_pixel_data = False
        #: The top-level pixel element met on the walk, if any.
        self.pixel_span: PixelSpan | None = None
        #: Doubted elements (see StructureReport.doubts); shared with a walker for an
        #: implicit VR sequence inside an explicit VR file (``parent``).
        self.doubts: list[StructureProblem] = parent.doubts if parent else []
        #: The sequence tags and item indices above the element being walked.
        self.where: list[int] = parent.where if parent else []

    def _doubt(self, tag: int, start: int, detail: str) -> None:
        if len(self.doubts) < MAX_DOUBTS:
            self.doubts.append(StructureProblem("malformed", tag, self.base + start, detail,
                                                (*self.where, tag)))

    def _stop(self, kind: str, tag: int | None, offset: int, detail: str,
              needed: int | None = None) -> WalkStopped:
        path = tuple(self.where) if tag is None else (*self.where, tag)
        return WalkStopped(StructureProblem(kind, tag, self.base + offset, detail, path),
                           None if needed is None else self.base + needed)

    def _tag(self, pos: int) -> int:
        group, element = self._group_element(self.buf, pos)
        return group << 16 | element

    def _implicit_le(self) -> Walker:
        """A walker of the same buffer for implicit VR little endian items (a UN sequence)."""
        return Walker(self.buf, implicit=True, little=True, base=self.base, parent=self,
                      stop_at_pixels=self.stop_at_pixels)

    def dataset(self, pos: int, end: int, depth: int, *, until_delimiter: bool,
                previous: tuple[int, int] | None = None) -> int:
        """Walk elements from ``pos``; return the offset just past the data set.

        With ``until_delimiter`` the data set is an undefined-length item and ends at an
        item delimiter; otherwise it ends at ``end``. ``previous``: (tag, start) of the
        element before ``pos``, when resuming a walk (see PixelsReached).
        """
        if depth > MAX_DEPTH:
            raise self._stop("malformed", None, pos, f"sequences nested more than {MAX_DEPTH} deep")
        strict = self.strict
        record = self.top.offsets if self.top is not None and depth == 0 else None
        buf = self.buf
        # Most elements of an explicit VR data set have a 2-byte length and a VR their tag
        # allows: walked here, as element() walks them, without its calls (a third of the
        # walk's time); only for walks without hooks, which element() tells.
        short = self._short_header if not self.implicit and self.hooks is None else None
        vr, length = b"", 0
        while pos < end:
            if end - pos < 8:
                if until_delimiter:
                    raise self._stop("truncated", None, pos, "the file ends inside a sequence item")
                # A few trailing bytes at the very end: padding, not structure.
                return end
            if short is not None:
                group, number, vr, length = short(buf, pos)
                tag = group << 16 | number
            else:
                tag = self._tag(pos)
            if tag == ITEM_DELIMITER and until_delimiter:
                return pos + 8
            start = pos
            if self.stop_at_pixels and depth == 0 and tag in PIXEL_TAGS:
                self._reached(tag, start, end, previous)
            if strict and previous is not None and tag <= previous[0]:
                # Elements are in ascending tag order (PS3.5 7.1): one out of order, or twice,
                # is a damaged or swapped tag, and both it and the one before it may hold
                # another element's value (a device serial number under a kept LO tag).
                self._doubt(previous[0], previous[1],
                            "the element after it is out of tag order (a damaged or swapped "
                            "tag)")
                self._doubt(tag, start, "out of tag order or repeated (a damaged or swapped "
                                        "tag)")
            previous = (tag, start)
            if record is not None and not self.has_pixel_data and tag not in PIXEL_TAGS:
                record[tag] = self.base + start
            if (short is not None and vr in SHORT_VRS and tag >> 16 != 0xFFFE
                    and vr in (_allowed_vrs(tag) or SHORT_VRS) and length <= end - pos - 8
                    and not length % VALUE_SIZES.get(vr, 1)):
                pos += 8
                if strict and vr in STRING_VRS:
                    limit = MAX_VALUE_BYTES.get(vr)
                    if (_find_control(buf, pos, pos + length) is not None
                            or (limit is not None and length > limit)):
                        self._check_text(tag, start, vr, pos, length)
                pos += length
            else:
                pos = self.element(pos, end, tag, depth)
            if depth == 0 and tag in PIXEL_TAGS:
                self.has_pixel_data = True
                self.pixel_span = self._span(tag, start, pos)
        if until_delimiter:
            raise self._stop("truncated", None, pos, "the file ends inside a sequence item")
        return pos

    def _reached(self, tag: int, start: int, end: int, previous: tuple[int, int] | None) -> None:
        """Raise PixelsReached for the pixel element whose header starts at ``start``."""
        vr = self.buf[start + 4 : start + 6]
        explicit = not self.implicit and vr.isalpha() and vr.isupper()
        header = (12 if vr in LONG_VRS else 8) if explicit else 8
        if end - start < header:
            raise self._stop("truncated", tag, start, "the file ends inside the element header")
        length = (self.u32(self.buf, start + header - 4)[0] if header == 12 or not explicit
                  else self.u16(self.buf, start + 6)[0])
        raise PixelsReached(tag, self.base + start, self.base + start + header, length, previous)

    def _span(self, tag: int, start: int, after: int) -> PixelSpan:
        """Where the value of the pixel element whose header starts at ``start`` lies."""
        vr = self.buf[start + 4 : start + 6]
        explicit = not self.implicit and vr.isalpha() and vr.isupper()
        header = (12 if vr in LONG_VRS else 8) if explicit else 8
        length = self.u32(self.buf, start + header - 4)[0] if header == 12 or not explicit else 0
        # An encapsulated value is its items, without the closing sequence delimiter.
        value_end = after - 8 if length == UNDEFINED_LENGTH else after
        return PixelSpan(
            tag, self.base + start + header, self.base + value_end,
            vr.decode("ascii") if explicit else None, length == UNDEFINED_LENGTH,
        )

    def _judge_vr(self, tag: int, start: int, vr: bytes) -> None:
        """Stop at a VR no element may have; doubt one the dictionary does not allow."""
        if vr not in KNOWN_VRS:
            # pydicom would fail on it later, wherever the value is first used.
            raise self._stop("malformed", tag, start, f"unknown value representation {vr.decode()}")
        if vr == b"UN":
            self.root.has_un = True
            return
        allowed = _allowed_vrs(tag)
        if allowed is None or vr in allowed:
            return
        expected = dictionary_vr(tag)
        self._doubt(tag, start, f"written with VR {vr.decode()} where the standard has "
                                f"{expected}")
        if expected == "UI":
            # A UID read as numbers (or a date) breaks everything that maps or names UIDs.
            raise self._stop("malformed", tag, start,
                             f"a UID element written with VR {vr.decode()} instead of UI")

    def element(self, pos: int, end: int, tag: int, depth: int) -> int:
        """Walk one element whose header starts at ``pos``; return the offset after it."""
        start = pos
        if tag >> 16 == 0xFFFE:
            raise self._stop("malformed", tag, start, "a sequence item or delimiter where a data "
                                                      "element must be")
        vr = self.buf[pos + 4 : pos + 6]
        explicit = not self.implicit and vr.isalpha() and vr.isupper()
        if explicit:
            # Most elements have a VR their tag allows: nothing to judge (_judge_vr).
            if self.strict and (vr == b"UN" or vr not in (_allowed_vrs(tag) or KNOWN_VRS)):
                self._judge_vr(tag, start, vr)
        elif not self.implicit and self.top is not None:
            self.top.plain = False
        if explicit and vr in LONG_VRS:
            if end - pos < 12:
                raise self._stop("truncated", tag, start, "the file ends inside the element header")
            length = self.u32(self.buf, pos + 8)[0]
            pos += 12
        elif explicit:
            length = self.u16(self.buf, pos + 6)[0]
            pos += 8
        else:
            length = self.u32(self.buf, pos + 4)[0]
            pos += 8
        if length != UNDEFINED_LENGTH:
            return self._defined(tag, vr if explicit else None, start, pos, end, length, depth)
        after = self._undefined(tag, vr if explicit else None, start, pos, end, depth)
        if self.hooks is not None:
            self.hooks.element(self, tag, start, pos, after)
        return after

    def _undefined(self, tag: int, vr: bytes | None, start: int, pos: int, end: int,
                   depth: int) -> int:
        """Walk an undefined-length value from ``pos`` (see the class's rules)."""
        if vr is not None and vr not in (b"SQ", b"UN", b"OB", b"OW"):
            raise self._stop("malformed", tag, start,
                             f"VR {vr.decode()} cannot have an undefined length")
        if tag in PIXEL_TAGS or vr in (b"OB", b"OW"):
            return self._fragments_of(pos, end, tag, depth)
        if vr is None:
            expected = dictionary_vr(tag)
            if expected is not None and expected != "SQ":
                return self._fragments_of(pos, end, tag, depth)
            return self.items(pos, end, tag, depth + 1)
        if vr == b"SQ":
            return self.items(pos, end, tag, depth + 1)
        return self._implicit_le().items(pos, end, tag, depth + 1)  # UN: PS3.5 6.2.2

    def _fragments_of(self, pos: int, end: int, tag: int, depth: int) -> int:
        """Walk an undefined-length value that is not a sequence (see TopElements.plain)."""
        if self.top is not None and not (depth == 0 and tag in PIXEL_TAGS):
            self.top.plain = False
        return self.fragments(pos, end, tag)

    def _defined(self, tag: int, vr: bytes | None, start: int, pos: int, end: int, length: int,
                 depth: int) -> int:
        """Walk a value of ``length`` bytes from ``pos`` (see the class's rules)."""
        if length > end - pos:
            raise self._stop(
                "truncated",
                tag,
                start,
                f"declares {length} bytes of value but only {end - pos} remain",
                needed=pos + length,
            )
        if self.strict:
            self._judge_value(tag, start, vr, pos, length)
        if self.hooks is not None:
            self.hooks.element(self, tag, start, pos, pos + length)
        if vr == b"SQ":
            self.items(pos, pos + length, tag, depth + 1, defined=True)
        elif (vr is None or vr == b"UN") and length >= 8 and dictionary_vr(tag) == "SQ":
            # An implicit VR or UN sequence has no VR to say so: the dictionary does. Walking
            # it holds its nesting to MAX_DEPTH as for every other encoding.
            walker = self if vr is None else self._implicit_le()
            if walker._tag(pos) == ITEM:
                walker.items(pos, pos + length, tag, depth + 1, defined=True)
        return pos + length

    def _judge_value(self, tag: int, start: int, vr: bytes | None, pos: int, length: int) -> None:
        """Doubt a text value that does not fit its VR; stop at a binary one whose length
        is not a whole number of values."""
        text_vr = vr if vr is not None else (dictionary_vr(tag) or "").encode()
        if text_vr in STRING_VRS:
            # Most values hold no control byte and are short enough: no closer look.
            limit = MAX_VALUE_BYTES.get(text_vr)
            if (_find_control(self.buf, pos, pos + length) is not None
                    or (limit is not None and length > limit)):
                self._check_text(tag, start, text_vr, pos, length)
            return
        size = VALUE_SIZES.get(vr) if vr is not None else None
        if size is not None and vr is not None and length % size:
            raise self._stop("malformed", tag, start,
                             f"a {vr.decode()} value of {length} bytes is not a whole number of "
                             f"{size}-byte values")

    def _check_text(self, tag: int, start: int, vr: bytes, pos: int, length: int) -> None:
        """Doubt the text value ``buf[pos:pos + length]`` (see _judge_value)."""
        buf = self.buf
        if has_control_bytes(buf[pos:pos + length]):
            # A length that swallowed the elements after it carries their headers (NUL bytes)
            # into a text value, where no rule for the swallowed elements would reach them.
            self._doubt(tag, start, "its text value holds control bytes (a damaged length may "
                                    "have swallowed the elements after it)")
            return
        limit = MAX_VALUE_BYTES.get(vr)
        size = (_too_long(buf[pos:pos + length], limit)
                if limit is not None and length > limit else None)
        if size is not None:
            self._doubt(tag, start, f"a {vr.decode()} value of {size} bytes, where the standard "
                                    f"allows at most {limit}")

    def items(self, pos: int, end: int, tag: int, depth: int, *, defined: bool = False) -> int:
        """Walk sequence items up to a sequence delimiter (or ``end`` for a defined length)."""
        hooks = self.hooks
        if hooks is not None:
            hooks.enter_sequence(self, tag, not defined)
        index = 0
        while not (defined and pos >= end):
            if end - pos < 8:
                raise self._stop("truncated", tag, pos, "the file ends inside a sequence")
            item_tag = self._tag(pos)
            length = self.u32(self.buf, pos + 4)[0]
            if item_tag == SEQUENCE_DELIMITER:
                pos += 8
                break
            if item_tag != ITEM:
                raise self._stop("malformed", tag, pos, "expected a sequence item or delimiter")
            pos += 8
            self.where += (tag, index)
            undefined = length == UNDEFINED_LENGTH
            if hooks is not None:
                hooks.enter_item(self, tag, index, undefined)
            index += 1
            if undefined:
                pos = self.dataset(pos, end, depth, until_delimiter=True)
            else:
                if length > end - pos:
                    raise self._stop(
                        "truncated",
                        tag,
                        pos - 8,
                        f"an item declares {length} bytes but only {end - pos} remain",
                    )
                self.dataset(pos, pos + length, depth, until_delimiter=False)
                pos += length
            if hooks is not None:
                hooks.leave_item(self)
            del self.where[-2:]
        if hooks is not None:
            hooks.leave_sequence(self)
        return pos

    def fragments(self, pos: int, end: int, tag: int) -> int:
        """Walk encapsulated pixel data: items of defined length up to a sequence delimiter."""
        hooks = self.hooks
        while True:
            if end - pos < 8:
                raise self._stop(
                    "truncated", tag, pos, "the file ends inside the encapsulated pixel data"
                )
            item_tag = self._tag(pos)
            length = self.u32(self.buf, pos + 4)[0]
            if item_tag == SEQUENCE_DELIMITER:
                return pos + 8
            if item_tag != ITEM or length == UNDEFINED_LENGTH:
                raise self._stop("malformed", tag, pos, "expected a pixel data fragment")
            if hooks is not None:
                hooks.fragment(self, pos, length)
            if length > end - pos - 8:
                raise self._stop(
                    "truncated",
                    tag,
                    pos,
                    f"a pixel data fragment declares {length} bytes but only {end - pos - 8} remain",
                )
            pos += 8 + length


class _FragmentLengths(WalkHooks):
    def __init__(self) -> None:
        self.lengths: list[int] = []
        self.last: int | None = None

    def fragment(self, walker: Walker, offset: int, length: int) -> None:
        self.lengths.append(length)
        self.last = offset


def fragment_lengths(buf: bytes | memoryview, start: int, little: bool) -> tuple[int, list[int]]:
    """Where the encapsulated pixel data from ``start`` in ``buf`` ends (its sequence
    delimiter's offset) and each fragment's declared length, offset table included.

    For a value read leniently from a damaged file: it may end inside the fragments, and
    then gives the fragments before the damage, the last one cut off at the end of ``buf``.
    """
    found = _FragmentLengths()
    walker = Walker(buf, implicit=True, little=little, strict=False, hooks=found)  # type: ignore[arg-type]
    try:
        end = walker.fragments(start, len(buf), PIXEL_DATA) - 8
    except WalkStopped as stop:
        cut = stop.problem.offset
        end = len(buf) if found.last == cut else min(cut, len(buf))
    return end, found.lengths


def check_structure(
    data: bytes, dataset_offset: int, *, implicit: bool, little: bool, deflated: bool = False,
    hooks: WalkHooks | None = None, top: TopElements | None = None,
) -> StructureReport:
    """Walk the data set that starts at ``dataset_offset``; report the first problem, if any.

    ``implicit``/``little``/``deflated`` describe the data set's transfer syntax (the file
    meta group before ``dataset_offset`` is always explicit VR little endian and is checked
    with :func:`meta_end`). ``hooks`` are told what the walk passes; ``top`` records where
    the top-level elements are.
    """
    buf, start = data, dataset_offset  # walked in place: no copy of a large file
    if deflated:
        inflated = inflate(data[dataset_offset:], limit=inflate_limit(len(data)))
        if isinstance(inflated, str):
            return StructureReport(StructureProblem("malformed", None, dataset_offset, inflated),
                                   has_pixel_data=False)
        buf, start = inflated, 0
    walker = Walker(buf, implicit=implicit, little=little, base=dataset_offset - start,
                    hooks=hooks, top=top)
    return walk_report(walker, start, deflated=deflated)


def walk_report(walker: Walker, start: int, *, previous: tuple[int, int] | None = None,
                deflated: bool = False) -> StructureReport:
    """Walk ``walker``'s buffer as a top-level data set from ``start`` to its end (resuming
    after ``previous``, see PixelsReached) and report."""
    try:
        walker.dataset(start, len(walker.buf), 0, until_delimiter=False, previous=previous)
    except WalkStopped as stop:
        return StructureReport(stop.problem, walker.has_pixel_data, doubts=tuple(walker.doubts),
                               has_un=walker.has_un)
    # Offsets into an inflated buffer say nothing about the file's bytes.
    return StructureReport(None, walker.has_pixel_data, None if deflated else walker.pixel_span,
                           tuple(walker.doubts), walker.has_un)


def inflate_limit(file_size: int) -> int:
    """The most bytes a deflated data set in a file of ``file_size`` bytes may inflate to."""
    return min(MAX_INFLATE_RATIO * max(file_size, 1024), MAX_INFLATED)


def inflate(deflated: bytes, *, limit: int) -> bytes | str:
    """The inflated bytes, or why not (a value-free sentence): not deflate data, or more than
    ``limit`` bytes, found without inflating past the limit."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(deflated, limit + 1)
    except zlib.error:
        return "the deflated data set cannot be inflated"
    if len(out) > limit:
        return (f"the deflated data set inflates to more than {limit} bytes ({MAX_INFLATE_RATIO} "
                f"times the file, at most {MAX_INFLATED // 1024**3} GiB): refused as a possible "
                "decompression bomb")
    return out


def meta_end(data: bytes, start: int = 132) -> tuple[int, str | None, StructureProblem | None]:
    """Walk the file meta group (0002,xxxx) from ``start``.

    Returns where the data set begins, the Transfer Syntax UID the group states (None if it
    states none) and the first problem. The meta group is explicit VR little endian whatever
    the file's transfer syntax.
    """
    walker = Walker(data, implicit=False, little=True)
    pos = start
    transfer_syntax = None
    try:
        while len(data) - pos >= 8 and walker._tag(pos) >> 16 == 0x0002:
            tag = walker._tag(pos)
            end = walker.element(pos, len(data), tag, 0)
            if tag == TRANSFER_SYNTAX_UID:
                transfer_syntax = data[pos + 8 : end].rstrip(b"\x00 ").decode("ascii", "replace")
            pos = end
    except WalkStopped as stop:
        return pos, transfer_syntax, stop.problem
    return pos, transfer_syntax, None

