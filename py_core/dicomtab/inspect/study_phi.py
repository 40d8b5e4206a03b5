"""The study-level PHI report: which elements of a set of instances carry identifying values.

One row per element (a tag, or a private creator's element wherever its block sits), grouped
by the category :mod:`dicomtab.inspect.classify` gives it, with how many files carry a value,
how many carry it empty, and how many distinct values there are. The values themselves are
kept here and handed out one row at a time (:meth:`StudyPhi.values`), never in the report.

The report also lists the private creators, and the files whose pixels may show identifying
text (the engine's :func:`~dicomtab.deid.engine.needs_pixel_review`) or a face, or that are a
voice recording (:func:`dicomtab.deid.review.review_flags`: head CT/MR/PET volumes and
photographs). A damaged file counts with what could be read and is listed as damaged; a file
with elements that do not fit their tags (a wrong VR; a value that may have swallowed the
elements after it, whose values are then not counted under their own tags) is listed as
"doubtful"; a file that could not be read at all is listed, and counts for nothing else.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dicomtab.deid.review import FACE_FLAG, VOICE_FLAG, review_flags
from dicomtab.deid.table import action_codes, load_table
from dicomtab.errors import UsageError
from dicomtab.inspect.classify import pixel_warnings
from dicomtab.inspect.nodes import Element, tag_text, walk
from dicomtab.inspect.partial import Inspected
from dicomtab.inspect.tree import MAX_TEXT, hex_preview, phi_of

#: The identifying categories of :data:`dicomtab.inspect.classify.CATEGORIES`, in the order
#: the report shows them, with a heading and what they hold.
CATEGORY_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("direct-identifier", "Direct identifiers",
     "Names, IDs, numbers and addresses of the patient, the people and the visit."),
    ("date-time", "Dates and times",
     "When the patient was born, seen, scanned; with other data they narrow who it is."),
    ("uid", "UIDs", "Unique identifiers of studies, series, instances and references: they "
     "link files to the records they came from."),
    ("free-text", "Free text",
     "Descriptions, comments and reports: anything may have been typed there."),
    ("device-institution", "Device and institution",
     "The hospital, department, station and device serial numbers."),
    ("patient-characteristic", "Patient characteristics",
     "Age, sex, size, weight and other attributes of the person."),
    ("private", "Private elements",
     "Vendors' own elements: the standard cannot say what they hold."),
    ("graphics", "Graphics", "Overlays, curves and graphic annotations may carry text."),
    ("other-identifying", "Other identifying elements",
     "Other elements Table E.1-1 lists as to be removed or replaced."),
)

#: Why a file is flagged: flag → (heading, sentence). Decisions are the engine's and review's.
FLAGS: dict[str, tuple[str, str]] = {
    "burned-in-text": ("Burned-in text", "The pixels may show identifying text; header "
                       "cleaning does not clean pixels."),
    FACE_FLAG: ("Face", "A head CT, MR or PET volume, or a photograph: a face can be seen "
                "or reconstructed from the pixels."),
    VOICE_FLAG: ("Voice", "A voice recording identifies the speaker."),
}

#: How the report names the creator of private elements whose block has none.
NO_CREATOR = "(no private creator)"

#: Distinct values one row's request returns at most.
MAX_VALUES = 1000


def file_label(instance_id: str) -> str:
    """How a report names a file without its name: ``instance-3``, ``damaged-1``, …, by the
    order it was opened (the inspector's download names use the same numbers)."""
    number = instance_id.lstrip("abcdefghijklmnopqrstuvwxyz")
    kind = {"i": "instance", "d": "damaged"}.get(instance_id[:1], "unreadable")
    return f"{kind}-{number}"


@dataclass
class Source:
    """One file of the report: parsed (maybe damaged), or not readable at all."""

    instance_id: str
    name: str
    inspected: Inspected | None
    #: Why the file could not be read at all (a user-facing sentence naming the file).
    error: str | None = None
    #: Its error code (``not-dicom``, …): what exports without values say.
    error_code: str | None = None


@dataclass
class _Value:
    text: str
    truncated: bool
    files: set[str] = field(default_factory=set)


@dataclass
class _Row:
    key: str
    category: str
    tag: str
    keyword: str
    name: str
    private_creator: str | None
    vrs: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    empty_files: set[str] = field(default_factory=set)
    occurrences: int = 0
    nested: bool = False
    values: dict[str, _Value] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "tag": self.tag,
            "keyword": self.keyword,
            "name": self.name,
            "privateCreator": self.private_creator,
            "vr": "/".join(self.vrs),
            "action": " or ".join(self.actions),
            "files": len(self.files),
            "emptyFiles": len(self.empty_files - self.files),
            "occurrences": self.occurrences,
            "distinct": len(self.values),
            "nested": self.nested,
        }


def row_key(element: Element) -> str:
    """The report row of an element: its tag, or for a private element its creator, group
    and offset in the block (the same element wherever the file put the block)."""
    if element.is_private and element.private_creator is not None:
        creator = element.private_creator or NO_CREATOR
        return f"{element.tag >> 16:04X}xx{element.tag & 0xFF:02X} {creator}"
    return f"{element.tag:08X}"


def _value(element: Element) -> tuple[str, str, bool] | None:
    """(identity, display text, clipped) of a value, or None for an empty one."""
    if element.data is not None:
        if not element.size:
            return None
        digest = hashlib.sha256(element.data).hexdigest()
        return f"bytes:{digest}", f"{element.size} bytes: {hex_preview(element.data)}", True
    text = element.text()
    if not text.strip("\\ \0"):
        return None
    return f"text:{text}", text[:MAX_TEXT], len(text) > MAX_TEXT


class StudyPhi:
    """The report over ``sources``, computed once; values stay here until asked for."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self.rows: dict[str, _Row] = {}
        self.creators: dict[str, tuple[set[str], Counter[str]]] = {}
        self.flags: dict[str, dict[str, list[str]]] = {flag: {} for flag in FLAGS}
        #: Every file, as :meth:`files` lists them. A parsed file is not kept: only what the
        #: report needs of it, so a report over a thousand files holds no file's bytes.
        self.file_entries: list[dict[str, Any]] = []
        for source in sources:
            self.file_entries.append(_file_entry(source))
            if source.inspected is not None:
                self._add(source.instance_id, source.inspected)

    def _add(self, instance_id: str, inspected: Inspected) -> None:
        phi = phi_of(inspected)
        for element in walk(inspected.all_elements):
            item = phi[element.path]
            if element.is_private_creator:
                files, counts = self.creators.setdefault(element.text().strip(), (set(), Counter()))
                files.add(instance_id)
            elif element.is_private and element.private_creator is not None:
                creator = element.private_creator or NO_CREATOR
                counts = self.creators.setdefault(creator, (set(), Counter()))[1]
                counts[instance_id] += 1
            if element.is_sequence or not item.identifying:
                continue
            key = row_key(element)
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = _Row(key, item.category, element.tag_text, element.keyword,
                                            element.name, element.private_creator)
            if element.vr not in row.vrs:
                row.vrs.append(element.vr)
            if item.action not in row.actions:
                row.actions.append(item.action)
            row.occurrences += 1
            row.nested = row.nested or "/" in element.path
            value = _value(element)
            if value is None:
                row.empty_files.add(instance_id)
                continue
            row.files.add(instance_id)
            identity, text, clipped = value
            row.values.setdefault(identity, _Value(text, clipped)).files.add(instance_id)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom's warnings quote values
            pixels = pixel_warnings(inspected.dataset)
            shows = review_flags(inspected.dataset)
        if pixels:
            self.flags["burned-in-text"][instance_id] = pixels[0]["reasons"]
        for flag in shows:
            self.flags[flag][instance_id] = []

    def categories(self) -> list[dict[str, Any]]:
        """The rows by category, most widespread first, every category listed."""
        out = []
        for category, label, about in CATEGORY_SECTIONS:
            rows = [r for r in self.rows.values() if r.category == category]
            rows.sort(key=lambda r: (-len(r.files), -len(r.empty_files), r.tag, r.key))
            files = set().union(*(r.files for r in rows)) if rows else set()
            out.append({
                "category": category, "label": label, "about": about,
                "files": len(files), "rows": [r.to_dict() for r in rows],
            })
        return out

    def private_creators(self) -> list[dict[str, Any]]:
        """Each private creator: in how many files, with how many elements in its blocks."""
        out = [
            {"creator": creator, "files": len(files | set(counts)),
             "elements": sum(counts.values())}
            for creator, (files, counts) in self.creators.items()
        ]
        return sorted(out, key=lambda c: (-c["files"], c["creator"]))

    def flagged(self) -> list[dict[str, Any]]:
        """Each flag with the files it applies to and, for burned-in text, why."""
        return [
            {"flag": flag, "label": FLAGS[flag][0], "about": FLAGS[flag][1],
             "files": [{"instanceId": i, "label": file_label(i), "reasons": reasons}
                       for i, reasons in by_file.items()]}
            for flag, by_file in self.flags.items()
        ]

    def legend(self) -> list[dict[str, Any]]:
        """Every action code of Table E.1-1, what it means, and whether a row here has it."""
        used = {a for r in self.rows.values() for a in r.actions}
        return [{"code": code, "meaning": meaning, "used": code in used}
                for code, meaning in action_codes().items()]

    def to_dict(self) -> dict[str, Any]:
        """The report as the page shows it: counts, never a value."""
        files = self.file_entries
        return {
            "files": files,
            "readable": sum(f["status"] != "unreadable" for f in files),
            "damaged": sum(f["status"] == "damaged" for f in files),
            "categories": self.categories(),
            "privateCreators": self.private_creators(),
            "flags": self.flagged(),
            "legend": self.legend(),
            "table": load_table().edition(),
        }

    def values(self, key: str, *, every: bool = False) -> dict[str, Any]:
        """The distinct values of one row, most widespread first, with the files of each:
        the first :data:`MAX_VALUES` of them, or ``every`` one (as the exports list them)."""
        limit = None if every else MAX_VALUES
        row = self.rows.get(key) if isinstance(key, str) else None
        if row is None:
            raise UsageError("The report has no such row; make the report again.")
        ordered = sorted(row.values.values(), key=lambda v: (-len(v.files), v.text))
        return {
            "key": key,
            "tag": row.tag,
            "distinct": len(ordered),
            "truncated": limit is not None and len(ordered) > limit,
            "values": [
                {"value": v.text, "clipped": v.truncated, "files": len(v.files),
                 "labels": sorted((file_label(i) for i in v.files), key=_natural)}
                for v in ordered[:limit]
            ],
        }


def _file_entry(source: Source) -> dict[str, Any]:
    """A file of the report: label, name, and what was wrong with it if anything."""
    entry = {
        "instanceId": source.instance_id,
        "label": file_label(source.instance_id),
        "fileName": source.name,
        "status": "unreadable",
        "problem": source.error,
        "problemKind": source.error_code,
    }
    inspected = source.inspected
    if inspected is None:
        return entry
    if inspected.problem is not None:
        problem = inspected.problem
        return {**entry, "status": "damaged", "problem": problem.message,
                "problemKind": problem.kind}
    if inspected.doubts:
        # Elements that do not fit their tags (dicomtab.structure): a wrong VR, or a value that
        # swallowed the elements after it, which are then not counted under their own tags.
        doubt = inspected.doubts[0]
        where = f"element {tag_text(doubt.tag)} " if doubt.tag is not None else ""
        return {**entry, "status": "doubtful", "problemKind": "doubtful-value",
                "problem": f"{source.name}: {where}at byte {doubt.offset}: {doubt.detail}."}
    return {**entry, "status": "read"}


def _natural(label: str) -> tuple[str, int]:
    kind, _, number = label.rpartition("-")
    return kind, int(number) if number.isdigit() else 0
