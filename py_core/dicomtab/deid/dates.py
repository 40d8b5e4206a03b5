"""Date shifting for Retain Longitudinal Temporal Information with Modified Dates.

One whole-day offset per patient keeps every interval between that patient's events; times of
day are unchanged by a whole-day shift, so TM values are kept as they are, and an interval
that crosses midnight (a study begun at 23:50, an acquisition at 00:10 the next day) keeps
its length. A profile that deems the time of day identifying says ``modified_times:
"remove"``: TM values are emptied and DT values keep their (shifted) date only.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from dicomtab.deid.keys import Key

#: Offsets fall between one and ten years back: far enough that a shifted date does not reveal
#: the real one, near enough that dates stay plausible (e.g. after a device's release).
MIN_SHIFT_DAYS = 365
MAX_SHIFT_DAYS = 3650


def patient_offset_days(key: Key, patient_key: str) -> int:
    """The keyed (negative) day offset for one patient."""
    span = MAX_SHIFT_DAYS - MIN_SHIFT_DAYS + 1
    h = int.from_bytes(key.digest("date-offset", patient_key)[:8], "big")
    return -(MIN_SHIFT_DAYS + h % span)


def shift_da(value: str, days: int) -> str | None:
    """Shift a DA value (``YYYYMMDD``); None when it is not a valid date."""
    text = value.strip()
    try:
        day = _dt.datetime.strptime(text, "%Y%m%d").date()
        return (day + _dt.timedelta(days=days)).strftime("%Y%m%d")
    except (ValueError, OverflowError):
        return None


def shift_dt(value: str, days: int) -> str | None:
    """Shift the date part of a DT value, keeping time, fraction and UTC offset as given."""
    text = value.strip()
    # Only the date components move; a DT may stop at year or month precision, and a UTC
    # offset may follow any precision ("2024-0500"), so the date is the leading digits only.
    date_len = min(8, len(text) - len(text.lstrip("0123456789")))
    if date_len not in (4, 6, 8):
        return None
    head, tail = text[:date_len], text[date_len:]
    padded = head + "0101"[len(head) - 4 :] if len(head) < 8 else head
    shifted = shift_da(padded, days)
    if shifted is None:
        return None
    return shifted[: len(head)] + tail


#: Values of a profile's ``modified_times``.
MODIFIED_TIMES = ("keep", "remove")


def _date_only(value: str) -> str | None:
    """A shifted DT value without its time of day (its date part, as precise as it was)."""
    date_len = min(8, len(value) - len(value.lstrip("0123456789")))
    return value[:date_len] if date_len in (4, 6, 8) else None


def _shift_date_only(part: str, days: int) -> str | None:
    moved = shift_dt(part, days)
    return None if moved is None else _date_only(moved.strip())


def shift_values(vr: str, value: str, days: int, times: str = "keep") -> str | None:
    """Shift one or more backslash-separated DA/DT values; TM is returned unchanged, or
    emptied (and DT cut to its date) when ``times`` is "remove"."""
    if vr == "TM":
        return "" if times == "remove" else value
    shift: Callable[[str, int], str | None] = shift_da if vr == "DA" else shift_dt
    if vr == "DT" and times == "remove":
        shift = _shift_date_only
    parts = [shift(p, days) if p.strip() else "" for p in value.split("\\")]
    if any(p is None for p in parts):
        return None
    return "\\".join(p or "" for p in parts)
