"""Scrolling a long series faster than its images can be drawn, through the page as a user
does (arrow keys pressed in quick succession, as a held key repeats): the viewer draws a slice
at a time, always going on to the one asked for last (slices in between may be skipped), each
image drawn carries its own slice number, and the last one asked for is what stays on screen.

Each slice of the generated series holds different values (pydicom's CT_small raised by 7 per
slice), so the values drawn tell which slice is on screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from playwright.sync_api import Browser, Page, expect

from dicomtab.pixels.describe import describe_frame
from tests.browser.conftest import page_with_files, tree_ids
from tests.browser.conftest import select_in_viewer as select
from tests.browser.conftest import viewer_state as state
from tests.browser.test_viewer import expected_grey, native, on_screen
from tests.conftest import bundled
from tests.core.pixels.helpers import ct_series

SLICES = 40
#: Records, each time the viewer has drawn an instance (data-loaded set), what is on screen:
#: the frame drawn (its instance and the sum of its values), the status line and the corner;
#: and at every animation frame the image and the words about to be painted.
RECORD = """() => {
    const root = document.querySelector('[data-testid=viewer]');
    window.__drawn = [];
    new MutationObserver(() => {
        if (!root.dataset.loaded) return;
        const frame = window.dicomtab.viewer.model.frame;  // none when it could not be drawn
        let sum = 0;
        for (const v of frame ? frame.values : []) sum += v;
        window.__drawn.push({
            loaded: root.dataset.loaded, frame: frame && frame.instanceId, sum,
            status: root.querySelector('[data-testid=viewer-stack]').textContent,
            corner: root.querySelector('[data-testid=viewer-corner-tr]').textContent,
        });
    }).observe(root, {attributes: true, attributeFilter: ['data-loaded']});
    // And at every animation frame, what is about to be painted: the image and its words.
    window.__painted = [];
    const sample = () => {
        const frame = window.dicomtab.viewer.model.frame;
        if (frame) window.__painted.push({
            frame: frame.instanceId,
            status: root.querySelector('[data-testid=viewer-stack]').textContent,
            corner: root.querySelector('[data-testid=viewer-corner-tr]').textContent,
        });
        requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
}"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scroll")
    # Positions against instance numbers and names: the stack order is the core's, by position.
    positions = [float((n * 17) % SLICES) for n in range(SLICES)]
    paths = {f"slice{n}": p for n, p in enumerate(
        ct_series(folder, "slice-", "1.2.826.0.1.3680043.8.498.56.1", 3, positions, 7), 1)}
    # A short series whose third slice (by position) has half its pixel data.
    short = ct_series(folder, "short-", "1.2.826.0.1.3680043.8.498.56.3", 4, [0.0, 1.0, 2.0, 3.0, 4.0], 3)
    damaged = pydicom.dcmread(short[2])
    damaged.PixelData = damaged.PixelData[: len(damaged.PixelData) // 2]
    damaged.save_as(short[2])
    paths.update({f"short{n}": p for n, p in enumerate(short, 1)})
    other = pydicom.dcmread(bundled("CT_small.dcm"))
    other.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.56.2"
    paths["other"] = folder / "other.dcm"
    other.save_as(paths["other"])
    return paths


@pytest.fixture(scope="module")
def page(browser: Browser, site_url: str, files: dict[str, Path]) -> Iterator[Page]:
    with page_with_files(browser, site_url, list(files.values())) as page:
        page.evaluate(RECORD)
        yield page


@pytest.fixture(scope="module")
def ids(page: Page, files: dict[str, Path]) -> dict[str, str]:
    return tree_ids(page, files)


@pytest.fixture(scope="module")
def sums(files: dict[str, Path], ids: dict[str, str]) -> dict[str, int]:
    """Each slice's modality values summed, as the worker prepares them (here in CPython)."""
    out = {}
    for key, path in files.items():
        if key == "short3":
            continue  # damaged: no frame
        d = describe_frame(pydicom.dcmread(path), 0)
        out[ids[key]] = int(np.frombuffer(d.buffer, dtype="<i4").sum())
    return out


def stack_at_start(page: Page, ids: dict[str, str]) -> list[str]:
    """Show the series' first slice (in stack order) with the keys on the image, at 1:1."""
    select(page, ids["slice1"])
    page.wait_for_function(f"() => window.dicomtab.viewer.state.stack.ids.length === {SLICES}")
    order: list[str] = state(page)["stack"]["ids"]
    page.get_by_test_id("viewer-canvas").click()
    page.keyboard.press("Home")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", order[0])
    page.get_by_test_id("viewer-one-to-one").click()
    page.evaluate("window.__drawn = []; window.__painted = []")
    return order


def press_quickly(page: Page, key: str, times: int) -> None:
    """Press ``key`` ``times`` times without waiting for anything drawn in between."""
    for _ in range(times):
        page.keyboard.press(key)


def settle(page: Page, instance_id: str) -> list[dict[str, Any]]:
    """Wait until ``instance_id`` is drawn and a while longer (a stale answer would land
    then); what was drawn meanwhile. Every animation frame painted meanwhile that gave the
    image on screen a place in its series gave its own (while the selection ran ahead of it)."""
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", instance_id, timeout=30000)
    page.wait_for_timeout(600)
    order = state(page)["stack"]["ids"]
    painted = page.evaluate("window.__painted")
    assert painted
    for sample in painted:
        if len(order) > 1 and sample["frame"] in order:
            place = order.index(sample["frame"]) + 1
            status = re.search(r"Image (\d+) of (\d+)", sample["status"])
            corner = re.search(r"Slice (\d+)/(\d+)", sample["corner"])
            for said in (status, corner):
                assert said is None or said.groups() == (str(place), str(len(order))), sample
    return list(page.evaluate("window.__drawn"))


def assert_drawn_slices_are_what_they_say(drawn: list[dict[str, Any]], order: list[str],
                                          sums: dict[str, int]) -> None:
    for record in drawn:
        place = order.index(record["loaded"]) + 1
        # The frame drawn is the instance loaded, with that instance's values…
        assert record["frame"] == record["loaded"]
        assert record["sum"] == sums[record["loaded"]]
        # …and the status line and the corner give its own place in the series.
        assert record["status"].startswith(f"Image {place} of {SLICES} in the series"), record
        assert f"Slice {place}/{SLICES}" in record["corner"], record


def assert_on_screen_is(page: Page, path: Path) -> None:
    """The slice's values through the window in force, in the renderer and on the canvas."""
    st = state(page)
    d = describe_frame(pydicom.dcmread(path), 0)
    values = np.frombuffer(d.buffer, dtype="<i4").reshape(d.description["rows"], d.description["columns"])
    want = expected_grey(values, st, d.description)
    got = native(page)
    assert np.array_equal(got[..., 0], want), f"{np.count_nonzero(got[..., 0] != want)} pixels differ"
    assert st["zoom"] == 1
    shown = on_screen(page, *values.shape)
    assert np.array_equal(shown[..., 0], want), f"{np.count_nonzero(shown[..., 0] != want)} pixels differ on screen"


def test_held_arrow_key_ends_on_the_last_slice_asked_and_each_slice_drawn_is_itself(
        page: Page, ids: dict[str, str], files: dict[str, Path], sums: dict[str, int]) -> None:
    order = stack_at_start(page, ids)
    press_quickly(page, "ArrowDown", 30)
    drawn = settle(page, order[30])
    # Slices drawn on the way go down the series, one image at a time, ending on the 31st.
    places = [order.index(r["loaded"]) for r in drawn]
    assert places == sorted(places) and len(set(places)) == len(places), places
    assert places[-1] == 30 and 1 <= len(places) <= 30
    assert_drawn_slices_are_what_they_say(drawn, order, sums)
    st = state(page)
    assert (st["instanceId"], st["loaded"], st["stack"]["index"]) == (order[30], order[30], 30)
    by_id = {ids[key]: path for key, path in files.items()}
    assert_on_screen_is(page, by_id[order[30]])


def test_reversing_a_fast_scroll_leaves_no_stale_slice_on_screen(
        page: Page, ids: dict[str, str], files: dict[str, Path], sums: dict[str, int]) -> None:
    order = stack_at_start(page, ids)
    press_quickly(page, "ArrowDown", 12)
    press_quickly(page, "ArrowUp", 7)
    press_quickly(page, "PageDown", 2)
    drawn = settle(page, order[7])
    assert_drawn_slices_are_what_they_say(drawn, order, sums)
    assert drawn[-1]["loaded"] == order[7]
    st = state(page)
    assert (st["instanceId"], st["loaded"], st["stack"]["index"]) == (order[7], order[7], 7)
    by_id = {ids[key]: path for key, path in files.items()}
    assert_on_screen_is(page, by_id[order[7]])


def test_the_next_slice_is_prepared_while_one_is_looked_at(page: Page, ids: dict[str, str]) -> None:
    order = stack_at_start(page, ids)
    cached = "(id) => window.dicomtab.viewer.frames.has(id, 0)"
    page.keyboard.press("End")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", order[-1])
    # Slices no test has shown yet, going up from the end.
    assert not any(page.evaluate(cached, order[n]) for n in (-2, -3, -4))
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", order[-2])
    # The one after it, in the direction of the move, is asked for ahead and kept…
    page.wait_for_function(cached, arg=order[-3])
    misses = state(page)["cache"]["misses"]
    # …so the next press draws it without asking the worker (the only request is for the
    # slice after it, ahead again).
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", order[-3])
    page.wait_for_function(cached, arg=order[-4])
    assert state(page)["cache"]["misses"] == misses + 1


def test_choosing_another_image_during_a_fast_scroll_wins(page: Page, ids: dict[str, str]) -> None:
    stack_at_start(page, ids)
    # A click can land between two repeats of a held key, while slices are still wanted;
    # Playwright's round trips are slower than that, so the keys and the click are dispatched
    # in one go, in the page.
    page.evaluate(
        """(other) => {
            const stage = document.querySelector('[data-testid=viewer-stage]');
            for (let n = 0; n < 15; n++) {
                stage.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true}));
            }
            document.querySelector(`[data-testid=tree-instance][data-instance-id="${other}"]`).click();
        }""",
        ids["other"])
    settle(page, ids["other"])
    st = state(page)
    assert (st["instanceId"], st["loaded"]) == (ids["other"], ids["other"])
    assert st["stack"]["ids"] == [ids["other"]]
    assert page.evaluate("window.dicomtab.viewer.model.frame.instanceId") == ids["other"]


def test_a_damaged_slice_scrolled_past_or_onto_says_so_and_the_scroll_goes_on(
        page: Page, ids: dict[str, str], files: dict[str, Path]) -> None:
    select(page, ids["short1"])
    page.wait_for_function("() => window.dicomtab.viewer.state.stack.ids.length === 5")
    order = state(page)["stack"]["ids"]
    assert order == [ids[f"short{n}"] for n in range(1, 6)]
    page.get_by_test_id("viewer-canvas").click()
    page.get_by_test_id("viewer-one-to-one").click()
    error = page.get_by_test_id("viewer-error")
    # Past it (its frame asked for ahead fails unseen): the last slice, no error.
    press_quickly(page, "ArrowDown", 4)
    settle(page, order[4])
    expect(error).to_be_hidden()
    assert_on_screen_is(page, files["short5"])
    # Onto it: its error, no image (and no stale one), its own place in the series.
    press_quickly(page, "ArrowUp", 2)
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", order[2])
    expect(error).to_be_visible()
    expect(error).to_contain_text("truncated or corrupt")
    st = state(page)
    assert st["frameIndex"] is None and st["error"]
    expect(page.get_by_test_id("viewer-stack")).to_contain_text("Image 3 of 5")
    # And on: the next slice is drawn, the error gone.
    page.keyboard.press("ArrowDown")
    settle(page, order[3])
    expect(error).to_be_hidden()
    assert_on_screen_is(page, files["short4"])
