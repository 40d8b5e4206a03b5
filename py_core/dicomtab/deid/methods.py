"""How a de-identified file says what was done to it (PS3.3 C.12.1.1.1, CID 7050)."""

from __future__ import annotations

from pydicom.dataset import Dataset

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


def method_text(profile: str, edition: str, options: list[str]) -> list[str]:
    """DeidentificationMethod values (LO, so each at most 64 characters)."""
    values = [f"dicomtab {__version__}", f"profile {profile}"[:64], edition[:64]]
    values += [CID_7050[o][1][:64] for o in sorted(options, key=lambda o: CID_7050[o][0])]
    return values
