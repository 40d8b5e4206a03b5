"""De-identification profiles: options, per-attribute overrides and replacement templates.

A profile is a JSON object::

    {
      "name": "research",
      "summary": "one or two plain sentences: what it keeps, what it removes, HIPAA method",
      "description": "what it is for, in full",
      "options": ["retain_long_modified_dates", "clean_descriptors", ...],
      "overrides": [
        {"keyword": "PatientSex", "action": "K"},
        {"tag": "00181030", "action": "X"},
        {"creator": "ACME 1.0", "group": "0029", "offset": "10", "action": "K"}
      ],
      "templates": {"PatientName": "ANON^{hash8}", "PatientID": "ANON{hash8}"},
      "combined_actions": {"X/Z": "Z"},
      "safe_private": [{"creator": "ACME 1.0", "group": "0029", "offset": "11"}],
      "date_offset_days": -1000,
      "date_precision": "year",
      "scrub_patterns": ["phone", "email", "ssn", "url", "ip", "date"],
      "hipaa": "safe-harbor",
      "clean_pixels": "auto",
      "clean_text": "allowlist",
      "clean_text_by_keyword": {"ProtocolName": "patterns"}
    }

Built-in profiles live in ``dicomtab/profiles/*.json``; any other path is read as a file.

Besides PS3.15's actions an override may name a generalisation action of
:mod:`dicomtab.deid.generalize` (``year``, ``age90``, ``zip3``). ``date_precision: "year"``
applies ``year`` to every attribute the table lets a profile retain dates of (those with a
Retain Longitudinal Temporal Information column) and to unlisted DA/DT/TM; it excludes the two
date options. ``scrub_patterns`` names identifier shapes replaced in kept text
(:data:`dicomtab.deid.freetext.PATTERNS`). ``hipaa`` says which HIPAA method the profile is
written for; a ``safe-harbor`` profile may not apply options that keep what Safe Harbor removes.

Combined action codes. Table E.1-1 gives some attributes a choice (X/Z, X/D, Z/D, X/Z/D,
X/Z/U*) that depends on the attribute's Type in the instance's IOD: remove it if Type 3, empty
it if Type 2, dummy it if Type 1. This tool has no IOD tables, so by default it takes the choice
that is valid whatever the Type (:data:`DEFAULT_COMBINED`): D wherever D is allowed (a dummy
satisfies Types 1, 2 and 3), else Z (X/Z rows are never Type 1; an empty value satisfies Types
2 and 3), and U for X/Z/U* (sequences of references: items kept, their UIDs remapped). So an
attribute with a combined code stays present, dummied or emptied, where the standard would also
allow removing it. ``combined_actions`` chooses otherwise per code, e.g. ``{"X/Z": "X"}``: only
right for a profile that knows those attributes are Type 3 in every IOD it will see.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pydicom.datadict import tag_for_keyword

from dicomtab.deid.dates import MODIFIED_TIMES
from dicomtab.deid.freetext import PATTERNS, unknown_patterns
from dicomtab.deid.generalize import GENERALIZERS
from dicomtab.deid.table import TABLE_OPTIONS, PrivateKey
from dicomtab.errors import PolicyError

#: Options of PS3.15 Table E.1-1 plus the two that have no column (pixel-level options: this
#: tool only flags the files that need them, see engine.needs_pixel_review).
OPTIONS: tuple[str, ...] = TABLE_OPTIONS + ("clean_pixel_data", "clean_recognizable_visual_features")

#: PS3.15's actions. U is remap-UIDs, C is clean (scrub text / shift dates).
STANDARD_ACTIONS = frozenset({"K", "X", "Z", "D", "U", "C"})
#: Actions a profile may ask for: the standard's and the generalisations (year, age90, zip3).
ACTIONS = STANDARD_ACTIONS | frozenset(GENERALIZERS)

#: Values of ``date_precision``: the one generalisation of every date a profile can ask for.
DATE_PRECISIONS = frozenset({"year"})
#: The table's option columns that mark an attribute as temporal information.
DATE_OPTIONS = ("retain_long_full_dates", "retain_long_modified_dates")

#: Values of ``clean_pixels``, what a profile does about burned-in text: ``off`` (nothing, not
#: even a flag), ``flag`` (flag the files that may carry it; boxes the user gives are still
#: applied), ``templates`` (also the known device layouts), ``auto`` (templates, then text
#: detection). See dicomtab.deid.pixel_cleaning.
CLEAN_PIXELS = ("off", "flag", "templates", "auto")

#: Values of ``clean_text``, how text a profile keeps and cleans (action C) is cleaned:
#: ``allowlist`` keeps only known-safe words (dicomtab.deid.textclean); ``patterns`` only
#: replaces the file's removed values and the profile's identifier shapes.
CLEAN_TEXT = ("allowlist", "patterns")

#: HIPAA de-identification methods (45 CFR 164.514(b)) a profile can declare.
HIPAA_METHODS: dict[str, str] = {
    "safe-harbor": "Safe Harbor, 45 CFR 164.514(b)(2)",
    "expert-determination": "Expert Determination, 45 CFR 164.514(b)(1): NOT Safe Harbor",
}
#: Options that keep something Safe Harbor removes, and what: a safe-harbor profile refuses them.
NOT_SAFE_HARBOR: dict[str, str] = {
    "retain_long_full_dates": "full dates (Safe Harbor allows the year only)",
    "retain_long_modified_dates": "shifted full dates (Safe Harbor allows the year only)",
    "retain_device_identity": "device identifiers and serial numbers",
    "retain_institution_identity": "institution names and addresses",
    "retain_uids": "original UIDs (unique identifying numbers)",
    "retain_safe_private": "private attributes",
}

#: How a combined code of the table becomes one action when the IOD type is not known here.
#: The choice that keeps every IOD valid: D (a dummy satisfies type 1, 2 and 3), else Z (type 2
#: and 3), and U* (sequences of references) walks the items so their UIDs get remapped.
DEFAULT_COMBINED: dict[str, str] = {
    "Z/D": "D",
    "X/D": "D",
    "X/Z": "Z",
    "X/Z/D": "D",
    "X/Z/U*": "U",
}

#: Placeholders templates may use. {hashN} = first N hex digits of the keyed patient hash.
TEMPLATE_FIELDS = ("hash8", "hash12", "hash16")

_MUTUALLY_EXCLUSIVE = ("retain_long_full_dates", "retain_long_modified_dates")


@dataclass(frozen=True)
class Profile:
    """A validated profile. Build it with :func:`profile_from_dict` or :func:`load_profile`."""

    name: str
    description: str
    options: frozenset[str]
    #: One or two plain sentences for the page's profile choice (defaults to the description).
    summary: str = ""
    overrides: dict[int, str] = field(default_factory=dict)
    private_overrides: dict[PrivateKey, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    combined: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COMBINED))
    safe_private: frozenset[PrivateKey] = frozenset()
    date_offset_days: int | None = None
    #: "year": every date reduced to its year (see the module's docstring); None: as the date
    #: options say.
    date_precision: str | None = None
    #: Names of identifier shapes replaced in kept free text (freetext.PATTERNS).
    scrub_patterns: tuple[str, ...] = ()
    #: The HIPAA method the profile is written for ("safe-harbor", "expert-determination").
    hipaa: str | None = None
    #: What the profile does about burned-in text (one of CLEAN_PIXELS).
    clean_pixels: str = "flag"
    #: How cleaned text is cleaned (one of CLEAN_TEXT), and per-attribute exceptions.
    clean_text: str = "allowlist"
    #: Times of day under modified dates: "keep" (a whole-day shift keeps them) or "remove".
    modified_times: str = "keep"
    clean_text_by_keyword: dict[str, str] = field(default_factory=dict)
    #: sha256 of the JSON the profile was read from ("" when built from data in memory).
    sha256: str = ""
    #: Whether it is one of the profiles shipped with the package.
    builtin: bool = False

    def has(self, option: str) -> bool:
        """Whether ``option`` is applied by this profile."""
        return option in self.options

    @property
    def modifies_dates(self) -> bool:
        """Whether kept dates differ from the originals (shifted or reduced to the year)."""
        return self.has("retain_long_modified_dates") or self.date_precision is not None


def _hex(value: Any, what: str, source: str) -> int:
    try:
        return int(str(value), 16)
    except ValueError:
        raise PolicyError(f"profile {source}: {what} must be hexadecimal") from None


def _private_key(item: dict[str, Any], source: str) -> PrivateKey:
    try:
        creator = str(item["creator"]).strip()
        group = _hex(item["group"], "group", source)
        offset = _hex(item["offset"], "offset", source)
    except KeyError as exc:
        raise PolicyError(f"profile {source}: private entry needs {exc.args[0]}") from None
    if group % 2 == 0 or not 0 <= offset <= 0xFF:
        raise PolicyError(f"profile {source}: private entries need an odd group and offset 00-FF")
    return PrivateKey(creator, group, offset)


def _override_tag(item: dict[str, Any], source: str) -> int:
    if "tag" in item:
        return _hex(item["tag"], "tag", source)
    keyword = str(item.get("keyword", ""))
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise PolicyError(f"profile {source}: unknown keyword {keyword!r} in overrides")
    return tag


def profile_from_dict(data: dict[str, Any], source: str = "<dict>") -> Profile:
    """Validate a profile given as data; raises PolicyError naming what is wrong."""
    if not isinstance(data, dict):
        raise PolicyError(f"profile {source}: must be a JSON object")
    options = frozenset(data.get("options", []))
    unknown = sorted(options - set(OPTIONS))
    if unknown:
        raise PolicyError(f"profile {source}: unknown option(s) {', '.join(unknown)}")
    if all(o in options for o in _MUTUALLY_EXCLUSIVE):
        raise PolicyError(
            f"profile {source}: full dates and modified dates cannot both be retained"
        )
    overrides: dict[int, str] = {}
    private_overrides: dict[PrivateKey, str] = {}
    for item in data.get("overrides", []):
        action = str(item.get("action", ""))
        if action not in ACTIONS:
            raise PolicyError(
                f"profile {source}: override action must be one of {', '.join(sorted(ACTIONS))}"
            )
        if "creator" in item:
            private_overrides[_private_key(item, source)] = action
        else:
            overrides[_override_tag(item, source)] = action
    templates = {str(k): str(v) for k, v in data.get("templates", {}).items()}
    for keyword, template in templates.items():
        if tag_for_keyword(keyword) is None:
            raise PolicyError(f"profile {source}: template for unknown keyword {keyword!r}")
        try:
            template.format(**{f: "" for f in TEMPLATE_FIELDS})
        except (KeyError, IndexError, ValueError):
            raise PolicyError(
                f"profile {source}: template for {keyword} may only use "
                + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
            ) from None
    combined = dict(DEFAULT_COMBINED)
    combined.update({str(k): str(v) for k, v in data.get("combined_actions", {}).items()})
    if not set(combined.values()) <= STANDARD_ACTIONS:
        raise PolicyError(f"profile {source}: combined_actions must map to K X Z D U C")
    offset = data.get("date_offset_days")
    if offset is not None and not isinstance(offset, int):
        raise PolicyError(f"profile {source}: date_offset_days must be an integer")
    precision = data.get("date_precision")
    if precision is not None:
        if precision not in DATE_PRECISIONS:
            raise PolicyError(f"profile {source}: date_precision can only be \"year\"")
        if any(o in options for o in DATE_OPTIONS):
            raise PolicyError(f"profile {source}: date_precision \"year\" excludes the options "
                              "that retain full or modified dates")
    patterns = data.get("scrub_patterns", [])
    if not isinstance(patterns, list) or unknown_patterns(map(str, patterns)):
        raise PolicyError(f"profile {source}: scrub_patterns may name "
                          + ", ".join(sorted(PATTERNS)))
    clean_text = data.get("clean_text", "allowlist")
    by_keyword = data.get("clean_text_by_keyword", {})
    if clean_text not in CLEAN_TEXT or not isinstance(by_keyword, dict) or not set(
            by_keyword.values()) <= set(CLEAN_TEXT):
        raise PolicyError(f"profile {source}: clean_text (and clean_text_by_keyword's values) "
                          f"must be one of {', '.join(CLEAN_TEXT)}")
    for keyword in by_keyword:
        if tag_for_keyword(keyword) is None:
            raise PolicyError(f"profile {source}: clean_text_by_keyword names unknown keyword "
                              f"{keyword!r}")
    modified_times = data.get("modified_times", "keep")
    if modified_times not in MODIFIED_TIMES:
        raise PolicyError(f"profile {source}: modified_times must be one of "
                          + ", ".join(MODIFIED_TIMES))
    clean_pixels = data.get("clean_pixels", "flag")
    if clean_pixels not in CLEAN_PIXELS:
        raise PolicyError(f"profile {source}: clean_pixels must be one of "
                          + ", ".join(CLEAN_PIXELS))
    hipaa = data.get("hipaa")
    if hipaa is not None and hipaa not in HIPAA_METHODS:
        raise PolicyError(f"profile {source}: hipaa must be one of {', '.join(HIPAA_METHODS)}")
    if hipaa == "safe-harbor":
        _check_safe_harbor(options, source)
    return Profile(
        name=str(data.get("name", source)),
        description=str(data.get("description", "")),
        summary=str(data.get("summary") or data.get("description", "")),
        options=options,
        overrides=overrides,
        private_overrides=private_overrides,
        templates=templates,
        combined=combined,
        safe_private=frozenset(_private_key(i, source) for i in data.get("safe_private", [])),
        date_offset_days=offset,
        date_precision=precision,
        scrub_patterns=tuple(dict.fromkeys(str(p) for p in patterns)),
        hipaa=hipaa,
        clean_pixels=clean_pixels,
        clean_text=clean_text,
        modified_times=modified_times,
        clean_text_by_keyword={str(k): str(v) for k, v in by_keyword.items()},
    )


def _check_safe_harbor(options: frozenset[str], source: str) -> None:
    kept = [what for option, what in NOT_SAFE_HARBOR.items() if option in options]
    if kept:
        raise PolicyError(f"profile {source}: declares HIPAA Safe Harbor but keeps "
                          + "; ".join(kept))


def builtin_names() -> list[str]:
    """Names of the profiles shipped in ``dicomtab/profiles``."""
    folder = resources.files("dicomtab").joinpath("profiles")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile JSON file by path."""
    builtin = name_or_path in builtin_names()
    if builtin:
        res = resources.files("dicomtab").joinpath("profiles", f"{name_or_path}.json")
        raw, source = res.read_bytes(), name_or_path
    else:
        path = Path(name_or_path)
        if not path.is_file():
            names = ", ".join(builtin_names())
            raise PolicyError(f"no profile named {name_or_path!r} (built-in: {names}) and no such file")
        raw, source = path.read_bytes(), path.name
    return profile_from_bytes(raw, source, builtin=builtin)


def profile_from_bytes(raw: bytes, source: str, *, builtin: bool = False) -> Profile:
    """A profile from the bytes of its JSON file; it remembers their sha256 (for the record)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"profile {source}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PolicyError(f"profile {source}: not valid JSON (line {exc.lineno})") from None
    profile = profile_from_dict(data, source)
    return replace(profile, sha256=hashlib.sha256(raw).hexdigest(), builtin=builtin)
