"""The study PHI report, as a user opens and reads it: several files through the file input
(a damaged and a non-DICOM one among them), the report from the inspector, a row's values
expanded with a click or the keyboard, CSV and HTML downloads, at 1280×800 and 1920×1080."""

from __future__ import annotations

import csv
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dicomtab.cli.main import main as cli_main
from tests.browser.conftest import attach_logging, download, open_files
from tests.conftest import bundled
from tests.core.inspect.conftest import MARKUP
from tests.damaged_set import ROOT, phi_file

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 1920, "height": 1080}]


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def page(request: pytest.FixtureRequest, browser: Browser, site_url: str,
         page_errors: list[str]) -> Page:
    context = browser.new_context(accept_downloads=True, viewport=request.param)
    request.addfinalizer(context.close)
    page = context.new_page()
    attach_logging(page, page_errors)
    page.goto(site_url)
    page.evaluate("window.dicomtab.ready")
    return page


def _write_set(folder: Path) -> list[Path]:
    """Jane Doe's head CT (3 files, one with burned-in text and markup in its description),
    Mary Roe's study, a truncated MR and a text file."""
    files = {
        "jane-1.dcm": phi_file("3", BodyPartExamined=("CS", "HEAD")),
        "jane-2.dcm": phi_file("4", StudyDescription=("LO", MARKUP)),
        "jane-3.dcm": phi_file("5", BurnedInAnnotation=("CS", "YES")),
        "mary-1.dcm": phi_file("6", PatientName=("PN", "ROE^MARY"), PatientID=("LO", "PID-9902"),
                               StudyInstanceUID=("UI", ROOT + "50")),
        "MR_truncated.dcm": bundled("MR_truncated.dcm").read_bytes(),
        "notes.txt": b"not a DICOM file",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def _open_report(page: Page, tmp_path: Path, button: str = "study-phi-open") -> None:
    open_files(page, _write_set(tmp_path), expect_total=6)
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", "i1")
    page.get_by_test_id(button).click()
    expect(page.get_by_test_id("study-phi")).to_have_attribute("data-loaded", "true", timeout=30000)


def _opening_order(path: Path) -> int:
    return [p.name for p in _write_set(path.parent)].index(path.name)


def _row(page: Page, key: str):  # noqa: ANN202 - a Playwright Locator
    return page.locator(f'[data-testid=study-phi-row][data-key="{key}"]')


def test_the_report_counts_shows_values_on_request_and_fits(page: Page, tmp_path: Path) -> None:
    _open_report(page, tmp_path)
    dialog = page.get_by_test_id("study-phi")
    expect(page.get_by_test_id("study-phi-scope")).to_contain_text(
        "All open files: 5 files, 5 read, 1 of them damaged")
    # The damaged file is listed as such, and what could be read of it counts.
    expect(page.get_by_test_id("study-phi-problem")).to_have_count(1)
    expect(page.get_by_test_id("study-phi-problem")).to_contain_text("damaged-1 (damaged)")
    name = _row(page, "00100010")
    expect(name.locator("[data-col=files]")).to_have_text("5")
    expect(name.locator("[data-col=distinct]")).to_have_text("3")
    expect(name.locator("[data-col=action]")).to_have_text("Z")
    institution = _row(page, "00080080")
    expect(institution.locator("[data-col=files]")).to_have_text("5")  # the MR names one too
    expect(institution.locator("[data-col=distinct]")).to_have_text("2")
    expect(page.locator('[data-testid=study-phi-category][data-category=device-institution]')
           ).to_contain_text("Device and institution")
    # Counts only until a row is expanded.
    assert "DOE^JANE" not in dialog.inner_text() and "ST MARY" not in dialog.inner_text()
    name.get_by_test_id("study-phi-expand").click()
    values = page.get_by_test_id("study-phi-values")
    expect(values).to_have_count(1)
    expect(values.get_by_test_id("study-phi-value").first).to_have_text(
        "DOE^JANE — 3 files: instance-1, instance-2, instance-3")
    expect(name.get_by_test_id("study-phi-expand")).to_have_attribute("aria-expanded", "true")
    name.get_by_test_id("study-phi-expand").click()
    expect(values).to_have_count(0)
    # Flags, private creators, legend: from the core.
    expect(page.locator("[data-testid=study-phi-flag][data-flag=face-review] li")).to_have_count(1)
    expect(page.locator("[data-testid=study-phi-flag][data-flag=burned-in-text]")).to_contain_text(
        "Burned In Annotation (0028,0301) is YES.")
    expect(page.get_by_test_id("study-phi-legend")).to_contain_text("X/Z/U*")
    expect(page.get_by_test_id("study-phi-legend")).to_contain_text(
        "Z unless D is required to maintain IOD conformance")
    expect(page.get_by_test_id("study-phi-creators")).to_contain_text("Private creators")
    # The dialog fits the window, and its tables fit the dialog.
    viewport = page.viewport_size
    assert viewport is not None
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert box["height"] <= viewport["height"]
    assert page.evaluate("""() => { const d = document.querySelector('[data-testid=study-phi]');
        return d.scrollWidth <= d.clientWidth; }""")
    page.get_by_test_id("study-phi-close").click()
    expect(dialog).to_be_hidden()


def test_values_are_text_and_rows_expand_from_the_keyboard(page: Page, tmp_path: Path) -> None:
    _open_report(page, tmp_path)
    description = _row(page, "00081030")
    description.get_by_test_id("study-phi-expand").focus()
    page.keyboard.press("Enter")
    value = page.get_by_test_id("study-phi-value")
    expect(value).to_have_count(1)
    expect(value).to_contain_text(MARKUP)
    assert page.locator("[data-testid=study-phi] img").count() == 0


def test_exports_counts_without_asking_values_after_the_question(page: Page,
                                                                 tmp_path: Path) -> None:
    _open_report(page, tmp_path)
    name, data = download(page, "study-phi-export-csv")
    assert name == "study-phi-report.csv"
    text = data.decode()
    table = list(csv.reader(io.StringIO(text)))
    row = next(r for r in table if r[0] == "element" and r[2] == "(0010,0010)")
    assert row[1] == "direct-identifier" and row[8] == "5" and row[11] == "3" and row[12] == ""
    assert ["file", "damaged", "", "", "damaged-1"] == next(r for r in table if r[4] == "damaged-1")[:5]
    for secret in ("DOE", "ROE", "jane-1", "MR_truncated"):
        assert secret not in text
    page.get_by_test_id("study-phi-with-values").check()
    name, data = download(page, "study-phi-export-csv", confirm=True)
    assert name == "study-phi-report-with-values.csv"
    assert "DOE^JANE\tinstance-1 instance-2 instance-3" in data.decode()
    name, data = download(page, "study-phi-export-html", confirm=True)
    assert name == "study-phi-report-with-values.html"
    page_text = data.decode()
    assert page_text.startswith("<!DOCTYPE html>") and "<script" not in page_text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page_text
    assert MARKUP not in page_text and "ROE^MARY" in page_text
    page.get_by_test_id("study-phi-with-values").uncheck()
    name, data = download(page, "study-phi-export-html")
    assert name == "study-phi-report.html" and b"DOE" not in data
    # The same bytes as the command line writes from the same DICOM files.
    out = io.StringIO()
    with redirect_stdout(out):
        cli_main(["phi-report", "--html", *(str(p) for p in sorted(tmp_path.glob("*.dcm"),
                                                                    key=_opening_order))])
    assert out.getvalue() == data.decode()


def test_the_report_of_the_selected_files_study(page: Page, tmp_path: Path) -> None:
    open_files(page, _write_set(tmp_path), expect_total=6)
    mary = page.locator('[data-testid=tree-instance]', has_text="mary-1.dcm")
    mary.click()
    instance_id = mary.get_attribute("data-instance-id")
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", str(instance_id))
    page.get_by_test_id("study-phi-open-study").click()
    expect(page.get_by_test_id("study-phi")).to_have_attribute("data-loaded", "true")
    expect(page.get_by_test_id("study-phi-scope")).to_contain_text(
        "The selected file's study: 1 file, 1 read.")
    expect(_row(page, "00100010").locator("[data-col=files]")).to_have_text("1")
    _row(page, "00100010").get_by_test_id("study-phi-expand").click()
    expect(page.get_by_test_id("study-phi-value")).to_have_text("ROE^MARY — 1 file: instance-4")
    page.get_by_test_id("study-phi-close").click()
    # The same from the study tree: the study node's "PHI report".
    jane = page.locator("[data-testid=tree-patient]", has_text="DOE^JANE")
    jane.get_by_test_id("study-phi-report").click()
    expect(page.get_by_test_id("study-phi-scope")).to_contain_text("This study: 3 files, 3 read.")
    expect(_row(page, "00100010").locator("[data-col=files]")).to_have_text("3")
    expect(page.locator("[data-testid=study-phi-flag][data-flag=face-review] li")).to_have_count(1)
