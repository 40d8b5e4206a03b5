"""After one visit the app starts and works with the network unplugged."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import attach_logging, open_files
from tests.conftest import bundled


def test_works_offline_after_the_first_visit(context: BrowserContext, site_url: str, page_errors: list) -> None:
    page = context.new_page()
    attach_logging(page, page_errors)
    page.goto(site_url)
    assert page.evaluate("window.dicomtab.offline") == "ready"
    page.evaluate("window.dicomtab.ready")

    context.set_offline(True)
    served = []
    page.on("response", lambda r: served.append((r.url, r.from_service_worker)))
    page.reload()
    page.evaluate("window.dicomtab.ready")
    open_files(page, [bundled("CT_small.dcm")], expect_total=1)
    expect(page.get_by_test_id("instance").locator('dd[data-field="Modality"]')).to_have_text("CT")
    assert served and all(from_sw for _, from_sw in served), served
    expect(page.get_by_test_id("privacy-status")).to_contain_text("works offline")
