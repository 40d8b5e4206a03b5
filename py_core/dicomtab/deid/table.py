"""Read-only access to the generated PS3.15 Table E.1-1 and its companion data files.

The data files are generated (``build/standard/gen_deid_table.py``) or curated; this module only
loads and indexes them. Nothing here encodes a row of the standard.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

#: Option names, in the order Table E.1-1 lists its columns.
TABLE_OPTIONS: tuple[str, ...] = (
    "retain_safe_private",
    "retain_uids",
    "retain_device_identity",
    "retain_institution_identity",
    "retain_patient_characteristics",
    "retain_long_full_dates",
    "retain_long_modified_dates",
    "clean_descriptors",
    "clean_structured_content",
    "clean_graphics",
)


@dataclass(frozen=True)
class PrivateKey:
    """A private attribute named by its block's creator, so it survives block relocation."""

    creator: str
    group: int
    offset: int


@dataclass(frozen=True)
class Row:
    """One attribute of Table E.1-1: its Basic Profile action and option column entries."""

    tag: int
    name: str
    basic: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pattern:
    """A repeating-group row (curves 50xx, overlays 60xx): matches ``tag & mask == match``."""

    match: int
    mask: int
    row: Row


@dataclass(frozen=True)
class DeidTable:
    """Table E.1-1 indexed by tag, plus the always-kept and safe-private lists."""

    header: dict[str, Any]
    rows: dict[int, Row]
    patterns: tuple[Pattern, ...]
    private_row: Row
    keep: frozenset[int]
    safe_private: frozenset[PrivateKey]
    #: The VR Table E.3.10-1 gives a safe private attribute, for files that do not say it
    #: (implicit VR, or UN): a listed UID must be read as one to be remapped.
    safe_private_vr: dict[PrivateKey, str] = field(default_factory=dict)

    def row_for(self, tag: int) -> Row | None:
        """The table row governing ``tag`` (exact rows first, then repeating groups)."""
        row = self.rows.get(tag)
        if row is not None:
            return row
        for pattern in self.patterns:
            if tag & pattern.mask == pattern.match:
                return pattern.row
        return None

    def edition(self) -> str:
        """Human-readable provenance, e.g. for DeidentificationMethod."""
        basic = self.header["basic_profile"]["edition"]
        return f"PS3.15 {basic} Table E.1-1 (option columns from the 2020 edition)"


def _load(name: str) -> Any:
    text = resources.files("dicomtab").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def load_table() -> DeidTable:
    """Load and index the packaged data files once per process."""
    raw = _load("deid_table.json")
    rows = {
        int(r["tag"], 16): Row(int(r["tag"], 16), r["name"], r["basic"], dict(r["options"]))
        for r in raw["rows"]
    }
    patterns = tuple(
        Pattern(
            int(p["match"], 16),
            int(p["mask"], 16),
            Row(int(p["match"], 16), p["name"], p["basic"], dict(p["options"])),
        )
        for p in raw["patterns"]
    )
    priv = raw["header"]["private_attributes"]
    private_options = {"retain_safe_private": priv["retain_safe_private"]}
    private_row = Row(-1, "Private attributes", priv["basic"], private_options)
    keep = frozenset(int(a["tag"], 16) for a in _load("deid_keep.json")["attributes"])
    safe_vr = {
        PrivateKey(a["creator"].strip(), int(a["group"], 16), int(a["offset"], 16)): a.get("vr", "")
        for a in _load("deid_safe_private.json")["attributes"]
    }
    return DeidTable(raw["header"], rows, patterns, private_row, keep, frozenset(safe_vr),
                     {k: v for k, v in safe_vr.items() if v})


@lru_cache(maxsize=1)
def action_codes() -> dict[str, str]:
    """Table E.1-1's action codes (``X``, ``Z/D``, ``X/Z/U*``, …) → what each means, in the
    order the standard explains them (``data/deid_action_codes.json``)."""
    return {c["code"]: c["meaning"] for c in _load("deid_action_codes.json")["codes"]}
