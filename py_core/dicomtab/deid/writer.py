"""Encoding a de-identified data set to the bytes of a DICOM file.

Most elements of a de-identified image are the input's raw bytes, unchanged (see
:mod:`dicomtab.deid.elements`). pydicom's writer spends most of its time on per-element
bookkeeping that raw bytes do not need, so little endian, non-deflated data sets are written
here: a raw element is its header plus its bytes, the file meta group the engine builds (a few
UIDs and a name) is laid out directly, and every other element and every sequence goes through
pydicom's own writer functions. The result is byte for byte what
``pydicom.dcmwrite(..., enforce_file_format=True)`` writes (the tests compare the two); any other
encoding is left to ``dcmwrite`` itself.
"""

from __future__ import annotations

import io
import struct
import warnings

import pydicom
from pydicom.charset import convert_encodings, default_encoding
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.uid import UID
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

UNDEFINED_LENGTH = 0xFFFFFFFF
PIXEL_DATA = 0x7FE00010
_TAG = struct.Struct("<HH")
_SHORT = struct.Struct("<HH2sH")  # tag, VR, 16-bit length
_LONG = struct.Struct("<HH2s2xI")  # tag, VR, reserved, 32-bit length
_IMPLICIT = struct.Struct("<HHI")


def encode(ds: Dataset) -> bytes:
    """The bytes of a file holding ``ds`` (preamble, file meta group, data set)."""
    with warnings.catch_warnings():  # pydicom's warnings quote values
        warnings.simplefilter("ignore")
        fast = _encode_direct(ds)
        if fast is not None:
            return fast
        return encode_with_pydicom(ds)


def encode_with_pydicom(ds: Dataset) -> bytes:
    """The same bytes as :func:`encode`, all written by pydicom (the reference)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _encoding(ds: Dataset) -> bool | None:
    """Implicit VR (True/False) for a little endian, non-deflated syntax; None otherwise."""
    syntax = getattr(ds, "file_meta", Dataset()).get("TransferSyntaxUID")
    if not syntax:
        return None
    try:
        uid = UID(str(syntax))
        if uid.is_deflated or not uid.is_little_endian or uid.is_private:
            return None
        return bool(uid.is_implicit_VR)
    except ValueError:  # not a transfer syntax pydicom knows
        return None


def _encode_direct(ds: Dataset) -> bytes | None:
    implicit = _encoding(ds)
    preamble = getattr(ds, "preamble", None)
    if implicit is None or not preamble or len(preamble) != 128:
        return None
    if ds.original_encoding != (implicit, True) or ds.original_character_set != ds._character_set:
        return None  # raw elements would need re-encoding: pydicom's job
    compressed = UID(str(ds.file_meta.TransferSyntaxUID)).is_compressed
    pixels = ds._dict.get(BaseTag(PIXEL_DATA))
    undefined = (
        pixels.length == UNDEFINED_LENGTH if isinstance(pixels, RawDataElement)
        else pixels is not None and pixels.is_undefined_length
    )
    if pixels is not None and undefined != compressed:
        # As dcmwrite does: encapsulated pixel data has an undefined length, native a defined
        # one. Raw native pixel data already has its length; it is copied as it is.
        ds[PIXEL_DATA].is_undefined_length = compressed
    fp = DicomBytesIO()
    fp.is_implicit_VR, fp.is_little_endian = False, True
    fp.write(preamble + b"DICM")
    meta = _file_meta_bytes(ds.file_meta)
    if meta is not None:
        fp.write(meta)
    else:  # a shallow copy: pydicom adds the group length and version to it
        write_file_meta_info(fp, FileMetaDataset(ds.file_meta), enforce_standard=True)
    fp.is_implicit_VR = implicit
    charset = ds.get("SpecificCharacterSet", default_encoding)
    text_as_ascii = _ascii_compatible(charset)
    for tag in sorted(ds._dict):
        if tag & 0xFFFF == 0 and tag >> 16 > 6:
            continue  # retired group lengths are not written (PS3.5 7.2), as in dcmwrite
        elem = ds._dict[tag]
        if (
            isinstance(elem, RawDataElement)
            and elem.length != UNDEFINED_LENGTH
            and elem.is_implicit_VR == implicit
            and elem.is_little_endian
            and (implicit or (elem.VR and len(elem.VR) == 2))
        ):
            fp.write(_header(int(tag), elem.VR, len(elem.value or b""), implicit))
            fp.write(elem.value or b"")
        elif (value := _ascii_value(elem, text_as_ascii)) is not None:
            fp.write(_header(int(tag), elem.VR, len(value), implicit))
            fp.write(value)
        else:
            write_data_element(fp, ds[tag], charset)
    return fp.getvalue()


#: String VRs pydicom writes in its default encoding whatever the character set
#: (``write_string``, and ``write_DA``/``DT``/``TM`` for text values), with their padding.
_STRING_PADDING = {"AE": " ", "AS": " ", "CS": " ", "DA": " ", "DT": " ", "TM": " ", "UR": " ",
                   "UI": "\0"}
#: Text VRs pydicom encodes in the data set's character set (``write_text``).
_TEXT_VRS = frozenset({"LO", "LT", "SH", "ST", "UC", "UT"})
#: Python codecs (pydicom's names) that encode ASCII text as ASCII, with no escape sequence
#: when first in the character set: the default repertoire, Latin-1 and UTF-8.
_ASCII_CODECS = frozenset({default_encoding, "latin_1", "UTF8"})


def _ascii_compatible(charset: object) -> bool:
    """Whether pydicom encodes ASCII text in ``charset`` (a Specific Character Set value) as
    the ASCII bytes themselves."""
    try:
        codecs = convert_encodings(
            [str(v) for v in charset] if isinstance(charset, MultiValue | list) else
            str(charset))
    except (LookupError, ValueError):
        return False
    return bool(codecs) and codecs[0] in _ASCII_CODECS


def _ascii_value(elem: DataElement | RawDataElement, text_as_ascii: bool) -> bytes | None:
    """The value bytes pydicom's writer gives ``elem``, a new element whose value is ASCII text
    (one string or several) or empty, of a string VR; None for anything else (pydicom writes
    it). Most elements the engine makes are such (dummies, emptied values, mapped UIDs, shifted
    dates), and pydicom's writer spent most of its time on them."""
    if not isinstance(elem, DataElement) or elem.is_undefined_length:
        return None
    vr = elem.VR
    padding = _STRING_PADDING.get(vr) or (" " if text_as_ascii and vr in _TEXT_VRS else None)
    if padding is None:
        return None
    value = elem.value
    if value is None:
        return b""
    if isinstance(value, MultiValue | list | tuple):
        if not all(isinstance(v, str) for v in value):
            return None
        value = "\\".join(value)
    elif not isinstance(value, str):
        return None
    if not value.isascii():
        return None
    if len(value) % 2:
        value += padding
    return value.encode("ascii")


def _header(tag: int, vr: str | None, length: int, implicit: bool) -> bytes:
    group, element = tag >> 16, tag & 0xFFFF
    if implicit:
        return _IMPLICIT.pack(group, element, length)
    if vr in EXPLICIT_VR_LENGTH_32:
        return _LONG.pack(group, element, str(vr).encode("ascii"), length)
    if length > 0xFFFF:
        # PS3.5 6.2.2, as pydicom does: a value too long for a 16-bit length is written as UN.
        return _LONG.pack(group, element, b"UN", length)
    return _SHORT.pack(group, element, str(vr).encode("ascii"), length)


#: File meta elements the engine writes (PS3.10 7.1): each is written here when present.
_META_REQUIRED = (0x00020002, 0x00020003, 0x00020010, 0x00020012)
_META_PAD = {"UI": b"\x00", "SH": b" ", "AE": b" "}
_VERSION = 0x00020001


def _file_meta_bytes(meta: Dataset) -> bytes | None:
    """The file meta group as pydicom's ``write_file_meta_info`` writes it for the group the
    engine builds (a version, UIDs, a short name): the group length first, then the rest in
    tag order. None for anything else, which pydicom then writes."""
    if any(t not in meta for t in _META_REQUIRED):
        return None
    version = meta.get(_VERSION)
    body = [_LONG.pack(0x0002, 0x0001, b"OB", 2)
            + (bytes(version.value) if version is not None else b"\x00\x01")]
    if version is not None and len(version.value or b"") != 2:
        return None
    for tag in sorted(meta.keys()):
        if tag in (0x00020000, _VERSION):
            continue
        elem = meta[tag]
        pad = _META_PAD.get(elem.VR)
        if pad is None or not isinstance(elem.value, str):
            return None
        try:
            value = elem.value.encode("ascii")
        except UnicodeEncodeError:
            return None
        value += pad * (len(value) % 2)
        body.append(_SHORT.pack(tag >> 16, tag & 0xFFFF, elem.VR.encode("ascii"), len(value)))
        body.append(value)
    rest = b"".join(body)
    return _SHORT.pack(0x0002, 0x0000, b"UL", 4) + struct.pack("<I", len(rest)) + rest
