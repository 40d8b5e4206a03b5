"""Finding removed identifiers inside kept free text, and blanking them there too.

A name removed from Patient's Name is still a leak if the technologist typed it into Image
Comments or an SR TEXT item. The engine collects the values of every identifying element the
profile removes and scrubs kept text with :class:`Scrubber`.

Some identifiers have a shape whatever their value: telephone and fax numbers, e-mail
addresses, SSN-shaped numbers, URLs, IP addresses, calendar dates. A profile names the shapes
it wants replaced in kept text (``scrub_patterns``); :data:`PATTERNS` holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydicom.valuerep import PersonName

from dicomtab.deid.elements import values_of

#: Attributes (besides every PN) whose values identify a person, visit or place: their values
#: are searched for in kept text when the profile removes them.
IDENTIFIER_KEYWORDS = frozenset({
    "PatientID", "OtherPatientIDs", "IssuerOfPatientID", "AccessionNumber", "StudyID",
    "AdmissionID", "PatientAddress", "PatientTelephoneNumbers", "InstitutionName",
    "InstitutionAddress", "InstitutionalDepartmentName", "MedicalRecordLocator",
    "RequestedProcedureID", "PerformedProcedureStepID", "ScheduledProcedureStepID",
    "FillerOrderNumberImagingServiceRequest", "PlacerOrderNumberImagingServiceRequest",
    "StationName", "DeviceSerialNumber", "ClinicalTrialSubjectID", "RegionOfResidence",
    "ResponsibleOrganization", "ReferringPhysicianAddress", "ReferringPhysicianTelephoneNumbers",
    "PatientInsurancePlanCodeSequence", "MilitaryRank", "BranchOfService",
    "PersonAddress", "PersonTelephoneNumbers", "ServiceEpisodeID", "StudyIDIssuer",
    "CurrentPatientLocation", "PatientInstitutionResidence", "PatientBirthName",
    "PatientMotherBirthName", "ResponsiblePerson", "OtherPatientNames",
})

#: VRs of kept elements that are scrubbed: any of them can hold typed-in text.
TEXT_VRS = frozenset({"LO", "SH", "LT", "ST", "UT", "UC"})

#: Shorter fragments (initials, "M") would blank ordinary words.
MIN_LENGTH = 2

REPLACEMENT = "***"

_NOT_BEFORE = r"(?<![\w@+])"
_NOT_AFTER = r"(?![\w@])"
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_SEVEN_DIGITS = r"(?=(?:[-.\s()]*\d){7})"
#: A 9-digit number after one of these labels is an SSN ("SSN: 123456789").
_SSN_LABELS = tuple("ssn" + end for end in ("", " ", ":", ": ", "#", "# ", " #"))
#: A number after one of these labels is a telephone number whatever its digits: "Fax: 030 1234".
_PHONE_LABELS = tuple(label + end for label in ("tel", "phone", "fax", "mobile", "cell")
                      for end in ("", " ", ".", ". ", ":", ": "))

#: Identifier shapes found in free text, by the name a profile's ``scrub_patterns`` uses.
#: Applied in this order (an e-mail address or URL is replaced before its digits could be
#: taken for a phone number or an IP address). Each is a shape, not a value: what it matches
#: is replaced whatever it is, so the shapes are kept narrow (a bare 9-digit number is not
#: taken for an SSN, a bare 5-digit number not for a ZIP code).
PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
                        r"(?![\w-])"),
    "url": re.compile(r"(?i)(?<![\w@])(?:(?:https?|ftp|file)://|www\.)"
                      r"[^\s<>\"'\\]*[^\s<>\"'\\.,;:!?)\]]"),
    "ip": re.compile(
        # IPv4 (not inside a longer dotted number such as a UID or version) and IPv6 in full
        # or compressed ("::") form.
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
        r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)(?::\d{1,5})?"
        r"|(?i:(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])"
        r"|(?<![\w:])(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?"
        r"(?![\w:]))"
    ),
    "ssn": re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])"
                      r"|(?i:" + "|".join(rf"(?<=\b{re.escape(label)})" for label in _SSN_LABELS)
                      + r")\d{9}(?!\w)"),
    "phone": re.compile(
        # North American numbers with or without +1; any number written with a leading
        # +country code; and any number of 7+ digits after a label (Tel, Phone, Fax, Mobile,
        # Cell). Fax numbers are telephone numbers in form, so this covers both.
        _NOT_BEFORE + r"(?:\+?1[-.\s]?)?(?:\(\d{3}\)\s?|\d{3}[-.\s])\d{3}[-.\s]\d{4}"
        r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?" + _NOT_AFTER
        + r"|" + _NOT_BEFORE + r"\+" + _SEVEN_DIGITS + r"\d{1,3}(?:[-.\s]?\(?\d{1,5}\)?){1,6}"
        + _NOT_AFTER
        + r"|(?i:" + "|".join(rf"(?<=\b{re.escape(label)})" for label in _PHONE_LABELS) + r")"
        + _SEVEN_DIGITS + r"\(?\d[\d\s().-]*\d" + _NOT_AFTER
    ),
    "date": re.compile(
        # Dates written for people (the DICOM elements themselves are handled by their VR):
        # 2024-03-15, 2024/03/15, 20240315, 15.03.2024, 03/15/2024, 3/15/24, 15 March 2024,
        # March 15, 2024. A year alone, or a month and year, is not matched; nor is a dotted
        # number that goes on (a version or UID).
        r"(?<![\w.:/-])(?:(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
        r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
        r"|(?:0?[1-9]|[12]\d|3[01])([-.])(?:0?[1-9]|1[0-2])\2(?:19|20)\d\d"
        r"|(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)?\d\d)(?!\d|[.:/-]\d)"
        r"|(?i:\b(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s" + _MONTHS + r",?\s(?:19|20)\d\d\b"
        r"|\b" + _MONTHS + r"\s(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,?\s(?:19|20)\d\d\b)"
    ),
    # An age over 89 (one of Safe Harbor's identifiers): "92-year-old", "93 yo", "aged 95",
    # "age: 101". Younger ages, and numbers without an age word, are left alone.
    "age90": re.compile(
        r"\b(?:9\d|1\d\d)\s*-?\s*(?:y/?o|yrs?|years?(?:[\s-]*old)?)\b"
        r"|\bage[d:]?\s*(?:9\d|1\d\d)\b", re.IGNORECASE)
}


def identifier_strings(vr: str, value: object) -> list[str]:
    """The strings worth searching for that one element value contributes.

    A person name contributes itself in DICOM and in "Given Family" form, and each component
    (family, given, middle) alone, because free text rarely spells names the DICOM way.
    """
    out: list[str] = []
    for v in values_of(value):
        if v is None:
            continue
        if vr == "PN":
            pn = v if isinstance(v, PersonName) else PersonName(str(v))
            out.append(str(pn))
            parts = [pn.family_name, pn.given_name, pn.middle_name]
            out.extend(p for p in parts if p)
            if pn.given_name and pn.family_name:
                out.append(f"{pn.given_name} {pn.family_name}")
            # Ideographic/phonetic groups of a multi-group name.
            out.extend(g for g in str(pn).split("=")[1:] if g)
        else:
            out.extend(str(v).split("\\"))
    return [s.strip() for s in out if len(s.strip()) >= MIN_LENGTH]


def unknown_patterns(names: Iterable[str]) -> list[str]:
    """The names in ``names`` that are not shapes of :data:`PATTERNS`."""
    return sorted(set(names) - set(PATTERNS))


def pattern_hits(text: str, names: Iterable[str] = PATTERNS) -> list[str]:
    """The names of the shapes found in ``text`` (for verify), in :data:`PATTERNS` order."""
    wanted = set(names)
    return [name for name, pattern in PATTERNS.items() if name in wanted and pattern.search(text)]


class Scrubber:
    """Replaces every match of the named :data:`PATTERNS` shapes inside text, then the known
    identifiers, longest first, whole words only."""

    def __init__(self, identifiers: Iterable[str], patterns: Iterable[str] = ()) -> None:
        wanted = set(patterns)
        self._shapes = [p for name, p in PATTERNS.items() if name in wanted]
        words = sorted({w for w in identifiers if len(w) >= MIN_LENGTH}, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)",
                re.IGNORECASE,
            )
            if words
            else None
        )

    def scrub(self, text: str) -> str:
        """``text`` with every known identifier and every shape replaced by a fixed mask."""
        if not text:
            return text
        # Shapes first: an e-mail address or URL that holds a name goes as one piece.
        for shape in self._shapes:
            text = shape.sub(REPLACEMENT, text)
        if self._pattern is not None:
            text = self._pattern.sub(REPLACEMENT, text)
        return text

    def __bool__(self) -> bool:
        return self._pattern is not None or bool(self._shapes)
