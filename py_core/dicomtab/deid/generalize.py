"""Generalisation actions: a value replaced by a coarser form of itself, not removed.

HIPAA's Safe Harbor method (45 CFR 164.514(b)(2)) allows some identifiers in a reduced form:
the year of a date, an age up to 89 (older ones aggregated into "90 or older"), the first three
digits of a ZIP code (000 where those three digits cover 20,000 people or fewer). Each is an
action a profile can name, like PS3.15's K, X, Z, D, U and C:

========  ====  ==============================================================================
action    VRs   result
========  ====  ==============================================================================
``year``  DA    ``YYYY0101``: DA has no year-only form, and a fixed day is recognisable as one
          DT    ``YYYY`` (DT may stop at the year); UTC offset dropped
          TM    emptied: a time of day is an element of a date more specific than the year
``age90`` AS    unchanged up to 89 whole years; 90 or more becomes ``090Y`` (three digits of
                months, weeks or days never reach 90 years, but the units are read)
``zip3``  text  the first three digits of the (last) US ZIP code in the value, ``000`` for the
                prefixes in ``data/hipaa_zip3.json``; nothing else of the value is kept
========  ====  ==============================================================================

Every function returns the new text, or None when the value cannot be read as what the action
expects; the engine then empties the element rather than keep a value it could not reduce.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

#: The aggregated age, and the first age (in whole years) that is aggregated.
AGE_CAP = "090Y"
AGE_CAP_YEARS = 90
#: Whole years in n units of an Age String (PS3.5 6.2: D, W, M, Y), in integer arithmetic
#: (a year is 365.2425 days, the Gregorian mean).
_YEARS = {
    "Y": lambda n: n,
    "M": lambda n: n // 12,
    "W": lambda n: n * 7 * 10_000 // 3_652_425,
    "D": lambda n: n * 10_000 // 3_652_425,
}
_AS = re.compile(r"(\d{3})([DWMY])")
_DA = re.compile(r"(\d{4})(?:\d{4}|\.\d\d\.\d\d)")  # also the old ACR-NEMA form YYYY.MM.DD
_DT = re.compile(r"(\d{4})(?:\d{2}){0,5}(?:\.\d{1,6})?(?:[+-]\d{4})?")
_ZIP = re.compile(r"(?<!\d)(\d{3})\d{2}(?:-\d{4})?(?!\d)")

DATA_FILE = "hipaa_zip3.json"


@lru_cache(maxsize=1)
def zip3_data() -> dict[str, Any]:
    """The packaged list of restricted ZIP prefixes, with its header (source, census)."""
    text = resources.files("dicomtab").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def restricted_zip3() -> frozenset[str]:
    """Three-digit prefixes reported as ``000``."""
    return frozenset(zip3_data()["prefixes"])


def year_of(vr: str, value: str) -> str | None:
    """A DA, DT or TM value reduced to its year (see the module's table)."""
    text = value.strip()
    if vr == "TM":
        return ""
    pattern = _DA if vr == "DA" else _DT
    match = pattern.fullmatch(text)
    if match is None:
        return None
    return match.group(1) + "0101" if vr == "DA" else match.group(1)


def age_years(value: str) -> int | None:
    """Whole years of an Age String (``"1090M"`` -> 90); None when it is not one."""
    match = _AS.fullmatch(value.strip())
    if match is None:
        return None
    years: int = _YEARS[match.group(2)](int(match.group(1)))
    return years


def aggregate_age(vr: str, value: str) -> str | None:
    """An AS value with 90 years or more replaced by ``090Y``; others unchanged."""
    years = age_years(value)
    if years is None:
        return None
    return AGE_CAP if years >= AGE_CAP_YEARS else value.strip()


def zip3(vr: str, value: str) -> str | None:
    """The three-digit ZIP prefix of the last ZIP code in ``value`` (``000`` when restricted)."""
    found = _ZIP.findall(value)
    if not found:
        return None
    prefix = found[-1]
    return "000" if prefix in restricted_zip3() else prefix


Generalizer = Callable[[str, str], str | None]

#: Action name -> (the VRs it applies to, the function). ``None`` for VRs: any text VR.
GENERALIZERS: dict[str, tuple[frozenset[str] | None, Generalizer]] = {
    "year": (frozenset({"DA", "DT", "TM"}), year_of),
    "age90": (frozenset({"AS"}), aggregate_age),
    "zip3": (None, zip3),
}

#: VRs whose values are text the ``zip3`` action can read.
TEXT_LIKE_VRS = frozenset({"LO", "SH", "ST", "LT", "UT", "UC", "CS"})


def applies(action: str, vr: str) -> bool:
    """Whether ``action`` can reduce a value of ``vr`` (else the element is emptied)."""
    vrs, _ = GENERALIZERS[action]
    return vr in (TEXT_LIKE_VRS if vrs is None else vrs)


def generalize(action: str, vr: str, text: str) -> str | None:
    """Apply ``action`` to each backslash-separated value of ``text``; None if any fails.

    A multi-valued ``zip3`` or ``year`` on TM gives one value: what is kept is the same for
    every value, or nothing.
    """
    _, function = GENERALIZERS[action]
    parts = [function(vr, part) if part.strip() else "" for part in text.split("\\")]
    if any(p is None for p in parts):
        return None
    kept = [p for p in parts if p is not None]
    if action == "zip3" or vr == "TM":
        return next((p for p in reversed(kept) if p), "")
    return "\\".join(kept)
