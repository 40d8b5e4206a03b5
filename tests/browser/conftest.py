"""Browser fixtures: the built site on localhost, driven in headless Chromium by Playwright.

Uses Debian's /usr/bin/chromium when present (CI, this project's machines), else the
Chromium that ``playwright install chromium`` provides. The page's console is printed into
the test output, and any uncaught page error fails the test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
#: The built site under test; DICOMTAB_SITE names another build (e.g. one made with --out).
DIST = Path(os.environ.get("DICOMTAB_SITE", ROOT / "dist"))
sys.path.insert(0, str(ROOT / "build"))
from serve import serve_in_thread  # noqa: E402

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium's own background traffic hits the closed network and adds noise.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]
if os.geteuid() == 0:
    CHROMIUM_ARGS.append("--no-sandbox")

RESULT_ITEMS = "[data-testid=instance], [data-testid=problem]"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    assert (DIST / "index.html").exists(), "dist/ is not built: run ./dev build (./dev test does it)"
    server, url = serve_in_thread(DIST)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Service workers' own requests are reported only with this switch.
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    with sync_playwright() as playwright:
        executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


def attach_logging(page: Page, errors: list[str]) -> None:
    page.on("console", lambda message: print(f"[console.{message.type}] {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    errors: list[str] = []
    yield errors
    assert errors == [], f"uncaught errors in the page: {errors}"


def load_app(context: BrowserContext, site_url: str, page_errors: list[str]) -> Page:
    """A new page with the app loaded: Python ready, numpy and the image codecs in.

    Waiting for the codecs too keeps the tests' timings about the request under test: while
    numpy loads (just after "ready"), the worker answers other requests with some delay.
    """
    page = context.new_page()
    attach_logging(page, page_errors)
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
    return page


@pytest.fixture
def app(context: BrowserContext, site_url: str, page_errors: list[str]) -> Page:
    """A page with the app loaded (:func:`load_app`)."""
    return load_app(context, site_url, page_errors)


@contextmanager
def page_with_files(browser: Browser, site_url: str, paths: list[Path], *,
                    viewport: tuple[int, int] = (1280, 900)) -> Iterator[Page]:
    """A page of its own (for a module's tests) with the app ready and ``paths`` opened
    through the file input, in that order; fails if the page raised an uncaught error."""
    context = browser.new_context(accept_downloads=True, viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []
    page = load_app(context, site_url, errors)
    page.get_by_test_id("file-input").set_input_files([str(p) for p in paths])
    expect(page.get_by_test_id("tree-instance")).to_have_count(len(paths), timeout=60000)
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


def open_files(page: Page, paths: list[Path], *, expect_total: int) -> None:
    """Choose files in the file input, as a user does, and wait for all their results."""
    page.get_by_test_id("file-input").set_input_files([str(p) for p in paths])
    expect(page.locator(RESULT_ITEMS)).to_have_count(expect_total, timeout=30000)


def drop_folder(page: Page, folder: Path, *, at: tuple[float, float] = (300, 300)) -> None:
    """Drag ``folder`` from the desktop onto the page at ``at`` and drop it, as the browser
    delivers a real drag (DevTools' Input.dispatchDragEvent): the page gets the folder as a
    directory entry to walk, which no script-made DataTransfer can hold."""
    session = page.context.new_cdp_session(page)
    data = {"items": [], "files": [str(folder)], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        session.send("Input.dispatchDragEvent", {"type": kind, "x": at[0], "y": at[1], "data": data})
    session.detach()


def tree_ids(page: Page, files: dict[str, Path]) -> dict[str, str]:
    """Instance id of each opened file, by key, from the study tree (labels end in the name)."""
    by_label = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid=tree-instance]')]
            .map((n) => [n.textContent, n.getAttribute('data-instance-id')]))"""
    )
    out = {}
    for key, path in files.items():
        matches = [i for text, i in by_label.items() if text.split(" ")[-1].startswith(path.name)]
        assert len(matches) == 1, (key, by_label)
        out[key] = matches[0]
    return out


def select_in_viewer(page: Page, instance_id: str) -> None:
    """Click the instance in the study tree and wait until the viewer has drawn it."""
    page.locator(f'[data-testid=tree-instance][data-instance-id="{instance_id}"]').click()
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", instance_id, timeout=30000)


def download(page: Page, test_id: str, *, confirm: bool = False) -> tuple[str, bytes]:
    """Click the control and return the download's suggested name and bytes; ``confirm``:
    answer "Download" to the question the page asks first when the download may identify the
    patient."""
    with page.expect_download() as info:
        page.get_by_test_id(test_id).click()
        if confirm:
            page.get_by_test_id("export-confirm-download").click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def viewer_state(page: Page) -> dict[str, Any]:
    """What the viewer shows (`window.dicomtab.viewer.state`, see web/app/page/viewer/state.js)."""
    return dict(page.evaluate("window.dicomtab.viewer.state"))


def canvas_point(page: Page, row: float, column: float) -> tuple[float, float]:
    """Page coordinates (CSS pixels) of an image point (column x, row y)."""
    return tuple(page.evaluate(
        """([row, column]) => {
            const viewer = window.dicomtab.viewer;
            const p = viewer.matrix().transformPoint(new DOMPoint(column, row));
            const rect = viewer.canvas.getBoundingClientRect();
            return [rect.left + p.x * rect.width / viewer.canvas.width, rect.top + p.y * rect.height / viewer.canvas.height];
        }""",
        [row, column],
    ))
