"""What each element may reveal about a patient, by the table the de-identifier uses.

The action is the one PS3.15 Table E.1-1's Basic Profile column gives (as the generated
table states it, combined codes such as ``X/Z/D`` included), decided by the same function
the engine uses (:func:`dicomtab.deid.actions.decide`). The category comes from the same
data: the table's option columns say what an attribute is (Retain UIDs, Retain Device
Identity, Clean Descriptors, …); attributes the table lists without an option column are
sorted by VR and keyword. Categories are a reading aid, not a de-identification decision.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

from dicomtab.deid.actions import DATE_VRS, decide
from dicomtab.deid.engine import (
    PIXEL_RISK_MODALITIES,
    PORTABLE_HINTS,
    PORTABLE_MODALITIES,
    needs_pixel_review,
)
from dicomtab.deid.freetext import IDENTIFIER_KEYWORDS, TEXT_VRS
from dicomtab.deid.methods import read_marking
from dicomtab.deid.profile import Profile
from dicomtab.deid.table import DeidTable, Row, load_table
from dicomtab.deid.uids import is_well_known
from dicomtab.inspect.nodes import Element, walk

#: Category → key in the summary counts.
CATEGORIES: dict[str, str] = {
    "direct-identifier": "direct",
    "date-time": "dates",
    "uid": "uids",
    "free-text": "freeText",
    "device-institution": "deviceInstitution",
    "patient-characteristic": "patientCharacteristics",
    "graphics": "graphics",
    "other-identifying": "otherIdentifying",
    "private": "private",
    "private-creator": "privateCreators",
    "other": "other",
}

#: Categories of elements that are not identifying by themselves.
NOT_IDENTIFYING = frozenset({"other", "private-creator"})

#: Option columns of Table E.1-1 that say what kind of information a row is, in the order
#: they decide (a date that is also a descriptor is counted as a date).
OPTION_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("retain_long_full_dates", "date-time"),
    ("retain_long_modified_dates", "date-time"),
    ("retain_uids", "uid"),
    ("retain_device_identity", "device-institution"),
    ("retain_institution_identity", "device-institution"),
    ("retain_patient_characteristics", "patient-characteristic"),
    ("clean_graphics", "graphics"),
    ("clean_descriptors", "free-text"),
    ("clean_structured_content", "free-text"),
)

#: Keywords of listed attributes that name an identifier (Patient ID, Accession Number, …).
_IDENTIFIER_SUFFIX = re.compile(
    r"(ID|IDs|Identifier|Number|Numbers|Address|Locator|TelephoneNumbers|TelecomInformation)$"
)

#: The Basic Profile with no options and no resolution of combined codes: decide() then
#: returns the table's own code ("X/Z/D"), which is what the inspector shows.
_TABLE_CODES = Profile(name="basic", description="", options=frozenset(), combined={})

#: File meta elements the engine copies or rebuilds (see deid.engine._file_meta).
_META_ACTIONS = {
    "FileMetaInformationGroupLength": "K",
    "FileMetaInformationVersion": "K",
    "MediaStorageSOPClassUID": "K",
    "TransferSyntaxUID": "K",
    "MediaStorageSOPInstanceUID": "U",
    "ImplementationClassUID": "D",
    "ImplementationVersionName": "D",
}


@dataclass(frozen=True)
class Phi:
    """The classification of one element."""

    category: str
    action: str
    #: Where the action came from: "table", "private", "vr-UI", "keep-list", "file-meta", …
    source: str

    @property
    def identifying(self) -> bool:
        """Whether the element may identify a patient (alone or with others)."""
        return self.category not in NOT_IDENTIFYING

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "identifying": self.identifying,
            "action": self.action,
            "source": self.source,
        }


def _row_category(row: Row, vr: str, keyword: str) -> str:
    for option, category in OPTION_CATEGORIES:
        if option in row.options:
            return category
    if vr == "PN" or keyword in IDENTIFIER_KEYWORDS or _IDENTIFIER_SUFFIX.search(keyword):
        return "direct-identifier"
    if vr in DATE_VRS:
        return "date-time"
    if vr == "UI":
        return "uid"
    if vr in TEXT_VRS:
        return "free-text"
    return "other-identifying"


def _meta(element: Element) -> Phi:
    action = _META_ACTIONS.get(element.keyword, "X")
    if element.keyword == "MediaStorageSOPInstanceUID":
        return Phi("uid", action, "file-meta")
    if element.vr in ("AE", "UR"):
        # Source/sending/receiving AE titles and addresses name the sender's systems.
        return Phi("device-institution", action, "file-meta")
    if element.keyword in ("PrivateInformation", "PrivateInformationCreatorUID"):
        return Phi("private", action, "file-meta")
    return Phi("other", action, "file-meta")


def classify(element: Element, table: DeidTable | None = None) -> Phi:
    """The category and Basic Profile action of one element."""
    table = table or load_table()
    if element.meta:
        return _meta(element)
    tag, vr, keyword = element.tag, element.vr, element.keyword
    group, elem = tag >> 16, tag & 0xFFFF
    decision = decide(tag, vr, keyword, element.private_creator, _TABLE_CODES, table)
    if group % 2:
        if 0x0010 <= elem <= 0x00FF:
            # A creator names a vendor, not a patient; it is kept exactly when its block is.
            return Phi("private-creator", decision.action, "private-creator")
        if elem == 0:
            return Phi("other", decision.action, decision.source)
        return Phi("private", decision.action, decision.source)
    row = table.row_for(tag)
    if row is not None:
        return Phi(_row_category(row, vr, keyword), decision.action, decision.source)
    if vr == "UI":
        # SOP Class, Transfer Syntax and other UIDs of the standard identify no one.
        unique = any(v.strip() and not is_well_known(v) for v in element.values)
        return Phi("uid" if unique else "other", decision.action, decision.source)
    if decision.source == "vr-date":
        return Phi("date-time", decision.action, decision.source)
    return Phi("other", decision.action, decision.source)


def classify_all(elements: list[Element]) -> dict[str, Phi]:
    """Path → classification for every element of the tree."""
    table = load_table()
    return {element.path: classify(element, table) for element in walk(elements)}


def phi_paths(elements: list[Element], phi: dict[str, Phi]) -> set[str]:
    """Paths of identifying elements and of the sequences and items that lead to them.

    This is the phi-only view: a sequence is kept (with only its identifying content) so
    that every identifying element can still be reached. A sequence the table lists is kept
    even when nothing inside it is identifying: removing it is still the profile's action.
    """
    keep: set[str] = set()
    for element in walk(elements):
        if not phi[element.path].identifying:
            continue
        parts = element.path.split("/")
        keep.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return keep


def counts(elements: list[Element], phi: dict[str, Phi]) -> dict[str, int]:
    """How many elements (sequences not counted: their content is) fall in each category."""
    by_category: Counter[str] = Counter()
    identifying = total = 0
    for element in walk(elements):
        if element.is_sequence:
            continue
        item = phi[element.path]
        total += 1
        by_category[item.category] += 1
        identifying += item.identifying
    out = {"total": total, "identifying": identifying}
    out.update({key: by_category[category] for category, key in CATEGORIES.items()})
    return out


def pixel_warnings(ds: Dataset) -> list[dict[str, Any]]:
    """Why this image's pixels may show identifying text, if they may.

    The decision is the engine's (:func:`dicomtab.deid.engine.needs_pixel_review`); the
    reasons only explain it. Reasons name attribute values only from fixed lists.
    """
    with warnings.catch_warnings():
        # pydicom's warnings about odd values quote them; nothing may print a file's values.
        warnings.simplefilter("ignore")
        if not needs_pixel_review(ds):
            return []
        burned_in = str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES"
        modality = str(ds.get("Modality", "")).strip().upper()
    reasons = []
    if burned_in:
        reasons.append("Burned In Annotation (0028,0301) is YES.")
    if modality in PIXEL_RISK_MODALITIES:
        reasons.append(f"The modality is {modality}; such images often carry burned-in text.")
    elif modality in PORTABLE_MODALITIES:
        reasons.append(
            f"The modality is {modality} and the image looks like it was taken by a "
            f"portable unit ({'/'.join(h.lower() for h in PORTABLE_HINTS)} in its "
            "description); those units write markers into the image."
        )
    return [
        {
            "code": "pixels-may-show-text",
            "message": (
                "The pixels of this image may show identifying text. Header cleaning alone "
                "does not clean pixels: check the image itself before sharing it."
            ),
            "reasons": reasons,
        }
    ]


def summary(elements: list[Element], phi: dict[str, Phi], ds: Dataset) -> dict[str, Any]:
    """Counts per category, the pixel warnings and, for a file that says it was
    de-identified, how (:func:`dicomtab.deid.methods.read_marking`): what the PHI panel shows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's warnings quote values
        marking = read_marking(ds)
    return {**counts(elements, phi), "warnings": pixel_warnings(ds), "deidentified": marking}
