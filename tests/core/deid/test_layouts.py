"""Known device layouts of burned-in text: generated from pydicom/deid's recipe with its
source and hashes, matched with deid's meaning, and applied by the profiles that ask."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from dicomtab.deid.batch import run_batch
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.deid.regions import device_layouts
from dicomtab.pixels.frames import decode_frame
from tests.burned_in import burned_dataset

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "build" / "standard"))
import gen_pixel_layouts  # noqa: E402

DATA = json.loads((ROOT / "py_core/dicomtab/data/pixel_layouts.json").read_text(encoding="utf-8"))


def test_the_data_names_its_source_and_hashes() -> None:
    header = DATA["header"]
    assert header["package"] == "deid==0.4.13" and header["member"] == "deid/data/deid.dicom"
    assert len(header["wheel_sha256"]) == 64 and len(header["member_sha256"]) == 64
    assert header["generated_by"].startswith("build/standard/gen_pixel_layouts.py")
    assert header["layouts"] == len(DATA["layouts"]) > 100


def test_the_generator_reads_deid_filters_as_deid_does() -> None:
    recipe = """FORMAT dicom
%filter whitelist
LABEL Clean # (x)
  contains BurnedInAnnotation No
%filter graylist
LABEL Scanner AS+ # (CTP)
  contains ManufacturerModelName SOMATOM Definition AS+
  + contains ImageType SCREEN SAVE || contains SeriesDescription Dose
  ctpcoordinates 10,20,300,40
LABEL Old style
  equals Rows 600
coordinates 450,0,672, 85
LABEL Flags only
  missing Manufacturer || empty Manufacturer
%header
REMOVE PatientName
"""
    layouts, skipped = gen_pixel_layouts.parse(recipe)
    assert skipped == {"not_graylist": 1, "no_boxes": 1, "boxes_from_header_or_all": 0}
    first, second = layouts
    assert first["when"] == [
        [{"op": "contains", "field": "ManufacturerModelName", "value": "SOMATOM Definition AS+"}],
        [{"op": "contains", "field": "ImageType", "value": "SCREEN SAVE"},
         {"op": "contains", "field": "SeriesDescription", "value": "Dose", "join": "or"}]]
    assert first["boxes"] == [{"x": 10, "y": 20, "width": 300, "height": 40}]
    assert second["boxes"] == [{"x": 450, "y": 0, "width": 222, "height": 85}]  # xmax, ymax


def _header(**values: object) -> Dataset:
    ds = Dataset()
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return ds


def _matched(ds: Dataset) -> set[str]:
    return {template.name for template, _box in device_layouts().for_instance(ds)}


def test_layouts_match_with_deids_meaning() -> None:
    philips = _header(Modality="US", Manufacturer="Philips Medical Systems", Rows=600,
                      ManufacturerModelName="iU22")
    assert "Philips IU22 (CTP)" in _matched(philips)
    philips.Rows = 768  # another geometry: another layout (or none)
    assert "Philips IU22 (CTP)" not in _matched(philips)
    dose = _header(Modality="CT", ManufacturerModelName="LightSpeed VCT",
                   ImageType=["DERIVED", "SECONDARY", "SCREEN SAVE"])
    assert "LightSpeed Dose Report (Susan Weber)" in _matched(dose)
    dose.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    assert "LightSpeed Dose Report (Susan Weber)" not in _matched(dose)
    dose.SeriesDescription = "Dose Report"  # the line's "||" alternative
    assert "LightSpeed Dose Report (Susan Weber)" in _matched(dose)


@pytest.mark.parametrize(("profile", "cleaned"), [("research", True), ("hipaa-safe-harbor", True),
                                                  ("basic", False), ("vendor-support", False)])
def test_profiles_that_ask_use_the_layouts_and_a_layout_needs_its_geometry(
        tmp_path: Path, profile: str, cleaned: bool) -> None:
    ds, _ = burned_dataset("rgb", "1.2.840.10008.1.2.1")
    ds.Manufacturer, ds.ManufacturerModelName = "Philips Medical Systems", "iU22"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    result = run_batch([InputItem("us.dcm", lambda: data)], tmp_path / "x", load_profile(profile),
                       Key(bytes(32)), verify=True)
    outcome = result.outcomes[0]
    # Rows 96: the IU22 layout is for 600-row images (auto profiles detect the text instead).
    assert (outcome.pixels or {}).get("templates", []) in ([], ["text-detection"])
    assert cleaned is any("built-in device layouts" in s for s in result.pixel_templates)


def test_a_matching_device_is_cleaned_with_its_layout(tmp_path: Path) -> None:
    ds, _ = burned_dataset("mono2-8", "1.2.840.10008.1.2.1")
    ds.Modality, ds.ManufacturerModelName = "CT", "LightSpeed VCT"
    ds.ImageType = ["DERIVED", "SECONDARY", "SCREEN SAVE"]
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    result = run_batch([InputItem("dose.dcm", lambda: data)], tmp_path / "out",
                       load_profile("research"), Key(bytes(32)), verify=True)
    outcome = result.outcomes[0]
    assert outcome.pixels is not None and outcome.pixels["status"] == "cleaned"
    assert outcome.pixels["templates"][0] == "LightSpeed Dose Report (Susan Weber)"
    # Its box (0,0 512x121) is clipped to the 128x96 image: the whole image is blanked.
    assert outcome.pixels["redaction"]["boxes"][0] == {"x": 0, "y": 0, "width": 128, "height": 96}
    out = pydicom.dcmread(tmp_path / "out" / outcome.output)
    frame = decode_frame(out, 0)[0]
    assert (frame == frame.min()).all()
