"""Generated images for the pixel tests: a data set around raw pixel bytes."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from tests.conftest import bundled


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


def region(x0: int, y0: int, x1: int, y1: int, units: int, dx: float, dy: float) -> Dataset:
    """One item of the Sequence of Ultrasound Regions (PS3.3 C.8.5.5)."""
    item = Dataset()
    item.RegionSpatialFormat = 1  # 2D (tissue or flow)
    item.RegionDataType = 1  # tissue
    item.RegionFlags = 0
    item.RegionLocationMinX0, item.RegionLocationMinY0 = x0, y0
    item.RegionLocationMaxX1, item.RegionLocationMaxY1 = x1, y1
    item.PhysicalUnitsXDirection = item.PhysicalUnitsYDirection = units
    item.PhysicalDeltaX, item.PhysicalDeltaY = dx, dy
    return item


def ultrasound(path: Path, regions: list[Dataset]) -> Path:
    """pydicom's MR_small (64 × 64) made an ultrasound, a series of its own: no Pixel Spacing,
    regions instead."""
    ds = pydicom.dcmread(bundled("MR_small.dcm"))
    ds.Modality = "US"
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"
    del ds.PixelSpacing
    ds.SequenceOfUltrasoundRegions = Sequence(regions)
    ds.save_as(path)
    return path


def ct_series(folder: Path, prefix: str, series_uid: str, number: int, positions: list[float], step: int) -> list[Path]:
    """Slices of pydicom's CT_small as one series, written in the order of ``positions`` (z,
    mm): slice n (from 1) is Instance Number n, named ``{prefix}{n}.dcm``, its values raised by
    n × ``step`` so that each slice differs."""
    base = pydicom.dcmread(bundled("CT_small.dcm"))
    base.SeriesInstanceUID = series_uid
    base.SeriesNumber = number
    base.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    values = base.pixel_array
    paths = []
    for n, z in enumerate(positions, 1):
        base.InstanceNumber = n
        base.SOPInstanceUID = f"{series_uid}.{n}"
        base.ImagePositionPatient = [0, 0, z]
        base.PixelData = (values + n * step).astype(values.dtype).tobytes()
        path = folder / f"{prefix}{n}.dcm"
        base.save_as(path)
        paths.append(path)
    return paths


def damaged_ultrasound(path: Path) -> Path:
    """An ultrasound with two regions in cm: the first (the whole image, 0.2 mm per pixel) is
    sound; the second's Max X1 is 3 bytes (a UL needs 4) and its Min Y0 is empty."""
    ultrasound(path, [region(0, 0, 63, 63, 3, 0.02, 0.02), region(0, 0, 10, 10, 3, 0.1, 0.1)])
    ds = pydicom.dcmread(path)
    item = ds.SequenceOfUltrasoundRegions[1]
    item["RegionLocationMaxX1"].value = b"\x01\x02\x03"
    item["RegionLocationMaxX1"].VR = "OB"
    item["RegionLocationMinY0"].value = None
    ds.save_as(path)
    return path
