"""Generated instances for the inspector tests: private blocks, nesting, hostile text."""

from __future__ import annotations

import io
import math

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, JPEGBaseline8Bit

from dicomtab.inspect.partial import Inspected, load

#: Markup a hostile file might carry: it must come back verbatim, as text.
MARKUP = '<img src=x onerror="alert(1)">'
LONG_TEXT = "word " * 300
ESCAPE_TEXT = "Chest \x1b[31mRED\x1b[0m\r\nsecond line"


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = "99TEST"
    item.CodeMeaning = meaning
    return item


def sample_dataset() -> Dataset:
    """A small US image with identifiers, private blocks, nested sequences and odd text."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = UID("1.2.840.10008.5.1.4.1.1.6.1")
    ds.file_meta.MediaStorageSOPInstanceUID = UID("1.2.826.0.1.3680043.8.498.100")
    ds.file_meta.SourceApplicationEntityTitle = "SCANNER_7"
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyDate = "20240131"
    ds.Modality = "US"
    ds.InstitutionName = "General Hospital"
    ds.StationName = "US-ROOM-2"
    ds.StudyDescription = ESCAPE_TEXT
    ds.SeriesDescription = MARKUP
    ds.PatientName = MARKUP + "^Jane"
    ds.PatientID = "ID-4711"
    ds.PatientBirthDate = "19700101"
    ds.OtherPatientIDs = ["A1", "B2"]
    ds.PatientAge = "050Y"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.101"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.102"
    ds.InstanceNumber = "7"
    ds.SliceThickness = "1.2500"
    ds.ImageComments = LONG_TEXT
    ds.FrameIncrementPointer = 0x00181063
    ds.add_new(0x00409224, "FD", math.nan)  # Real World Value Intercept
    ds.BurnedInAnnotation = "YES"
    first = Dataset()
    first.RequestedProcedureID = "RP-9"
    first.ScheduledProtocolCodeSequence = Sequence([_code("C1", "Protocol <b>bold</b>")])
    first["ScheduledProtocolCodeSequence"].is_undefined_length = True
    first.ScheduledProtocolCodeSequence[0].is_undefined_length_sequence_item = True
    second = Dataset()
    second.RequestedProcedureID = "RP-10"
    ds.RequestAttributesSequence = Sequence([first, second])
    acme = ds.private_block(0x0011, "ACME 1.0", create=True)
    acme.add_new(0x01, "LO", "secret note")
    acme.add_new(0x02, "OB", bytes(range(40)))
    csa = ds.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
    csa.add_new(0x10, "OB", b"SV10" + bytes(96))
    ds.Rows = 4
    ds.Columns = 4
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = bytes(range(16))
    return ds


def to_bytes(ds: Dataset) -> bytes:
    """``ds`` written as a DICOM file (preamble, meta group, data set)."""
    out = io.BytesIO()
    pydicom.dcmwrite(out, ds, enforce_file_format=True)
    return out.getvalue()


def big_multiframe(encapsulated: bool, frames: int = 80) -> bytes:
    """A 40 MB multi-frame (512x512x16 bit x 80 frames), native or encapsulated."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit if encapsulated else ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.200"
    ds.Modality = "OT"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 512, 512, frames
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    frame = b"\x01\x02" * (512 * 512)
    if encapsulated:
        ds.PixelData = encapsulate([frame] * frames)
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
    else:
        ds.PixelData = frame * frames
    ds.add_new(0xFFFCFFFC, "OB", b"\x00\x00")  # an element after the pixel data
    return to_bytes(ds)


def odd_values_file() -> bytes:
    """A file whose last elements have lengths their VRs cannot hold (3-byte US, 5-byte FD)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.400"
    ds.PatientID = "P1"
    return to_bytes(ds) + b"\x18\x00\x50\x00FD\x05\x00abcde" + b"\x28\x00\x10\x00US\x03\x00abc"


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return to_bytes(sample_dataset())


@pytest.fixture
def sample(sample_bytes: bytes) -> Inspected:
    return load(sample_bytes, "sample.dcm")
