"""A PHI-seeded, multi-patient DICOM test set, built with pydicom (nothing downloaded).

Two patients (one ISO_IR 100 with "Müller^Jürgen", one ISO_IR 192 with a Cyrillic name), three
studies, several series; identifiers in standard elements, nested sequences (Other Patient IDs,
Request Attributes), a private block with a creator, an SR with PNAME/TEXT/DATE/UIDREF items,
and cross-references between instances (Referenced/Source Image Sequences, Frame of Reference,
SR evidence). ``SEEDED`` lists every identifying value and where it was put, so tests can check
that each one is gone from outputs and found by ``verify`` in the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (
    BasicTextSRStorage,
    CTImageStorage,
    ExplicitVRLittleEndian,
    MRImageStorage,
    UltrasoundImageStorage,
)

ROOT = "1.2.826.0.1.3680043.9.9999."  # a private-looking root, never well-known


@dataclass
class Patient:
    name: str
    pid: str
    charset: str
    birth: str
    other_id: str
    address: str
    studies: list[str] = field(default_factory=list)


PATIENT_A = Patient(
    "Müller^Jürgen", "PID-A-4711", "ISO_IR 100", "19610412", "ALT-A-999", "Hauptstraße 5, Berlin"
)
PATIENT_B = Patient(
    "Иванов^Дмитрий",
    "PID-B-0815",
    "ISO_IR 192",
    "19750203",
    "ALT-B-333",
    "Невский 10, Санкт-Петербург",
)

#: Identifying values seeded into the set (values searched for in outputs).
SEEDED_VALUES = [
    "Müller",
    "Jürgen",
    "Иванов",
    "Дмитрий",
    "PID-A-4711",
    "PID-B-0815",
    "ALT-A-999",
    "ALT-B-333",
    "ACC-A1-123456",
    "ACC-A2-654321",
    "ACC-B1-777777",
    "Wagner",
    "Schmidt",
    "Elsewhere General",
    "CTSCAN01",
    "SN-998877",
    "RP-5555",
    "SPS-6666",
    "Hauptstraße",
    "Невский",
    "Klaus",
    "HOSP-ISSUER",
]
#: Values of Retain Device Identity attributes (allowed to stay under that option).
DEVICE_VALUES = {"CTSCAN01", "SN-998877"}

#: Element paths that carry an identifier in at least one input (verify must report each).
SEEDED_PATHS = [
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientAddress",
    "OtherPatientIDsSequence[0].PatientID",
    "OtherPatientNames",
    "AccessionNumber",
    "ReferringPhysicianName",
    "OperatorsName",
    "InstitutionName",
    "StationName",
    "DeviceSerialNumber",
    "RequestAttributesSequence[0].RequestedProcedureID",
    "RequestAttributesSequence[0].ScheduledProcedureStepID",
    "ImageComments",
    "StudyDescription",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "FrameOfReferenceUID",
    "StudyDate",
    "ReferencedImageSequence[0].ReferencedSOPInstanceUID",
    "SourceImageSequence[0].ReferencedSOPInstanceUID",
    "(0029,1010)",
    "ContentSequence[0].PersonName",
    "ContentSequence[1].TextValue",
    "ContentSequence[3].UID",
    "FileMeta.MediaStorageSOPInstanceUID",
]

PIXELS_4x4 = bytes(range(32))


def _uid(*parts: int) -> str:
    return ROOT + ".".join(str(p) for p in parts)


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return item


def _patient_module(ds: Dataset, p: Patient) -> None:
    ds.SpecificCharacterSet = p.charset
    ds.PatientName = p.name
    ds.PatientID = p.pid
    ds.IssuerOfPatientID = "HOSP-ISSUER"
    ds.PatientBirthDate = p.birth
    ds.PatientSex = "M"
    ds.PatientAge = "062Y"
    ds.PatientWeight = "81.5"
    ds.PatientAddress = p.address
    ds.OtherPatientNames = p.name.split("^")[0] + "^Alias"
    other = Dataset()
    other.PatientID = p.other_id
    other.IssuerOfPatientID = "OTHER-HOSP"
    other.TypeOfPatientID = "TEXT"
    ds.OtherPatientIDsSequence = Sequence([other])


def _study_module(ds: Dataset, p: Patient, study: int, accession: str, date: str) -> None:
    ds.StudyInstanceUID = _uid(study)
    ds.StudyDate = date
    ds.StudyTime = "101500"
    ds.AccessionNumber = accession
    ds.StudyID = f"STU{study}"
    ds.ReferringPhysicianName = "Wagner^Klaus"
    ds.StudyDescription = f"Chest follow-up {p.name.split('^')[0]}"
    req = Dataset()
    req.RequestedProcedureID = "RP-5555"
    req.ScheduledProcedureStepID = "SPS-6666"
    req.AccessionNumber = accession
    ds.RequestAttributesSequence = Sequence([req])


def _image(
    p: Patient,
    study: int,
    series: int,
    instance: int,
    *,
    sop_class: str,
    modality: str,
    accession: str,
    date: str,
) -> Dataset:
    ds = Dataset()
    _patient_module(ds, p)
    _study_module(ds, p, study, accession, date)
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = _uid(study, series, instance)
    ds.Modality = modality
    ds.SeriesInstanceUID = _uid(study, series)
    ds.SeriesNumber = series
    ds.SeriesDate = date
    ds.SeriesTime = "102000"
    ds.AcquisitionDate = date
    ds.AcquisitionTime = "102100"
    ds.ContentDate = date
    ds.ContentTime = "102200"
    ds.AcquisitionDateTime = date + "102100.000000"
    ds.InstanceNumber = instance
    ds.InstitutionName = "Elsewhere General Hospital"
    ds.InstitutionAddress = "1 Hospital Road"
    ds.StationName = "CTSCAN01"
    ds.DeviceSerialNumber = "SN-998877"
    ds.Manufacturer = "ACME Imaging"
    ds.ManufacturerModelName = "Model 9"
    ds.OperatorsName = "Schmidt^Anna"
    ds.ProtocolName = "Chest routine"
    ds.SeriesDescription = "Axial 5mm"
    ds.ImageComments = f"Patient {p.name.replace('^', ' ')} ID {p.pid}, call Dr Wagner"
    ds.BodyPartExamined = "CHEST"
    ds.FrameOfReferenceUID = _uid(study, 0)
    ds.PositionReferenceIndicator = ""
    ds.ImagePositionPatient = [0, 0, float(instance)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.5, 0.5]
    ds.SliceThickness = "5"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = 4
    ds.Columns = 4
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.WindowCenter = "40"
    ds.WindowWidth = "400"
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.BurnedInAnnotation = "NO"
    ds.PixelData = bytes((b + instance) % 256 for b in PIXELS_4x4)
    # Private block with identifying content (must go) and a safe-listed one (may stay).
    block = ds.private_block(0x0029, "ACME PHI 1.0", create=True)
    block.add_new(0x10, "LO", p.name)
    inner = Dataset()
    inner.PatientName = p.name
    block.add_new(0x11, "SQ", Sequence([inner]))
    safe = ds.private_block(0x0019, "SIEMENS MR HEADER", create=True)
    safe.add_new(0x0C, "IS", "1000")
    # Overlay and curve groups.
    ds.add_new(0x60000010, "US", 4)
    ds.add_new(0x60000011, "US", 4)
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60000102, "US", 0)
    ds.add_new(0x60003000, "OW", b"\x00\xff")
    ds.add_new(0x60004000, "LT", f"marked by {p.name}")
    ds.add_new(0x50003000, "OB", b"\x01\x02")
    return ds


def _sr(p: Patient, study: int, refs: list[Dataset], accession: str, date: str) -> Dataset:
    ds = Dataset()
    _patient_module(ds, p)
    _study_module(ds, p, study, accession, date)
    ds.SOPClassUID = BasicTextSRStorage
    ds.SOPInstanceUID = _uid(study, 90, 1)
    ds.Modality = "SR"
    ds.SeriesInstanceUID = _uid(study, 90)
    ds.SeriesNumber = 90
    ds.InstanceNumber = 1
    ds.ContentDate = date
    ds.ContentTime = "120000"
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([_code("18748-4", "LN", "Diagnostic imaging report")])
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "VERIFIED"
    observer = Dataset()
    observer.VerifyingObserverName = "Wagner^Klaus"
    observer.VerifyingOrganization = "Elsewhere General Hospital"
    observer.VerificationDateTime = date + "130000"
    ds.VerifyingObserverSequence = Sequence([observer])
    items = []
    pname = Dataset()
    pname.RelationshipType, pname.ValueType = "HAS OBS CONTEXT", "PNAME"
    pname.ConceptNameCodeSequence = Sequence([_code("121008", "DCM", "Person Observer Name")])
    pname.PersonName = "Wagner^Klaus"
    items.append(pname)
    text = Dataset()
    text.RelationshipType, text.ValueType = "CONTAINS", "TEXT"
    text.ConceptNameCodeSequence = Sequence([_code("121071", "DCM", "Finding")])
    text.TextValue = f"No change since last visit of {p.name.replace('^', ' ')} ({p.pid})."
    items.append(text)
    day = Dataset()
    day.RelationshipType, day.ValueType = "CONTAINS", "DATE"
    day.ConceptNameCodeSequence = Sequence([_code("111060", "DCM", "Study Date")])
    day.Date = date
    items.append(day)
    uidref = Dataset()
    uidref.RelationshipType, uidref.ValueType = "CONTAINS", "UIDREF"
    uidref.ConceptNameCodeSequence = Sequence(
        [_code("121018", "DCM", "Procedure Study Instance UID")]
    )
    uidref.UID = refs[0].StudyInstanceUID
    items.append(uidref)
    ds.ContentSequence = Sequence(items)
    series = Dataset()
    series.SeriesInstanceUID = refs[0].SeriesInstanceUID
    sops = []
    for ref in refs:
        item = Dataset()
        item.ReferencedSOPClassUID = ref.SOPClassUID
        item.ReferencedSOPInstanceUID = ref.SOPInstanceUID
        sops.append(item)
    series.ReferencedSOPSequence = Sequence(sops)
    evidence = Dataset()
    evidence.StudyInstanceUID = refs[0].StudyInstanceUID
    evidence.ReferencedSeriesSequence = Sequence([series])
    ds.CurrentRequestedProcedureEvidenceSequence = Sequence([evidence])
    return ds


def _reference(target: Dataset) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = target.SOPClassUID
    item.ReferencedSOPInstanceUID = target.SOPInstanceUID
    return item


def build_set() -> dict[str, Dataset]:
    """File name -> dataset (with file meta) for the whole set."""
    files: dict[str, Dataset] = {}
    # Patient A, study 1: CT series (2 images, 2nd references the 1st) + SR on it.
    a1 = [
        _image(
            PATIENT_A,
            1,
            1,
            i,
            sop_class=CTImageStorage,
            modality="CT",
            accession="ACC-A1-123456",
            date="20240110",
        )
        for i in (1, 2)
    ]
    a1[1].ReferencedImageSequence = Sequence([_reference(a1[0])])
    derived = _image(
        PATIENT_A,
        1,
        2,
        1,
        sop_class=CTImageStorage,
        modality="CT",
        accession="ACC-A1-123456",
        date="20240110",
    )
    derived.ImageType = ["DERIVED", "SECONDARY", "AXIAL"]
    derived.SourceImageSequence = Sequence([_reference(a1[0]), _reference(a1[1])])
    sr = _sr(PATIENT_A, 1, a1, "ACC-A1-123456", "20240110")
    # Patient A, study 2 (three weeks later): one CT image in the same frame of reference.
    a2 = _image(
        PATIENT_A,
        2,
        1,
        1,
        sop_class=CTImageStorage,
        modality="CT",
        accession="ACC-A2-654321",
        date="20240131",
    )
    a2.FrameOfReferenceUID = a1[0].FrameOfReferenceUID
    # Patient B, study 3: MR series (2 images) and a US image with burned-in annotation.
    b = [
        _image(
            PATIENT_B,
            3,
            1,
            i,
            sop_class=MRImageStorage,
            modality="MR",
            accession="ACC-B1-777777",
            date="20230615",
        )
        for i in (1, 2)
    ]
    us = _image(
        PATIENT_B,
        3,
        2,
        1,
        sop_class=UltrasoundImageStorage,
        modality="US",
        accession="ACC-B1-777777",
        date="20230615",
    )
    us.BurnedInAnnotation = "YES"
    for name, ds in [
        ("a1_ct1", a1[0]),
        ("a1_ct2", a1[1]),
        ("a1_derived", derived),
        ("a1_sr", sr),
        ("a2_ct1", a2),
        ("b_mr1", b[0]),
        ("b_mr2", b[1]),
        ("b_us", us),
    ]:
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.SourceApplicationEntityTitle = "HOSPITAL_PACS"
        ds.file_meta = meta
        ds.preamble = b"\x00" * 128
        files[f"{name}.dcm"] = ds
    return files


def write_set(folder: Path) -> dict[str, Path]:
    """Write the set to ``folder`` (nested sub-folders, like a real export)."""
    paths = {}
    for name, ds in build_set().items():
        sub = folder / name.split("_")[0]
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / name
        ds.save_as(path, enforce_file_format=True)
        paths[name] = path
    return paths
