"""ZIP archives opened through the file input: read by slices with zip.js (ZIP64 included),
stored entries as slices, deflated ones inflated when opened; damaged archives and entries are
problems of their own and the other files still open."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect
from pydicom.data import get_testdata_file

from tests import zipfiles
from tests.browser.conftest import RESULT_ITEMS, load_app

ZIP_JS = "zip/zip-core-external.min.js"
#: Real DICOM files of different kinds (CT, MR, JPEG 2000, RT dose, RGB), by name in the archive.
FILES = {
    "study/ct/ct.dcm": "CT_small.dcm",
    "study/mr/mr.dcm": "MR_small.dcm",
    "study/j2k.dcm": "JPEG2000.dcm",
    "dose/rtdose.dcm": "rtdose.dcm",
    "rgb.dcm": "SC_rgb.dcm",
}


def _data(name: str) -> bytes:
    return Path(str(get_testdata_file(FILES[name]))).read_bytes()


def _entries(*, stored: set[str]) -> list[tuple[str, bytes, int]]:
    """Every file of FILES, stored or deflated, with their folders listed too."""
    folders = [("study/", b"", 0), ("study/ct/", b"", 0)]
    return folders + [
        (name, _data(name), zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
        for name in FILES
    ]


def _open(page: Page, paths: list[Path], *, expect_total: int) -> None:
    page.get_by_test_id("file-input").set_input_files([str(p) for p in paths])
    expect(page.locator(RESULT_ITEMS)).to_have_count(expect_total, timeout=60000)
    expect(page.get_by_test_id("opening")).to_be_hidden(timeout=60000)


def _summaries(page: Page) -> list[str]:
    """The open instances' summaries without what names or numbers them in this page."""
    out = []
    for summary in page.evaluate("window.dicomtab.instances()"):
        for naming in ("instanceId", "fileName", "downloadName"):
            summary.pop(naming)
        out.append(json.dumps(summary, sort_keys=True))
    return sorted(out)


def _zip_js_loaded(page: Page) -> bool:
    """Whether zip.js was fetched; never its web worker nor its zlib WebAssembly (not shipped:
    the page runs it with useWebWorkers false and the browser's DecompressionStream)."""
    fetched = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert not [url for url in fetched if "zip-web-worker" in url or "zip-module" in url]
    return any(url.endswith(ZIP_JS) for url in fetched)


def _problems(page: Page) -> list[str]:
    return page.get_by_test_id("problem").all_text_contents()


def test_archive_gives_the_summaries_of_the_loose_files(
    context: BrowserContext, site_url: str, page_errors: list[str], tmp_path: Path,
) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    paths = []
    for name in FILES:
        paths.append(loose / name.replace("/", "_"))
        paths[-1].write_bytes(_data(name))
    page = load_app(context, site_url, page_errors)
    _open(page, paths, expect_total=len(FILES))
    expected = _summaries(page)
    assert len(expected) == len(FILES)
    # zip.js is loaded only when an archive is opened.
    assert not _zip_js_loaded(page)

    archive = zipfiles.write_archive(
        tmp_path / "study.zip", _entries(stored={"study/ct/ct.dcm", "study/j2k.dcm", "rgb.dcm"}))
    page = load_app(context, site_url, page_errors)
    _open(page, [archive], expect_total=len(FILES))
    assert _zip_js_loaded(page)
    assert _summaries(page) == expected
    assert _problems(page) == []
    expect(page.get_by_test_id("tree-instance")).to_have_count(len(FILES))
    labels = page.get_by_test_id("tree-instance").all_text_contents()
    assert sorted(label.split(" ")[-1] for label in labels) == sorted(f"study.zip/{n}" for n in FILES)
    # An entry's tags and image come from the archive like a loose file's.
    ct = page.locator("[data-testid=tree-instance]", has_text="study.zip/study/ct/ct.dcm")
    ct.click()
    expect(page.get_by_test_id("inspector-title")).to_have_text("study.zip/study/ct/ct.dcm")
    expect(page.locator('[data-testid=tag-row][data-path="00080020"] [data-col=value]')).to_have_text("20040119")
    instance_id = ct.get_attribute("data-instance-id")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", str(instance_id), timeout=30000)


def test_zip64_archives(app: Page, tmp_path: Path) -> None:
    """ZIP64 local headers (zipfile's force_zip64), and an archive whose central directory and
    end records are all in the ZIP64 form."""
    local_only = zipfiles.write_archive(
        tmp_path / "local64.zip", _entries(stored={"study/mr/mr.dcm"}), force_zip64=True)
    everywhere = zipfiles.zip64_everywhere(zipfiles.write_archive(
        tmp_path / "all64.zip", _entries(stored={"study/ct/ct.dcm", "dose/rtdose.dcm"}),
        force_zip64=True))
    assert everywhere.read_bytes()[-22 - 20 - 56:-22 - 20][:4] == zipfiles.ZIP64_END
    _open(app, [local_only, everywhere], expect_total=2 * len(FILES))
    assert _problems(app) == []
    expect(app.get_by_test_id("tree-instance")).to_have_count(2 * len(FILES))
    labels = {label.split(" ")[-1] for label in app.get_by_test_id("tree-instance").all_text_contents()}
    assert labels == {f"{archive}/{n}" for archive in ("local64.zip", "all64.zip") for n in FILES}
    summaries = app.evaluate("window.dicomtab.instances()")
    mr = [s for s in summaries if s["modality"] == "MR"]
    assert len(mr) == 2 and mr[0]["instance"]["uid"] == mr[1]["instance"]["uid"]


def test_damaged_archives_are_problems_and_the_other_files_open(app: Page, tmp_path: Path) -> None:
    cut_directory = zipfiles.truncate_central_directory(zipfiles.write_archive(
        tmp_path / "cut-directory.zip", _entries(stored={"rgb.dcm"})))
    whole = zipfiles.write_archive(tmp_path / "whole.zip", _entries(stored=set())).read_bytes()
    cut_short = tmp_path / "cut-short.zip"
    cut_short.write_bytes(whole[:len(whole) * 2 // 3])
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("this is no archive, only a file named like one\n" * 20)
    tiny = tmp_path / "tiny.zip"
    tiny.write_bytes(b"PK")
    loose = tmp_path / "ct.dcm"
    loose.write_bytes(_data("study/ct/ct.dcm"))
    _open(app, [cut_directory, cut_short, not_zip, tiny, loose], expect_total=5)
    expect(app.get_by_test_id("tree-instance")).to_have_count(1)
    expect(app.get_by_test_id("tree-instance")).to_have_text("#1 CT ct.dcm")
    problems = _problems(app)
    assert sorted(problems) == sorted([
        "cut-directory.zip is a damaged or incomplete ZIP archive (its central directory cannot "
        "be read): none of its files were opened.",
        "cut-short.zip is a damaged or incomplete ZIP archive (its central directory cannot "
        "be read): none of its files were opened.",
        next(p for p in problems if p.startswith("notes.zip is not a DICOM file")),
        next(p for p in problems if p.startswith("tiny.zip ")),
    ])
    assert "archive" not in next(p for p in problems if p.startswith("tiny.zip "))


def test_damaged_too_large_and_unsupported_entries(app: Page, tmp_path: Path) -> None:
    entries = _entries(stored={"study/ct/ct.dcm"}) + [
        ("bzip2.dcm", _data("study/mr/mr.dcm"), zipfile.ZIP_BZIP2),
        ("locked.dcm", _data("study/mr/mr.dcm"), zipfile.ZIP_STORED),
    ]
    archive = zipfiles.write_archive(tmp_path / "mixed.zip", entries)
    zipfiles.flag_encrypted(archive, "locked.dcm")
    zipfiles.declare_uncompressed_size(archive, "dose/rtdose.dcm", 3 * 2**30)
    zipfiles.damage_data(archive, "study/j2k.dcm")
    _open(app, [archive], expect_total=len(FILES))
    expect(app.get_by_test_id("tree-instance")).to_have_count(len(FILES) - 2)
    assert sorted(_problems(app)) == [
        "mixed.zip/dose/rtdose.dcm would be 3.0 GiB once inflated, more than the 1.0 GiB this "
        "page inflates from an archive: extract the archive and open the file itself.",
        "mixed.zip/study/j2k.dcm is damaged in its archive (its data cannot be read or inflated).",
    ]
    expect(app.get_by_test_id("skipped")).to_have_text(
        "2 archive entries skipped (encrypted or unsupported compression)")
    results = app.evaluate(
        "async (b64) => window.dicomtab.openFiles([new File("
        "[Uint8Array.from(atob(b64), c => c.charCodeAt(0))], 'again.zip')])",
        __import__("base64").b64encode(archive.read_bytes()).decode())
    failed = {r["fileName"]: r["code"] for r in results if r["status"] == "failed"}
    assert failed == {"again.zip/dose/rtdose.dcm": "archive-entry-too-large",
                      "again.zip/study/j2k.dcm": "damaged-archive-entry"}


def test_a_zip_reader_that_cannot_load_is_said_and_the_other_files_open(
    browser: Browser, site_url: str, page_errors: list[str], tmp_path: Path,
) -> None:
    # No service worker, so that the page's own request is the one refused.
    context = browser.new_context(service_workers="block")
    context.route(f"**/{ZIP_JS}", lambda route: route.abort())
    page = load_app(context, site_url, page_errors)
    archive = zipfiles.write_archive(tmp_path / "study.zip", _entries(stored=set()))
    loose = tmp_path / "ct.dcm"
    loose.write_bytes(_data("study/ct/ct.dcm"))
    _open(page, [archive, loose], expect_total=2)
    assert _problems(page) == [
        "study.zip cannot be opened: the page could not load its ZIP reader "
        "(reload the page and try again)."]
    expect(page.get_by_test_id("tree-instance")).to_have_text(["#1 CT ct.dcm"])
    # Tried again with the next archive: it opens once the reader can load.
    context.unroute(f"**/{ZIP_JS}")
    page.get_by_test_id("file-input").set_input_files(str(archive))
    expect(page.get_by_test_id("tree-instance")).to_have_count(1 + len(FILES), timeout=60000)
    context.close()
