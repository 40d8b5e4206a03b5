"""Blanking burned-in text (the Clean Pixel Data core): every glyph pixel inside the boxes
changes, every pixel outside them stays as it was (bit for bit: the originals here are
lossless, or decoded once and written uncompressed), and the output is a valid file whose
frames decode, in every photometric interpretation and transfer syntax of the policy."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from dicomtab.cli import main as cli_main
from dicomtab.deid.pixel_cleaning import clean_pixels
from dicomtab.deid.redact import redact
from dicomtab.deid.regions import Box, templates_from_json
from dicomtab.errors import PolicyError
from dicomtab.pixels.frames import decode_frame, number_of_frames
from dicomtab.reading import open_dataset
from tests.burned_in import BOX, burned_dataset, template_json, text_mask

ELE, ILE, RLE = "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.5"
JPEG_BASELINE, JPEG_SV1 = "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70"
JPEG_LS, J2K, HTJ2K = "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.201"

#: (kind, syntax, the syntax after redaction)
CASES = [
    ("mono2-8", ELE, ELE), ("mono2-12", ILE, ILE), ("mono1-16", ELE, ELE), ("rgb", ELE, ELE),
    ("palette", ELE, ELE), ("ybr422", ELE, ELE),
    ("mono2-12", RLE, RLE), ("rgb", RLE, RLE),
    ("mono2-12", JPEG_LS, ELE), ("rgb", J2K, ELE), ("mono2-8", JPEG_SV1, ELE),
    ("mono2-12", HTJ2K, ELE), ("jpeg-rgb", JPEG_BASELINE, ELE),
]


def _frames(ds: Dataset) -> list[np.ndarray]:
    return [np.array(decode_frame(ds, i)[0]) for i in range(number_of_frames(ds))]


def _written(ds: Dataset) -> Dataset:
    """Write and read back, through the same checks as any file the tool opens."""
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return open_dataset(buffer.getvalue(), "out.dcm").dataset


def _box_mask(box: dict[str, int]) -> np.ndarray:
    mask = np.zeros(text_mask().shape, dtype=bool)
    mask[box["y"]: box["y"] + box["height"], box["x"]: box["x"] + box["width"]] = True
    return mask


@pytest.mark.parametrize(("kind", "syntax", "after"), CASES,
                         ids=[f"{k}-{s}" for k, s, _ in CASES])
def test_every_glyph_pixel_changes_and_nothing_else(kind: str, syntax: str, after: str) -> None:
    ds, _stored = burned_dataset(kind, syntax, frames=2)
    before, uid = _frames(ds), ds.SOPInstanceUID
    redaction = redact(ds, [Box(**BOX)], "us.dcm")
    assert redaction.syntax_after == after
    out = _written(ds)
    assert out.SOPInstanceUID == uid  # re-encoding must not make a new instance
    assert str(out.file_meta.TransferSyntaxUID) == after
    if after != syntax:
        assert "decoded and written uncompressed" == redaction.how
    glyphs, box = text_mask(), _box_mask(redaction.boxes[0])
    for old, new in zip(before, _frames(out), strict=True):
        changed = np.any(old != new, axis=-1) if old.ndim == 3 else old != new
        assert changed[glyphs].all()  # every ink pixel of the text
        assert not changed[~box].any()  # bit for bit outside the box
        inside = new[box]
        assert (inside == inside[0]).all()  # one blank value over the whole box


def test_a_lossy_original_is_never_compressed_again() -> None:
    ds, _ = burned_dataset("jpeg-rgb", JPEG_BASELINE)
    redaction = redact(ds, [Box(**BOX)], "us.dcm")
    out = _written(ds)
    assert out.LossyImageCompression == "01" and out.LossyImageCompressionMethod == "ISO_10918_1"
    assert out.PhotometricInterpretation == "RGB" and "PixelData" in out
    assert redaction.notes and "never compressed again" in redaction.notes[0]


def test_boxes_for_some_frames_leave_the_other_frames_alone() -> None:
    ds, _ = burned_dataset("mono2-12", RLE, frames=3)
    before = _frames(ds)
    redact(ds, [Box(**BOX, frames=(2,))], "cine.dcm")
    after = _frames(_written(ds))
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[2], after[2])
    assert not np.array_equal(before[1], after[1])


def test_the_blank_is_what_the_image_shows_darkest() -> None:
    mono1, _ = burned_dataset("mono1-16", ELE)
    redact(mono1, [Box(**BOX)], "cr.dcm")
    frame = _frames(mono1)[0]
    assert frame[BOX["y"], BOX["x"]] == frame.max()  # MONOCHROME1: high values are black
    palette, _ = burned_dataset("palette", ELE)
    redact(palette, [Box(**BOX)], "pal.dcm")
    assert _frames(palette)[0][BOX["y"], BOX["x"]] == 255  # the palette's black entry
    ybr, _ = burned_dataset("ybr422", ELE)
    redact(ybr, [Box(x=3, y=2, width=5, height=4)], "ybr.dcm")
    rgb = _frames(ybr)[0]
    assert (rgb[2:6, 2:8] <= 1).all()  # widened to whole pixel pairs, black


@pytest.mark.parametrize(("box", "words"), [
    ({"x": 100, "y": 0, "width": 40, "height": 10}, "lies outside the 128x96 image"),
    ({"x": 0, "y": 90, "width": 10, "height": 10}, "lies outside the 128x96 image"),
])
def test_a_box_outside_the_image_leaves_the_file_uncleaned_and_says_why(
        box: dict[str, int], words: str) -> None:
    ds, _ = burned_dataset("mono2-8", ELE)
    original = ds.PixelData
    templates = templates_from_json(template_json(box), "layout.json")
    cleaning = clean_pixels(ds, ds, templates, "us.dcm")
    assert cleaning is not None and cleaning.status == "not-cleaned"
    assert cleaning.reason is not None and "us.dcm" in cleaning.reason and words in cleaning.reason
    assert ds.PixelData == original


def test_a_frame_that_does_not_decode_leaves_the_file_as_it_was() -> None:
    ds, _ = burned_dataset("mono2-12", JPEG_LS)
    from pydicom.encaps import encapsulate, generate_frames

    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    ds.PixelData = encapsulate([frame[: len(frame) // 2]])
    damaged = ds.PixelData
    cleaning = clean_pixels(ds, ds, templates_from_json(template_json(), "t.json"), "us.dcm")
    assert cleaning is not None and cleaning.status == "not-cleaned"
    assert "could not be decoded" in (cleaning.reason or "")
    assert ds.PixelData == damaged and str(ds.file_meta.TransferSyntaxUID) == JPEG_LS


def test_templates_match_on_the_original_header() -> None:
    ds, _ = burned_dataset("mono2-8", ELE)
    other = templates_from_json(template_json(match={"Manufacturer": "OTHER"}), "t.json")
    assert clean_pixels(ds, ds, other, "us.dcm") is None
    geometry = templates_from_json(template_json(match={"Rows": 96, "Columns": 128}), "t.json")
    assert clean_pixels(ds, ds, geometry, "us.dcm") is not None


@pytest.mark.parametrize(("data", "words"), [
    (b"{not json", "not valid JSON"),
    (b'{"format": "x"}', '"format" must be "dicomtab-redaction-template"'),
    (b'{"format": "dicomtab-redaction-template", "version": 2, "templates": []}',
     "version 2 is not one this version reads"),
    (template_json({"x": 0, "y": 0, "width": 0, "height": 4}), "width must be a whole number"),
    (template_json({"x": -1, "y": 0, "width": 3, "height": 4}), "x must be a whole number"),
    (template_json(match={"PatientName": "X"}), "matches on PatientName"),
    (template_json({"x": 0, "y": 0, "width": 3, "height": 4, "frames": [0]}), "frame number"),
])
def test_a_bad_template_file_is_named_with_the_problem(data: bytes, words: str) -> None:
    with pytest.raises(PolicyError) as caught:
        templates_from_json(data, "layout.json")
    assert caught.value.message.startswith("layout.json: ") and words in caught.value.message


def test_the_redacted_file_is_valid_dicom_for_pydicom_too() -> None:
    ds, _ = burned_dataset("rgb", J2K, frames=2)
    redact(ds, [Box(**BOX)], "us.dcm")
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    again = pydicom.dcmread(BytesIO(buffer.getvalue()))
    assert again.pixel_array.shape == (2, 96, 128, 3)


def _run_cli(tmp_path: Path, regions: list[bytes], *names: str,
             profile: str = "hipaa-safe-harbor") -> tuple[int, Path]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, (kind, syntax) in {"us-rgb.dcm": ("rgb", ELE), "us-ls.dcm": ("mono2-12", JPEG_LS)
                                 }.items():
        ds, _ = burned_dataset(kind, syntax)
        ds.save_as(folder / name, enforce_file_format=True)
    key = tmp_path / "k.key"
    key.write_text(bytes(range(32)).hex())
    argv = ["deid", str(folder), "-o", str(tmp_path / "out"), "--key-file", str(key),
            "--profile", profile]
    for n, data in enumerate(regions):
        path = tmp_path / f"regions-{n}.json"
        path.write_bytes(data)
        argv += ["--regions", str(path)]
    return cli_main.main([*argv, *names]), tmp_path / "out"


def test_the_cli_blanks_the_boxes_of_a_template_and_records_it(tmp_path: Path) -> None:
    # basic asks for no text detection: the user's boxes are blanked, nothing checks them.
    code, out = _run_cli(tmp_path, [template_json()], profile="basic")
    assert code == 1  # not passed: nothing has checked the pixels for text
    record = json.loads((out / "release-record.json").read_text(encoding="utf-8"))
    assert record["pixels"]["flagged_files"] == {
        "cleaned": 0, "no_text": 0, "still_has_text": 0, "cleaned_not_checked": 2,
        "not_cleaned": 0}
    assert [t.split(" (")[0] for t in record["pixels"]["templates"]] == ["regions-0.json"]
    assert {f["redaction"]["how"] for f in record["pixels"]["files"]} == {
        "in place", "decoded and written uncompressed"}
    assert all(r["flags"] == ["pixel-check-review"]
               for r in record["verification"]["review_required"])
    # Burned In Annotation stays YES until a text detector has checked the pixels.
    assert record["verification"]["findings_by_kind"] == {"burned-in-annotation": 2}
    # verify tells a blanked file from one nobody cleaned, from its marking alone.
    assert {d["what"] for d in record["verification"]["details"]} == {
        "pixels blanked in 1 region (not checked for text)"}
    glyphs = text_mask()
    for path in out.rglob("*.dcm"):
        frame = _frames(open_dataset(path.read_bytes(), path.name).dataset)[0]
        assert (frame[glyphs] == frame.min()).all()  # the darkest value where the text was
    assert "Burned-in text: cleaned not checked" in (out / "release-record.txt").read_text()


def test_safe_harbor_blanks_the_template_and_the_detected_text_and_checks_it(
        tmp_path: Path) -> None:
    code, out = _run_cli(tmp_path, [template_json()])
    assert code == 0  # passed: the text detector finds no text left
    record = json.loads((out / "release-record.json").read_text(encoding="utf-8"))
    assert record["pixels"]["flagged_files"]["cleaned"] == 2
    assert record["pixels"]["templates"][0].startswith("built-in device layouts: deid==0.4.13")
    assert record["pixels"]["templates"][1].startswith("regions-0.json (sha256 ")
    for entry in record["pixels"]["files"]:
        assert entry["checked"] and entry["templates"][0] == "ACME header"
    glyphs = text_mask()
    for path in out.rglob("*.dcm"):
        ds = open_dataset(path.read_bytes(), path.name).dataset
        frame = _frames(ds)[0]
        assert (frame[glyphs] == frame.min()).all()
        assert ds.BurnedInAnnotation == "NO"
        assert "Clean Pixel Data Option" in ds.DeidentificationMethod
        assert "113101" in [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
    assert "Burned-in text: cleaned" in (out / "release-record.txt").read_text()


def test_a_template_for_another_geometry_leaves_files_flagged_and_the_batch_goes_on(
        tmp_path: Path) -> None:
    code, out = _run_cli(tmp_path, [template_json({"x": 0, "y": 0, "width": 200, "height": 10})])
    assert code == 1
    record = json.loads((out / "release-record.json").read_text(encoding="utf-8"))
    assert record["files"]["written"] == 2
    assert record["pixels"]["flagged_files"]["not_cleaned"] == 2
    reasons = [f["reason"] for f in record["pixels"]["files"]]
    assert all("lies outside the 128x96 image" in r for r in reasons)
    assert {r["flags"][0] for r in record["verification"]["review_required"]} == {"pixel-review"}
    assert {d["what"] for d in record["verification"]["details"]} == {"pixels not cleaned"}


def test_a_bad_template_file_stops_the_cli_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run_cli(tmp_path, [b"{not json"])
    assert code == 2 and not out.exists()
    assert "regions-0.json: not a redaction template" in capsys.readouterr().err


def test_boxes_drawn_on_an_instance_make_a_template_for_the_scope_chosen() -> None:
    from dicomtab.deid.regions import template_for

    ds, _ = burned_dataset("rgb", ELE)
    device = template_for(ds, [BOX], "device", "us.dcm")
    match = device["templates"][0]["match"]
    assert match == {"Manufacturer": "ACME MEDICAL", "ManufacturerModelName": "", "Rows": 96,
                     "Columns": 128}
    templates = templates_from_json(json.dumps(device).encode(), "t.json")
    assert len(templates.for_instance(ds)) == 1  # the file it was drawn on matches
    series = template_for(ds, [{**BOX, "frames": [1]}], "series", "us.dcm")
    assert series["templates"][0]["match"] == {"SeriesInstanceUID": ds.SeriesInstanceUID}
    assert series["templates"][0]["boxes"][0]["frames"] == [1]
    for boxes, scope, words in (([{"x": 120, "y": 0, "width": 20, "height": 5}], "device",
                                 "lies outside the 128x96 image"),
                                ([], "device", "draw at least one box"),
                                ([BOX], "study", "not 'study'")):
        with pytest.raises(PolicyError) as caught:
            template_for(ds, boxes, scope, "us.dcm")
        assert words in caught.value.message


def test_the_worker_makes_the_template_of_boxes_drawn_on_an_open_instance(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from dicomtab import worker_api

    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())
    ds, _ = burned_dataset("mono2-8", ELE)
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    opened = json.loads(worker_api.open_file(buffer.getvalue(), "us.dcm"))["payload"]
    made = json.loads(worker_api.redaction_template(opened["instanceId"], json.dumps([BOX]),
                                                    "device"))["payload"]
    assert made["name"] == "redaction-template.json"
    assert json.loads(made["text"])["templates"][0]["boxes"] == [BOX]
    bad = json.loads(worker_api.redaction_template(opened["instanceId"], "[]", "device"))
    assert bad["status"] == "failed" and "us.dcm: draw at least one box" in bad["error"]["message"]


def _with_overlay(ds: Dataset) -> bytes:
    """Give ``ds`` an overlay plane (6000) set everywhere; its Overlay Data."""
    plane = np.packbits(np.ones(96 * 128, dtype=np.uint8), bitorder="little").tobytes()
    ds.add_new(0x60000010, "US", 96)
    ds.add_new(0x60000011, "US", 128)
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60000102, "US", 0)
    ds.add_new(0x60003000, "OW", plane)
    return plane


def test_overlay_planes_are_blanked_in_the_same_boxes() -> None:
    from dicomtab.pixels.overlays import overlay_bitmap

    ds, _ = burned_dataset("mono2-8", ELE)
    _with_overlay(ds)
    redaction = redact(ds, [Box(**BOX)], "us.dcm")
    bitmap = overlay_bitmap(_written(ds), 0x6000, 0)
    assert bitmap is not None
    box = _box_mask(BOX)
    assert (bitmap[box] == 0).all() and (bitmap[~box] == 1).all()
    assert "overlay planes 6000 blanked in the same boxes" in redaction.notes


def test_a_failure_after_a_change_puts_everything_back() -> None:
    ds, _ = burned_dataset("mono2-8", ELE)
    plane = _with_overlay(ds)
    ds.PixelData = ds.PixelData[:100]  # too short: fails after the overlay was blanked
    cleaning = clean_pixels(ds, ds, templates_from_json(template_json(), "t.json"), "us.dcm")
    assert cleaning is not None and cleaning.status == "not-cleaned"
    assert "shorter than the image" in (cleaning.reason or "")
    assert ds[0x60003000].value == plane and len(ds.PixelData) == 100
