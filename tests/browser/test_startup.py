"""Start-up: Python comes from the build's memory snapshot, and works without it too."""

from __future__ import annotations

import gzip

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.conftest import attach_logging, open_files
from tests.conftest import bundled


def _summary_works(page: Page) -> None:
    open_files(page, [bundled("CT_small.dcm")], expect_total=1)
    item = page.get_by_test_id("instance")
    expect(item.locator('dd[data-field="Patient ID"]')).to_have_text("1CT1")
    expect(item.locator('dd[data-field="Image"]')).to_have_text("128 × 128, 1 frame")
    assert page.evaluate("window.dicomtab.instances()")[0]["instanceId"] == "i1"


def test_python_is_restored_from_the_snapshot(app: Page) -> None:
    info = app.evaluate("window.dicomtab.ready")
    assert info["timings"]["snapshot"] is True
    _summary_works(app)


SNAPSHOT = "**/pyodide/snapshot-*.bin.gz"


@pytest.mark.parametrize(
    ("pattern", "answer"),
    [
        (SNAPSHOT, {"status": 404, "body": b"not here"}),
        # Served, but not the build's bytes: must be refused before Pyodide sizes memory by it.
        (SNAPSHOT, {"status": 200, "body": gzip.compress(bytes(4096) + b"not a snapshot" * 100)}),
    ],
    ids=["missing", "damaged"],
)
def test_python_starts_without_a_usable_snapshot(
    context: BrowserContext, site_url: str, page_errors: list, pattern: str, answer: dict
) -> None:
    context.route(pattern, lambda route: route.fulfill(**answer))
    warnings: list[str] = []
    page = context.new_page()
    attach_logging(page, page_errors)
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto(site_url)
    info = page.evaluate("window.dicomtab.ready")
    assert info["timings"]["snapshot"] is False
    assert any("starting Python without the start-up snapshot" in w for w in warnings), warnings
    _summary_works(page)


def test_site_packages_is_fetched_again_if_the_helper_fails(
    context: BrowserContext, site_url: str, page_errors: list
) -> None:
    """The helper worker's download fails once; the Python worker fetches the archive itself."""
    answered: list[int] = []

    def fail_once(route: Route) -> None:
        answered.append(404 if not answered else 200)
        if answered[-1] == 404:
            route.fulfill(status=404, body=b"not now")
        else:
            route.continue_()

    context.route("**/pyodide/site-packages-*.tar.gz", fail_once)
    page = context.new_page()
    attach_logging(page, page_errors)
    page.goto(site_url)
    assert page.evaluate("window.dicomtab.ready")["timings"]["snapshot"] is True
    assert answered[:2] == [404, 200]
    _summary_works(page)
