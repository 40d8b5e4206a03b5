"""The viewer's stack and measuring tools, driven through the page as a user would (file input,
mouse drags on the canvas, wheel, keys, buttons), at 1280×800 and at 1920×1080.

Opening files shows the first series at its first image in slice order with its stack active;
the wheel and the arrow keys move through it and never scroll the page while the pointer is on
the image; measurements (length, angle, rectangle and ellipse ROI) stay on their image until
deleted and report what numpy computes here from the worker's own values; ultrasound regions
calibrate the measurements inside them; cine plays a series of single-frame images; `?` opens
the help from anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from playwright.sync_api import Browser, Page, expect

from dicomtab.pixels.describe import describe_frame
from tests.browser.conftest import canvas_point, page_with_files, tree_ids
from tests.browser.conftest import select_in_viewer as select
from tests.browser.conftest import viewer_state as state
from tests.core.pixels.helpers import ct_series, damaged_ultrasound, region, ultrasound

CT_SPACING = 0.661468  # CT_small's Pixel Spacing, mm (both directions)


def _series(folder: Path, number: int, positions: list[float]) -> list[Path]:
    """CT slices of one series at the given z positions, written in the order given."""
    return ct_series(folder, f"s{number}-", f"1.2.826.0.1.3680043.8.498.77.{number}", number, positions, 10)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tools")
    paths: dict[str, Path] = {}
    # Series 5 is opened last but listed first; its slice at z = 10 is its first by position.
    for n, p in enumerate(_series(folder, 9, [0.0, 5.0]), 1):
        paths[f"b{n}"] = p
    for n, p in enumerate(_series(folder, 5, [20.0, 30.0, 10.0]), 1):
        paths[f"a{n}"] = p
    paths["us"] = ultrasound(folder / "us.dcm", [
        region(0, 0, 31, 63, 3, 0.02, 0.03),  # cm: 0.2 mm per column, 0.3 mm per row
        region(32, 0, 63, 63, 4, 0.01, 0.5),  # a time axis: no spatial calibration
    ])
    paths["usbad"] = damaged_ultrasound(folder / "us-damaged.dcm")
    return paths


@pytest.fixture(scope="module", params=[(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def page(request: pytest.FixtureRequest, browser: Browser, site_url: str, files: dict[str, Path]) -> Iterator[Page]:
    # The middle slice of the second series first, as a folder may list its files.
    order = ["b2", "b1", "a1", "a2", "a3", "us", "usbad"]
    with page_with_files(browser, site_url, [files[k] for k in order], viewport=request.param) as page:
        yield page


@pytest.fixture(scope="module")
def ids(page: Page, files: dict[str, Path]) -> dict[str, str]:
    return tree_ids(page, files)


def loaded(page: Page, instance_id: str) -> None:
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", instance_id, timeout=30000)


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Left-drag on the image from one image point (row, column) to another."""
    page.mouse.move(*canvas_point(page, *start))
    page.mouse.down()
    page.mouse.move(*canvas_point(page, *end), steps=5)
    page.mouse.up()


def values_of(path: Path) -> tuple[dict[str, Any], np.ndarray]:
    """The frame's description and modality values as the worker computes them."""
    result = describe_frame(pydicom.dcmread(path), 0)
    d = result.description
    values = np.frombuffer(result.buffer, dtype="<i4").reshape(d["rows"], d["columns"])
    return d, values


def inside_mask(shape: tuple[int, int], points: list[dict[str, float]], kind: str) -> np.ndarray:
    """Pixels whose centre lies in the rectangle or ellipse the two corner points span."""
    (x0, x1), (y0, y1) = sorted(p["x"] for p in points), sorted(p["y"] for p in points)
    rows, columns = np.mgrid[0:shape[0], 0:shape[1]]
    x, y = columns + 0.5, rows + 0.5
    if kind == "rectangle":
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    cx, cy, a, b = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    return ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1


def fmt(n: float) -> str:
    """A number as the page writes it (presets.js fmt: six significant digits)."""
    v = float(f"{n:.6g}")
    return str(int(v)) if v.is_integer() else repr(v)


def scroll_y(page: Page) -> float:
    return page.evaluate("document.scrollingElement.scrollTop")


# ---- the stack -----------------------------------------------------------------------------


def test_opening_shows_the_first_series_at_its_first_slice_with_the_stack_active(page: Page, ids: dict[str, str]) -> None:
    # Series 5 is the tree's first; by position (z = 10, 20, 30) its first image is a3.
    loaded(page, ids["a3"])
    page.wait_for_function("() => window.dicomtab.viewer.state.stack.ids.length === 3")
    st = state(page)
    assert st["stack"]["ids"] == [ids["a3"], ids["a1"], ids["a2"]] and st["stack"]["index"] == 0
    assert st["stack"]["sortedBy"] == "position"
    expect(page.locator(f'[data-testid=tree-instance][data-instance-id="{ids["a3"]}"]')).to_have_attribute("aria-selected", "true")
    # The wheel works at once, without clicking another instance first.
    page.mouse.move(*canvas_point(page, 64, 64))
    page.mouse.wheel(0, 100)
    loaded(page, ids["a1"])


def test_wheel_and_arrows_scroll_slices_never_the_page(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["a3"])
    # Make sure the page itself could scroll, so that the test can fail.
    page.evaluate("document.body.style.minHeight = '300vh'")
    page.evaluate("document.scrollingElement.scrollTop = 0")
    page.mouse.move(*canvas_point(page, 64, 64))
    top = scroll_y(page)
    page.mouse.wheel(0, 100)
    loaded(page, ids["a1"])
    page.mouse.wheel(0, 100)
    loaded(page, ids["a2"])
    page.mouse.wheel(0, 100)  # at the end of the stack: nothing moves, not even the page
    page.wait_for_timeout(200)
    assert scroll_y(page) == top
    # Keys with the pointer on the image, the focus elsewhere (nothing focused).
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowUp")
    loaded(page, ids["a1"])
    page.keyboard.press("ArrowDown")
    loaded(page, ids["a2"])
    page.keyboard.press("PageDown")
    page.wait_for_timeout(200)
    assert scroll_y(page) == top
    # A single image (the ultrasound): the wheel on it still leaves the page where it is.
    select(page, ids["us"])
    assert state(page)["stack"]["ids"] == [ids["us"]]
    page.mouse.move(*canvas_point(page, 32, 32))
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(200)
    assert scroll_y(page) == top
    loaded(page, ids["us"])
    page.evaluate("document.body.style.minHeight = ''")


def test_cine_plays_a_series_of_single_frame_images(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["a3"])
    expect(page.get_by_test_id("viewer-frames")).to_be_visible()
    expect(page.get_by_test_id("viewer-frame-slider")).to_be_hidden()
    # A click on the image (W/L tool, no drag) gives it the keys the tree item had.
    page.mouse.click(*canvas_point(page, 64, 64))
    page.keyboard.press(" ")
    expect(page.get_by_test_id("viewer-cine")).to_have_text("Pause")
    shown = set()
    for _ in range(60):
        shown.add(page.get_by_test_id("viewer").get_attribute("data-loaded"))
        if len(shown) == 3:
            break
        page.wait_for_timeout(50)
    assert shown == {ids["a1"], ids["a2"], ids["a3"]}
    assert state(page)["cine"]["playing"]
    page.get_by_test_id("viewer-cine").click()
    expect(page.get_by_test_id("viewer-cine")).to_have_text("Play")


# ---- measurements --------------------------------------------------------------------------


def test_four_tools_measure_and_their_results_stay_on_the_image(page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["a1"])
    d, values = values_of(files["a1"])
    page.get_by_test_id("viewer-measure").click()
    drag(page, (10, 10), (40, 50))
    page.get_by_test_id("viewer-tool-angle").click()
    # First arm from (row 60, col 20) to the vertex (60, 60), then the second arm's end: 90°.
    drag(page, (60, 20), (60, 60))
    page.mouse.move(*canvas_point(page, 100, 60), steps=3)
    assert state(page)["drawing"]
    page.mouse.click(*canvas_point(page, 100, 60))
    page.get_by_test_id("viewer-tool-rectangle").click()
    drag(page, (70, 70), (100, 110))
    page.keyboard.press("o")  # the ellipse by its key, the pointer on the image
    expect(page.get_by_test_id("viewer-tool-ellipse")).to_have_attribute("aria-pressed", "true")
    drag(page, (10, 80), (50, 120))

    measured = state(page)["measurements"]
    assert [m["kind"] for m in measured] == ["length", "angle", "rectangle", "ellipse"]
    assert all(m["done"] for m in measured)
    length, angle, rect, ellipse = measured

    a, b = length["points"]
    mm = math.hypot((b["x"] - a["x"]) * CT_SPACING, (b["y"] - a["y"]) * CT_SPACING)
    assert length["values"]["mm"] == pytest.approx(mm)
    assert mm == pytest.approx(50 * CT_SPACING, rel=0.02)

    p, vertex, q = angle["points"]
    u = (p["x"] - vertex["x"], p["y"] - vertex["y"])
    v = (q["x"] - vertex["x"], q["y"] - vertex["y"])
    degrees = math.degrees(abs(math.atan2(u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1])))
    assert angle["values"]["degrees"] == pytest.approx(degrees)
    assert degrees == pytest.approx(90, abs=2)
    assert angle["text"] == f"Angle {degrees:.1f}°"

    for roi in (rect, ellipse):
        mask = inside_mask(values.shape, roi["points"], roi["kind"])
        inside = values[mask].astype(np.float64)
        got = roi["values"]
        assert got["count"] == inside.size > 100
        assert got["mean"] == pytest.approx(inside.mean())
        assert got["sd"] == pytest.approx(inside.std())
        assert (got["min"], got["max"]) == (inside.min(), inside.max())
        assert got["units"] == d["units"] == "HU"
        (x0, x1), (y0, y1) = sorted(pt["x"] for pt in roi["points"]), sorted(pt["y"] for pt in roi["points"])
        pixel_area = (x1 - x0) * (y1 - y0) * (math.pi / 4 if roi["kind"] == "ellipse" else 1)
        assert got["areaMm2"] == pytest.approx(pixel_area * CT_SPACING**2)
        assert roi["text"] == (f"{roi['kind'].capitalize()}: Area {got['areaMm2']:.2f} mm²; mean {fmt(got['mean'])} HU, "
                               f"SD {fmt(got['sd'])}, min {fmt(got['min'])}, max {fmt(got['max'])}")

    # The last one drawn is selected and its result shown under the image.
    expect(page.get_by_test_id("viewer-measure-result")).to_have_text(ellipse["text"])

    # Scroll away and back: all four are still there.
    page.mouse.move(*canvas_point(page, 64, 64))
    page.mouse.wheel(0, 100)
    loaded(page, ids["a2"])
    assert state(page)["measurements"] == []
    page.mouse.wheel(0, -100)
    loaded(page, ids["a1"])
    assert [m["id"] for m in state(page)["measurements"]] == [m["id"] for m in measured]

    # Select the length by clicking on it, delete it with the Delete key.
    page.get_by_test_id("viewer-measure").click()
    page.mouse.click(*canvas_point(page, 25, 30))
    assert [m["kind"] for m in state(page)["measurements"] if m["selected"]] == ["length"]
    expect(page.get_by_test_id("viewer-measure-result")).to_have_text(length["text"])
    page.mouse.move(*canvas_point(page, 64, 64))
    page.keyboard.press("Delete")
    assert [m["kind"] for m in state(page)["measurements"]] == ["angle", "rectangle", "ellipse"]
    # Select the rectangle (on its top edge), delete it with the button.
    page.mouse.click(*canvas_point(page, 70, 90))
    page.get_by_test_id("viewer-measure-delete").click()
    assert [m["kind"] for m in state(page)["measurements"]] == ["angle", "ellipse"]
    # Nothing selected now: nothing to delete.
    expect(page.get_by_test_id("viewer-measure-delete")).to_be_disabled()
    expect(page.get_by_test_id("viewer-measure-result")).to_have_text("")
    page.get_by_test_id("viewer-tool-wl").click()


def test_measurements_are_drawn_on_the_canvas(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["b1"])
    page.get_by_test_id("viewer-measure").click()
    drag(page, (64, 20), (64, 100))
    x, y = canvas_point(page, 64, 60)
    pixel = page.evaluate(
        """([x, y]) => {
            const viewer = window.dicomtab.viewer;
            const rect = viewer.canvas.getBoundingClientRect();
            // The canvas pixel that holds the point (rounding could take its neighbour, which a
            // 2 px line only half covers, depending on where the layout puts the image).
            const px = Math.floor((x - rect.left) * viewer.canvas.width / rect.width);
            const py = Math.floor((y - rect.top) * viewer.canvas.height / rect.height);
            return [...viewer.canvas.getContext('2d').getImageData(px, py, 1, 1).data];
        }""",
        [x, y],
    )
    # The selected line is yellow (#ffd400); the CT below is grey.
    assert pixel[0] > 200 and pixel[1] > 150 and pixel[2] < 100, pixel
    # Escape drops a measurement still being drawn, not the ones made.
    page.get_by_test_id("viewer-tool-angle").click()
    drag(page, (20, 20), (20, 60))
    assert state(page)["drawing"]
    page.keyboard.press("Escape")
    assert not state(page)["drawing"]
    assert [m["kind"] for m in state(page)["measurements"]] == ["length"]
    page.get_by_test_id("viewer-tool-wl").click()


def test_ultrasound_regions_calibrate_what_lies_inside_them(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["us"])
    assert state(page)["measurements"] == []
    page.get_by_test_id("viewer-measure").click()
    drag(page, (10, 5), (50, 25))  # inside the first region (cm): 0.3 mm per row, 0.2 per column
    drag(page, (40, 5), (40, 55))  # across both regions: not calibrated
    page.get_by_test_id("viewer-tool-rectangle").click()
    drag(page, (5, 2), (25, 22))
    inside, across, rect = state(page)["measurements"]
    a, b = inside["points"]
    assert inside["values"]["calibration"] == "region"
    assert inside["values"]["mm"] == pytest.approx(math.hypot((b["x"] - a["x"]) * 0.2, (b["y"] - a["y"]) * 0.3))
    assert inside["text"].endswith("mm (ultrasound region)")
    assert across["values"]["mm"] is None and "px (uncalibrated" in across["text"]
    (x0, x1), (y0, y1) = sorted(p["x"] for p in rect["points"]), sorted(p["y"] for p in rect["points"])
    assert rect["values"]["areaMm2"] == pytest.approx((x1 - x0) * 0.2 * (y1 - y0) * 0.3)
    assert rect["values"]["units"] is None  # MR_small's values carry no rescale type
    page.get_by_test_id("viewer-tool-wl").click()


def test_uncalibrated_roi_area_is_in_pixels(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["us"])
    page.get_by_test_id("viewer-tool-ellipse").click()
    drag(page, (10, 40), (40, 60))  # in the second region (seconds across): no mm
    ellipse = state(page)["measurements"][-1]
    assert ellipse["kind"] == "ellipse" and ellipse["values"]["areaMm2"] is None
    assert "px² (uncalibrated)" in ellipse["text"]
    page.get_by_test_id("viewer-tool-wl").click()


def test_a_damaged_region_is_passed_over_and_the_sound_one_calibrates(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["usbad"])
    expect(page.get_by_test_id("viewer-error")).to_be_hidden()
    page.get_by_test_id("viewer-measure").click()
    drag(page, (4, 4), (8, 8))  # inside both regions' bounds: only the sound one counts
    [length] = state(page)["measurements"]
    a, b = length["points"]
    assert length["values"]["calibration"] == "region"
    assert length["values"]["mm"] == pytest.approx(math.hypot(b["x"] - a["x"], b["y"] - a["y"]) * 0.2)
    page.get_by_test_id("viewer-tool-wl").click()


# ---- help ----------------------------------------------------------------------------------


def test_question_mark_opens_the_help_from_anywhere_but_a_text_field(page: Page) -> None:
    panel = page.get_by_test_id("viewer-help-panel")
    page.get_by_test_id("tree-instance").first.focus()
    page.keyboard.press("?")
    expect(panel).to_be_visible()
    # Opened at its top (its title in view), not scrolled to its end.
    expect(panel.get_by_role("heading")).to_be_in_viewport()
    expect(panel).to_contain_text("ellipse (O)")
    expect(panel).to_contain_text("Delete")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(1, 1)
    page.keyboard.press("?")
    expect(panel).to_be_visible()
    page.get_by_test_id("viewer-help-close").click()
    expect(panel).to_be_hidden()
    # Typing in a field types.
    search = page.get_by_test_id("tag-search")
    search.fill("")
    search.press("?")
    expect(panel).to_be_hidden()
    expect(search).to_have_value("?")
    search.fill("")
