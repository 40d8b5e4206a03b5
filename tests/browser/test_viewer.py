"""The image viewer, driven through the page as a user would: what it draws equals the
reference mapping (dicomtab.pixels.voi.display_uint8) computed here under CPython, and the
mouse, wheel, keys, presets, tools, overlays, exports and errors do what they say.

One page per module: the files are opened once, and each test selects its instance in the
study tree.
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from playwright.sync_api import Browser, Page, expect

from dicomtab.pixels.describe import describe_frame
from dicomtab.pixels.export import frame_npy
from dicomtab.pixels.voi import display_uint8
from tests.browser.conftest import canvas_point, download, page_with_files, tree_ids
from tests.browser.conftest import select_in_viewer as select
from tests.browser.conftest import viewer_state as state
from tests.conftest import bundled
from tests.core.pixels.helpers import ct_series

MARKUP = "<b>Evil</b>^<i>Name</i>"





# ---- files ---------------------------------------------------------------------------------


def _monochrome1(path: Path) -> None:
    ds = pydicom.dcmread(bundled("MR_small.dcm"))
    ds.PhotometricInterpretation = "MONOCHROME1"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.1"
    ds.PatientName = MARKUP
    ds.save_as(path)


def _voi_lut(path: Path) -> None:
    ds = pydicom.dcmread(bundled("MR_small.dcm"))
    del ds.WindowCenter
    del ds.WindowWidth
    item = pydicom.Dataset()
    first, entries = 200, 1500
    item.LUTDescriptor = [entries, first, 12]
    ramp = np.linspace(0, 4095, entries) ** 1.5 / 4095**0.5
    item.LUTData = np.asarray(ramp, dtype="<u2").tobytes()
    item.LUTExplanation = "TEST CURVE"
    ds.VOILUTSequence = [item]
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.2"
    ds.save_as(path)


def _sigmoid_float(path: Path) -> None:
    """Non-integer rescale: float modality values; a SIGMOID window."""
    ds = pydicom.dcmread(bundled("MR_small.dcm"))
    ds.RescaleSlope = "0.37"
    ds.RescaleIntercept = "-3.3"
    ds.WindowCenter = "300.5"
    ds.WindowWidth = "420.25"
    ds.VOILUTFunction = "SIGMOID"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.3"
    ds.save_as(path)


def _short_pixels(path: Path) -> None:
    """A well-formed file whose Pixel Data holds half the image it declares."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.PixelData = ds.PixelData[: len(ds.PixelData) // 2]
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.6"
    ds.save_as(path)


def _stack(folder: Path) -> list[Path]:
    """Three CT slices whose positions run against their instance numbers and file names."""
    return ct_series(folder, "slice-", "1.2.826.0.1.3680043.8.498.55.4", 7, [30.0, 10.0, 20.0], 100)


def _pdf(path: Path) -> bytes:
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    ds = pydicom.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.55.5.1"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.55.5.2"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.5.3"
    ds.Modality = "DOC"
    ds.PatientName = "Doc^Patient"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf + (b"\x00" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    ds.save_as(path, enforce_file_format=True)
    return pdf


def _no_codec(path: Path) -> None:
    """An image in MPEG-2 (a syntax no viewer codec decodes): encapsulated, tags readable."""
    from pydicom.encaps import encapsulate
    from pydicom.uid import MPEG2MPML

    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.file_meta.TransferSyntaxUID = MPEG2MPML
    ds.PixelData = encapsulate([b"\x00\x00\x01\xb3" + bytes(60)])
    ds["PixelData"].VR = "OB"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.7"
    ds.save_as(path, enforce_file_format=True)


def _cmyk(path: Path) -> None:
    """A photometric interpretation the standard retired and the viewer does not show."""
    ds = pydicom.dcmread(bundled("SC_rgb_small_odd.dcm"))
    ds.PhotometricInterpretation = "CMYK"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.55.8"
    ds.save_as(path)


FILES = {
    "ct": lambda d: bundled("CT_small.dcm"),
    "ybr422": lambda d: bundled("SC_ybr_full_422_uncompressed.dcm"),
    # A MONOCHROME1 CR from pydicom's DICOMDIR set (its file name has no extension).
    "cr_mono1": lambda d: bundled("dicomdirtests/77654033/CR1/6154"),
    "jpeg_ybr": lambda d: bundled("SC_rgb_jpeg_dcmtk.dcm"),
    "mr": lambda d: bundled("MR_small.dcm"),
    "overlay": lambda d: bundled("examples_overlay.dcm"),
    "palette": lambda d: bundled("examples_palette.dcm"),
    "rtdose": lambda d: bundled("rtdose.dcm"),
    "sr": lambda d: bundled("test-SR.dcm"),
    "ecg": lambda d: bundled("waveform_ecg.dcm"),
    "rtstruct": lambda d: bundled("rtstruct.dcm"),
    "damaged": lambda d: bundled("MR_truncated.dcm"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("viewer")
    paths = {name: make(folder) for name, make in FILES.items()}
    for name, make in (("mono1", _monochrome1), ("voilut", _voi_lut), ("sigmoid", _sigmoid_float),
                       ("truncated", _short_pixels), ("nocodec", _no_codec), ("cmyk", _cmyk)):
        paths[name] = folder / f"{name}.dcm"
        make(paths[name])
    paths["pdf"] = folder / "doc.dcm"
    _pdf(paths["pdf"])
    stack = folder / "stack"
    stack.mkdir()
    for n, p in enumerate(_stack(stack), 1):
        paths[f"slice{n}"] = p
    return paths


@pytest.fixture(scope="module")
def page(browser: Browser, site_url: str, files: dict[str, Path]) -> Iterator[Page]:
    with page_with_files(browser, site_url, list(files.values())) as page:
        yield page


@pytest.fixture(scope="module")
def ids(page: Page, files: dict[str, Path]) -> dict[str, str]:
    return tree_ids(page, files)


# ---- helpers -------------------------------------------------------------------------------




def native(page: Page) -> np.ndarray:
    """The frame as the viewer rendered it at native resolution: rows × columns × RGBA."""
    data = page.evaluate(
        """() => {
            const image = window.dicomtab.viewer.renderer.imageData;
            const bytes = image.data;
            let s = '';
            for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
            return [image.height, image.width, btoa(s)];
        }"""
    )
    rows, columns, b64 = data
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8).reshape(rows, columns, 4)


def on_screen(page: Page, rows: int, columns: int) -> np.ndarray:
    """What the visible canvas shows where the image lies (at 1:1, unrotated)."""
    data = page.evaluate(
        """([rows, columns]) => {
            const viewer = window.dicomtab.viewer;
            const m = viewer.matrix();
            const context = viewer.canvas.getContext('2d');
            const bytes = context.getImageData(m.e, m.f, columns, rows).data;
            let s = '';
            for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
            return btoa(s);
        }""",
        [rows, columns],
    )
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(rows, columns, 4)


def reference(path: Path, index: int = 0) -> tuple[dict[str, Any], np.ndarray]:
    """The frame's description and values as the worker computes them, here in CPython."""
    result = describe_frame(pydicom.dcmread(path), index)
    d = result.description
    dtype = {"int32": "<i4", "float32": "<f4", "rgb8": "u1"}[d["bufferType"]]
    values = np.frombuffer(result.buffer, dtype=dtype)
    shape = (d["rows"], d["columns"], 3) if d["bufferType"] == "rgb8" else (d["rows"], d["columns"])
    return d, values.reshape(shape)


def expected_grey(values: np.ndarray, st: dict[str, Any], d: dict[str, Any]) -> np.ndarray:
    if st["voiMode"] == "table":
        return display_uint8(values, table=d["voiLut"], invert=st["invert"])
    return display_uint8(values, center=st["windowCenter"], width=st["windowWidth"],
                         function=st["voiFunction"], invert=st["invert"])


def assert_grey_matches(page: Page, path: Path) -> None:
    d, values = reference(path)
    st = state(page)
    got = native(page)
    want = expected_grey(values, st, d)
    assert np.array_equal(got[..., 0], want), f"{np.count_nonzero(got[..., 0] != want)} pixels differ"
    assert np.array_equal(got[..., 0], got[..., 1]) and np.array_equal(got[..., 0], got[..., 2])
    assert (got[..., 3] == 255).all()


# ---- tests ---------------------------------------------------------------------------------


def test_ct_renders_exactly_the_reference_and_presets_set_exact_windows(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    st = state(page)
    assert st["kind"] == "image" and st["bufferType"] == "int32"
    assert (st["rows"], st["columns"]) == (128, 128)
    # No window in the file: the data's range.
    d, _ = reference(files["ct"])
    assert (st["windowCenter"], st["windowWidth"]) == (d["autoWindow"]["center"], d["autoWindow"]["width"])
    assert st["preset"] == "auto"
    assert_grey_matches(page, files["ct"])
    # CT presets (units HU) set exact values.
    options = page.get_by_test_id("viewer-preset").locator("option")
    assert "CT lung −600/1500" in options.all_text_contents()
    page.get_by_test_id("viewer-preset").select_option("ct-lung")
    expect(page.get_by_test_id("viewer-wl")).to_have_text("W 1500 / L -600")
    st = state(page)
    assert (st["windowCenter"], st["windowWidth"]) == (-600, 1500)
    assert_grey_matches(page, files["ct"])
    page.get_by_test_id("viewer-preset").select_option("ct-brain")
    assert (state(page)["windowCenter"], state(page)["windowWidth"]) == (40, 80)
    assert_grey_matches(page, files["ct"])
    # At 1:1 the visible canvas shows exactly those pixels.
    page.get_by_test_id("viewer-one-to-one").click()
    assert state(page)["zoom"] == 1
    shown = on_screen(page, 128, 128)
    assert np.array_equal(shown, native(page))
    # Presets still apply after the view moved (zoom and pan redraw without re-rendering).
    page.get_by_test_id("viewer-zoom-in").click()
    page.wait_for_timeout(100)  # the redraw waits for an animation frame
    page.get_by_test_id("viewer-preset").select_option("ct-bone")
    expect(page.get_by_test_id("viewer-wl")).to_have_text("W 1800 / L 400")
    assert_grey_matches(page, files["ct"])


def test_file_presets_with_explanations(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["overlay"])
    st = state(page)
    assert (st["windowCenter"], st["windowWidth"]) == (450, 790)
    labels = page.get_by_test_id("viewer-preset").locator("option").all_text_contents()
    assert labels[:2] == ["WINDOW1 450/790", "WINDOW2 200/443"]
    assert not any(label.startswith("CT ") for label in labels)  # not HU: no CT presets
    page.get_by_test_id("viewer-preset").select_option("file-1")
    assert (state(page)["windowCenter"], state(page)["windowWidth"]) == (200, 443)


def test_drag_changes_window_live_and_the_canvas_follows(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    page.get_by_test_id("viewer-reset").click()
    before = state(page)
    x, y = canvas_point(page, 64, 64)
    # Right-drag: window/level whatever the tool.
    page.mouse.move(x, y)
    page.mouse.down(button="right")
    page.mouse.move(x + 60, y + 30, steps=6)
    page.wait_for_function(
        "([w]) => window.dicomtab.viewer.state.windowWidth !== w", arg=[before["windowWidth"]])
    page.mouse.up(button="right")
    page.wait_for_timeout(50)
    after = state(page)
    assert after["windowWidth"] > before["windowWidth"]
    assert after["windowCenter"] > before["windowCenter"]
    assert after["preset"] == "custom"
    assert_grey_matches(page, files["ct"])
    # Left-drag in the W/L tool (the default) too.
    page.get_by_test_id("viewer-tool-wl").click()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "([w]) => window.dicomtab.viewer.state.windowWidth < w", arg=[after["windowWidth"]])
    assert_grey_matches(page, files["ct"])
    assert max(state(page)["renderTimes"]) < 100


def test_the_model_alone_writes_what_is_shown_and_tells_its_listeners(page: Page, ids: dict[str, str]) -> None:
    """viewer.model (web/app/page/viewer/model.js) owns the state: assigning its fields from
    outside changes nothing, and a change made through the page (the Pan button) reaches a
    listener of its 'tool' event."""
    select(page, ids["ct"])
    before = state(page)
    refused = page.evaluate(
        """(id) => {
            const model = window.dicomtab.viewer.model;
            const tried = {instanceId: 'someone-else', frame: null, tool: 'pan', error: 'x'};
            const refused = [];
            for (const [field, value] of Object.entries(tried)) {
                try { model[field] = value; } catch (error) { refused.push(error.name); continue; }
                if (model[field] === value) return `${field} was written`;
                refused.push('ignored');
            }
            window.__toolEvents = [];
            model.addEventListener('tool', (event) => window.__toolEvents.push(event.detail));
            return refused;
        }""", ids["ct"])
    assert isinstance(refused, list) and len(refused) == 4, refused
    assert set(refused) <= {"TypeError", "ignored"}, refused
    after = state(page)
    assert (after["instanceId"], after["tool"], after["frameIndex"], after["error"]) == (
        before["instanceId"], before["tool"], before["frameIndex"], None)
    assert after["instanceId"] == ids["ct"] and after["frameIndex"] == 0
    page.get_by_test_id("viewer-tool-pan").click()
    assert page.evaluate("window.__toolEvents") == ["pan"]
    expect(page.get_by_test_id("viewer-tool-pan")).to_have_attribute("aria-pressed", "true")
    assert state(page)["tool"] == "pan"
    page.get_by_test_id("viewer-tool-wl").click()
    assert page.evaluate("window.__toolEvents") == ["pan", "wl"]


def test_probe_shows_the_hu_value_cpython_computes(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    d, values = reference(files["ct"])
    for row, column in ((10, 20), (64, 64), (100, 37)):
        x, y = canvas_point(page, row + 0.5, column + 0.5)
        page.mouse.move(x, y)
        expect(page.get_by_test_id("viewer-probe")).to_have_text(
            f"row {row}, col {column}: {int(values[row, column])} HU")


def test_measure_reports_mm_from_pixel_spacing(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    page.get_by_test_id("viewer-measure").click()
    expect(page.get_by_test_id("viewer-measure")).to_have_attribute("aria-pressed", "true")
    a, b = (10.0, 10.0), (40.0, 50.0)  # (row, column)
    page.mouse.move(*canvas_point(page, *a))
    page.mouse.down()
    page.mouse.move(*canvas_point(page, *b), steps=4)
    page.mouse.up()
    spacing = 0.661468
    [st] = state(page)["measurements"]
    start, end = st["points"]
    assert start["x"] == pytest.approx(10, abs=0.3) and end["y"] == pytest.approx(40, abs=0.3)
    dx = end["x"] - start["x"]
    dy = end["y"] - start["y"]
    mm = float(np.hypot(dx * spacing, dy * spacing))
    assert st["kind"] == "length" and st["values"]["mm"] == pytest.approx(mm)
    assert mm == pytest.approx(float(np.hypot(30, 40)) * spacing, rel=0.02)
    expect(page.get_by_test_id("viewer-measure-result")).to_have_text(f"Length {mm:.2f} mm")
    page.get_by_test_id("viewer-tool-wl").click()


def test_measure_without_spacing_says_uncalibrated(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["palette"])
    page.get_by_test_id("viewer-measure").click()
    x, y = canvas_point(page, 10, 10)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*canvas_point(page, 10, 110), steps=3)
    page.mouse.up()
    expect(page.get_by_test_id("viewer-measure-result")).to_contain_text("px (uncalibrated")
    page.get_by_test_id("viewer-tool-wl").click()


def test_zoom_pan_rotate_flip_invert_reset_by_controls_wheel_and_keys(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    page.get_by_test_id("viewer-reset").click()
    fit = state(page)["zoom"]
    x, y = canvas_point(page, 64, 64)
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    page.wait_for_function("([z]) => window.dicomtab.viewer.state.zoom > z", arg=[fit])
    page.get_by_test_id("viewer-zoom-in").click()
    zoomed = state(page)["zoom"]
    page.get_by_test_id("viewer-fit").click()
    assert state(page)["zoom"] == pytest.approx(fit) and zoomed > fit
    # Middle-drag pans.
    page.mouse.move(x, y)
    page.mouse.down(button="middle")
    page.mouse.move(x + 40, y + 10, steps=3)
    page.mouse.up(button="middle")
    page.wait_for_function("() => window.dicomtab.viewer.state.panX > 0")
    # Keys on the image (focus moves to it on click).
    stage = page.get_by_test_id("viewer-stage")
    stage.focus()
    page.keyboard.press("r")
    page.keyboard.press("h")
    page.keyboard.press("v")
    page.keyboard.press("i")
    st = state(page)
    assert (st["rotation"], st["flipH"], st["flipV"], st["invert"]) == (90, True, True, True)
    assert_grey_matches(page, files["ct"])  # inverted, still the reference
    page.get_by_test_id("viewer-rotate").click()
    page.get_by_test_id("viewer-flip-h").click()
    assert (state(page)["rotation"], state(page)["flipH"]) == (180, False)
    # Rotated 180° and flipped vertically = flipped horizontally: column 0 is on the right.
    left = canvas_point(page, 64, 1)
    right = canvas_point(page, 64, 127)
    assert left[0] > right[0]
    page.keyboard.press("0")
    st = state(page)
    assert (st["rotation"], st["flipH"], st["flipV"], st["invert"], st["panX"]) == (0, False, False, False, 0)
    assert st["zoom"] == pytest.approx(fit)
    assert_grey_matches(page, files["ct"])


def test_two_finger_pinch_zooms(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["mr"])
    page.get_by_test_id("viewer-fit").click()
    before = state(page)["zoom"]
    page.evaluate(
        """() => {
            const canvas = window.dicomtab.viewer.canvas;
            const rect = canvas.getBoundingClientRect();
            const cx = rect.left + rect.width / 2, cy = rect.top + rect.height / 2;
            const send = (type, id, dx) => canvas.dispatchEvent(new PointerEvent(type, {
                pointerId: id, pointerType: 'touch', isPrimary: id === 1, bubbles: true,
                clientX: cx + dx, clientY: cy, button: 0, buttons: type === 'pointerup' ? 0 : 1,
            }));
            send('pointerdown', 1, -20);
            send('pointerdown', 2, 20);
            send('pointermove', 1, -40);
            send('pointermove', 2, 40);
            send('pointerup', 1, -40);
            send('pointerup', 2, 40);
        }"""
    )
    page.wait_for_function("([z]) => window.dicomtab.viewer.state.zoom > z * 1.5", arg=[before])
    st = state(page)
    # The window did not move: two fingers zoom, they do not drag.
    assert (st["windowCenter"], st["windowWidth"]) == (600, 1600)


def test_annotations_are_text_and_switch_off(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["mono1"])
    corner = page.get_by_test_id("viewer-corner-tl")
    expect(corner).to_contain_text(MARKUP)  # markup in a patient name stays text
    expect(corner.locator("b, i")).to_have_count(0)
    expect(page.get_by_test_id("viewer-corner-bl")).to_contain_text("W 1600 L 600")
    expect(page.get_by_test_id("viewer-corner-tr")).to_contain_text("Series")
    page.get_by_test_id("viewer-annotations").uncheck()
    expect(corner).to_be_hidden()
    expect(page.get_by_test_id("viewer-corner-br")).to_be_hidden()
    page.get_by_test_id("viewer-stage").focus()
    page.keyboard.press("a")
    expect(corner).to_be_visible()


def test_help_panel_opens_with_question_mark(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["ct"])
    page.get_by_test_id("viewer-stage").focus()
    page.keyboard.press("?")
    panel = page.get_by_test_id("viewer-help-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Ctrl+wheel")
    page.get_by_test_id("viewer-help-close").click()
    expect(panel).to_be_hidden()
    page.get_by_test_id("viewer-help").click()
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_monochrome1_is_inverted(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["mono1"])
    st = state(page)
    assert st["invert"] is True
    assert_grey_matches(page, files["mono1"])
    page.get_by_test_id("viewer-invert").click()
    assert state(page)["invert"] is False
    assert_grey_matches(page, files["mono1"])
    page.get_by_test_id("viewer-invert").click()


def test_a_bundled_monochrome1_cr_is_inverted_at_its_own_window(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["cr_mono1"])
    st = state(page)
    assert st["invert"] is True and (st["windowCenter"], st["windowWidth"]) == (1600, 2800)
    assert_grey_matches(page, files["cr_mono1"])


def test_voi_lut_table_is_applied(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["voilut"])
    st = state(page)
    assert st["voiMode"] == "table" and st["preset"] == "file-lut"
    expect(page.get_by_test_id("viewer-wl")).to_have_text("VOI LUT")
    assert_grey_matches(page, files["voilut"])
    page.get_by_test_id("viewer-preset").select_option("auto")
    assert state(page)["voiMode"] == "window"
    assert_grey_matches(page, files["voilut"])


def test_float_values_with_sigmoid(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["sigmoid"])
    st = state(page)
    assert st["bufferType"] == "float32" and st["voiFunction"] == "SIGMOID"
    assert (st["windowCenter"], st["windowWidth"]) == (300.5, 420.25)
    assert_grey_matches(page, files["sigmoid"])
    page.evaluate("window.dicomtab.viewer.setWindow(123.25, 57.5)")
    assert_grey_matches(page, files["sigmoid"])


def test_palette_colour_arrives_as_rgb(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["palette"])
    d, rgb = reference(files["palette"])
    assert state(page)["bufferType"] == "rgb8"
    got = native(page)
    assert np.array_equal(got[..., :3], rgb)
    assert (got[..., 3] == 255).all()
    x, y = canvas_point(page, 100.5, 200.5)
    page.mouse.move(x, y)
    expect(page.get_by_test_id("viewer-probe")).to_have_text(
        "row 100, col 200: RGB " + ", ".join(str(int(v)) for v in rgb[100, 200]))


def test_ybr_full_422_is_shown_as_the_rgb_pydicom_gives(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ybr422"])
    _, rgb = reference(files["ybr422"])
    assert state(page)["bufferType"] == "rgb8"
    assert np.array_equal(native(page)[..., :3], rgb)


def test_jpeg_ybr_through_the_webassembly_codec(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    # Decoded in the tab by libjpeg-turbo, in CPython by pylibjpeg-libjpeg: lossy JPEG, so
    # the two IDCTs may round differently by a few levels; the colour conversion is the same.
    select(page, ids["jpeg_ybr"])
    _, rgb = reference(files["jpeg_ybr"])
    got = native(page)[..., :3].astype(int)
    assert got.shape == rgb.shape
    assert np.abs(got - rgb.astype(int)).max() <= 3


@pytest.mark.parametrize(("key", "words"), [
    ("nocodec", "MPEG2"),
    ("cmyk", "Photometric Interpretation"),
])
def test_missing_codec_and_unsupported_colour_say_so_over_the_canvas(
    page: Page, ids: dict[str, str], key: str, words: str
) -> None:
    select(page, ids[key])
    error = page.get_by_test_id("viewer-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(words)
    # The tags stay inspectable.
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", ids[key])
    expect(page.locator('[data-testid=tag-row][data-path="00280004"]')).to_have_count(1)


def test_overlay_listed_and_toggled(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["overlay"])
    box = page.get_by_test_id("viewer-overlays")
    expect(box).to_be_visible()
    toggle = box.get_by_test_id("viewer-overlay")
    expect(toggle).to_have_count(1)
    expect(box).to_contain_text("6000: Siemens MedCom Object Graphics")
    page.wait_for_function("() => window.dicomtab.viewer.state.overlays[0]?.loaded")
    page.get_by_test_id("viewer-one-to-one").click()
    with_overlay = on_screen(page, 300, 484)
    yellow = (with_overlay[..., 0] == 255) & (with_overlay[..., 1] == 255) & (with_overlay[..., 2] == 0)
    bits = pydicom.dcmread(files["overlay"]).overlay_array(0x6000).astype(bool)
    assert np.array_equal(yellow, bits)
    toggle.uncheck()
    without = on_screen(page, 300, 484)
    assert np.array_equal(without, native(page))
    toggle.check()
    assert np.array_equal(on_screen(page, 300, 484), with_overlay)


def test_multiframe_slider_keys_and_cine_from_the_cache(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["rtdose"])
    expect(page.get_by_test_id("viewer-frames")).to_be_visible()
    slider = page.get_by_test_id("viewer-frame-slider")
    expect(slider).to_have_attribute("max", "15")
    slider.fill("5")
    page.wait_for_function("() => window.dicomtab.viewer.state.frameIndex === 4")
    expect(page.get_by_test_id("viewer-frame")).to_have_text("5 / 15")
    expect(page.get_by_test_id("viewer-corner-br")).to_contain_text("Frame 5/15")
    d, values = reference(files["rtdose"], 4)
    st = state(page)
    want = display_uint8(values, center=st["windowCenter"], width=st["windowWidth"])
    assert np.array_equal(native(page)[..., 0], want)
    page.get_by_test_id("viewer-stage").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.dicomtab.viewer.state.frameIndex === 5")
    page.mouse.move(*canvas_point(page, 5, 5))
    page.mouse.wheel(0, 100)  # a single-instance series: the wheel moves through the frames
    page.wait_for_function("() => window.dicomtab.viewer.state.frameIndex === 6")
    # Cine: two passes; the second comes from the cache.
    page.get_by_test_id("viewer-fps").fill("60")
    page.get_by_test_id("viewer-fps").dispatch_event("change")
    page.get_by_test_id("viewer-cine").click()
    expect(page.get_by_test_id("viewer-cine")).to_have_text("Pause")
    page.wait_for_function(
        "([id]) => [...Array(15).keys()].every((i) => window.dicomtab.viewer.frames.has(id, i))",
        arg=[ids["rtdose"]], timeout=30000)
    misses = state(page)["cache"]["misses"]
    page.wait_for_timeout(800)
    st = state(page)
    assert st["cine"]["playing"]
    assert st["cache"]["misses"] == misses
    assert st["cine"]["measuredFps"] >= 30, st["cine"]
    page.keyboard.press(" ")
    expect(page.get_by_test_id("viewer-cine")).to_have_text("Play")


def test_wheel_and_keys_scroll_the_series_in_slice_order(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    # Positions: slice1 z=30, slice2 z=10, slice3 z=20 → by position: slice2, slice3, slice1.
    select(page, ids["slice1"])
    page.wait_for_function("() => window.dicomtab.viewer.state.stack.ids.length === 3")
    st = state(page)
    assert st["stack"]["sortedBy"] == "position"
    assert st["stack"]["ids"] == [ids["slice2"], ids["slice3"], ids["slice1"]]
    page.mouse.move(*canvas_point(page, 64, 64))
    page.mouse.wheel(0, -100)
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["slice3"])
    assert_grey_matches(page, files["slice3"])
    page.mouse.wheel(0, -100)
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["slice2"])
    page.get_by_test_id("viewer-canvas").click()  # keys go to the image once it has focus
    page.keyboard.press("PageDown")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["slice3"])
    page.keyboard.press("End")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["slice1"])
    # The window chosen stays while scrolling a series.
    page.get_by_test_id("viewer-preset").select_option("ct-bone")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["slice3"])
    assert (state(page)["windowCenter"], state(page)["windowWidth"]) == (400, 1800)
    assert_grey_matches(page, files["slice3"])


def test_exports_png_and_npy_with_the_burned_in_warning(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    warning = page.get_by_test_id("viewer-export-warning")
    expect(warning).to_be_hidden()
    name, data = download(page, "viewer-export-png", confirm=True)
    assert name == "image.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == tuple(page.evaluate(
        "[window.dicomtab.viewer.canvas.width, window.dicomtab.viewer.canvas.height]"))
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("burned into the image")
    name, data = download(page, "viewer-export-npy", confirm=True)
    assert name == "image.npy"
    got = np.load(io.BytesIO(data), allow_pickle=False)
    want = np.load(io.BytesIO(frame_npy(pydicom.dcmread(files["ct"]), 0)), allow_pickle=False)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.array_equal(got, pydicom.dcmread(files["ct"]).pixel_array)
    # A multi-frame's export is named by frame number.
    select(page, ids["rtdose"])
    page.get_by_test_id("viewer-frame-slider").fill("3")
    page.wait_for_function("() => window.dicomtab.viewer.state.frameIndex === 2")
    name, data = download(page, "viewer-export-npy", confirm=True)
    assert name == "frame-3.npy"
    assert np.array_equal(np.load(io.BytesIO(data)), pydicom.dcmread(files["rtdose"]).pixel_array[2])
    expect(warning).to_be_visible()


def test_bad_pixel_data_shows_the_error_over_the_canvas(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["truncated"])
    error = page.get_by_test_id("viewer-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("truncated or corrupt")
    assert state(page)["error"]
    # The rest still works.
    select(page, ids["ct"])
    expect(error).to_be_hidden()
    assert_grey_matches(page, files["ct"])


def test_a_damaged_file_says_so_instead_of_an_image(page: Page, ids: dict[str, str]) -> None:
    assert ids["damaged"].startswith("d")
    select(page, ids["damaged"])
    expect(page.get_by_test_id("viewer-error")).to_contain_text("This file is damaged")


def test_structured_report_as_indented_text(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    from dicomtab.pixels.objects import sr_lines

    select(page, ids["sr"])
    expect(page.get_by_test_id("viewer-stage")).to_be_hidden()
    sr = page.get_by_test_id("viewer-sr")
    expect(sr).to_be_visible()
    text = sr.evaluate("n => n.textContent")
    assert text == "\n".join(sr_lines(pydicom.dcmread(files["sr"])))
    assert "\n  Some UID: 1.2.3.4.5" in text


def test_waveform_traces_one_per_channel(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["ecg"])
    box = page.get_by_test_id("viewer-waveform")
    expect(box).to_be_visible()
    canvas = page.get_by_test_id("viewer-waveform-canvas")
    expect(canvas).to_have_count(2)
    expect(canvas.first).to_have_attribute("data-channels", "12")
    assert "Lead II" in (canvas.first.get_attribute("data-labels") or "")
    # Something was drawn: red trace pixels.
    red = canvas.first.evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                  for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 1] < 80) n++; return n; }""")
    assert red > 1000


def test_pdf_download_and_object_without_pixels(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["pdf"])
    # Not a drawable PDF (no pages): said so, the download stays (test_viewer_pdf.py draws).
    expect(page.get_by_test_id("viewer-pdf-error")).to_be_visible(timeout=30000)
    name, data = download(page, "viewer-pdf-download", confirm=True)
    assert name == "document.pdf"
    assert data == _pdf(files["pdf"].with_name("again.dcm"))
    select(page, ids["rtstruct"])
    expect(page.get_by_test_id("viewer-none")).to_contain_text("no image")
    expect(page.get_by_test_id("viewer-canvas")).to_be_hidden()


def test_a_later_show_wins_over_an_earlier_one(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["ct"])
    page.evaluate(
        "([a, b]) => { window.dicomtab.viewer.show(a); return window.dicomtab.viewer.show(b); }",
        [ids["overlay"], ids["mr"]],
    )
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["mr"])
    page.wait_for_timeout(300)
    st = state(page)
    assert st["instanceId"] == ids["mr"] and (st["rows"], st["columns"]) == (64, 64)
    assert_grey_matches(page, files["mr"])


def test_layout_three_columns_when_wide_stacked_when_narrow(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["ct"])
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", ids["ct"])

    def boxes() -> dict[str, dict[str, float]]:
        return {name: page.get_by_test_id(name).bounding_box() for name in ("study-tree", "viewer", "inspector")}

    try:
        page.set_viewport_size({"width": 2100, "height": 900})
        b = boxes()
        assert b["study-tree"]["x"] < b["viewer"]["x"] < b["inspector"]["x"]
        assert abs(b["viewer"]["y"] - b["inspector"]["y"]) < 5
        page.set_viewport_size({"width": 700, "height": 900})
        b = boxes()
        assert b["study-tree"]["y"] < b["viewer"]["y"] < b["inspector"]["y"]
        assert abs(b["viewer"]["x"] - b["inspector"]["x"]) < 5
        assert b["viewer"]["width"] <= 700
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    b = boxes()
    assert b["study-tree"]["x"] < b["viewer"]["x"] and b["viewer"]["y"] < b["inspector"]["y"]
