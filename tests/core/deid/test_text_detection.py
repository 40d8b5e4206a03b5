"""Burned-in text found by the text detector, blanked, and checked again (clean_pixels: auto),
on images with text drawn in a real font, every kind and syntax the redaction handles."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
import pytest

from dicomtab.deid.batch import run_batch
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.deid.regions import Box
from dicomtab.pixels import text_detection
from dicomtab.pixels.frames import decode_frame, number_of_frames
from dicomtab.pixels.text_detection import boxes_from_probability, detect_in_frame
from tests.burned_in import drawn_dataset

ELE, RLE = "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.5"
JPEG_LOSSLESS, JPEG_LS, J2K, JPEG = ("1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80",
                                     "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.50")

#: (kind, syntax, modality, frames, font size, ink): US grey and colour, SC, XA cine, CR.
CASES = [
    ("mono2-8", ELE, "US", 1, 12, 1.0),
    ("rgb", ELE, "US", 1, 16, 1.0),
    ("mono2-8", RLE, "SC", 1, 10, 0.7),
    ("mono2-12", JPEG_LOSSLESS, "XA", 3, 14, 1.0),
    ("mono2-12", JPEG_LS, "XA", 1, 20, 0.8),
    ("mono1-16", J2K, "CR", 1, 24, 1.0),
    ("rgb", RLE, "US", 2, 12, 1.0),
    ("jpeg-rgb", JPEG, "US", 1, 14, 1.0),
]
LOSSLESS = {ELE, RLE, JPEG_LOSSLESS, JPEG_LS, J2K}


def _run(tmp_path: Path, datasets: list[pydicom.Dataset], profile: str = "hipaa-safe-harbor"):
    items = []
    for n, ds in enumerate(datasets):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.9.9999.6.{n}"
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        data = buffer.getvalue()
        items.append(InputItem(f"img{n}.dcm", lambda data=data: data))
    return run_batch(items, tmp_path / "out", load_profile(profile), Key(bytes(32)), verify=True)


def _frames(ds: pydicom.Dataset) -> np.ndarray:
    return np.stack([decode_frame(ds, i)[0] for i in range(number_of_frames(ds))])


@pytest.mark.parametrize(("kind", "syntax", "modality", "frames", "size", "ink"), CASES)
def test_auto_blanks_every_glyph_and_nothing_else_and_the_detector_then_finds_no_text(
        tmp_path: Path, kind: str, syntax: str, modality: str, frames: int, size: int,
        ink: float) -> None:
    ds, _stored, masks = drawn_dataset(kind, syntax, modality=modality, frames=frames, size=size,
                                       ink=ink)
    before = _frames(ds)
    result = _run(tmp_path, [ds])
    outcome = result.outcomes[0]
    assert outcome.error is None and outcome.flags == []
    pixels = outcome.pixels
    assert pixels is not None and pixels["status"] == "cleaned" and pixels["checked"]
    assert pixels["templates"] == ["text-detection"] and pixels["detected"] >= 2 * frames
    out = pydicom.dcmread(tmp_path / "out" / outcome.output)
    after = _frames(out)  # valid: pydicom reads it and every frame decodes
    assert after.shape == before.shape
    changed = (after != before) if after.ndim == 3 else (after != before).any(axis=-1)
    assert changed[masks].all()  # every glyph pixel, on every frame
    applied = np.zeros(masks.shape, dtype=bool)
    for box in pixels["redaction"]["boxes"]:
        for frame in box.get("frames") or range(1, frames + 1):
            applied[frame - 1, box["y"]: box["y"] + box["height"],
                    box["x"]: box["x"] + box["width"]] = True
    if syntax in LOSSLESS:
        assert not changed[~applied].any()  # bit-exact outside the boxes
    # The text, not the image: every box lies near one of the two blocks of lines.
    for block in (slice(0, masks.shape[1] // 2), slice(masks.shape[1] // 2, None)):
        ys, xs = np.nonzero(masks[:, block].any(axis=0))
        top = ys.min() + (block.start or 0)
        near = np.zeros(masks.shape[1:], dtype=bool)
        near[max(0, top - size): ys.max() + (block.start or 0) + size,
             max(0, xs.min() - size): xs.max() + size] = True
        applied[:, near] = False
    assert not applied.any()
    # The proof: the detector finds nothing in any frame of the file as written.
    assert all(detect_in_frame(out, i) == [] for i in range(frames))
    assert out.BurnedInAnnotation == "NO"
    assert "Clean Pixel Data Option" in out.DeidentificationMethod
    assert result.failed == [] and not [f for f in result.outcomes[0].findings]


def test_safe_harbor_batch_of_ultrasound_and_screen_captures_passes(tmp_path: Path) -> None:
    datasets = [drawn_dataset("rgb", ELE, modality="US")[0],
                drawn_dataset("mono2-8", RLE, modality="US", frames=2)[0],
                drawn_dataset("mono2-8", ELE, modality="SC", size=16)[0]]
    result = _run(tmp_path, datasets)
    assert [o.pixels["status"] for o in result.outcomes] == ["cleaned"] * 3
    assert all(o.flags == [] and o.findings == [] for o in result.outcomes)
    from dicomtab.deid.release import pixels_section
    assert pixels_section(result)["flagged_files"]["cleaned"] == 3


def test_vendor_support_keeps_the_pixels_and_flags_the_file(tmp_path: Path) -> None:
    ds, _, _ = drawn_dataset("mono2-8", ELE)
    outcome = _run(tmp_path, [ds], "vendor-support").outcomes[0]
    assert outcome.pixels is None and outcome.flags == ["pixel-review"]


def test_a_detector_that_cannot_load_leaves_the_file_flagged_and_the_batch_going(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails() -> None:
        raise text_detection.TextDetectorUnavailable("Text detection needs onnxruntime.")
    monkeypatch.setattr(text_detection, "_STATE", text_detection._State())
    monkeypatch.setattr(text_detection, "_onnxruntime_backend", fails)
    datasets = [drawn_dataset("mono2-8", ELE)[0], drawn_dataset("rgb", ELE)[0]]
    result = _run(tmp_path, datasets)
    assert [o.error for o in result.outcomes] == [None, None]  # both written
    for outcome in result.outcomes:
        assert outcome.pixels["status"] == "not-cleaned"
        assert outcome.pixels["reason"].endswith("Text detection needs onnxruntime.")
        assert outcome.flags == ["pixel-review"]
    out = pydicom.dcmread(tmp_path / "out" / result.outcomes[0].output)
    assert (_frames(out) == _frames(datasets[0])).all()  # as it was, and flagged


def test_text_still_found_after_blanking_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A detector that always sees text (as one would in text the boxes cannot reach)."""
    def always(tensor: np.ndarray) -> np.ndarray:
        probability = np.zeros(tensor.shape[2:], dtype=np.float32)
        probability[100:120, 100:300] = 0.9
        return probability
    monkeypatch.setattr(text_detection, "_STATE", text_detection._State(always, "test"))
    result = _run(tmp_path, [drawn_dataset("mono2-8", ELE)[0]])
    outcome = result.outcomes[0]
    assert outcome.pixels["status"] == "still-has-text" and outcome.pixels["checked"]
    assert outcome.flags == ["pixel-text-review"]
    assert "text is still found in 1 place after blanking" in outcome.pixels["reason"]


def test_probability_regions_become_boxes_grown_as_dbnet_unclips_them() -> None:
    probability = np.zeros((64, 128), dtype=np.float32)
    probability[10:14, 20:60] = 0.9      # a line of text
    probability[40:42, 100:101] = 0.9    # too thin: dropped
    probability[50:56, 5:15] = 0.35      # above the threshold, mean below 0.5: dropped
    probability[30, 70] = probability[31, 71] = 0.9  # diagonal pixels join (8-connected)
    boxes = boxes_from_probability(probability, 128, 256, frame_number=2)
    assert len(boxes) == 2
    line = boxes[0]
    # 4 x 40 grows by 4 * 40 * 1.6 / 88 = 2.9 on each side, then a margin; then doubled.
    assert line.frames == (2,) and line.x < 40 - 6 and line.x + line.width > 120 + 6
    assert line.y < 20 - 6 and line.y + line.height > 28 + 6
    assert all(isinstance(b, Box) for b in boxes)


def test_the_network_input_is_a_multiple_of_32_at_least_736_on_the_short_side() -> None:
    assert text_detection.input_size(240, 320) == (736, 992)
    assert text_detection.input_size(3000, 2000) == (1984, 1344)
    tensor = text_detection.network_input(np.zeros((10, 20, 3), dtype=np.uint8))
    assert tensor.shape == (1, 3, 736, 1472) and tensor.dtype == np.float32
    assert float(tensor.min()) == -1.0


def test_a_vendor_ultrasound_comes_out_without_its_burned_in_text(tmp_path: Path) -> None:
    """pydicom's US1_UNCR.dcm, a real GE ultrasound: institution, IDs, time and labels are
    burned in around the image."""
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("US1_UNCR.dcm"))
    before = _frames(ds)
    found = detect_in_frame(ds, 0)
    assert len(found) >= 8  # the three header blocks, the labels, the footer
    top_left = next(b for b in found if b.x < 30 and b.y < 30)
    assert top_left.width > 150 and top_left.height > 80  # "BAPTIST MED CTR" and four lines
    result = _run(tmp_path, [ds])
    outcome = result.outcomes[0]
    assert outcome.pixels["status"] == "cleaned" and outcome.flags == []
    out = pydicom.dcmread(tmp_path / "out" / outcome.output)
    after = _frames(out)
    changed = (after != before).any(axis=-1)
    assert changed[0, 25:35, 20:160].mean() > 0.3  # where the institution's name was
    applied = np.zeros(changed.shape, dtype=bool)
    for box in outcome.pixels["redaction"]["boxes"]:
        applied[0, box["y"]: box["y"] + box["height"], box["x"]: box["x"] + box["width"]] = True
    assert not changed[~applied].any() and applied.mean() < 0.2
    assert detect_in_frame(out, 0) == []


def test_the_viewer_s_detection_request_answers_boxes_or_names_the_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """worker_api.detect_text (the tab's DETECT_TEXT): boxes for a good frame; a message, not
    an exception, for a frame cut short, a file that is not an image, and a missing detector."""
    from dicomtab import worker_api
    from tests.conftest import bundled
    from tests.worker_results import failed, ok

    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())
    ds, _, _ = drawn_dataset("mono2-8", ELE)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    good = ok(worker_api.open_file(data, "us.dcm"))["instanceId"]
    found = ok(worker_api.detect_text(good, 0))
    assert len(found["boxes"]) == 2 and found["detector"] == "onnxruntime"
    assert all(box["frames"] == [1] for box in found["boxes"])
    # A JPEG-LS frame whose end is zeroed (its length kept): it cannot be decoded.
    damaged, _, _ = drawn_dataset("mono2-12", JPEG_LS)
    buffer = io.BytesIO()
    damaged.save_as(buffer, enforce_file_format=True)
    raw = bytearray(buffer.getvalue())
    raw[-300:-8] = bytes(292)
    bad = ok(worker_api.open_file(bytes(raw), "bad.dcm"))["instanceId"]
    error = failed(worker_api.detect_text(bad, 0))
    assert error["code"] == "pixel-data" and "Frame 1 could not be decoded" in error["message"]
    sr = ok(worker_api.open_file(bundled("CT_small.dcm").read_bytes(), "ct.dcm"))["instanceId"]
    assert failed(worker_api.detect_text(sr, 5))["code"]  # no frame 6
    monkeypatch.setattr(text_detection, "_STATE", text_detection._State(
        failure="Text detection needs onnxruntime (pip install 'dicomtab[ocr]')."))
    error = failed(worker_api.detect_text(good, 0))
    assert error["code"] == "text-detector-unavailable" and "onnxruntime" in error["message"]
