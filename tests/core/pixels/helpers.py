"""Generated images for the pixel tests: a data set around raw pixel bytes."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid


def make_image(
    raw: bytes,
    *,
    rows: int,
    columns: int,
    bits_allocated: int = 16,
    bits_stored: int | None = None,
    signed: bool = False,
    samples: int = 1,
    photometric: str = "MONOCHROME2",
    frames: int | None = None,
    keyword: str = "PixelData",
    **attrs: Any,
) -> Dataset:
    """An image data set whose pixel element holds exactly ``raw``."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = UID(ExplicitVRLittleEndian)
    ds.file_meta.MediaStorageSOPClassUID = UID("1.2.840.10008.5.1.4.1.1.7")
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = bits_allocated
    if keyword == "PixelData":
        ds.BitsStored = bits_stored or bits_allocated
        ds.HighBit = ds.BitsStored - 1
        ds.PixelRepresentation = 1 if signed else 0
    if samples > 1:
        ds.PlanarConfiguration = 0
    if frames is not None:
        ds.NumberOfFrames = frames
    for name, value in attrs.items():
        setattr(ds, name, value)
    setattr(ds, keyword, raw)
    ds[keyword].VR = {"PixelData": "OB" if bits_allocated <= 8 else "OW",
                      "FloatPixelData": "OF", "DoubleFloatPixelData": "OD"}[keyword]
    return ds


def roundtrip(ds: Dataset) -> Dataset:
    """Write and read back, as a file from disk would be."""
    out = BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return pydicom.dcmread(BytesIO(out.getvalue()))


def u16(values: list[int]) -> bytes:
    """Little-endian 16-bit words."""
    return np.array(values, dtype="<u2").tobytes()
