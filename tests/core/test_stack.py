"""Ordering a series as a stack of slices (dicomtab.stack), through the worker API."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pydicom
from pydicom.dataset import Dataset

from dicomtab import worker_api
from dicomtab.stack import stack_order
from tests.conftest import bundled


def _slice(z: float | None, number: int | None, orientation: list[float] | None) -> bytes:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "InstanceNumber"):
        if keyword in ds:
            delattr(ds, keyword)
    if z is not None:
        ds.ImagePositionPatient = [-100.0, -120.0, z]
    if orientation is not None:
        ds.ImageOrientationPatient = orientation
    if number is not None:
        ds.InstanceNumber = number
    out = BytesIO()
    ds.save_as(out)
    return out.getvalue()


AXIAL = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def _order(files: list[bytes]) -> dict[str, Any]:
    worker_api.SESSION.__init__()  # type: ignore[misc]
    ids = [json.loads(worker_api.open_file(f, f"s{n}.dcm"))["payload"]["instanceId"]
           for n, f in enumerate(files)]
    result = json.loads(worker_api.stack(ids))["payload"]
    result["index"] = [ids.index(i) for i in result["order"]]
    return result


def test_slices_are_ordered_along_the_normal_not_by_instance_number() -> None:
    # Instance numbers run against the positions, as when a scanner numbers head to foot.
    files = [_slice(z, n, AXIAL) for z, n in ((10.0, 1), (-5.0, 2), (2.5, 3))]
    result = _order(files)
    assert result["sortedBy"] == "position"
    assert result["index"] == [1, 2, 0]


def test_tilted_slices_use_the_normal_of_their_orientation() -> None:
    # A sagittal stack: row × column = (0,1,0) × (0,0,−1) = (−1,0,0), so the order runs
    # along −x; z is the same for every slice.
    sagittal = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0]
    files = [_slice(3.0, 1, sagittal), _slice(3.0, 2, sagittal), _slice(3.0, 3, sagittal)]
    summaries = [json.loads(worker_api.open_file(f, "x.dcm"))["payload"] for f in files]
    for x, summary in zip((5.0, -7.0, 0.0), summaries, strict=True):
        summary["geometry"]["position"][0] = x
    result = stack_order(summaries)
    assert result["sortedBy"] == "position"
    assert result["order"] == [summaries[i]["instanceId"] for i in (0, 2, 1)]


def test_without_geometry_instance_number_decides() -> None:
    files = [_slice(None, n, None) for n in (3, 1, 2)]
    result = _order(files)
    assert result["sortedBy"] == "instance-number"
    assert result["index"] == [1, 2, 0]


def test_non_parallel_slices_fall_back_to_instance_number() -> None:
    coronal = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0]
    files = [_slice(1.0, 2, AXIAL), _slice(0.0, 1, coronal)]
    assert _order(files)["sortedBy"] == "instance-number"


def test_nothing_to_sort_by_keeps_the_given_order() -> None:
    files = [_slice(None, None, None), _slice(None, 4, None)]
    result = _order(files)
    assert result["sortedBy"] == "as-given" and result["index"] == [0, 1]


def test_unknown_ids_fail_as_data() -> None:
    result = json.loads(worker_api.stack(["i999"]))
    assert result["status"] == "failed" and result["error"]["code"] == "usage"


def test_summary_geometry_comes_from_the_header() -> None:
    ds = Dataset()
    ds.ImagePositionPatient = ["1", "2"]  # two values where three are needed
    ds.ImageOrientationPatient = AXIAL
    from dicomtab.stack import geometry

    assert geometry(ds) == {"position": None, "orientation": AXIAL}
