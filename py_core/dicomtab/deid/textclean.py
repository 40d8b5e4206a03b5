"""Allow-list cleaning of free text: keep what is known to be safe, replace everything else.

Matching removed values and identifier shapes (:mod:`dicomtab.deid.freetext`) finds only what
it knows; a relative's name, a doctor who appears in no PN element or a clinic typed into a
description survive it. UCSF's Philter showed the other way round works better on clinical
notes: a word is kept only if it is known to be safe. Here a word is kept when it is:

* in the vocabulary (``dicomtab/data/text_vocabulary.txt.gz``, generated from Philter's
  ``nonames`` set and every word of DICOM's code meanings and attribute names), unless it is
  also a name and stands in a name context (after "Dr.", "wife", "per", ..., or capitalised
  next to a removed capitalised word: "Mary" in "Mary Hunter");
* or a shape of imaging text: a number of up to four digits (a year alone is not a Safe
  Harbor identifier), a number with a unit (5mm, 3T, 120kV, 0.625), a matrix (512x512), an
  ordinal, a short sequence or kernel code (T1, T2W, B70f, FC03, 3D), a single letter.

Everything else (an unknown word, a longer number, a mixed letters-and-digits code) is
replaced by ``***``, a run of them by one. Before that, this module's shapes (facility names,
street addresses ending in a USPS suffix, a city with its state and ZIP code, dates with a
month name, digits in three or more groups), then the file's own removed values and every
identifier shape of :mod:`dicomtab.deid.freetext`, are replaced. After the word decisions, a
house number goes with the street name after it, and words joined by "-", "/" or "." to a
replaced one go with it. What was replaced is counted for the audit, never quoted.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from dicomtab.deid.freetext import PATTERNS, REPLACEMENT, Scrubber
from dicomtab.errors import UnsupportedError

#: Words after which a name-like word is taken for a name.
NAME_CUES = frozenset(
    "dr doctor mr mrs ms miss mx prof professor nurse sister brother wife husband son daughter "
    "mother father mom dad aunt uncle cousin friend partner fiance fiancee neighbor neighbour "
    "grandson granddaughter grandmother grandfather by per patient pt name attending referring "
    "referred resident fellow technologist tech radiologist physician surgeon cc".split()
)

_UNITS = (r"mm|cm|m|um|ml|cc|l|mg|mcg|g|kg|kv|kvp|ma|mas|ms|s|sec|min|h|hr|hrs|t|mhz|khz|hz|"
          r"mgy|gy|cgy|msv|mci|mbq|bq|deg|mmol|mol|lb|lbs|in|ft|x|%")
#: Shapes of imaging text kept whatever the vocabulary says (lower-cased tokens).
SAFE_SHAPES = re.compile(
    r"^(?:\d{1,4}"                                   # a count, a dose, a year alone
    r"|\d*\.\d+|\d{1,4}\.\d*"                        # 0.625, 2.5
    r"|\d{1,4}(?:\.\d+)?(?:" + _UNITS + r")"         # 5mm, 3t, 120kv, 2.5mm
    r"|\d{1,4}x\d{1,4}(?:x\d{1,4})?"                 # a matrix: 512x512
    r"|\d{1,3}(?:st|nd|rd|th)"                       # an ordinal
    r"|[a-z]{1,3}\d{1,3}[a-z]{0,2}|\d[a-z]{1,2}"     # t1, t2w, b70f, fc03, 3d
    r"|[a-z])$"                                      # a letter: L, R, a
)
#: Words, numbers, and what lies between them (kept as it is).
_TOKENS = re.compile(r"[^\W_]+|[\W_]+")
#: Parts of a run-together token: "ThoraxRoutine", "T2Flair", "AXIALCT".
_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

_NAME = r"[A-Z][A-Za-z'’-]+"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
#: Capitalised words that begin place names ("South Janet", "Fort Wayne"): taken with the
#: removed word after them.
PLACE_WORDS = frozenset("north south east west new port fort lake mount saint san santa "
                        "los las el la le de del".split())
#: Words that follow a house number and street name, with the number of a unit after them.
_UNIT_WORDS = frozenset("suite ste apt apartment unit floor fl room rm".split())
_FACILITY_WORDS = (r"(?:Medical|Health|Healthcare|Imaging|Radiology|Cancer|Heart|Children'?s|"
                   r"Women'?s|University|Community|Memorial|General|Regional)")
#: Identifier shapes of free text beyond freetext.PATTERNS: facility names, street addresses,
#: a state and ZIP code. Applied before the allow-list, so that words it would keep ("Main",
#: "Street", "Medical", "Center") go with the name they are part of.
TEXT_SHAPES: dict[str, re.Pattern[str]] = {
    "facility": re.compile(
        r"\b(?:St\.?|Saint|Mount|Mt\.?)\s+(?!(?:Suite|Apt|Unit|Ste)\b)" + _NAME
        + r"(?:\s+(?!(?:Suite|Apt|Unit|Ste)\b)" + _NAME + r"){0,4}"
        r"|\b(?:" + _NAME + r"\s+){1,4}" + r"(?:" + _FACILITY_WORDS + r"\s+)?"
        r"(?:Medical\s+Center|Hospital|Clinic|Health\s+System|Healthcare|Imaging\s+Center|"
        r"Infirmary|Sanatorium|Hospice|Medical\s+Group)\b"),
    # A city before its state and ZIP code goes with them: "South Janet, TX 56424".
    "state_zip": re.compile(r"(?:\b(?:" + _NAME + r"\s+){0,2}" + _NAME + r",\s+)?"
                           r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b"),
    # 14-Jun-1979, Jun-14-1979, 14 Jun 79 (freetext's date shapes spell out the others).
    "month_date": re.compile(
        r"(?i)\b(?:\d{1,2}[-/. ]" + _MONTH + r"[-/. ]\d{2,4}|" + _MONTH
        + r"[-/. ]\d{1,2}[-/. ]\d{2,4})\b"),
    # A month and day without the year, "3/14" or "03/14": a date Safe Harbor removes. (A
    # fraction such as "1/2" has the same shape and goes too.)
    "month_day": re.compile(r"(?<![\w/.])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\w/.])"),
    # Digits in three groups or more, joined by "-" or ".": a phone number in some country's
    # style, an ID, a UID.
    "digit_groups": re.compile(r"(?<![\w.])\d{1,4}(?:[-.]\d{2,5}){2,}(?:x\d{1,6})?(?![\w.])"),
}


@dataclass(frozen=True)
class Vocabulary:
    """The allow-list: safe words, and those of them that are also names."""

    safe: frozenset[str]
    ambiguous: frozenset[str]
    header: dict[str, Any] = field(default_factory=dict)
    #: Street suffixes (Avenue, Camp, View, ...): the end of a street address.
    street: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once, on first use (never at start-up)."""
    try:
        data = resources.files("dicomtab").joinpath("data", "text_vocabulary.txt.gz").read_bytes()
    except OSError:
        # In the tab the worker places it before the first de-identification; reaching this
        # means it could not: no text is cleaned, so nothing may be written.
        raise UnsupportedError("The word list for free text is not loaded, so text can be "
                               "neither cleaned nor checked; reload the page to try again.") from None
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    header = json.loads(lines[0])
    split, street = lines.index("#ambiguous"), lines.index("#street")
    return Vocabulary(frozenset(lines[2:split]), frozenset(lines[split + 1:street]), header,
                      frozenset(lines[street + 1:]))


@dataclass
class Cleaned:
    """A cleaned text and how many pieces of it were replaced."""

    text: str
    replaced: int = 0


class TextCleaner:
    """Cleans free text with the allow-list, after the file's removed values and every
    identifier shape (see the module)."""

    def __init__(self, identifiers: Iterable[str], words: Vocabulary | None = None) -> None:
        self.scrubber = Scrubber(identifiers, PATTERNS)
        self.words = words or vocabulary()
        # The street address first: "82596 Holland Mount" is an address before "Mount ..."
        # can be taken for the start of a facility's name.
        self.shapes = [_address(self.words.street), *TEXT_SHAPES.values()]

    def _known(self, token: str) -> bool:
        """Whether a word is safe as such, or as run-together safe parts ("ThoraxRoutine")."""
        lower = token.lower()
        if lower in self.words.safe or SAFE_SHAPES.match(lower):
            return True
        parts = _PARTS.findall(token)
        return len(parts) > 1 and all(
            p.lower() in self.words.safe or SAFE_SHAPES.match(p.lower()) for p in parts)

    def clean(self, text: str) -> Cleaned:
        if not text or not text.strip():
            return Cleaned(text)
        # This module's shapes first: a phone number written in groups goes as one piece
        # before freetext's North American shape takes part of it.
        first = text
        for shape in self.shapes:
            first = shape.sub(REPLACEMENT, first)
        first = self.scrubber.scrub(first)
        replaced = first.count(REPLACEMENT) - text.count(REPLACEMENT)
        tokens = _TOKENS.findall(first)
        keep = self._decide(tokens)
        out: list[str] = []
        for token, kept in zip(tokens, keep, strict=True):
            if kept:
                out.append(token)
                continue
            replaced += 1
            # A run of replaced words (and the spaces between them) is one marker.
            if len(out) >= 2 and out[-2] == REPLACEMENT and not out[-1].strip():
                out.pop()
                continue
            if out and out[-1] == REPLACEMENT:
                continue
            out.append(REPLACEMENT)
        return Cleaned("".join(out), replaced)

    def _decide(self, tokens: list[str]) -> list[bool]:
        words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
        keep = [True] * len(tokens)
        removed_capital = False
        for position, index in enumerate(words):
            token = tokens[index]
            lower = token.lower()
            if lower == REPLACEMENT or (not lower.isalnum()):
                continue
            if SAFE_SHAPES.match(lower):
                continue
            named = _is_cue(tokens, words, position - 1) or (removed_capital and token[0].isupper())
            if self._known(token) and not (lower in self.words.ambiguous and named):
                removed_capital = False
                continue
            keep[index] = False
            removed_capital = token[0].isupper()
        # "Mary Hunter": a capitalised name-like word just before a removed capitalised word;
        # "South Janet": a place word before one.
        for position in range(len(words) - 1, 0, -1):
            index, previous = words[position], words[position - 1]
            if not keep[index] and tokens[index][0].isupper() and keep[previous]:
                word = tokens[previous]
                lower = word.lower()
                if word[0].isupper() and not SAFE_SHAPES.match(lower) and (
                        lower in self.words.ambiguous or lower in PLACE_WORDS):
                    keep[previous] = False
        _street(tokens, words, keep)
        _compounds(tokens, keep)
        return keep


#: Cue words that are also modality or view codes when written in capitals (MR, DR, PT, CC).
_SHORT_CUES = frozenset("dr mr mrs ms mx pt cc".split())


def _is_cue(tokens: list[str], words: list[int], position: int) -> bool:
    """Whether the word at ``position`` (of ``words``) announces a name: "Dr.", "wife"; "MR"
    and "DR" in capitals are a modality, unless a full stop follows them ("DR. SMITH")."""
    if position < 0:
        return False
    index = words[position]
    word = tokens[index]
    lower = word.lower()
    if lower not in NAME_CUES:
        return False
    if lower in _SHORT_CUES and word.isupper():
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        return after.startswith(".")
    return True


def _address(suffixes: frozenset[str]) -> re.Pattern[str]:
    """A street address: a house number, one to three Title-case words and a street suffix
    (USPS's, from the vocabulary), and a unit with its number. Capitals are not taken: "5312
    CTA HEAD AND NECK" ends in a suffix too; an address in capitals is left to the allow-list
    (its street name is unknown) and to the house-number rule of :func:`_street`."""
    ends = "|".join(sorted((re.escape(s.title()) for s in suffixes), key=len, reverse=True))
    title = r"[A-Z][a-z'’-]+"
    unit = r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Room|Floor|#)\.?\s*[\w-]+)?"
    return re.compile(r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:" + title + r"\s+){1,3}(?:"
                      + (ends or "Street") + r")\b\.?" + unit)


def _street(tokens: list[str], words: list[int], keep: list[bool]) -> None:
    """"836 Farley Ports", "77763 Tony Village Suite 690": a house number before a removed
    capitalised word goes, with the street word after it and a unit and its number."""
    for position, index in enumerate(words):
        # A number, capitalised words and a unit with its number: "10102 Lee Mount Suite 884".
        if tokens[index].isdigit():
            run = words[position + 1: position + 6]
            names = 0
            while names < min(3, len(run)) and tokens[run[names]][0].isupper() \
                    and tokens[run[names]].lower() not in _UNIT_WORDS:
                names += 1
            if names and len(run) > names + 1 and tokens[run[names]].lower() in _UNIT_WORDS:
                for i in (index, *run[: names + 2]):
                    keep[i] = False
    for position, index in enumerate(words[1:], 1):
        before = words[position - 1]
        if keep[index] or not tokens[index][0].isupper() or not tokens[before].isdigit():
            continue
        keep[before] = False
        rest = words[position + 1: position + 4]
        if rest and tokens[rest[0]][0].isupper():
            keep[rest[0]] = False
            rest = rest[1:]
        if len(rest) >= 2 and tokens[rest[0]].lower() in _UNIT_WORDS:
            keep[rest[0]] = keep[rest[1]] = False


def _compounds(tokens: list[str], keep: list[bool]) -> None:
    """Tokens joined by "-", "/" or "." without spaces are one thing ("415-90584",
    "14-Jun-1979"): when one of them is replaced, all are."""
    start = 0
    while start < len(tokens):
        end = start + 1
        while end + 1 < len(tokens) and tokens[end] in ("-", "/", ".") \
                and tokens[end + 1][0].isalnum():
            end += 2
        group = range(start, end, 2)
        # Joined to a marker ("001-***"): part of what was replaced.
        touching = tokens[start][0].isalnum() and end < len(tokens) and re.match(
            r"[-/.]\*\*\*", tokens[end]) is not None
        if (end - start > 1 and not all(keep[i] for i in group)) or touching:
            for i in range(start, end):
                keep[i] = False
        start = end
