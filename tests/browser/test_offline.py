"""After one visit the app starts and works with the network unplugged, images and PDFs included."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import attach_logging, open_files
from tests.browser.test_viewer_pdf import RECTANGLE, encapsulated, pdf_document
from tests.conftest import bundled
from tests.deid_runs import KEY_TEXT


def test_works_offline_after_the_first_visit(
    context: BrowserContext, site_url: str, page_errors: list, tmp_path: Path
) -> None:
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
    # numpy and the WebAssembly codecs come from the offline copy too: a JPEG 2000 image shows.
    decoders = {row["transferSyntax"]: row["codec"] for row in page.evaluate("window.dicomtab.pixelsReady")}
    assert decoders["1.2.840.10008.1.2.4.90"] and decoders["1.2.840.10008.1.2.4.201"]
    open_files(page, [bundled("MR_small_jp2klossless.dcm")], expect_total=2)
    page.get_by_test_id("tree-instance").filter(has_text="MR_small_jp2klossless.dcm").click()
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i2", timeout=30000)
    expect(page.get_by_test_id("viewer-error")).to_be_hidden()
    # pdf.js too, though the app never loaded it while online: a PDF's page is drawn.
    encapsulated(tmp_path / "report.dcm", pdf_document([RECTANGLE]), 7)
    open_files(page, [tmp_path / "report.dcm"], expect_total=3)
    page.get_by_test_id("tree-instance").filter(has_text="report.dcm").click()
    expect(page.get_by_test_id("viewer-pdf")).to_have_attribute("data-drawn", "all", timeout=30000)
    # De-identification too: the ZIP writer comes from the offline copy.
    result = page.evaluate("""(key) => window.dicomtab.deidentify({profile: 'basic', key, output: 'zip'})
        .then((r) => r.counts)""", KEY_TEXT)
    assert (result["in"], result["written"], result["failed"]) == (3, 3, 0)
    assert served and all(from_sw for _, from_sw in served), served
    assert any("/zip/client-zip.js" in url for url, _ in served)
    assert any("/codecs/openjpegwasm_decode.wasm" in url for url, _ in served)
    assert any("/pdfjs/pdf.worker.min.mjs" in url for url, _ in served)
    expect(page.get_by_test_id("privacy-status")).to_contain_text("works offline")
