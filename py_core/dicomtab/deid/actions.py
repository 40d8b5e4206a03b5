"""Which action applies to one element, and the values the actions D and Z write.

The action comes from data (the generated table, the keep list, the safe-private list, the
profile); this module only says in which order those sources are consulted:

1. private attributes: profile override, else safe list under Retain Safe Private, else X;
2. a profile override for the tag;
3. the table row: the Basic Profile action, replaced by the column of an applied option, or
   by ``year`` under ``date_precision`` where the row has a date option column;
4. repeating overlay groups (60xx) kept only under Clean Graphics;
5. the always-kept list;
6. by VR for anything else: UIDs remapped, dates by the date options (or reduced to the year),
   the rest removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydicom.sequence import Sequence

from dicomtab.deid.freetext import TEXT_VRS
from dicomtab.deid.profile import DATE_OPTIONS, PrivateKey, Profile
from dicomtab.deid.table import DeidTable

#: When two applied options both have an entry for a row: cleaning keeps the value *and* removes
#: identifiers from it, so it wins over a plain keep; a keep wins over anything stricter.
OPTION_PRECEDENCE = ("C", "K", "U", "D", "Z", "X")

#: Non-zero-length stand-ins for D ("replace with a dummy value consistent with the VR").
DUMMY_BY_VR: dict[str, Any] = {
    "AE": "ANONYMIZED", "AS": "000D", "CS": "ANONYMIZED", "DA": "19000101", "DS": "0",
    "DT": "19000101000000", "IS": "0", "LO": "ANONYMIZED", "LT": "ANONYMIZED",
    "PN": "ANONYMIZED", "SH": "ANONYMIZED", "ST": "ANONYMIZED", "TM": "000000",
    "UC": "ANONYMIZED", "UR": "", "UT": "ANONYMIZED", "FL": 0.0, "FD": 0.0, "SL": 0, "SS": 0,
    "SV": 0, "UL": 0, "US": 0, "UV": 0, "AT": 0, "OB": b"\x00\x00", "OD": b"\x00" * 8,
    "OF": b"\x00" * 4, "OL": b"\x00" * 4, "OV": b"\x00" * 8, "OW": b"\x00\x00",
    "UN": b"\x00\x00",
}

DATE_VRS = frozenset({"DA", "DT", "TM"})
OVERLAY_GROUPS = range(0x6000, 0x6100)
#: Keywords that carry the value of an SR TEXT item / a graphic text object.
CONTENT_TEXT_KEYWORDS = frozenset({"TextValue", "UnformattedTextValue"})


@dataclass(frozen=True)
class Decision:
    """The single action for one element and where it came from (for the audit)."""

    action: str
    source: str


def dummy_value(vr: str) -> Any:
    """The D value for ``vr`` (a sequence gets handled by the engine, not here)."""
    return DUMMY_BY_VR.get(vr, "ANONYMIZED")


def empty_value(vr: str) -> Any:
    """The Z value for ``vr``: zero length, or an empty sequence."""
    return Sequence([]) if vr == "SQ" else None


def _from_row(basic: str, options: dict[str, str], profile: Profile) -> tuple[str, str]:
    if profile.date_precision is not None and any(o in options for o in DATE_OPTIONS):
        # Temporal information the standard lets a profile retain (in full or shifted) is
        # retained at the profile's precision instead.
        return profile.date_precision, "table+date_precision"
    entries = {options[o] for o in options if profile.has(o)}
    if entries:
        action = next(a for a in OPTION_PRECEDENCE if a in entries)
        applied = ",".join(sorted(o for o in options if profile.has(o)))
        return action, f"table+{applied}"
    return profile.combined.get(basic, basic), "table"


def decide(
    tag: int,
    vr: str,
    keyword: str,
    creator: str | None,
    profile: Profile,
    table: DeidTable,
    tree: str | None = None,
) -> Decision:
    """The action for one element.

    ``creator`` is the private creator of a private element (None for public ones); ``tree``
    is "D" or "C" inside a sequence being dummied or cleaned (SR content, graphic annotations),
    where text items are replaced or cleaned instead of removed so the tree stays valid.
    """
    group, elem = tag >> 16, tag & 0xFFFF
    if group % 2:
        if elem == 0:
            return Decision("X", "group-length")
        key = PrivateKey(creator or "", group, elem & 0xFF)
        if key in profile.private_overrides:
            return Decision(profile.private_overrides[key], "override")
        safe = key in table.safe_private or key in profile.safe_private
        if profile.has("retain_safe_private") and safe:
            # Table E.1-1 says C for safe private attributes: kept, but their UIDs remapped,
            # dates shifted and text scrubbed like any kept value (some listed ones are UIDs).
            # Sequences are walked as kept ones so nested attributes get their own rules.
            if vr == "SQ" or (vr == "UI" and profile.has("retain_uids")):
                return Decision("K", "safe-private")
            return Decision("C", "safe-private")
        return Decision(table.private_row.basic, "private")
    if tag in profile.overrides:
        return Decision(profile.overrides[tag], "override")
    if tree is not None and keyword in CONTENT_TEXT_KEYWORDS:
        # SR TEXT items and graphic text objects: the value is content, cleaned or dummied.
        return Decision(tree, f"content-{tree}")
    row = table.row_for(tag)
    if row is not None:
        action, source = _from_row(row.basic, row.options, profile)
        if tree == "C" and action == "D" and vr in TEXT_VRS:
            # Inside cleaned content a dummy would destroy meaning; identifiers removed by
            # their own rows (X, Z) stay removed.
            action, source = "C", source + "+content"
        return Decision(action, source)
    if group in OVERLAY_GROUPS and group % 2 == 0:
        return Decision("K" if profile.has("clean_graphics") else "X", "overlay-group")
    if vr == "UI":
        # Every UID is remapped unless the profile retains UIDs; well-known ones map to
        # themselves in UidMapper, so SOP Class and Transfer Syntax UIDs are untouched.
        return Decision("K" if profile.has("retain_uids") else "U", "vr-UI")
    if tag in table.keep:
        return Decision("K", "keep-list")
    if vr in DATE_VRS:
        if profile.date_precision is not None:
            return Decision(profile.date_precision, "vr-date")
        if profile.has("retain_long_full_dates"):
            return Decision("K", "vr-date")
        if profile.has("retain_long_modified_dates"):
            return Decision("C", "vr-date")
        return Decision("X", "vr-date")
    return Decision("X", "unlisted")


#: Decisions per (profile, table), kept for the life of the process (a batch): a handful of
#: profiles at most, each with a few hundred distinct (tag, VR, creator, tree) keys.
_DECISIONS: dict[tuple[int, int], tuple[Profile, DeidTable, dict[Any, Decision]]] = {}


def decision_cache(profile: Profile, table: DeidTable) -> dict[Any, Decision]:
    """A memo for :func:`decide` under ``profile`` and ``table``: decisions depend on an
    element's tag, VR, creator and place, never its value, so a batch needs few."""
    entry = _DECISIONS.get((id(profile), id(table)))
    if entry is None or entry[0] is not profile or entry[1] is not table:
        if len(_DECISIONS) >= 16:
            _DECISIONS.clear()
        entry = _DECISIONS[(id(profile), id(table))] = (profile, table, {})
    return entry[2]
