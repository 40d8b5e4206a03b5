"""A DICOMDIR's directory records as a patient → study → series → instance tree (PS3.3 F.3).

A DICOMDIR (Media Storage Directory, SOP class 1.2.840.10008.1.3.10) lists the files of a
file-set in its Directory Record Sequence. The records form a hierarchy by byte offsets, not
by their order in the sequence: the root's first record is named by (0004,1200), each record
names its next sibling (0004,1400) and its first child (0004,1420). PATIENT records hold
STUDY records, which hold SERIES records, which hold IMAGE records and other leaf types (SR
DOCUMENT, PRESENTATION, RT DOSE, …); a leaf names its file by Referenced File ID (0004,1500),
path components relative to the DICOMDIR's folder.

:func:`read_dicomdir` follows those links and returns JSON-able data for the page's tree.
It is built for hostile input: the file goes through :func:`dicomtab.reading.open_dataset`
(empty, not DICOM, truncated, impossible lengths), each record is visited at most once (a
loop in the links is cut), offsets that point at no record are skipped, and what was wrong
is said in value-free notes. Nothing here needs numpy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence as DicomSequence

from dicomtab.errors import MalformedFileError, NotDicomdirError
from dicomtab.reading import open_dataset, quiet_pydicom
from dicomtab.summary import MEDIA_STORAGE_DIRECTORY, has_dicomdir_name

#: Record types that group the ones below them; every other type is a leaf when it names a file.
PATIENT, STUDY, SERIES = "PATIENT", "STUDY", "SERIES"

#: Deepest record hierarchy followed (the standard's deepest is five levels).
MAX_DEPTH = 32

_FIRST = 0x00041200  # Offset of the First Directory Record of the Root Directory Entity
_NEXT = 0x00041400  # Offset of the Next Directory Record
_LOWER = 0x00041420  # Offset of Referenced Lower-Level Directory Entity


@dataclass
class _Problems:
    """Counts of what was wrong with the links, turned into value-free notes at the end."""

    dangling: int = 0
    loops: int = 0
    too_deep: int = 0
    bad_paths: int = 0
    notes: list[str] = field(default_factory=list)

    def to_notes(self, unlinked: int) -> list[str]:
        """The notes, one sentence per kind of problem; ``unlinked``: records not reached."""
        out = list(self.notes)
        if self.dangling:
            one = self.dangling == 1
            out.append(f"{_n(self.dangling, 'record link')} of the DICOMDIR "
                       f"{'points' if one else 'point'} to no record; "
                       f"{'it was' if one else 'they were'} skipped.")
        if self.loops:
            one = self.loops == 1
            out.append(f"{_n(self.loops, 'record link')} of the DICOMDIR "
                       f"{'points' if one else 'point'} back to a record already read (a loop); "
                       f"{'it was' if one else 'they were'} cut.")
        if self.too_deep:
            out.append(f"The DICOMDIR's records nest deeper than {MAX_DEPTH} levels; the deeper "
                       "ones were left out.")
        if unlinked:
            one = unlinked == 1
            out.append(f"{_n(unlinked, 'directory record')} of the DICOMDIR "
                       f"{'is' if one else 'are'} not linked from its root and "
                       f"{'was' if one else 'were'} left out.")
        if self.bad_paths:
            one = self.bad_paths == 1
            out.append(f"{_n(self.bad_paths, 'record')} of the DICOMDIR "
                       f"{'names' if one else 'name'} a file outside its folder or an invalid "
                       f"file ID; {'its file' if one else 'their files'} cannot be matched.")
        return out


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _value(record: Dataset, key: str | int) -> Any:
    """An element's value, or None when absent or when pydicom cannot convert it (a damaged
    value is left out, not a reason to refuse the whole DICOMDIR)."""
    try:
        return record[key].value if key in record else None
    except Exception:  # pydicom raises many types for bad values; they may quote the value
        return None


def _text(record: Dataset, keyword: str) -> str | None:
    """A record's value as text (multiple values joined by backslash), or None if absent."""
    value = _value(record, keyword)
    if value is None:
        return None
    if isinstance(value, list | tuple | MultiValue):
        text = "\\".join(str(v) for v in value)
    else:
        text = str(value)
    text = text.strip()
    return text or None


def _number(record: Dataset, keyword: str) -> int | None:
    """An IS value as an int, or None if absent or not a number."""
    text = _text(record, keyword)
    if text is None:
        return None
    try:
        return int(float(text.split("\\")[0]))
    except (ValueError, OverflowError):
        return None


def _offset(record: Dataset | None, tag: int) -> int:
    """An offset element's value (0 when absent or unreadable: "no record")."""
    value = None if record is None else _value(record, tag)
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(value[0])  # a VM > 1 offset: take the first
    except (TypeError, ValueError, IndexError):
        return 0


def _file_id(record: Dataset, problems: _Problems) -> str | None:
    """Referenced File ID joined with '/', or None when absent; bad components are refused."""
    value = _value(record, "ReferencedFileID")
    if value is None and "ReferencedFileID" not in record:
        return None
    if isinstance(value, list | tuple | MultiValue):
        parts = [str(v).strip() for v in value]
    else:
        parts = [p.strip() for p in str(value or "").split("\\")]
    if not parts or any(p in ("", ".", "..") or "/" in p or ":" in p for p in parts):
        problems.bad_paths += 1
        return None
    return "/".join(parts)


def _record_type(record: Dataset) -> str:
    return (_text(record, "DirectoryRecordType") or "").upper()


def _patient(record: Dataset | None, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": _text(record, "PatientName") if record is not None else None,
        "id": _text(record, "PatientID") if record is not None else None,
    }


def _study(record: Dataset | None, key: str) -> dict[str, Any]:
    get = (lambda k: _text(record, k)) if record is not None else (lambda k: None)
    return {
        "key": key,
        "uid": get("StudyInstanceUID"),
        "date": get("StudyDate"),
        "description": get("StudyDescription"),
        "studyId": get("StudyID"),
        "accessionNumber": get("AccessionNumber"),
    }


def _series(record: Dataset | None, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "uid": _text(record, "SeriesInstanceUID") if record is not None else None,
        "number": _number(record, "SeriesNumber") if record is not None else None,
        "modality": _text(record, "Modality") if record is not None else None,
        "description": _text(record, "SeriesDescription") if record is not None else None,
    }


def _walk(
    records: dict[int, Dataset], first: int, problems: _Problems
) -> Iterator[tuple[int, Dataset, tuple[int, ...]]]:
    """Every record reachable from the root, depth first in link order, with its ancestors'
    offsets; each record at most once, iteratively (no recursion to exhaust)."""
    seen: set[int] = set()
    # Stack of (offset of the next sibling to visit, ancestors' offsets).
    stack: list[tuple[int, tuple[int, ...]]] = [(first, ())]
    while stack:
        offset, ancestors = stack.pop()
        if offset == 0:
            continue
        if offset in seen:
            problems.loops += 1
            continue
        record = records.get(offset)
        if record is None:
            problems.dangling += 1
            continue
        seen.add(offset)
        yield offset, record, ancestors
        # The sibling is visited after this record's children: push it first.
        stack.append((_offset(record, _NEXT), ancestors))
        lower = _offset(record, _LOWER)
        if lower:
            if len(ancestors) + 1 >= MAX_DEPTH:
                problems.too_deep += 1
            else:
                stack.append((lower, (*ancestors, offset)))


def _records_by_offset(items: DicomSequence | list[Dataset]) -> dict[int, Dataset]:
    """The Directory Record Sequence's items keyed by the byte offset of their item tag."""
    out: dict[int, Dataset] = {}
    for item in items:
        tell = getattr(item, "seq_item_tell", None)
        if isinstance(tell, int):
            out[tell] = item
    return out


def parse_dicomdir(dataset: Dataset, name: str) -> dict[str, Any]:
    """The tree of a DICOMDIR already parsed by pydicom (from bytes, so offsets are known).

    See :func:`read_dicomdir` for the result. Raises NotDicomdirError when ``dataset`` has
    no Directory Record Sequence.
    """
    sop_class = str(dataset.file_meta.get("MediaStorageSOPClassUID", "") or "")
    if "DirectoryRecordSequence" not in dataset:
        what = "its SOP class is not Media Storage Directory" if (
            sop_class and sop_class != MEDIA_STORAGE_DIRECTORY
        ) else "it has no Directory Record Sequence"
        raise NotDicomdirError(f"{name} is not a DICOMDIR: {what}.")
    items = dataset.DirectoryRecordSequence or []
    if not isinstance(items, DicomSequence | list) or not all(
        isinstance(i, Dataset) for i in items
    ):
        raise MalformedFileError(f"{name} is damaged: its Directory Record Sequence is not a "
                                 "sequence of records.")
    problems = _Problems()
    records = _records_by_offset(items)
    if len(records) != len(items):
        problems.notes.append(
            f"The positions of some of {name}'s records are unknown; they were left out."
        )
    first = _offset(dataset, _FIRST)

    patients: dict[str, dict[str, Any]] = {}
    reached = 0
    leaves = 0
    for offset, record, ancestors in _walk(records, first, problems):
        reached += 1
        path = _file_id(record, problems) if "ReferencedFileID" in record else None
        kind = _record_type(record)
        if "ReferencedFileID" not in record or kind in (PATIENT, STUDY, SERIES):
            continue
        leaves += 1
        # The nearest ancestor of each grouping type; its offset is the group's key.
        found: dict[str, int] = {}
        for ancestor in reversed(ancestors):
            found.setdefault(_record_type(records[ancestor]), ancestor)
        keys = {level: str(found.get(level, "none")) for level in (PATIENT, STUDY, SERIES)}
        patient = patients.get(keys[PATIENT])
        if patient is None:
            patient = patients[keys[PATIENT]] = {
                **_patient(records.get(found.get(PATIENT, -1)), keys[PATIENT]), "studies": {}}
        study = patient["studies"].get(keys[STUDY])
        if study is None:
            study = patient["studies"][keys[STUDY]] = {
                **_study(records.get(found.get(STUDY, -1)), keys[STUDY]), "series": {}}
        series = study["series"].get(keys[SERIES])
        if series is None:
            series = study["series"][keys[SERIES]] = {
                **_series(records.get(found.get(SERIES, -1)), keys[SERIES]), "instances": []}
        series["instances"].append({
            "key": str(offset),
            "recordType": kind or None,
            "path": path,
            "sopInstanceUid": _text(record, "ReferencedSOPInstanceUIDInFile"),
            "sopClassUid": _text(record, "ReferencedSOPClassUIDInFile"),
            "number": _number(record, "InstanceNumber"),
        })

    out_patients = []
    for patient in patients.values():
        studies = []
        for study in patient["studies"].values():
            study["series"] = list(study["series"].values())
            studies.append(study)
        patient["studies"] = studies
        out_patients.append(patient)
    return {
        "fileName": name,
        # Named DICOMDIR as PS3.10 requires: of several that name one file, such a one wins.
        "standardName": has_dicomdir_name(name),
        "records": len(items),
        "instances": leaves,
        "patients": out_patients,
        "notes": problems.to_notes(len(records) - reached),
    }


def read_dicomdir(data: bytes, name: str) -> dict[str, Any]:
    """Read a DICOMDIR's bytes into the tree its records describe.

    ``name`` is used in messages only. Returns::

        {"fileName", "records": <items in the Directory Record Sequence>,
         "instances": <leaf records>,
         "patients": [{"key", "name", "id", "studies": [
             {"key", "uid", "date", "description", "studyId", "accessionNumber", "series": [
                 {"key", "uid", "number", "modality", "description", "instances": [
                     {"key", "recordType", "path", "sopInstanceUid", "sopClassUid",
                      "number"}]}]}]}],
         "notes": [<value-free sentences about broken links>]}

    in the DICOMDIR's link order. ``path`` is the Referenced File ID joined with '/',
    relative to the DICOMDIR's folder (None if it has none or an invalid one). ``key`` is the
    record's byte offset (``"none"`` for a level a leaf has no record of, e.g. no SERIES
    record above it): unique within this DICOMDIR. Only records naming a file (Referenced
    File ID) are leaves; groups with no leaf do not appear.

    Raises:
        EmptyFileError, NotDicomError, TruncatedFileError, MalformedFileError (from
        :func:`~dicomtab.reading.open_dataset`), NotDicomdirError
    """
    with quiet_pydicom():
        opened = open_dataset(data, name)
        return parse_dicomdir(opened.dataset, name)
