"""The first screen: what dicomtab is, its three tasks each opening files into that task, the
sticky privacy header, and files dropped anywhere on the page; at the two common screen sizes."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import load_app
from tests.conftest import bundled

VIEWPORTS = [(1280, 800), (1920, 1080)]
TASK_BUTTONS = [
    "task-view-files", "task-view-folder", "task-inspect-files", "task-inspect-folder",
    "task-deid-files", "task-deid-folder", "task-verify-files",
]


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def screen(request: pytest.FixtureRequest, browser: Browser, site_url: str) -> Iterator[Page]:
    """The app, loaded and ready, in a window of the given size; no file open."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    errors: list[str] = []
    page = load_app(context, site_url, errors)
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


def in_viewport(page: Page, test_id: str) -> bool:
    """Whether the element's top edge is on screen, below the sticky header."""
    return bool(page.get_by_test_id(test_id).evaluate(
        """(node) => {
            const top = node.getBoundingClientRect().top;
            const header = document.querySelector('header').getBoundingClientRect().bottom;
            return top >= header - 1 && top < window.innerHeight;
        }"""
    ))


def pick(page: Page, test_id: str, files: list[Path] | Path) -> None:
    """Press a card's button and choose ``files`` (or a folder) in the picker it opens."""
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id(test_id).click()
    chooser.value.set_files(files if isinstance(files, list) else str(files))


def canvas_greys(page: Page) -> int:
    """How many different grey levels the viewer's canvas shows (a drawn image has many)."""
    return int(page.evaluate(
        """() => {
            const canvas = window.dicomtab.viewer.canvas;
            const bytes = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            const seen = new Set();
            for (let i = 0; i < bytes.length; i += 4) seen.add(bytes[i]);
            return seen.size;
        }"""
    ))


def test_first_screen_says_what_it_is_and_offers_three_tasks(screen: Page) -> None:
    expect(screen.get_by_test_id("tagline")).to_have_text(
        "A DICOM viewer, tag inspector and de-identifier that runs entirely in this tab: "
        "nothing is uploaded.")
    for task, title in [("view", "View"), ("inspect", "Inspect"), ("deid", "De-identify")]:
        card = screen.get_by_test_id(f"task-{task}")
        expect(card).to_be_visible()
        expect(card.get_by_role("heading")).to_have_text(title)
        expect(screen.get_by_role("button", name=f"{title}: open files…")).to_be_visible()
        expect(screen.get_by_role("button", name=f"{title}: open a folder…")).to_be_visible()
        # The whole card fits on the first screen, side by side with the others.
        box = card.bounding_box()
        assert box is not None and box["y"] + box["height"] <= screen.viewport_size["height"]
    tops = {screen.get_by_test_id(f"task-{t}").bounding_box()["y"] for t in ("view", "inspect", "deid")}  # type: ignore[index]
    assert len(tops) == 1
    expect(screen.get_by_role("button", name="Verify de-identified files…")).to_be_visible()
    expect(screen.get_by_test_id("privacy-status")).to_contain_text("network requests since the app loaded")
    # The controls for files already open wait until there are some.
    expect(screen.get_by_test_id("open-bar")).to_be_hidden()
    expect(screen.get_by_test_id("viewer")).to_be_hidden()


def test_view_opens_files_into_the_viewer(screen: Page) -> None:
    pick(screen, "task-view-files", [bundled("CT_small.dcm"), bundled("MR_small.dcm")])
    expect(screen.get_by_test_id("tree-instance")).to_have_count(2, timeout=60000)
    expect(screen.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i1", timeout=30000)
    assert canvas_greys(screen) > 50
    expect(screen.get_by_test_id("viewer-stage")).to_be_focused()
    assert in_viewport(screen, "viewer")
    # The first screen has made way for the files; the bar to open more is there.
    expect(screen.get_by_test_id("first-screen")).to_be_hidden()
    expect(screen.get_by_test_id("open-bar")).to_be_visible()


def test_inspect_opens_a_folder_into_the_tag_table(screen: Page, tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(bundled("CT_small.dcm"), folder / "ct.dcm")
    pick(screen, "task-inspect-folder", folder)
    expect(screen.get_by_test_id("inspector")).to_have_attribute("data-loaded", "i1", timeout=60000)
    expect(screen.get_by_test_id("inspector-title")).to_have_text("study/ct.dcm")
    expect(screen.locator('[data-testid=tag-row][data-path="00100010"] [data-col=value]')).to_have_text(
        "CompressedSamples^CT1")
    expect(screen.get_by_test_id("tag-search")).to_be_focused()
    assert in_viewport(screen, "inspector")


def test_deidentify_opens_files_into_the_panel_with_them_in_scope(screen: Page) -> None:
    files = [bundled("CT_small.dcm"), bundled("MR_small.dcm"), bundled("rtplan.dcm")]
    pick(screen, "task-deid-files", files)
    expect(screen.get_by_test_id("deid-panel")).to_be_visible(timeout=60000)
    expect(screen.get_by_test_id("deid-scope")).to_contain_text("3 of 3 instances selected", timeout=30000)
    expect(screen.get_by_test_id("deid-open")).to_have_attribute("aria-expanded", "true")
    assert in_viewport(screen, "deid-panel")


def test_verify_opens_files_into_the_verify_panel(screen: Page) -> None:
    pick(screen, "task-verify-files", [bundled("CT_small.dcm")])
    expect(screen.get_by_test_id("verify-panel")).to_be_visible(timeout=60000)
    expect(screen.get_by_test_id("verify-open")).to_have_attribute("aria-expanded", "true")
    expect(screen.get_by_test_id("deid-panel")).to_be_hidden()


def test_header_stays_in_view_at_the_bottom_of_the_page(screen: Page) -> None:
    pick(screen, "task-deid-files", [bundled("CT_small.dcm"), bundled("MR_small.dcm")])
    expect(screen.get_by_test_id("deid-panel")).to_be_visible(timeout=60000)
    # Tall enough to scroll: the panel, then the panes (which fill a window's height).
    height = screen.evaluate("document.documentElement.scrollHeight")
    assert height > 1.5 * screen.viewport_size["height"]  # type: ignore[index]
    # Scrolled to the bottom again on each try: the page may still grow as the files load.
    screen.wait_for_function("""() => { window.scrollTo(0, document.documentElement.scrollHeight);
        return window.scrollY > 0 && window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1; }""")
    status = screen.get_by_test_id("privacy-status")
    box = status.bounding_box()
    assert box is not None and 0 <= box["y"] < 60
    # On top of the page, not under it: the status line is what is hit at its place.
    assert screen.evaluate(
        """() => { const r = document.querySelector('[data-testid=privacy-status]').getBoundingClientRect();
            return document.elementFromPoint(r.left + 5, r.top + r.height / 2)?.closest('header') !== null; }""")
    expect(status).to_contain_text("network requests since the app loaded")


def _transfer(page: Page, path: Path, name: str) -> object:
    data = base64.b64encode(path.read_bytes()).decode()
    return page.evaluate_handle(
        f"""() => {{ const t = new DataTransfer();
            t.items.add(new File([Uint8Array.from(atob('{data}'), c => c.charCodeAt(0))], {name!r}));
            return t; }}"""
    )


def test_drop_anywhere_shows_the_overlay_and_opens_the_files(screen: Page) -> None:
    transfer = _transfer(screen, bundled("MR_small.dcm"), "dropped.dcm")
    overlay = screen.get_by_test_id("drop-overlay")
    expect(overlay).to_be_hidden()
    # Dragged over the page: the overlay says what a drop does.
    screen.get_by_test_id("tagline").dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("never uploaded")
    screen.locator("header h1").dispatch_event("drop", {"dataTransfer": transfer})
    expect(overlay).to_be_hidden()
    expect(screen.get_by_test_id("tree-instance")).to_have_count(1, timeout=60000)
    expect(screen.get_by_test_id("instance").locator("h3")).to_have_text("dropped.dcm")
    expect(screen.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i1", timeout=30000)


def test_drag_leaving_the_page_hides_the_overlay(screen: Page) -> None:
    transfer = _transfer(screen, bundled("CT_small.dcm"), "a.dcm")
    screen.get_by_test_id("task-view").dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(screen.get_by_test_id("drop-overlay")).to_be_visible()
    screen.get_by_test_id("task-view").dispatch_event("dragleave", {"dataTransfer": transfer})
    expect(screen.get_by_test_id("drop-overlay")).to_be_hidden()
    expect(screen.get_by_test_id("tree-instance")).to_have_count(0)


def test_drop_on_a_card_opens_into_its_task(screen: Page) -> None:
    transfer = _transfer(screen, bundled("CT_small.dcm"), "ct.dcm")
    screen.get_by_test_id("task-deid").locator("p").dispatch_event("drop", {"dataTransfer": transfer})
    expect(screen.get_by_test_id("deid-panel")).to_be_visible(timeout=60000)
    expect(screen.get_by_test_id("deid-scope")).to_contain_text("1 of 1 instances selected", timeout=30000)


def test_dropping_a_file_that_is_not_dicom_keeps_the_first_screen(screen: Page) -> None:
    transfer = screen.evaluate_handle(
        "() => { const t = new DataTransfer(); t.items.add(new File(['not dicom'], 'x.txt')); return t; }")
    screen.get_by_test_id("task-view").dispatch_event("drop", {"dataTransfer": transfer})
    expect(screen.get_by_test_id("problem")).to_contain_text("x.txt is not a DICOM file")
    expect(screen.get_by_test_id("first-screen")).to_be_visible()
    expect(screen.get_by_test_id("viewer")).to_be_hidden()


def test_tab_reaches_each_task_button_with_a_visible_focus(screen: Page) -> None:
    reached = []
    for _ in range(20):
        screen.keyboard.press("Tab")
        test_id = screen.evaluate("document.activeElement?.getAttribute('data-testid')")
        if test_id in TASK_BUTTONS:
            reached.append(test_id)
            outline = screen.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", test_id
        if len(reached) == len(TASK_BUTTONS):
            break
    assert reached == TASK_BUTTONS
    # Enter and Space press the focused button (its click opens the picker; the pickers are
    # tested through clicks above: a key Playwright sends is not always the user activation a
    # file picker needs).
    for key, test_id in (("Enter", "task-inspect-files"), ("Space", "task-view-files")):
        screen.evaluate("""(id) => { window.__pressed = null;
            document.querySelector(`[data-testid=${id}]`).addEventListener(
                'click', (event) => { window.__pressed = id; event.preventDefault(); }, {once: true}); }""",
                        test_id)
        screen.get_by_test_id(test_id).focus()
        screen.keyboard.press(key)
        screen.wait_for_function("(id) => window.__pressed === id", arg=test_id)


def test_close_all_files_brings_the_first_screen_back(screen: Page) -> None:
    pick(screen, "task-view-files", [bundled("CT_small.dcm")])
    expect(screen.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i1", timeout=60000)
    expect(screen.get_by_test_id("first-screen")).to_be_hidden()
    screen.once("dialog", lambda dialog: dialog.accept())
    screen.get_by_test_id("close-all").click()
    screen.wait_for_load_state()
    screen.evaluate("window.dicomtab.ready")
    expect(screen.get_by_test_id("first-screen")).to_be_visible()
    expect(screen.get_by_test_id("task-view-files")).to_be_enabled()
    expect(screen.get_by_test_id("tree-instance")).to_have_count(0)
