"""The layout once files are open, as a user meets it at 1280×800 and 1920×1080 (with checks at
1280×720 and 2560×1440): study tree | image | tags side by side from 1440 px wide, the tags a
drawer under the image below that (T or the Tags button shows and hides them); the image fills
the height on black; the toolbar is one row of icon buttons with tooltips naming their keys;
splitters move with the mouse and the keyboard and nothing is stored; each series gets a
preview in the tree when it comes into view, drawn from what the core makes, and a series that
cannot be previewed gets a placeholder without any message.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from playwright.sync_api import Browser, Page, expect

from dicomtab.pixels.thumbnail import preview
from tests.browser.conftest import page_with_files, tree_ids
from tests.browser.conftest import viewer_state as state
from tests.conftest import bundled
from tests.core.pixels.helpers import ct_series, make_image, roundtrip, u16

VIEWPORTS = [(1280, 800), (1920, 1080)]
UID = "1.2.826.0.1.3680043.8.498.88"
#: Some instance is shown (the first series' first slice by position).
LOADED = re.compile(r"^i\d+$")


def _files(folder: Path, extra_series: int = 0) -> dict[str, Path]:
    """Two CT series (3 and 2 slices), an MR, an image whose pixel data is cut short (its own
    series), and ``extra_series`` more one-slice CT series, to fill the tree."""
    paths: dict[str, Path] = {}
    for n, p in enumerate(ct_series(folder, "a-", f"{UID}.1", 1, [30.0, 10.0, 20.0], 100), 1):
        paths[f"a{n}"] = p
    for n, p in enumerate(ct_series(folder, "b-", f"{UID}.2", 2, [0.0, 5.0], 50), 1):
        paths[f"b{n}"] = p
    paths["mr"] = bundled("MR_small.dcm")
    broken = make_image(u16([1, 2, 3]), rows=8, columns=8, SeriesInstanceUID=f"{UID}.3", SeriesNumber=3,
                        StudyInstanceUID=f"{UID}.0", PatientName="Broken^Pixels", PatientID="PX-1")
    paths["broken"] = folder / "broken.dcm"
    roundtrip(broken).save_as(paths["broken"])
    for n in range(extra_series):
        [paths[f"x{n}"]] = ct_series(folder, f"x{n}-", f"{UID}.{10 + n}", 10 + n, [0.0], n)
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _files(tmp_path_factory.mktemp("layout"))


@pytest.fixture(scope="module", params=VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def page(request: pytest.FixtureRequest, browser: Browser, site_url: str, files: dict[str, Path]) -> Iterator[Page]:
    with page_with_files(browser, site_url, list(files.values()), viewport=request.param) as page:
        expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", LOADED, timeout=30000)
        expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", LOADED, timeout=30000)
        yield page


def box(page: Page, test_id: str) -> dict[str, float]:
    b = page.get_by_test_id(test_id).bounding_box()
    assert b is not None, test_id
    return b


def wide(page: Page) -> bool:
    return page.viewport_size["width"] >= 1440  # type: ignore[index]


def no_page_scroll_sideways(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def assert_panes_placed(page: Page) -> None:
    tree, viewer, tags = box(page, "study-tree"), box(page, "viewer"), box(page, "inspector")
    assert tree["x"] + tree["width"] <= viewer["x"]
    if wide(page):
        # Side by side, each the grid's full height.
        assert viewer["x"] + viewer["width"] <= tags["x"]
        assert abs(viewer["y"] - tags["y"]) < 2 and abs(viewer["height"] - tags["height"]) < 2
        expect(page.get_by_test_id("tags-splitter")).to_have_attribute("aria-orientation", "vertical")
    else:
        # The drawer: under the image, as wide as it.
        assert tags["y"] >= viewer["y"] + viewer["height"]
        assert abs(tags["x"] - viewer["x"]) < 2 and abs(tags["width"] - viewer["width"]) < 2
        expect(page.get_by_test_id("tags-splitter")).to_have_attribute("aria-orientation", "horizontal")
    assert no_page_scroll_sideways(page)


def assert_toolbar_one_row(page: Page) -> None:
    rows = page.evaluate(
        """() => {
            const bar = document.querySelector('.viewer-tools');
            const tops = [...bar.querySelectorAll('button, select')].map((n) => Math.round(n.getBoundingClientRect().top + n.getBoundingClientRect().height / 2));
            return {centres: [...new Set(tops)], fits: bar.scrollWidth <= bar.clientWidth, height: bar.getBoundingClientRect().height};
        }"""
    )
    assert max(rows["centres"]) - min(rows["centres"]) <= 1, rows
    assert rows["fits"] and rows["height"] < 48, rows


# ---- panes -----------------------------------------------------------------------------------


def test_panes_side_by_side_when_wide_a_drawer_below(page: Page) -> None:
    assert_panes_placed(page)
    # The grid ends at the window's bottom: nothing of the panes is below the fold.
    grid = box(page, "layout")
    assert page.viewport_size["height"] - 16 <= grid["y"] + grid["height"] <= page.viewport_size["height"]  # type: ignore[index]


def test_the_image_fills_the_height_on_black_and_t_hides_the_tags(page: Page) -> None:
    stage = page.get_by_test_id("viewer-stage")
    expect(stage).to_have_css("background-color", "rgb(0, 0, 0)")

    def sizes() -> dict[str, Any]:
        return dict(page.evaluate(
            """() => {
                const stage = document.querySelector('[data-testid=viewer-stage]').getBoundingClientRect();
                const viewer = document.getElementById('viewer');
                const canvas = window.dicomtab.viewer.canvas;
                return {width: stage.width, height: stage.height, canvas: [canvas.width, canvas.height],
                        dpr: window.devicePixelRatio, viewerFits: viewer.scrollHeight <= viewer.clientHeight + 1,
                        viewerHeight: viewer.clientHeight};
            }"""
        ))

    before = sizes()
    # The canvas follows its stage (a resize observer), which takes the viewer's free height.
    assert before["canvas"] == [round(before["width"] * before["dpr"]), round(before["height"] * before["dpr"])]
    # All the viewer's free height, or, when the drawer leaves less, never under 20rem (the
    # viewer then scrolls a little).
    assert before["viewerFits"] or before["height"] == pytest.approx(320, abs=1)
    assert before["height"] > 0.5 * before["viewerHeight"]
    toggle = page.get_by_test_id("tags-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_test_id("viewer-stage").focus()
    page.keyboard.press("t")
    expect(page.get_by_test_id("inspector")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.wait_for_function(f"() => window.dicomtab.viewer.canvas.width !== {before['canvas'][0]} || window.dicomtab.viewer.canvas.height !== {before['canvas'][1]}")
    after = sizes()
    if wide(page):
        assert after["width"] > before["width"] + 300 and after["height"] == pytest.approx(before["height"], abs=1)
    else:
        assert after["height"] > before["height"] + 150 and after["width"] == pytest.approx(before["width"], abs=1)
    assert after["canvas"] == [round(after["width"] * after["dpr"]), round(after["height"] * after["dpr"])]
    assert after["viewerFits"] and after["height"] > 0.6 * after["viewerHeight"]
    # The image is refitted to the bigger stage.
    assert state(page)["zoom"] > 0
    toggle.click()
    expect(page.get_by_test_id("inspector")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.wait_for_function(f"() => window.dicomtab.viewer.canvas.height === {before['canvas'][1]} && window.dicomtab.viewer.canvas.width === {before['canvas'][0]}")
    assert_panes_placed(page)


def test_toolbar_is_one_row_of_icon_buttons_with_their_keys(page: Page) -> None:
    assert_toolbar_one_row(page)
    buttons = page.locator(".viewer-tools button")
    assert buttons.count() >= 18
    for n in range(buttons.count()):
        button = buttons.nth(n)
        title = button.get_attribute("title") or ""
        key = button.get_attribute("aria-keyshortcuts")
        assert key and title.endswith(f"({key})") or (key == "-" and title.endswith("(−)")), title
        # An icon drawn in the page's own markup; the name is kept for screen readers.
        assert button.locator("svg.icon").count() == 1
        assert (button.text_content() or "").strip()
    # The names users and tests know the buttons by.
    expect(page.get_by_role("button", name="Length")).to_have_attribute("data-testid", "viewer-measure")
    expect(page.get_by_role("button", name="Rotate 90°")).to_have_attribute("data-testid", "viewer-rotate")


def test_help_names_the_tags_key_and_the_splitters(page: Page) -> None:
    page.get_by_test_id("viewer-help").click()
    panel = page.get_by_test_id("viewer-help-panel")
    expect(panel).to_contain_text("show / hide the tags")
    expect(panel).to_contain_text("arrow keys")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


# ---- splitters -------------------------------------------------------------------------------


def pane_size(page: Page, test_id: str, across: bool) -> float:
    b = box(page, test_id)
    return b["width"] if across else b["height"]


def test_splitters_drag_with_the_mouse_and_move_with_the_keys(page: Page) -> None:
    splitter = page.get_by_test_id("tree-splitter")
    expect(splitter).to_have_attribute("role", "separator")
    start = pane_size(page, "study-tree", True)
    expect(splitter).to_have_attribute("aria-valuenow", str(round(start)))
    s = box(page, "tree-splitter")
    page.mouse.move(s["x"] + s["width"] / 2, s["y"] + s["height"] / 2)
    page.mouse.down()
    page.mouse.move(s["x"] + s["width"] / 2 + 80, s["y"] + s["height"] / 2, steps=5)
    page.mouse.up()
    assert pane_size(page, "study-tree", True) == pytest.approx(start + 80, abs=2)
    expect(splitter).to_have_attribute("aria-valuenow", str(round(pane_size(page, "study-tree", True))))
    # The keyboard: the focused splitter moves; the viewer's own arrow keys do not fire.
    index = state(page)["stack"]["index"]
    splitter.focus()
    page.keyboard.press("ArrowLeft")
    assert pane_size(page, "study-tree", True) == pytest.approx(start + 80 - 16, abs=1)
    page.keyboard.press("Home")
    assert pane_size(page, "study-tree", True) == pytest.approx(float(splitter.get_attribute("aria-valuemin") or 0), abs=1)
    assert state(page)["stack"]["index"] == index

    tags = page.get_by_test_id("tags-splitter")
    across = wide(page)
    size = pane_size(page, "inspector", across)
    tags.focus()
    # Left (wide) or up (drawer) gives the tags more room; Shift makes a bigger step.
    page.keyboard.press("ArrowLeft" if across else "ArrowUp")
    assert pane_size(page, "inspector", across) == pytest.approx(size + 16, abs=1)
    page.keyboard.press("Shift+ArrowRight" if across else "Shift+ArrowDown")
    assert pane_size(page, "inspector", across) == pytest.approx(size + 16 - 64, abs=1)
    expect(tags).to_have_attribute("aria-valuenow", str(round(pane_size(page, "inspector", across))))
    assert state(page)["stack"]["index"] == index
    assert_panes_placed(page)
    assert_toolbar_one_row(page)
    # Kept for this page only: nothing stored, and a new page starts with the default sizes.
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    chosen = "(p) => document.querySelector('.layout').style.getPropertyValue(p)"
    assert page.evaluate(chosen, "--tree-size").endswith("px")
    fresh = page.context.new_page()
    try:
        fresh.goto(page.url)
        fresh.evaluate("window.dicomtab.ready")
        assert fresh.evaluate(chosen, "--tree-size") == fresh.evaluate(chosen, "--tags-size") == ""
    finally:
        fresh.close()


# ---- series previews -------------------------------------------------------------------------


def canvas_rgba(page: Page, canvas: Any) -> np.ndarray:
    w, h, data = canvas.evaluate(
        """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let s = ''; for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode(...d.subarray(i, i + 8192));
            return [c.width, c.height, btoa(s)]; }"""
    )
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(h, w, 4)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_each_series_gets_its_preview_when_it_comes_into_view(
        browser: Browser, site_url: str, tmp_path: Path, viewport: tuple[int, int]) -> None:
    files = _files(tmp_path, extra_series=12)
    with page_with_files(browser, site_url, list(files.values()), viewport=viewport) as page:
        ids = tree_ids(page, files)
        previews = page.get_by_test_id("series-preview")
        expect(previews).to_have_count(4 + 12)
        first = page.locator(f'[data-testid=series-preview][data-preview-ids*=\'"{ids["a1"]}"\']')
        expect(first).to_have_attribute("data-state", "drawn", timeout=30000)
        # The middle slice by position (z = 20: the third file), in its default window, as the core makes it.
        expect(first).to_have_attribute("data-instance-id", ids["a3"])
        _, expected = preview(pydicom.dcmread(files["a3"]), 0, 64)
        assert np.array_equal(canvas_rgba(page, first), np.frombuffer(expected, dtype=np.uint8).reshape(64, 64, 4))
        # Lazily: the last CT series, low in the tree and out of view, has not been asked for yet.
        last = page.locator(f'[data-testid=series-preview][data-preview-ids*=\'"{ids["x11"]}"\']')
        assert not last.evaluate("(c) => { const r = c.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
        assert last.get_attribute("data-state") is None
        broken = page.locator(f'[data-testid=series-preview][data-preview-ids*=\'"{ids["broken"]}"\']')
        broken.scroll_into_view_if_needed()
        expect(broken).to_have_attribute("data-state", "none", timeout=30000)
        expect(broken).to_have_attribute("title", "No preview for this series")
        # Scrolled to, every other series is drawn.
        page.get_by_test_id("study-tree").evaluate("(t) => t.scrollTo(0, t.scrollHeight)")
        expect(last).to_have_attribute("data-state", "drawn", timeout=30000)
        for n in range(previews.count()):
            canvas = previews.nth(n)
            canvas.scroll_into_view_if_needed()
            shown = "none" if f'"{ids["broken"]}"' in (canvas.get_attribute("data-preview-ids") or "") else "drawn"
            expect(canvas).to_have_attribute("data-state", shown, timeout=30000)
        # No message about the broken series' preview: it is reported when opened.
        expect(page.get_by_test_id("problem")).to_have_count(0)
        # A click on a preview opens the image it shows.
        first.scroll_into_view_if_needed()
        first.click()
        expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["a3"], timeout=30000)


# ---- other window sizes ------------------------------------------------------------------------


def test_1280x720_has_the_drawer_and_2560x1440_three_panes(browser: Browser, site_url: str, files: dict[str, Path]) -> None:
    with page_with_files(browser, site_url, list(files.values()), viewport=(1280, 720)) as page:
        expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", LOADED, timeout=30000)
        for size in ((1280, 720), (2560, 1440), (1439, 900), (1440, 900)):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.wait_for_function(
                "(h) => Math.abs(document.querySelector('.layout').getBoundingClientRect().bottom - h) <= 16", arg=size[1])
            assert_panes_placed(page)
            assert_toolbar_one_row(page)
            stage = box(page, "viewer-stage")
            assert stage["height"] >= 320
