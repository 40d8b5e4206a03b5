"""Turning the bytes of one file into a pydicom Dataset, or a clear reason why not.

Every path that reads a file goes through :func:`open_dataset`, so every path gets the same
checks: empty files, files that are not DICOM, files without a File Meta header, and files
whose declared lengths do not fit their bytes (truncation, corrupt or hostile lengths) are
recognised here, named in the message, and never handed on half-read.
"""

from __future__ import annotations

import io
import logging
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

import pydicom
from pydicom.charset import default_encoding
from pydicom.dataelem import DataElement, RawDataElement, empty_value_for_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from dicomtab.errors import (
    EmptyFileError,
    MalformedFileError,
    NotDicomError,
    TruncatedFileError,
)
from dicomtab.structure import (
    KNOWN_VRS,
    LONG_VRS,
    UNDEFINED_LENGTH,
    PixelSpan,
    StructureProblem,
    StructureReport,
    TopElements,
    check_structure,
    dictionary_vr,
    meta_end,
)

# pydicom puts values it could not parse into its warnings and log records ("invalid value
# for VR DA: '…'"). Those values may identify a patient, so they must never reach a console
# or a log handler an application configures; we report our own, value-free notes instead.
logging.getLogger("pydicom").propagate = False


@contextmanager
def quiet_pydicom() -> Iterator[None]:
    """Silence warnings while file values are read: pydicom's quote the offending value.

    Every entry point (the worker API, the CLI) runs its work inside this, because values
    are decoded lazily, long after :func:`open_dataset` returned.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield

PREAMBLE_LENGTH = 128
MAGIC = b"DICM"

#: First data element groups that a data set without a File Meta header may start with:
#: (0008,xxxx) for a bare data set, (0002,xxxx) for a meta group without the preamble.
_BARE_START_GROUPS = (0x0002, 0x0008)


def _encodings() -> dict[str, tuple[bool, bool, bool]]:
    """Transfer syntax UID → (implicit VR, little endian, deflated) for every known syntax."""
    table = {
        str(ImplicitVRLittleEndian): (True, True, False),
        str(ExplicitVRBigEndian): (False, False, False),
        str(DeflatedExplicitVRLittleEndian): (False, True, True),
    }
    # Every other standard syntax (the compressed ones included) is explicit VR little endian.
    for uid in pydicom.uid.AllTransferSyntaxes:
        table.setdefault(str(uid), (False, True, False))
    table.setdefault(str(ExplicitVRLittleEndian), (False, True, False))
    return table


ENCODINGS = _encodings()


@dataclass
class OpenedFile:
    """A parsed file and the value-free notes a user should see about how it was read."""

    dataset: Dataset
    size: int
    has_file_meta: bool
    notes: list[str] = field(default_factory=list)
    #: Where the top-level pixel element's value lies in the bytes given to open_dataset
    #: (None when unknown: no pixel data, a deflated data set, a preamble added here).
    pixel_span: PixelSpan | None = None
    #: An image without pixel data: most likely cut between two elements (see the notes).
    incomplete: bool = False
    #: The elements whose value does not fit their tag (see StructureReport.doubts).
    doubts: tuple[StructureProblem, ...] = ()
    #: The structural walk of the file's data set, when its offsets are those of the bytes
    #: given to open_dataset (None when a preamble was added here): handed back as
    #: ``checked`` to parse the same bytes again without walking them again.
    report: StructureReport | None = None

    @property
    def suspect(self) -> StructureProblem | None:
        """The first doubted element, if any: de-identification refuses the file for it."""
        return self.doubts[0] if self.doubts else None


def _looks_like_bare_dataset(data: bytes) -> bool:
    """Whether ``data`` starts with a plausible data element header (either byte order)."""
    if len(data) < 8:
        return False
    little = int.from_bytes(data[0:2], "little")
    big = int.from_bytes(data[0:2], "big")
    return little in _BARE_START_GROUPS or big in _BARE_START_GROUPS


def _raise_for(problem: StructureProblem, name: str) -> None:
    if problem.kind == "truncated":
        raise TruncatedFileError(f"{name} is truncated or damaged: {problem.describe()}.")
    raise MalformedFileError(f"{name} is damaged: {problem.describe()}.")


def open_dataset(data: bytes, name: str, *, stop_before_pixels: bool = False,
                 checked: tuple[StructureReport, int] | None = None,
                 only: frozenset[int] | None = None,
                 top: TopElements | None = None) -> OpenedFile:
    """Parse ``data`` (the whole file) as DICOM.

    ``name`` is only used in messages. With ``stop_before_pixels`` pydicom does not load
    the Pixel Data value, but its declared length is still checked against the file.
    ``checked``: for ``data`` that is only the file's bytes up to its pixel value (read by
    slices, see dicomtab.file_head), the structural walk of the whole file's data set, already
    done, and the file's size; ``stop_before_pixels`` must then be true.
    ``only``: the top-level tags (and File Meta) the caller reads, with
    ``stop_before_pixels``: the data set may then hold only those, made from the structural
    walk instead of a second reading of the file when pydicom would read them as the walk
    does (see :func:`_header_from_walk`), with the same values, notes and refusals. ``top``:
    with ``checked``, where that walk found the top-level elements.

    Raises:
        EmptyFileError, NotDicomError, TruncatedFileError, MalformedFileError
    """
    if len(data) == 0:
        raise EmptyFileError(f"{name} is empty (0 bytes).")

    notes: list[str] = []
    original = data
    has_preamble = data[PREAMBLE_LENGTH : PREAMBLE_LENGTH + 4] == MAGIC
    if not has_preamble and data[:4] == MAGIC:
        # 'DICM' without the 128-byte preamble: restore the preamble so the offsets are standard.
        data = bytes(PREAMBLE_LENGTH) + data
        has_preamble = True
        notes.append(f"{name} has no 128-byte preamble before its 'DICM' marker.")
    if not has_preamble and not _looks_like_bare_dataset(data):
        raise NotDicomError(
            f"{name} is not a DICOM file: it has no 'DICM' marker at byte 128 and does not "
            "start with a DICOM data element."
        )

    dataset_offset, stated_syntax, problem = meta_end(
        data, PREAMBLE_LENGTH + 4 if has_preamble else 0
    )
    if problem is not None:
        _raise_for(problem, name)
    # Walk the structure before pydicom parses it when the file says how it is encoded, so a
    # hostile file (absurd nesting, impossible lengths) is refused before it is parsed.
    report = None
    size = len(data)
    assert only is None or stop_before_pixels, "only the header is made from the walk"
    if checked is not None:
        assert stop_before_pixels, "only the header was read"
        report, size = checked
        if report.problem is not None:
            _raise_for(report.problem, name)
    elif stated_syntax in ENCODINGS:
        top = TopElements() if only is not None else None
        report = _check(data, dataset_offset, *ENCODINGS[stated_syntax], name, top)

    dataset = None
    if only is not None and top is not None and report is not None and data is original:
        dataset = _header_from_walk(data, dataset_offset, stated_syntax, report, top, only)
    # Made from the walk: the file's elements are those the walk found (at least one), and
    # an explicit VR data set without UN leaves nothing for pydicom to resolve.
    from_walk = dataset is not None
    if dataset is None:
        dataset = _parse(data, name, stop_before_pixels)
    has_file_meta = "TransferSyntaxUID" in dataset.file_meta
    implicit, little = dataset.original_encoding
    if implicit is None or little is None:
        raise NotDicomError(f"{name} is not a DICOM file: no data elements could be read.")
    if not from_walk:
        # In sequence items too, unless every nested element has its VR written out
        # (explicit VR and no UN): then there is nothing to resolve, and parsing every item
        # now is most of what resolving costs (opening a folder does it for each file).
        nested = implicit or report is None or report.has_un
        _resolve_ambiguous(dataset, name, nested=nested)
    if not has_preamble:
        notes.append(
            f"{name} has no File Meta Information header (no preamble and 'DICM' marker); "
            f"it was read as {_encoding_name(implicit, little)}."
        )
    elif not has_file_meta:
        notes.append(
            f"{name} does not state its transfer syntax; it was read as "
            f"{_encoding_name(implicit, little)}."
        )
    if report is None:
        # Encoding unknown until pydicom guessed it (no meta, or a private transfer syntax).
        report = _check(data, dataset_offset, implicit, little, False, name)
    if len(dataset) == 0 and not from_walk:
        raise NotDicomError(f"{name} is not a DICOM file: it holds no data elements.")
    incomplete = "Rows" in dataset and not report.has_pixel_data
    if incomplete:
        # A cut that falls exactly between two elements leaves a well-formed but incomplete
        # file; an image without pixels is the visible sign of it.
        notes.append(f"{name} describes an image but has no pixel data; it may be truncated.")
    # Offsets are into ``data``; they are the caller's only if data is still what it gave,
    # and it held the pixel value.
    span = report.pixel_span if data is original and checked is None else None
    return OpenedFile(dataset=dataset, size=size, has_file_meta=has_file_meta, notes=notes,
                      pixel_span=span, incomplete=incomplete, doubts=report.doubts,
                      report=report if data is original else None)


def _parse(data: bytes, name: str, stop_before_pixels: bool) -> Dataset:
    """pydicom's reading of ``data``, or a MalformedFileError naming the file."""
    with quiet_pydicom():
        try:
            return pydicom.dcmread(io.BytesIO(data), force=True,
                                   stop_before_pixels=stop_before_pixels)
        except Exception as exc:  # pydicom raises many types; the class name holds no PHI
            raise MalformedFileError(
                f"{name} could not be parsed as DICOM ({type(exc).__name__})."
            ) from None


def _header_from_walk(data: bytes, dataset_offset: int, stated_syntax: str | None,
                      report: StructureReport, top: TopElements, only: frozenset[int]
                      ) -> Dataset | None:
    """The File Meta and the top-level elements ``only`` of the file's header, as
    ``dcmread(stop_before_pixels=True)`` gives them (raw, converted by pydicom when first
    used, in the same character set), made from the structural walk's offsets; None when
    pydicom's reading of the file could differ from the walk's, and the file is parsed.

    Made only for an explicit VR data set (not deflated) whose walk found nothing pydicom
    reads its own way (see TopElements.plain), no UN, no doubted element (a repeated or
    out-of-order tag, a VR its tag does not allow), no command group (which pydicom reads
    as implicit VR), and no element of ``only`` with an undefined length (pydicom parses
    those sequences as it reads). Implicit VR files are parsed: pydicom resolves their
    sequences and ambiguous VRs as it opens them (see _resolve_ambiguous), which may refuse
    the file.
    """
    encoding = ENCODINGS.get(stated_syntax or "")
    if (encoding is None or encoding[0] or encoding[2] or not top.plain or not top.offsets
            or report.has_un or report.doubts or next(iter(top.offsets)) >> 16 == 0):
        return None
    little = encoding[1]
    meta: dict[BaseTag, RawDataElement | DataElement] = {}
    pos = PREAMBLE_LENGTH + 4
    while pos < dataset_offset:
        element = _raw_element(data, pos, True)
        if element is None:
            return None
        meta[element.tag] = element
        pos = element.value_tell + element.length
    elements: dict[BaseTag, RawDataElement | DataElement] = {}
    for tag in only:
        start = top.offsets.get(tag)
        if start is not None:
            element = _raw_element(data, start, little)
            if element is None:
                return None
            elements[element.tag] = element
    file_meta = FileMetaDataset(meta)
    file_meta.set_original_encoding(False, True, default_encoding)
    if file_meta.get("TransferSyntaxUID") != stated_syntax:
        return None  # pydicom reads the value otherwise than the walk (padding)
    dataset = Dataset(elements)
    dataset.set_original_encoding(False, little, dataset._character_set)
    dataset.file_meta = file_meta
    return dataset


#: An explicit VR element header (group, element, VR, 16-bit length) and a 32-bit length,
#: by byte order (little endian first).
_EXPLICIT_HEADER = {True: struct.Struct("<HH2sH"), False: struct.Struct(">HH2sH")}
_LONG_LENGTH = {True: struct.Struct("<I"), False: struct.Struct(">I")}


def _raw_element(data: bytes, start: int, little: bool) -> RawDataElement | None:
    """The explicit VR element whose header is at ``start``, as pydicom reads it (its value
    not converted yet); None for an undefined length or a VR pydicom does not read so."""
    group, number, vr, length = _EXPLICIT_HEADER[little].unpack_from(data, start)
    if vr not in KNOWN_VRS:
        return None
    value_start = start + 8
    if vr in LONG_VRS:
        length = _LONG_LENGTH[little].unpack_from(data, value_start)[0]
        value_start += 4
    if length == UNDEFINED_LENGTH:
        return None
    text = vr.decode("ascii")
    value = (data[value_start:value_start + length] if length
             else cast(bytes | None, empty_value_for_VR(text, raw=True)))
    return RawDataElement(BaseTag(group << 16 | number), text, length, value, value_start,
                          False, little)


def _resolve_ambiguous(ds: Dataset, name: str, nested: bool) -> None:
    """Resolve now what pydicom resolves when an element is first used: the VRs a file
    leaves to other elements ("OB or OW" from Bits Allocated, "US or SS" from Pixel
    Representation) and elements whose VR it cannot read. pydicom fails there if those are
    missing or damaged; here the file is refused by name instead, once. ``nested``: also in
    sequence items (implicit VR files, where every nested element is ambiguous)."""
    try:
        for raw in list(ds.elements()):  # converts elements whose VR pydicom cannot take raw
            tag = int(raw.tag)
            # Implicit VR, or UN, which pydicom reads as the dictionary's VR (a UN that the
            # dictionary calls SQ is parsed as a sequence).
            known = dictionary_vr(tag) if raw.VR in (None, "UN") else None
            if known is not None and (" or " in known or raw.VR == "UN"):
                ds[tag]  # noqa: B018 (resolving the VR, and converting a UN, is the point)
            if nested and (raw.VR == "SQ" or known == "SQ"):
                for item in ds[tag].value or []:
                    _resolve_ambiguous(item, name, nested)
    except MalformedFileError:
        raise
    except Exception as exc:  # AttributeError, NotImplementedError… the class holds no PHI
        raise MalformedFileError(
            f"{name} is damaged: an element's value representation cannot be resolved "
            f"({type(exc).__name__}): the elements it depends on are missing or invalid."
        ) from None


def _check(
    data: bytes, offset: int, implicit: bool, little: bool, deflated: bool, name: str,
    top: TopElements | None = None,
) -> StructureReport:
    report = check_structure(data, offset, implicit=implicit, little=little, deflated=deflated,
                             top=top)
    if report.problem is not None:
        _raise_for(report.problem, name)
    return report


def read_dataset(data: bytes, name: str, *, stop_before_pixels: bool = False) -> Dataset:
    """Parse ``data`` as DICOM and return the Dataset; see :func:`open_dataset`."""
    return open_dataset(data, name, stop_before_pixels=stop_before_pixels).dataset


def _encoding_name(implicit: bool, little: bool) -> str:
    if implicit:
        return UID(pydicom.uid.ImplicitVRLittleEndian).name
    if little:
        return UID(pydicom.uid.ExplicitVRLittleEndian).name
    return UID(pydicom.uid.ExplicitVRBigEndian).name


def check_written(data: bytes, name: str) -> None:
    """Refuse ``data``, a file this package wrote (preamble, file meta, a stated transfer
    syntax), as :func:`open_dataset` would refuse it, from its structure alone: the checks
    that walk its element headers, without parsing its values (a fraction of the cost).

    Raises:
        NotDicomError, TruncatedFileError, MalformedFileError
    """
    if data[PREAMBLE_LENGTH : PREAMBLE_LENGTH + 4] != MAGIC:
        raise NotDicomError(f"{name} is not a DICOM file: it has no 'DICM' marker at byte 128.")
    offset, syntax, problem = meta_end(data, PREAMBLE_LENGTH + 4)
    if problem is not None:
        _raise_for(problem, name)
    if syntax in ENCODINGS:
        _check(data, offset, *ENCODINGS[syntax], name)
