"""DICOM files with identifying values, damaged on purpose in the ways that hide values from
a de-identifier's rules (see tests/core/deid/test_damaged.py)."""

from __future__ import annotations

import io

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

ROOT = "1.2.826.0.1.3680043.9.9999.77."
#: Every identifying value of phi_file, as bytes: none may be in an output.
SEEDED = (b"JANE", b"DOE", b"ST MARY", b"PID-7741")


def phi_file(uid: str = "3", **extra: tuple[str, str]) -> bytes:
    """A small CT header whose kept text holds the patient's and institution's names."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = ROOT + uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = ROOT + uid
    ds.Modality = "CT"
    ds.Manufacturer = "JANE DOE IMAGING"
    ds.InstitutionName = "ST MARY CLINIC"
    ds.ManufacturerModelName = "ST MARY CLINIC MODEL"
    ds.PatientName = "DOE^JANE"
    ds.PatientID = "PID-7741"
    ds.StudyInstanceUID = ROOT + "1"
    ds.SeriesInstanceUID = ROOT + "2"
    for keyword, (vr, value) in extra.items():
        tag = pydicom.datadict.tag_for_keyword(keyword)
        ds.add_new(tag, vr, value)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def swallowing(data: bytes, victim: bytes) -> bytes:
    """``data`` with Manufacturer's length grown to swallow the element ``victim`` after it."""
    header = b"\x08\x00\x70\x00LO"
    at = data.index(header)
    length = int.from_bytes(data[at + 6: at + 8], "little")
    after = data.index(victim, at)
    victim_length = int.from_bytes(data[after + 6: after + 8], "little")
    grown = after + 8 + victim_length - (at + 8)
    assert after == at + 8 + length + len(data[at + 8 + length: after])
    return data[: at + 6] + grown.to_bytes(2, "little") + data[at + 8:]


def wrong_vr(data: bytes) -> bytes:
    """``data`` with Patient's Name written as SH."""
    return data.replace(b"\x10\x00\x10\x00PN", b"\x10\x00\x10\x00SH")


def stopped(data: bytes) -> bytes:
    """``data`` with an unknown VR on Study Description: reading stops there."""
    at = data.index(b"\x08\x00\x30\x10LO")
    return data[: at + 4] + b"ZZ" + data[at + 6:]
