"""Finding removed identifiers inside kept free text, and blanking them there too.

A name removed from Patient's Name is still a leak if the technologist typed it into Image
Comments or an SR TEXT item. The engine collects the values of every identifying element the
profile removes and scrubs kept text with :class:`Scrubber`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydicom.valuerep import PersonName

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


def identifier_strings(vr: str, value: object) -> list[str]:
    """The strings worth searching for that one element value contributes.

    A person name contributes itself in DICOM and in "Given Family" form, and each component
    (family, given, middle) alone, because free text rarely spells names the DICOM way.
    """
    values = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for v in values:
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


class Scrubber:
    """Replaces known identifiers inside text, longest first, whole words only."""

    def __init__(self, identifiers: Iterable[str]) -> None:
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
        """``text`` with every known identifier replaced by a fixed mask."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REPLACEMENT, text)

    def __bool__(self) -> bool:
        return self._pattern is not None
