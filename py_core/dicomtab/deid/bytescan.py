"""Searching every byte of a file for the identifying values of the originals.

Element-by-element checks see what pydicom decodes; a value can also hide where nothing is
decoded: in pixel data, an OB/UN private element, the preamble, a damaged tail. So each output
file is also searched as bytes, for every original value in every encoding the file could hold
it in (the original's character set, UTF-8, Latin-1), ignoring ASCII case. Hits are reported by
byte offset and, through :mod:`dicomtab.deid.spans`, by the element whose value holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydicom.charset import convert_encodings, encode_string

from dicomtab.deid.spans import Region

#: Shorter needles (initials, two-letter codes) would match by chance in binary data.
MIN_CHARS = 3

#: Bytes that continue a word (the haystack is lower-cased): a text needle must not sit inside a
#: longer ASCII word; as in the element scan's ``\w``, "_" joins words ("TOSHIBA" is not in
#: "TOSHIBA_MEC").
_WORD = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz_")
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
            forms.add(encode_string(value, convert_encodings(list(charsets))))
        except (LookupError, ValueError, UnicodeError):
            pass  # an unknown or unusable declared set: the other forms still stand
    return forms


class ByteScanner:
    """Search for a set of needles (bytes -> category), ignoring ASCII case.

    Text needles: one pass of a regular expression that is the alternation of them all (the
    engine skips the bytes no needle starts with: on a 512 KB CT file, 2 ms for the 33 needles
    of one original where a ``bytes.find`` per needle took 5.4 ms, and 6 ms for 333 needles
    where it took 61 ms), then, in each stretch it matched, every needle starting there is
    checked exactly, with a look at the bytes on either side. So every occurrence of every
    needle is found, overlapping ones too, as a search per needle would.
    Digit-and-dot needles (UIDs, dates; hundreds in a batch): the runs of digits and dots that
    start with one of their few distinct prefixes, each run looked up whole.
    """

    def __init__(self, needles: dict[bytes, str]) -> None:
        self.category = {n.lower(): c for n, c in needles.items() if n}
        self.numeric = {n for n in self.category if set(n) <= _NUMERIC}
        self.dates = {n for n in self.numeric if self.category[n] == "date"}
        self.text = [n for n in self.category if n not in self.numeric]
        longest_first = sorted(self.text, key=len, reverse=True)
        self._any_text = (re.compile(b"|".join(map(re.escape, longest_first)))
                          if self.text else None)
        self._by_first: dict[int, list[bytes]] = {}
        for needle in self.text:
            self._by_first.setdefault(needle[0], []).append(needle)
        self._rank = {needle: i for i, needle in enumerate(self.text)}
        # UIDs of one batch share their roots and dates their centuries: a few prefixes find
        # every candidate, whatever the number of needles.
        self.prefixes = sorted({n[:_PREFIX] for n in self.numeric})

    def __bool__(self) -> bool:
        return bool(self.category)

    def _numeric_hits(self, hay: bytes) -> Iterator[tuple[int, bytes]]:
        for prefix in self.prefixes:
            at = hay.find(prefix)
            while at >= 0:
                if not at or hay[at - 1] not in _NUMERIC:
                    run = _RUN.match(hay, at)
                    token = run.group().rstrip(b".") if run else b""  # a UID may end a sentence
                    if token in self.numeric:
                        yield at, token
                    elif token[:8] in self.dates and token[8:9].isdigit():
                        yield at, token[:8]  # an original date starting a DT (date and time)
                at = hay.find(prefix, at + 1)

    def _text_hits(self, hay: bytes) -> Iterator[tuple[int, bytes]]:
        """Every word-bounded occurrence, by needle (in ``self.text``'s order), then offset."""
        if self._any_text is None:
            return
        found: set[tuple[int, int, bytes]] = set()
        checked = 0  # offsets below this were looked at
        for match in self._any_text.finditer(hay):
            # The match, and any needle starting inside it (the alternation reports one
            # match per stretch; needles may overlap or nest: "klaus" in "wagner^klaus").
            for at in range(max(match.start(), checked), match.end()):
                for needle in self._by_first.get(hay[at], ()):
                    end = at + len(needle)
                    if (hay.startswith(needle, at) and (not at or hay[at - 1] not in _WORD)
                            and (end == len(hay) or hay[end] not in _WORD)):
                        found.add((self._rank[needle], at, needle))
            checked = match.end()
        for _, at, needle in sorted(found):
            yield at, needle

    def scan(self, regions: Iterable[Region]) -> list[ByteHit]:
        """Every hit, at most one per (region, element path, category)."""
        hits: list[ByteHit] = []
        seen: set[tuple[str, str, str]] = set()
        for region in regions:
            hay = region.data.lower()  # ASCII case only; other bytes are unchanged
            found = list(self._text_hits(hay))
            if self.numeric:
                found += self._numeric_hits(hay)
            for at, needle in found:
                what, path = self.category[needle], region.path_at(at)
                if (region.label, path, what) not in seen:
                    seen.add((region.label, path, what))
                    hits.append(ByteHit(region.label, at, path, what))
        hits.sort(key=lambda h: (h.region != "file", h.offset))
        return hits


def needles_for(words: dict[str, str], forms: dict[str, set[bytes]]) -> dict[bytes, str]:
    """Needles for the values in ``words`` (value -> category), in each of their byte forms."""
    needles: dict[bytes, str] = {}
    for word, category in words.items():
        if len(word) < MIN_CHARS:
            continue
        for form in forms.get(word) or {word.encode("utf-8")}:
            needles.setdefault(form, category)
    return needles
