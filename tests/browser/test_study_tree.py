"""The study tree of a folder too large to be whole in the page: only the rows near the view
exist, and every instance stays reachable by keyboard, by scrolling and by its ARIA position."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import load_app, open_files
from tests.conftest import bundled

#: Two series: 260 slices and 60 (the tree is made whole up to 200 rows: these are more).
SERIES = {1: 260, 2: 60}
#: The most instance rows the tree may hold in the page at once for this folder (the rows in
#: view and as many again on each side, at 1280 x 800: about 90; the selected one besides).
MOST_ROWS = 140
ROWS = "[data-testid=tree-instance]"


def label(series: int, number: int) -> str:
    return f"#{number} CT tree/s{series}/{number:03d}.dcm"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small CT slices with synthetic PHI, each series in a folder of its own, and a file that
    is not DICOM among them (skipped: the tree does not list it)."""
    root = tmp_path_factory.mktemp("big") / "tree"
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.Rows = ds.Columns = 8
    ds.PixelData = bytes(8 * 8 * 2)
    ds.PatientName = "DOE^JANE"
    for series, count in SERIES.items():
        (root / f"s{series}").mkdir(parents=True)
        ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.61.{series}"
        ds.SeriesNumber = series
        # Written last to first: the tree orders by instance number, not by arrival.
        for number in range(count, 0, -1):
            ds.InstanceNumber = number
            ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.62.{series}.{number}"
            ds.save_as(root / f"s{series}" / f"{number:03d}.dcm", enforce_file_format=True)
    (root / "s1" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture(scope="module")
def page(browser: Browser, site_url: str, folder: Path) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page = load_app(context, site_url, errors)
    page.get_by_test_id("folder-input").set_input_files(str(folder))
    counts = page.get_by_test_id("tree-series").locator(":scope > summary > .count")
    expect(counts).to_have_text([f"{n} instances" for n in SERIES.values()], timeout=120000)
    expect(page.get_by_test_id("opening")).to_be_hidden(timeout=60000)
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


def rows_in_page(page: Page) -> int:
    return page.locator(ROWS).count()


def test_only_the_rows_near_the_view_are_in_the_page(page: Page) -> None:
    total = sum(SERIES.values())
    assert 10 < rows_in_page(page) <= MOST_ROWS < total
    # The list keeps the height of all its rows, so the pane scrolls over the whole series.
    first_row = page.locator(ROWS).first
    expect(first_row).to_have_text(label(1, 1))
    height = first_row.evaluate("(r) => r.getBoundingClientRect().height")
    lists = page.locator("[data-testid=tree-series] > ul[role=group]")
    assert lists.nth(0).evaluate("(l) => l.getBoundingClientRect().height") == pytest.approx(260 * height, abs=1)


def test_file_summaries_are_made_for_the_first_files_and_the_rest_once_opened(page: Page) -> None:
    """A card in "File summaries" is ~30 elements: the first 200 files get theirs as they
    open, the others when the section is opened, all in the order the files opened."""
    cards = page.get_by_test_id("instance")
    expect(cards).to_have_count(200)
    section = page.locator("details.summaries")
    section.locator("summary").click()
    expect(cards).to_have_count(320)
    opened = [s["fileName"] for s in page.evaluate("window.dicomtab.instances()")]
    assert cards.locator("h3").all_text_contents() == opened
    section.locator("summary").click()
    expect(section).not_to_have_attribute("open", "")


def test_the_compare_list_is_made_whole_once_the_user_reaches_for_it(page: Page) -> None:
    """Thousands of options slow every layout of the page: beyond 200 open files, the
    inspector's compare-with list holds the default choice until it is focused."""
    options = page.locator("#compare-with option")
    expect(options).to_have_count(1)
    toggle = page.get_by_test_id("tags-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.get_by_test_id("compare-with").focus()
    expect(options).to_have_count(320)
    opened = [s["fileName"] for s in page.evaluate("window.dicomtab.instances()")]
    assert options.all_text_contents() == opened


def test_rows_carry_their_place_for_assistive_technology(page: Page) -> None:
    tree = page.locator("[role=tree]")
    expect(tree).to_have_count(1)
    patient = page.locator("[data-testid=tree-patient] > summary")
    expect(patient).to_have_attribute("role", "treeitem")
    expect(patient).to_have_attribute("aria-level", "1")
    expect(patient).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[data-testid=tree-study] > summary")).to_have_attribute("aria-level", "2")
    series = page.locator("[data-testid=tree-series] > summary")
    expect(series.nth(1)).to_have_attribute("aria-level", "3")
    expect(series.nth(1)).to_have_attribute("aria-posinset", "2")
    expect(series.nth(1)).to_have_attribute("aria-setsize", "2")
    for row in page.locator(ROWS).all()[:20]:
        number = int((row.text_content() or "").split(" ")[0][1:])
        expect(row).to_have_attribute("role", "treeitem")
        expect(row).to_have_attribute("aria-level", "4")
        expect(row).to_have_attribute("aria-setsize", "260")
        expect(row).to_have_attribute("aria-posinset", str(number))


def test_the_keyboard_reaches_every_instance(page: Page) -> None:
    """↓ from the first row walks all 320 instances in tree order (across the series), the
    page holding no more rows than near the view; End and Home go to the last and first."""
    page.evaluate("""() => {
        window.__walk = []; window.__most = 0;
        document.querySelector('[data-testid=study-tree]').addEventListener('focusin', (e) => {
          window.__walk.push(e.target.textContent);
          window.__most = Math.max(window.__most, document.querySelectorAll('[data-testid=tree-instance]').length);
        });
    }""")
    page.locator(ROWS).first.focus()
    for _ in range(sum(SERIES.values()) - 1):
        page.keyboard.press("ArrowDown")
    expected = [label(s, n) for s, count in SERIES.items() for n in range(1, count + 1)]
    assert page.evaluate("window.__walk") == expected
    assert page.evaluate("window.__most") <= MOST_ROWS
    focused = page.locator(f"{ROWS}:focus")
    expect(focused).to_have_text(label(2, 60))
    expect(focused).to_be_in_viewport()
    page.keyboard.press("Home")
    expect(focused).to_have_text(label(1, 1))
    expect(focused).to_be_in_viewport()
    page.keyboard.press("End")
    expect(focused).to_have_text(label(2, 60))
    # Enter shows it.
    chosen = focused.get_attribute("data-instance-id")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", chosen or "", timeout=30000)
    expect(focused).to_have_attribute("aria-selected", "true")


def test_scrolling_brings_rows_in_and_the_selected_one_stays(page: Page) -> None:
    pane = page.get_by_test_id("study-tree")
    pane.evaluate("(p) => p.scrollTo(0, 0)")
    first = page.locator(ROWS).filter(has_text=label(1, 1))
    first.click()
    expect(first).to_have_attribute("aria-selected", "true")
    middle = page.locator(ROWS).filter(has_text=label(1, 150))
    expect(middle).to_have_count(0)
    # The wheel over the tree, as a user scrolls, until the 150th slice is in view.
    box = pane.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(60):
        if middle.count() and middle.evaluate(
                "(r) => { const a = r.getBoundingClientRect(), p = r.closest('nav').getBoundingClientRect();"
                " return a.top >= p.top && a.bottom <= p.bottom; }"):
            break
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(50)
    expect(middle).to_be_in_viewport()
    assert rows_in_page(page) <= MOST_ROWS
    # The first slice, far above the view, is still in the page: it is the selected one.
    expect(first).to_have_attribute("aria-selected", "true")
    middle.click()
    expect(page.get_by_test_id("viewer")).to_have_attribute(
        "data-loaded", middle.get_attribute("data-instance-id") or "", timeout=30000)
    expect(page.locator(f"{ROWS}[aria-selected=true]")).to_have_count(1)


def test_a_row_scrolled_to_closes_and_its_series_count_follows(page: Page) -> None:
    page.get_by_test_id("study-tree").evaluate("(p) => p.scrollTo(0, p.scrollHeight)")
    last = page.locator(ROWS).filter(has_text=label(2, 60))
    expect(last).to_be_in_viewport()
    last.get_by_role("button", name="Close this file").click()
    expect(last).to_have_count(0)
    counts = page.get_by_test_id("tree-series").locator(":scope > summary > .count")
    expect(counts).to_have_text(["260 instances", "59 instances"])
    # The focus goes to the selected row (slice 150, far above), brought into view.
    selected = page.locator(f"{ROWS}[aria-selected=true]")
    expect(selected).to_have_text(label(1, 150))
    expect(selected).to_be_focused()
    expect(selected).to_be_in_viewport()
    page.get_by_test_id("study-tree").evaluate("(p) => p.scrollTo(0, p.scrollHeight)")
    expect(page.locator(ROWS).filter(has_text=label(2, 59))).to_have_attribute("aria-setsize", "59")


def test_a_folded_series_holds_no_rows_and_the_keys_skip_it(page: Page) -> None:
    page.get_by_test_id("study-tree").evaluate("(p) => p.scrollTo(0, 0)")
    big = page.locator("[data-testid=tree-series] > summary").first
    big.click()
    expect(big).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"[data-testid=tree-series]:first-of-type {ROWS}")).to_have_count(0)
    expect(page.locator(ROWS).first).to_have_text(label(2, 1))
    page.locator(ROWS).first.focus()
    page.keyboard.press("Home")
    expect(page.locator(f"{ROWS}:focus")).to_have_text(label(2, 1))
    big.click()
    expect(big).to_have_attribute("aria-expanded", "true")
    expect(page.locator(ROWS).first).to_have_text(label(1, 1))


def test_a_series_growing_in_view_is_previewed_once_while_it_streams_in_then_again(
        browser: Browser, site_url: str, folder: Path) -> None:
    """Each preview costs the worker a frame: a series keeps the one it has while its files
    come in, and gets the preview of all of them once they are in."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Every request the page sends the worker, by type, counted as it leaves the page.
    context.add_init_script("""
        window.__asked = [];
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function (message, ...rest) {
          if (message && message.type) window.__asked.push(message.type);
          return post.call(this, message, ...rest);
        };""")
    errors: list[str] = []
    page = load_app(context, site_url, errors)
    page.get_by_test_id("folder-input").set_input_files(str(folder / "s1"))
    expect(page.get_by_test_id("tree-series").locator(":scope > summary > .count")).to_have_text(
        ["260 instances"], timeout=120000)
    expect(page.get_by_test_id("opening")).to_be_hidden(timeout=60000)
    preview = page.get_by_test_id("series-preview")
    expect(preview).to_have_attribute("data-state", "drawn", timeout=30000)
    asked = page.evaluate("window.__asked")
    assert asked.count("open") > 10  # the files came in many requests, many tree updates
    # one while they came in (the first files), one for all 260 at the end
    assert 1 <= asked.count("series-preview") <= 2, asked
    assert preview.get_attribute("data-preview-ids").count('"') == 2 * 260
    context.close()
    assert errors == []


def test_a_preview_keeps_its_box_whatever_the_image_shape(app: Page) -> None:
    """A tall image's preview is drawn narrower than the canvas made for it; its box stays
    64 × 64, so the rows below do not move when it comes."""
    open_files(app, [bundled("CT_small.dcm"), bundled("JPEG2000.dcm")], expect_total=2)
    previews = app.get_by_test_id("series-preview")
    expect(previews).to_have_count(2)
    for k in range(2):
        expect(previews.nth(k)).to_have_attribute("data-state", "drawn", timeout=30000)
    sizes = previews.evaluate_all("(cs) => cs.map((c) => [c.width, c.height])")
    assert sorted(sizes) == [[16, 64], [64, 64]], sizes
    for k in range(2):
        box = previews.nth(k).bounding_box()
        assert box is not None and (box["width"], box["height"]) == (64, 64), box
