"""A PHI-seeded set for HIPAA Safe Harbor: what :mod:`phi_set` lacks, built the same way.

Three patients, five files:

- C (94 years old, ZIP 03603: a restricted prefix, 036 -> 000): two head MR images (a face can
  be rendered from them); a URL and a phone number in Image Comments, an e-mail address in the
  Study Description, an SSN, a fax number and a typed date in Additional Patient History;
- D (age 102Y, ZIP+4 02139-4307 -> 021): a chest CT with device serial number and Device ID,
  a Retrieve URL, a date-time with a UTC offset, phone numbers in three formats and an IP
  address in Image Comments; and a VL photograph (modality XC);
- E (exactly 89, ZIP 10001 -> 100): an abdominal CT whose study date is 1 January.

``SEEDED`` lists every identifying value; ``EXPECTED`` what hipaa-safe-harbor keeps of the
generalised ones.
"""

from __future__ import annotations

from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    CTImageStorage,
    ExplicitVRLittleEndian,
    MRImageStorage,
    VLPhotographicImageStorage,
)

from tests.core.deid.phi_set import Patient, _image

PATIENT_C = Patient("O'Brien^Margaret", "MRN-C-20931", "ISO_IR 100", "19290704", "ALT-C-111",
                    "27 Pleasant St, Claremont NH 03603")
PATIENT_D = Patient("Nguyen^Thanh", "MRN-D-55102", "ISO_IR 100", "19211130", "ALT-D-222",
                    "500 Main Street, Cambridge, MA 02139-4307")
PATIENT_E = Patient("Kowalski^Ewa", "MRN-E-77001", "ISO_IR 100", "19350102", "ALT-E-333",
                    "12 W 34th St, New York, NY 10001")

AGES = {"c": "094Y", "d": "102Y", "e": "089Y"}
#: Patient's Address under hipaa-safe-harbor: the 3-digit ZIP, 000 for a restricted prefix.
EXPECTED_ZIP3 = {"c": "000", "d": "021", "e": "100"}
#: Patient's Age under hipaa-safe-harbor.
EXPECTED_AGE = {"c": "090Y", "d": "090Y", "e": "089Y"}
#: Study year of each patient.
YEARS = {"c": "2024", "d": "2024", "e": "2024"}

PHONE = "(603) 555-0142"
EMAIL = "margaret.obrien@example.com"
URL = "https://pacs.example-hospital.org/viewer?study=48213"
SSN = "123-45-6789"
IP = "10.20.30.40"
SERIAL = "SN-CT-443322"
DEVICE_ID = "CTDEV-77"

#: Values of attributes that Retain Device Identity keeps (expert-determination-research).
DEVICE_VALUES = {SERIAL, DEVICE_ID, "CTSCAN01", "SN-998877"}

#: Every identifying value seeded (searched for in every byte of every output).
SEEDED = [
    "O'Brien", "Margaret", "Nguyen", "Thanh", "Kowalski",
    "MRN-C-20931", "MRN-D-55102", "MRN-E-77001", "ALT-C-111", "ALT-D-222", "ALT-E-333",
    "Pleasant St", "Claremont", "Main Street", "Cambridge", "34th St",
    PHONE, "603-555-0142", "555-0142", "603 555 0177", "617.555.0123", "7946 0958",
    EMAIL, "obrien@", "example-hospital.org", SSN, IP, SERIAL, DEVICE_ID,
    "19290704", "19211130", "19350102", "20240315", "20240310", "03/01/2024",
]

TEXT = {
    "c": {
        "ImageComments": f"Images at {URL} - questions to {PHONE}",
        "StudyDescription": f"MRI brain, results to {EMAIL}",
        "AdditionalPatientHistory": (f"SSN {SSN}; daughter's fax +1 603 555 0177; "
                                     "last seen 03/01/2024"),
    },
    "d": {
        "ImageComments": f"Call 617.555.0123 or +44 20 7946 0958; uploaded from {IP}",
        "StudyDescription": "CT chest",
        "AdditionalPatientHistory": "Home phone 603-555-0142",
    },
    "e": {
        "ImageComments": "Routine abdomen",
        "StudyDescription": "CT abdomen",
        "AdditionalPatientHistory": "No history given",
    },
}


def _hipaa_image(key: str, patient: Patient, study: int, series: int, instance: int, *,
                 sop_class: str, modality: str, date: str) -> Dataset:
    ds = _image(patient, study, series, instance, sop_class=sop_class, modality=modality,
                accession=f"ACC-{key.upper()}{study}-{series:02d}", date=date)
    ds.PatientAge = AGES[key]
    ds.PatientTelephoneNumbers = "603-555-0142"
    for keyword, text in TEXT[key].items():
        setattr(ds, keyword, text)
    return ds


def build_hipaa_set() -> dict[str, Dataset]:
    """File name -> dataset (with file meta) for the whole set."""
    files: dict[str, Dataset] = {}
    for i in (1, 2):
        mr = _hipaa_image("c", PATIENT_C, 11, 1, i, sop_class=MRImageStorage, modality="MR",
                          date="20240315")
        mr.BodyPartExamined = "HEAD"
        mr.SeriesDescription = "T1 MPRAGE sagittal"
        mr.ProtocolName = "Neuro routine"
        files[f"c_mr{i}.dcm"] = mr
    ct = _hipaa_image("d", PATIENT_D, 12, 1, 1, sop_class=CTImageStorage, modality="CT",
                      date="20240310")
    ct.DeviceSerialNumber = SERIAL
    ct.DeviceID = DEVICE_ID
    ct.RetrieveURL = "https://pacs.example-hospital.org/wado/studies/12"
    ct.AcquisitionDateTime = "20240310143000.000000+0500"
    files["d_ct1.dcm"] = ct
    photo = _hipaa_image("d", PATIENT_D, 12, 2, 1, sop_class=VLPhotographicImageStorage,
                         modality="XC", date="20240310")
    photo.BodyPartExamined = "CHEST"
    files["d_xc1.dcm"] = photo
    abdomen = _hipaa_image("e", PATIENT_E, 13, 1, 1, sop_class=CTImageStorage, modality="CT",
                           date="20240101")
    abdomen.BodyPartExamined = "ABDOMEN"
    files["e_ct1.dcm"] = abdomen
    for ds in files.values():
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
        ds.preamble = b"\x00" * 128
    return files


def write_hipaa_set(folder: Path) -> dict[str, Path]:
    """Write the set to ``folder`` (one sub-folder per patient)."""
    paths = {}
    for name, ds in build_hipaa_set().items():
        sub = folder / name.split("_")[0]
        sub.mkdir(parents=True, exist_ok=True)
        paths[name] = sub / name
        ds.save_as(paths[name], enforce_file_format=True)
    return paths
