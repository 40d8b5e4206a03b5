"""A one-screen summary of an instance: who, which study/series/instance, what image.

The summary is plain JSON-able data (strings, numbers, None) so that it crosses the worker
boundary and the CLI's ``--json`` output unchanged.
"""

from __future__ import annotations

from typing import Any

from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomtab.reading import OpenedFile
from dicomtab.stack import GEOMETRY_KEYWORDS, geometry

#: SOP Class UID of a Media Storage Directory (a DICOMDIR).
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"

#: Every element the summary reads (:func:`summarize`, :func:`is_dicomdir`), and the
#: character set its text is decoded with. Opening a file makes its header of these alone
#: (:func:`dicomtab.reading.open_dataset`'s ``only``), so the summary reads them by
#: :func:`_element`, which refuses any other.
SUMMARY_KEYWORDS = frozenset({
    "SpecificCharacterSet", "PatientName", "PatientID", "PatientBirthDate", "PatientSex",
    "StudyInstanceUID", "StudyDate", "StudyDescription", "AccessionNumber",
    "SeriesInstanceUID", "SeriesNumber", "SeriesDescription", "SOPInstanceUID",
    "InstanceNumber", "Modality", "SOPClassUID", "Rows", "Columns", "NumberOfFrames",
    "DirectoryRecordSequence", "MediaStorageSOPClassUID", "TransferSyntaxUID",
    *GEOMETRY_KEYWORDS,
})
#: Their tags, looked up once (each summary reads about twenty).
_TAGS = {keyword: BaseTag(tag_for_keyword(keyword) or 0) for keyword in SUMMARY_KEYWORDS}
HEADER_TAGS = frozenset(int(tag) for tag in _TAGS.values())


def _element(dataset: Dataset, keyword: str) -> DataElement | None:
    """The element, or None; a KeyError for one not in SUMMARY_KEYWORDS."""
    tag = _TAGS[keyword]
    return dataset[tag] if tag in dataset._dict else None


def _text(dataset: Dataset, keyword: str) -> str | None:
    """The element's value as display text (multi-values joined by a backslash)."""
    element = _element(dataset, keyword)
    if element is None or element.value is None or element.value == "":
        return None
    if element.VM > 1:
        return "\\".join(str(v) for v in element.value)
    return str(element.value)


def _int(dataset: Dataset, keyword: str) -> int | None:
    try:
        element = _element(dataset, keyword)
        value = None if element is None else element.value
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def _uid_name(uid: str | None) -> str | None:
    """The standard's name for a UID, or None when it is not a registered UID."""
    if not uid or not isinstance(uid, str):
        return None  # a damaged file's UID may have been read as numbers
    name = UID(uid).name
    return None if name == uid else name


def _transfer_syntax(ds: Dataset) -> dict[str, str | None]:
    """The stated transfer syntax, or the encoding it was read with, marked as assumed."""
    stated = ds.file_meta.get("TransferSyntaxUID")
    if stated:
        return {"uid": str(stated), "name": _uid_name(stated)}
    implicit, little = ds.original_encoding
    uid = (
        ImplicitVRLittleEndian
        if implicit
        else ExplicitVRLittleEndian
        if little
        else ExplicitVRBigEndian
    )
    return {"uid": str(uid), "name": f"{uid.name} (assumed: the file does not say)"}


def _sop_class(dataset: Dataset) -> str | None:
    # A DICOMDIR (Media Storage Directory) has no SOP Class UID in its data set: its file
    # meta group says what it is.
    return _text(dataset, "SOPClassUID") or _text(dataset.file_meta, "MediaStorageSOPClassUID")


def is_dicomdir(dataset: Dataset, name: str) -> bool:
    """Whether a file is a DICOMDIR, whose directory records describe other files: its SOP
    class is Media Storage Directory, or it is named DICOMDIR (PS3.10 8.6) and has a Directory
    Record Sequence. A file only named so is an instance like any other.
    """
    if _sop_class(dataset) == MEDIA_STORAGE_DIRECTORY:
        return True
    return has_dicomdir_name(name) and "DirectoryRecordSequence" in dataset


def has_dicomdir_name(name: str) -> bool:
    """Whether ``name`` (a path with '/') is the name PS3.10 8.6 gives a DICOMDIR."""
    return name.rsplit("/", 1)[-1].upper() == "DICOMDIR"


def summarize(opened: OpenedFile) -> dict[str, Any]:
    """Summarise a parsed file: identifiers, modality, SOP class, syntax, image geometry."""
    ds = opened.dataset
    sop_class = _sop_class(ds)
    return {
        "patient": {
            "name": _text(ds, "PatientName"),
            "id": _text(ds, "PatientID"),
            "birthDate": _text(ds, "PatientBirthDate"),
            "sex": _text(ds, "PatientSex"),
        },
        "study": {
            "uid": _text(ds, "StudyInstanceUID"),
            "date": _text(ds, "StudyDate"),
            "description": _text(ds, "StudyDescription"),
            "accessionNumber": _text(ds, "AccessionNumber"),
        },
        "series": {
            "uid": _text(ds, "SeriesInstanceUID"),
            "number": _int(ds, "SeriesNumber"),
            "description": _text(ds, "SeriesDescription"),
        },
        "instance": {
            "uid": _text(ds, "SOPInstanceUID"),
            "number": _int(ds, "InstanceNumber"),
        },
        "modality": _text(ds, "Modality"),
        "sopClass": {"uid": sop_class, "name": _uid_name(sop_class)},
        "transferSyntax": _transfer_syntax(ds),
        "rows": _int(ds, "Rows"),
        "columns": _int(ds, "Columns"),
        "frames": _int(ds, "NumberOfFrames") or (1 if "Rows" in ds else 0),
        # Where the slice lies, for ordering a stack (dicomtab.stack); not identifying.
        "geometry": geometry(ds),
        "fileSize": opened.size,
        "hasFileMeta": opened.has_file_meta,
        "notes": list(opened.notes),
    }
