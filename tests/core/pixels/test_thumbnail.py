"""Series previews for the study tree (dicomtab.pixels.thumbnail through the worker API): the
preview is the frame in the viewer's starting window, sampled down; bad files give a failure
result and no bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest

from dicomtab import worker_api
from dicomtab.pixels.voi import display_uint8
from tests.conftest import bundled
from tests.core.pixels.helpers import ct_series, make_image, roundtrip, u16

SERIES = "1.2.826.0.1.3680043.8.498.77.1"


def _open(path: Path) -> str:
    result = json.loads(worker_api.open_file(path.read_bytes(), path.name))
    assert result["status"] == "success", result
    return str(result["payload"]["instanceId"])


def _preview(ids: list[str], size: int = 96) -> tuple[dict[str, Any], np.ndarray]:
    text, data = worker_api.series_preview(ids, size)
    result = json.loads(text)
    assert result["status"] == "success", result
    meta = result["payload"]
    assert data is not None
    return meta, np.frombuffer(data, dtype=np.uint8).reshape(meta["rows"], meta["columns"], 4)


def _hu(path: Path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)


def test_the_preview_is_the_middle_slice_in_its_window_sampled_down(tmp_path: Path) -> None:
    # Written in the order z = 30, 10, 20: the middle slice by position is the third file.
    paths = ct_series(tmp_path, "s-", SERIES, 3, [30.0, 10.0, 20.0], 100)
    ids = [_open(p) for p in paths]
    meta, rgba = _preview(ids, 32)
    assert meta["instanceId"] == ids[2] and meta["index"] == 0
    assert (meta["rows"], meta["columns"]) == (32, 32)
    values = _hu(paths[2])
    # No window in the file: the viewer starts with the data range.
    low, high = float(values.min()), float(values.max())
    grey = display_uint8(values, center=(low + high) / 2, width=high - low)
    # 128 → 32: every fourth pixel, the one under each sample's centre.
    expected = grey[2::4, 2::4]
    assert np.array_equal(rgba[:, :, 0], expected)
    assert np.array_equal(rgba[:, :, 1], expected) and np.array_equal(rgba[:, :, 2], expected)
    assert (rgba[:, :, 3] == 255).all()
    assert len(np.unique(expected)) > 20  # a picture, not a flat field


def test_the_files_first_window_is_used_and_small_images_are_not_enlarged() -> None:
    path = bundled("MR_small.dcm")  # 64 × 64, Window Center 600, Width 1600
    meta, rgba = _preview([_open(path)])
    assert (meta["rows"], meta["columns"]) == (64, 64)
    expected = display_uint8(pydicom.dcmread(path).pixel_array, center=600.0, width=1600.0)
    assert np.array_equal(rgba[:, :, 0], expected)


def test_a_multiframe_image_shows_its_middle_frame(tmp_path: Path) -> None:
    # Five 8 × 8 frames; frame n holds n·100 + a ramp, so each frame differs.
    frames = [n * 100 + np.arange(64) for n in range(5)]
    ds = make_image(u16(list(np.concatenate(frames))), rows=8, columns=8, frames=5)
    path = tmp_path / "multi.dcm"
    roundtrip(ds).save_as(path)
    meta, rgba = _preview([_open(path)])
    assert meta["index"] == 2 and (meta["rows"], meta["columns"]) == (8, 8)
    frame = frames[2].reshape(8, 8).astype(np.float64)
    low, high = float(frame.min()), float(frame.max())
    assert np.array_equal(rgba[:, :, 0], display_uint8(frame, center=(low + high) / 2, width=high - low))


def test_a_colour_image_keeps_its_colours() -> None:
    path = bundled("SC_rgb_rle_2frame.dcm")  # 100 × 100 RGB, 2 frames: the second is shown
    meta, rgba = _preview([_open(path)], 50)
    assert (meta["rows"], meta["columns"], meta["index"]) == (50, 50, 1)
    rgb = pydicom.dcmread(path).pixel_array[1]
    assert np.array_equal(rgba[:, :, :3], rgb[1::2, 1::2])


def test_an_oblong_image_keeps_its_shape(tmp_path: Path) -> None:
    ds = make_image(u16(list(range(40 * 200))), rows=40, columns=200)
    path = tmp_path / "wide.dcm"
    roundtrip(ds).save_as(path)
    meta, _ = _preview([_open(path)], 96)
    assert (meta["rows"], meta["columns"]) == (19, 96)


@pytest.mark.parametrize("name", ["truncated pixels", "no image", "not DICOM"])
def test_a_bad_file_gives_a_failure_result_and_no_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / "bad.dcm"
    if name == "truncated pixels":
        roundtrip(make_image(u16([1, 2, 3]), rows=8, columns=8)).save_as(path)
        ids = [_open(path)]
    elif name == "no image":
        ids = [_open(bundled("rtplan.dcm"))]
    else:
        ids = ["no-such-instance"]
    text, data = worker_api.series_preview(ids, 96)
    result = json.loads(text)
    assert data is None
    assert result["status"] != "success"
    assert result["error"]["message"]
    assert result["error"]["code"] in {"pixel-data", "usage", "unsupported"}


def test_no_instances_or_a_bad_size_is_a_usage_error() -> None:
    for ids, size in (([], 96), ([_open(bundled("CT_small.dcm"))], "big")):
        text, data = worker_api.series_preview(ids, size)
        assert data is None and json.loads(text)["error"]["code"] == "usage"
