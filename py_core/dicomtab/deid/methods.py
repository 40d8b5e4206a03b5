"""How a de-identified file says what was done to it (PS3.3 C.12.1.1.1, CID 7050)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from dicomtab import __version__

#: CID 7050 "De-identification Method" codes (scheme DCM) for each option name.
CID_7050: dict[str, tuple[str, str]] = {
    "basic": ("113100", "Basic Application Confidentiality Profile"),
    "clean_pixel_data": ("113101", "Clean Pixel Data Option"),
    "clean_recognizable_visual_features": ("113102", "Clean Recognizable Visual Features Option"),
    "clean_graphics": ("113103", "Clean Graphics Option"),
    "clean_structured_content": ("113104", "Clean Structured Content Option"),
    "clean_descriptors": ("113105", "Clean Descriptors Option"),
    "retain_long_full_dates": (
        "113106", "Retain Longitudinal Temporal Information Full Dates Option"),
    "retain_long_modified_dates": (
        "113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    "retain_patient_characteristics": ("113108", "Retain Patient Characteristics Option"),
    "retain_device_identity": ("113109", "Retain Device Identity Option"),
    "retain_uids": ("113110", "Retain UIDs Option"),
    "retain_safe_private": ("113111", "Retain Safe Private Option"),
    "retain_institution_identity": ("113112", "Retain Institution Identity Option"),
}
CODE_TO_OPTION = {code: name for name, (code, _) in CID_7050.items()}
METHOD_CODE_SEQUENCE = 0x00120064

#: DeidentificationMethod values for what CID 7050 has no code for. ``verify`` reads them back
#: (a year-only date is then expected, and Safe Harbor's rules are checked).
YEAR_NOTE = "dates reduced to the year: DA YYYY0101, DT YYYY, TM emptied"
HIPAA_NOTES: dict[str, str] = {
    "safe-harbor": "HIPAA Safe Harbor, 45 CFR 164.514(b)(2)",
    "expert-determination": "HIPAA: not Safe Harbor; needs Expert Determination",
}
SAFE_HARBOR_NOTE = HIPAA_NOTES["safe-harbor"]


def method_codes(options: list[str]) -> list[Dataset]:
    """Code items for the Basic Profile plus every applied option, in CID 7050 order."""
    items = []
    for name in ["basic", *sorted(options, key=lambda o: CID_7050[o][0])]:
        code, meaning = CID_7050[name]
        item = Dataset()
        item.CodeValue = code
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        items.append(item)
    return items


def method_text(
    profile: str, edition: str, options: list[str], notes: tuple[str, ...] = ()
) -> list[str]:
    """DeidentificationMethod values (LO, so each at most 64 characters)."""
    values = [f"dicomtab {__version__}", f"profile {profile}"[:64], edition[:64]]
    values += [CID_7050[o][1][:64] for o in sorted(options, key=lambda o: CID_7050[o][0])]
    return values + [n[:64] for n in notes]


@lru_cache(maxsize=64)
def encoded_method_codes(options: tuple[str, ...], implicit: bool, little: bool) -> RawDataElement:
    """De-identification Method Code Sequence for ``options``, encoded once per encoding.

    Every file of a batch carries the same items; building and encoding 1 + N datasets per file
    cost more than the rest of the header. A raw element is what pydicom holds for an element
    it has read and not yet used: it decodes it on access and writes its bytes as they are.
    """
    elem = DataElement(METHOD_CODE_SEQUENCE, "SQ", Sequence(method_codes(list(options))))
    buffer = DicomBytesIO()
    buffer.is_implicit_VR, buffer.is_little_endian = implicit, little
    write_data_element(buffer, elem)
    value = buffer.getvalue()[8 if implicit else 12 :]
    return RawDataElement(BaseTag(METHOD_CODE_SEQUENCE), None if implicit else "SQ", len(value),
                          value, 0, implicit, little, True, False)


def read_marking(ds: Dataset) -> dict[str, Any] | None:
    """What a de-identified file says about how it was de-identified (None if it does not say
    Patient Identity Removed YES): its DeidentificationMethod lines and CID 7050 codes, with
    the option each code names (when it is one of the standard's). Written by any tool."""
    if str(ds.get("PatientIdentityRemoved", "")).strip().upper() != "YES":
        return None
    method = ds.get("DeidentificationMethod", "")
    lines = [str(v) for v in (method if isinstance(method, list | MultiValue) else [method]) if str(v)]
    codes = []
    for item in ds.get("DeidentificationMethodCodeSequence") or []:
        value = str(item.get("CodeValue", ""))
        codes.append({"value": value, "scheme": str(item.get("CodingSchemeDesignator", "")),
                      "meaning": str(item.get("CodeMeaning", "")),
                      "option": CODE_TO_OPTION.get(value)})
    return {
        "method": lines,
        "codes": codes,
        "safeHarbor": SAFE_HARBOR_NOTE in lines,
        "longitudinal": str(ds.get("LongitudinalTemporalInformationModified", "")) or None,
    }
