"""Inspector exports (downloads, clipboard), comparisons, and values kept inert."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pydicom
from playwright.sync_api import Page, expect
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from tests.browser.conftest import open_files
from tests.browser.test_inspector_sources import write_series
from tests.conftest import bundled


def loaded(page: Page, instance_id: str) -> None:
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", instance_id)


def download_text(page: Page, test_id: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.get_by_test_id(test_id).click()
        page.get_by_test_id("export-confirm-download").click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8")


def test_an_export_that_may_identify_the_patient_is_confirmed_first(app: Page) -> None:
    """Asked before the file is made, with why; Cancel makes nothing; "do not ask again"
    holds until the tab is closed."""
    downloads: list[object] = []
    app.on("download", lambda d: downloads.append(d))
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    dialog = app.get_by_test_id("export-confirm")
    app.get_by_test_id("export-csv").click()
    expect(dialog).to_be_visible()
    expect(app.get_by_test_id("export-confirm-reason")).to_contain_text(
        "elements that may identify the patient")
    app.get_by_test_id("export-confirm-cancel").click()
    expect(dialog).to_be_hidden()
    app.wait_for_timeout(300)
    assert downloads == []
    with app.expect_download():
        app.get_by_test_id("export-dump").click()
        app.get_by_test_id("export-confirm-remember").check()
        app.get_by_test_id("export-confirm-download").click()
    with app.expect_download() as info:
        app.get_by_test_id("export-csv").click()  # not asked again
    assert info.value.suggested_filename == "instance-1.csv"
    expect(dialog).to_be_hidden()


def test_exports_are_downloads_without_phi_in_their_names(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    expect(app.get_by_test_id("export-warning")).to_be_visible()
    name, text = download_text(app, "export-json")
    assert name == "instance-1.json"
    model = json.loads(text)
    assert model["00100010"]["Value"] == [{"Alphabetic": "CompressedSamples^CT1"}]
    assert "InlineBinary" in model["7FE00010"]
    app.get_by_test_id("export-binary").uncheck()
    _, text = download_text(app, "export-json")
    model = json.loads(text)
    assert "7FE00010" not in model and "00100010" in model
    name, text = download_text(app, "export-csv")
    assert name == "instance-1.csv"
    table = list(csv.reader(io.StringIO(text)))
    assert any(r[1] == "(0010,0010)" and "CompressedSamples^CT1" in r for r in table[1:])
    name, text = download_text(app, "export-dump")
    assert name == "instance-1.txt"
    assert text.startswith("\n# Dicom-File-Format") or text.startswith("# Dicom-File-Format")
    assert "(0010,0010) PN [CompressedSamples^CT1]" in text
    # The phi-only filter applies to exports too.
    app.get_by_test_id("phi-only").check()
    expect(app.locator('[data-testid=tag-row][data-path="00280010"]')).to_have_count(0)
    _, text = download_text(app, "export-csv")
    assert "(0028,0010)" not in text and "(0010,0010)" in text


def test_copy_value_and_tag(app: Page) -> None:
    app.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    app.locator('[data-testid=tag-row][data-path="00100010"]').click()
    app.get_by_test_id("copy-value").click()
    expect(app.get_by_test_id("copy-status")).to_have_text("Copied the value.")
    assert app.evaluate("navigator.clipboard.readText()") == "CompressedSamples^CT1"
    app.get_by_test_id("copy-tag").click()
    expect(app.get_by_test_id("copy-status")).to_have_text("Copied the tag.")
    assert app.evaluate("navigator.clipboard.readText()") == "(0010,0010)"


def test_compare_two_instances_item_by_item(app: Page, tmp_path: Path) -> None:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    a, b = tmp_path / "a.dcm", tmp_path / "b.dcm"
    ds.save_as(a)
    ds.OtherPatientIDsSequence[1].PatientID = "CHANGED"
    ds.AccessionNumber = "ACC9"
    del ds.ImageComments
    ds.save_as(b)
    open_files(app, [a, b], expect_total=2)
    loaded(app, "i1")
    app.get_by_test_id("compare-with").select_option(label="b.dcm")
    app.get_by_test_id("compare-run").click()
    expect(app.get_by_test_id("diff-counts")).to_have_text("0 added, 1 removed, 2 changed")
    nested = app.locator('[data-testid=diff-row][data-path="00101002/1/00100020"]')
    expect(nested).to_have_attribute("data-change", "changed")
    expect(nested.locator("[data-col=b]")).to_have_text("CHANGED")
    expect(app.locator('[data-testid=diff-row][data-path="00204000"]')).to_have_attribute("data-change", "removed")


def test_series_shows_what_varies(app: Page, tmp_path: Path) -> None:
    app.get_by_test_id("folder-input").set_input_files(str(tmp_path))
    # (an empty folder opens nothing) then the series itself
    write_series(tmp_path / "series", 3)
    app.get_by_test_id("folder-input").set_input_files(str(tmp_path / "series"))
    expect(app.get_by_test_id("tree-instance")).to_have_count(3, timeout=30000)
    app.get_by_test_id("series-compare").click()
    expect(app.get_by_test_id("series-counts")).to_contain_text("elements vary")
    varying = app.get_by_test_id("varying-row")
    paths = [r.get_attribute("data-path") for r in varying.all()]
    assert "00200013" in paths and "00080018" in paths and "00201041" in paths
    assert "00100010" not in paths
    expect(app.locator('[data-testid=constant-row][data-path="00100010"]')).to_have_count(1)


def _sr_with_payloads(path: Path, text: str, name: str) -> None:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.99.1"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.99.2"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.99.3"
    ds.Modality = "SR"
    ds.PatientName = name
    ds.PatientID = "<svg onload=window.__pwned=5>"
    block = ds.private_block(0x0011, "<b>EVIL</b>", create=True)
    block.add_new(0x01, "LO", "<img src=x onerror=window.__pwned=6>")
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = "TEXT"
    item.TextValue = text
    ds.ContentSequence = Sequence([item])
    ds.save_as(path, enforce_file_format=True)


def test_values_and_names_never_execute(app: Page, tmp_path: Path) -> None:
    app.evaluate("""() => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
    }""")
    path = tmp_path / "<img src=y onerror=window.__pwned=3>.dcm"
    _sr_with_payloads(path, "<script>window.__pwned=4</script><img src=z onerror=window.__pwned=7>",
                      "<img src=x onerror=window.__pwned=1>")
    other = tmp_path / "<svg onload=window.__pwned=8>.dcm"
    _sr_with_payloads(other, "<iframe srcdoc='<script>parent.__pwned=9</script>'>", "<b>bold</b>")
    open_files(app, [path, other], expect_total=2)
    loaded(app, "i1")
    expect(app.get_by_test_id("inspector-title")).to_have_text(path.name)
    expect(app.locator('[data-testid=tag-row][data-path="00100010"] [data-col=value]')).to_have_text(
        "<img src=x onerror=window.__pwned=1>")
    expect(app.locator('[data-testid=tag-row][data-path="00111001"] [data-col=value]')).to_have_text(
        "<img src=x onerror=window.__pwned=6>")
    app.get_by_test_id("tag-search").fill("__pwned=4")
    match = app.locator("[data-testid=tag-row][data-match]")
    expect(match).to_have_attribute("data-path", "0040A730/0/0040A160")
    expect(match.locator("[data-col=value]")).to_have_text(
        "<script>window.__pwned=4</script><img src=z onerror=window.__pwned=7>")
    app.get_by_test_id("compare-run").click()
    expect(app.get_by_test_id("diff-table")).to_contain_text("<b>bold</b>")
    expect(app.get_by_test_id("tree-patient").first).to_contain_text("<img src=x onerror=window.__pwned=1>")
    app.wait_for_timeout(300)  # would-be handlers and loads get their chance to run
    # The page's own icons (svg.icon, written in index.html) aside, no element came from the values.
    assert app.locator("main img, main script, main iframe, main svg:not(.icon), main b").count() == 0
    assert app.evaluate("window.__pwned") is None
    assert app.evaluate("window.__violations") == []


def test_inspecting_exporting_and_comparing_make_no_request(app: Page, tmp_path: Path) -> None:
    app.evaluate("window.dicomtab.offline")
    expect(app.get_by_test_id("privacy-status")).to_contain_text("0 network requests")
    paths = write_series(tmp_path / "s", 2)
    open_files(app, [*paths, bundled("CT_small.dcm")], expect_total=3)
    # Opening shows the tree's first series (CT_small's); the written series is chosen.
    app.locator('[data-testid=tree-instance][data-instance-id="i1"]').click()
    loaded(app, "i1")
    app.get_by_test_id("tag-search").fill("PatientName")
    expect(app.get_by_test_id("search-status")).to_have_text("1 match")
    app.locator('[data-testid=tag-row][data-path="00101002"]').click()
    app.get_by_test_id("phi-only").check()
    for test_id in ["export-json", "export-csv", "export-dump"]:
        download_text(app, test_id)
    app.get_by_test_id("compare-run").click()
    expect(app.get_by_test_id("diff-counts")).to_be_visible()
    app.get_by_test_id("series-compare").click()
    expect(app.get_by_test_id("series-counts")).to_be_visible()
    app.get_by_test_id("tree-instance").last.click()
    counts = app.evaluate("window.dicomtab.network()")
    assert counts["sinceLoaded"] == 0 and counts["crossOrigin"] == 0, counts
    expect(app.get_by_test_id("privacy-status")).to_contain_text("0 network requests")
