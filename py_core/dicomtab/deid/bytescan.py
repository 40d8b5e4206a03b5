"""Searching every byte of a file for the identifying values of the originals.

Element-by-element checks see what pydicom decodes; a value can also hide where nothing is
decoded: in pixel data, an OB/UN private element, the preamble, a damaged tail. So each output
file is also searched as bytes, for every original value in every encoding the file could hold
it in (the original's character set, UTF-8, Latin-1), ignoring ASCII case. Hits are reported by
byte offset and, through :mod:`dicomtab.deid.spans`, by the element whose value holds them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pydicom.charset import convert_encodings, encode_string

from dicomtab.deid.spans import Region

if TYPE_CHECKING:
    import numpy as np

#: Shorter needles (initials, two-letter codes) would match by chance in binary data.
MIN_CHARS = 3

#: Bytes that continue a word (the haystack is lower-cased): a text needle must not sit inside a
#: longer ASCII word; as in the element scan's ``\w``, "_" joins words ("TOSHIBA" is not in
#: "TOSHIBA_MEC").
_WORD = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz_")
_WORD_ANY_CASE = _WORD | frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: A digit-and-dot needle (UID, date) must not sit inside a longer number or UID ("1.2.3" is
#: not a hit inside "1.2.3.4" or "11.2.3").
_NUMERIC = frozenset(b"0123456789.")
_RUN = re.compile(rb"[0-9.]+")
_PREFIX = 6


@dataclass(frozen=True)
class ByteHit:
    """One original value found in a file's bytes (the value itself is not kept)."""

    region: str
    offset: int
    path: str
    what: str


def encoded_forms(value: str, charsets: Iterable[str] | None) -> set[bytes]:
    """The byte strings ``value`` may appear as: its character set's, UTF-8 and Latin-1."""
    forms = {value.encode("utf-8")}
    try:
        forms.add(value.encode("latin-1"))
    except UnicodeEncodeError:
        pass
    if charsets:
        try:
            forms.add(encode_string(value, _codecs(tuple(charsets))))
        except (LookupError, ValueError, UnicodeError):
            pass  # an unknown or unusable declared set: the other forms still stand
    return forms


@lru_cache(maxsize=64)
def _codecs(charsets: tuple[str, ...]) -> list[str]:
    """pydicom's Python codecs for the Specific Character Set values ``charsets``: the same
    few for every value of a batch, converted once (LookupError/ValueError: unusable)."""
    return convert_encodings(list(charsets))


class ByteScanner:
    """Search for a set of needles (bytes -> category), ignoring ASCII case.

    Vectorised passes find the candidates: the offsets whose two bytes both lie in the range of
    the needles' first and second bytes (a wrapping subtraction and a comparison per byte),
    and among them those whose two bytes (in either ASCII case) begin some needle, looked up in
    a 65,536-entry table. In a CT file almost no offset of the pixel data passes the first test,
    since its high bytes are not letters or digits. Each candidate is then checked exactly
    against the needles starting with those two bytes, with a look at the bytes on either side,
    so every occurrence of every needle is found, overlapping ones too, as a search per needle
    would (on a 512 KB CT file: 0.2 ms for all of one original's needles, where the table
    looked up at every offset took 0.5 ms, a regular expression alternating them 3.5 ms and a
    ``bytes.find`` per needle 5.4 ms).

    Text needles must be word-bounded. Digit-and-dot needles (UIDs, dates; hundreds in a batch)
    are looked up whole: the run of digits and dots starting at a candidate where one of their
    few distinct prefixes starts.
    """

    def __init__(self, needles: dict[bytes, str]) -> None:
        # A needle of one byte is not searched: it would match by chance anywhere.
        self.category = {n.lower(): c for n, c in needles.items() if len(n) >= 2}
        self.numeric = {n for n in self.category if set(n) <= _NUMERIC}
        self.dates = {n for n in self.numeric if self.category[n] == "date"}
        self.text = [n for n in self.category if n not in self.numeric]
        self._rank = {needle: i for i, needle in enumerate(self.text)}
        # UIDs of one batch share their roots and dates their centuries: a few prefixes find
        # every candidate, whatever the number of needles.
        self.prefixes = sorted({n[:_PREFIX] for n in self.numeric})
        self._prefix_rank = {prefix: i for i, prefix in enumerate(self.prefixes)}
        #: needles and prefixes by their first two bytes (lower case), and every case form
        #: of those two bytes for the candidate table
        self._text_by_pair = _by_pair(self.text)
        self._prefixes_by_pair = _by_pair(self.prefixes)
        self._table: np.ndarray | None = None  # bool[65536], built on the first scan
        #: The ranges of the bytes (first and second) of the pairs in the table
        self._ranges: list[tuple[int, int]] = []

    def __bool__(self) -> bool:
        return bool(self.category)

    def _candidates(self, hay: bytes) -> list[int]:
        """The offsets of ``hay`` whose two bytes, in any ASCII case, begin a needle."""
        import numpy as np  # not at import: the tab loads numpy after start-up

        table = self._table if self._table is not None else self._build_table()
        if len(hay) < 2:
            return []
        data = np.frombuffer(hay, dtype=np.uint8)
        size = len(data) - 1
        # First a cheap filter: both bytes within the ranges of the needles' bytes (first and
        # second alike), ASCII and not; uint8 arithmetic wraps, so one subtraction and one
        # comparison test a range. Pixel data of an image rarely passes (a CT value's high
        # byte is neither a letter nor a digit), so the exact table is looked up at few
        # offsets; looking it up at every offset cost three times as much (the 16-bit indices
        # are widened to 64 bits). One mask of the file's bytes serves both bytes of a pair:
        # a mask per position of the pair took twice the passes over the file.
        inside, pair, work, part = _SCRATCH.arrays(size + 1)
        _within(data, self._ranges, inside, work, part)
        both = np.logical_and(inside[:size], inside[1:], out=pair[:size])
        at = np.flatnonzero(both)
        pairs = data[at].astype(np.uint16) | (data[at + 1].astype(np.uint16) << 8)
        return at[table[pairs]].tolist()

    def _build_table(self) -> np.ndarray:
        self._table, self._ranges = _pair_table(
            frozenset([*self._text_by_pair, *self._prefixes_by_pair]))
        return self._table

    def _text_hits(self, hay: bytes, candidates: list[int]) -> Iterator[tuple[int, bytes]]:
        """Every word-bounded occurrence, by needle (in ``self.text``'s order), then offset."""
        found: list[tuple[int, int, bytes]] = []
        for at in candidates:
            needles = self._text_by_pair.get(hay[at:at + 2].lower())
            if not needles or (at and hay[at - 1] in _WORD_ANY_CASE):
                continue
            for needle in needles:
                end = at + len(needle)
                if (hay[at:end].lower() == needle
                        and (end == len(hay) or hay[end] not in _WORD_ANY_CASE)):
                    found.append((self._rank[needle], at, needle))
        for _, at, needle in sorted(found):
            yield at, needle

    def _numeric_hits(self, hay: bytes, candidates: list[int]) -> Iterator[tuple[int, bytes]]:
        """Original UIDs and dates as whole runs of digits and dots, by prefix, then offset."""
        found: list[tuple[int, int, bytes]] = []
        for at in candidates:
            prefixes = self._prefixes_by_pair.get(hay[at:at + 2])
            if not prefixes or (at and hay[at - 1] in _NUMERIC):
                continue
            run = _RUN.match(hay, at)
            token = run.group().rstrip(b".") if run else b""  # a UID may end a sentence
            for prefix in prefixes:
                if not hay.startswith(prefix, at):
                    continue
                if token in self.numeric:
                    found.append((self._prefix_rank[prefix], at, token))
                elif token[:8] in self.dates and token[8:9].isdigit():
                    # an original date starting a DT (date and time)
                    found.append((self._prefix_rank[prefix], at, token[:8]))
        for _, at, token in sorted(found):
            yield at, token

    def scan(self, regions: Iterable[Region]) -> list[ByteHit]:
        """Every hit, at most one per (region, element path, category)."""
        hits: list[ByteHit] = []
        seen: set[tuple[str, str, str]] = set()
        for region in regions:
            candidates = self._candidates(region.data)
            found = list(self._text_hits(region.data, candidates))
            found += self._numeric_hits(region.data, candidates)
            for at, needle in found:
                what, path = self.category[needle], region.path_at(at)
                if (region.label, path, what) not in seen:
                    seen.add((region.label, path, what))
                    hits.append(ByteHit(region.label, at, path, what))
        hits.sort(key=lambda h: (h.region != "file", h.offset))
        return hits


@lru_cache(maxsize=64)
def _pair_table(pairs: frozenset[bytes]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The candidate table of needles beginning with ``pairs`` (True at each case form of
    each pair), and the ranges of their bytes. Each output of a
    batch has a scanner of its own, but their needles begin with the same few pairs (the
    patient's names, the UID roots, the centuries): built once, not once a file (a 64 KB
    array allocated and zeroed per file cost a third of the byte scan in a batch). Shared,
    so read-only."""
    import numpy as np

    table = np.zeros(1 << 16, dtype=bool)
    found: set[int] = set()
    for pair in pairs:
        for first in _cases(pair[0]):
            found.add(first)
            for second in _cases(pair[1]):
                found.add(second)
                table[first | second << 8] = True
    table.flags.writeable = False
    return table, _ranges(found)


def _ranges(values: set[int]) -> list[tuple[int, int]]:
    """(lowest, highest - lowest) of the ASCII bytes in ``values`` and of the others: two
    ranges hold a name's bytes more tightly than one ("müller" in Latin-1 has 0xFC)."""
    found = []
    for part in ({v for v in values if v < 0x80}, {v for v in values if v >= 0x80}):
        if part:
            found.append((min(part), max(part) - min(part)))
    return found


def _within(data: np.ndarray, ranges: list[tuple[int, int]], inside: np.ndarray,
            work: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Whether each byte of ``data`` lies within one of ``ranges``, in ``inside`` (``work``,
    ``part``: arrays as long, for what is computed on the way)."""
    import numpy as np

    if not ranges:
        inside[:] = False
        return inside
    for index, (low, span) in enumerate(ranges):
        np.subtract(data, np.uint8(low), out=work)
        # The first range straight into ``inside``; each further one added to it.
        np.less_equal(work, np.uint8(span), out=part if index else inside)
        if index:
            np.logical_or(inside, part, out=inside)
    return inside


class _Scratch(threading.local):
    """Arrays kept for the next file's filter, one set per thread. Fresh arrays as long as a
    file are each mapped anew by the allocator, page by page; for a 512 KB CT file that
    cost more than the filter's arithmetic."""

    #: Files larger than this get arrays of their own, not kept (at most 16 MB are kept).
    KEPT = 4 << 20

    def __init__(self) -> None:
        self._kept: list[np.ndarray] = []

    def arrays(self, size: int) -> list[np.ndarray]:
        """Two bool masks, a uint8 array and a bool array, of ``size`` elements."""
        if size > self.KEPT:
            return _fresh(size)
        if not self._kept or len(self._kept[0]) < size:
            self._kept = _fresh(size)
        return [array[:size] for array in self._kept]


def _fresh(size: int) -> list[np.ndarray]:
    import numpy as np

    return [np.empty(size, dtype=dtype) for dtype in (bool, bool, np.uint8, bool)]


_SCRATCH = _Scratch()


def _by_pair(needles: Iterable[bytes]) -> dict[bytes, list[bytes]]:
    """``needles`` by their first two bytes, in their order."""
    by_pair: dict[bytes, list[bytes]] = {}
    for needle in needles:
        by_pair.setdefault(needle[:2], []).append(needle)
    return by_pair


def _cases(byte: int) -> set[int]:
    """``byte`` and, for an ASCII letter, its other case."""
    return {byte, ord(bytes([byte]).upper()), ord(bytes([byte]).lower())}


def needles_for(words: dict[str, str], forms: dict[str, set[bytes]]) -> dict[bytes, str]:
    """Needles for the values in ``words`` (value -> category), in each of their byte forms."""
    needles: dict[bytes, str] = {}
    for word, category in words.items():
        if len(word) < MIN_CHARS:
            continue
        for form in forms.get(word) or {word.encode("utf-8")}:
            needles.setdefault(form, category)
    return needles
