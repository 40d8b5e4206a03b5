"""Encapsulated PDF: pdf.js (self-hosted in dist/pdfjs/) draws the pages into canvases, the
download stays, a damaged PDF says so, and nothing leaves the origin or breaks the policy.

The PDFs are written by hand here (a few objects and an exact xref table), so what each page
must show is known: black rectangles on white at known places. One page per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pydicom
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.conftest import attach_logging, download, tree_ids
from tests.browser.conftest import select_in_viewer as select

#: Page size in points: twice as wide as high, so the aspect ratio shows a wrong orientation.
WIDTH, HEIGHT = 200, 100
#: A black rectangle in the top left quarter (PDF y runs upwards): x 20–80, y 50–90.
RECTANGLE = b"0 0 0 rg 20 50 60 40 re f"


def pdf_document(contents: list[bytes], resources: str = "<< >>", extra: tuple[bytes, ...] = ()) -> bytes:
    """A valid PDF 1.5 with one page per content stream, WIDTH × HEIGHT points each, and
    `extra` objects numbered from 3 + 2 × pages on (e.g. images that `resources` names)."""
    n = len(contents)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Resources {resources}"
            f" /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects += extra
    out = b"%PDF-1.5\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def encapsulated(path: Path, pdf: bytes, n: int) -> None:
    """A DICOM Encapsulated PDF Storage instance holding `pdf`."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    ds = pydicom.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
    ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.8.498.56.{n}.1"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.56.0.2"
    ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.56.{n}.3"
    ds.Modality = "DOC"
    ds.PatientName = "Pdf^Patient"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf + (b"\x00" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    ds.save_as(path, enforce_file_format=True)


def jpx_image() -> bytes:
    """An image XObject in JPEG 2000 (which pdf.js decodes with its openjpeg.wasm): 100 × 50,
    the left half white, the right half black."""
    from openjpeg import encode

    grey = np.zeros((50, 100), dtype=np.uint8)
    grey[:, :50] = 255
    jp2 = bytes(encode(grey, photometric_interpretation=0, codec_format=1))
    head = b"<< /Type /XObject /Subtype /Image /Width 100 /Height 50 /Filter /JPXDecode /Length %d >>"
    return head % len(jp2) + b"\nstream\n" + jp2 + b"\nendstream"


PDFS = {
    "one": pdf_document([RECTANGLE]),
    # Page k has k thin bars, so each canvas can be told from the others.
    "many": pdf_document([b" ".join(b"0 0 0 rg %d 10 4 80 re f" % (10 + 8 * j) for j in range(k)) for k in range(1, 13)]),
    # The whole page covered by the JPEG 2000 image (object 5).
    "jpx": pdf_document([b"q 200 0 0 100 0 0 cm /Im1 Do Q"], "<< /XObject << /Im1 5 0 R >> >>", (jpx_image(),)),
    "damaged": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    paths = {}
    for n, (key, pdf) in enumerate(PDFS.items(), 1):
        paths[key] = folder / f"{key}.dcm"
        encapsulated(paths[key], pdf, n)
    return paths


class Recorded:
    """What the page did: every request, the index of the first one after loading, and any
    Content-Security-Policy violation (from the console and from the DOM event)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.loaded = 0
        self.csp_console: list[str] = []
        #: Requests for pdf.js by the page, and Resource Timing entries, once the app had loaded.
        self.pdfjs_at_load: list[str] = []
        self.pdfjs_timing_at_load = -1


@pytest.fixture(scope="module")
def recorded() -> Recorded:
    return Recorded()


@pytest.fixture(scope="module")
def page(browser: Browser, site_url: str, files: dict[str, Path], recorded: Recorded) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.on("request", lambda r: recorded.requests.append(r))
    errors: list[str] = []
    page = context.new_page()
    attach_logging(page, errors)
    page.on(
        "console",
        lambda m: ("Content Security Policy" in m.text or "Content-Security-Policy" in m.text)
        and recorded.csp_console.append(m.text),
    )
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));"
    )
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.offline, window.dicomtab.pixelsReady])")
    expect(page.get_by_test_id("privacy-status")).to_contain_text("0 network requests since the app loaded")
    recorded.loaded = len(recorded.requests)
    recorded.pdfjs_at_load = [r.url for r in recorded.requests if "/pdfjs/" in r.url and not r.service_worker]
    recorded.pdfjs_timing_at_load = page.evaluate(
        "performance.getEntriesByType('resource').filter((e) => e.name.includes('/pdfjs/')).length"
    )
    page.get_by_test_id("file-input").set_input_files([str(p) for p in files.values()])
    expect(page.get_by_test_id("tree-instance")).to_have_count(len(files), timeout=60000)
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="module")
def ids(page: Page, files: dict[str, Path]) -> dict[str, str]:
    return tree_ids(page, files)




def grey(page: Page, index: int, points: list[tuple[float, float]]) -> list[int]:
    """The mean of R, G, B of page canvas `index` at each (x, y), as fractions of its size."""
    return page.evaluate(
        """([index, points]) => {
            const canvas = document.querySelectorAll('[data-testid=viewer-pdf-page]')[index];
            const context = canvas.getContext('2d');
            return points.map(([x, y]) => {
                const d = context.getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data;
                return Math.round((d[0] + d[1] + d[2]) / 3);
            });
        }""",
        [index, points],
    )


def test_pdf_js_is_not_loaded_at_start_up(page: Page, recorded: Recorded) -> None:
    """Only the service worker's precaching (for offline use) had fetched pdf.js."""
    assert recorded.pdfjs_at_load == [] and recorded.pdfjs_timing_at_load == 0
    assert len([r for r in recorded.requests[: recorded.loaded] if "/pdfjs/" in r.url]) == 6


def test_the_page_is_drawn_with_its_content(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["one"])
    box = page.get_by_test_id("viewer-pdf")
    expect(box).to_have_attribute("data-drawn", "all", timeout=30000)
    expect(page.get_by_test_id("viewer-pdf-page")).to_have_count(1)
    expect(page.get_by_test_id("viewer-pdf-error")).to_have_count(0)
    size = page.evaluate(
        """() => { const c = document.querySelector('[data-testid=viewer-pdf-page]');
                   const r = c.getBoundingClientRect();
                   return [c.width, c.height, r.width, r.height]; }"""
    )
    width, height, shown_width, shown_height = size
    assert width >= 300 and abs(width / height - WIDTH / HEIGHT) < 0.02
    assert abs(shown_width / shown_height - WIDTH / HEIGHT) < 0.02  # not stretched on screen
    # Inside the rectangle (x 20–80, y 10–50 from the top): black; elsewhere white.
    inside = [(0.25, 0.3), (0.15, 0.15), (0.38, 0.45)]
    outside = [(0.25, 0.75), (0.05, 0.05), (0.75, 0.3), (0.75, 0.75), (0.45, 0.3)]
    assert max(grey(page, 0, inside)) < 30
    assert min(grey(page, 0, outside)) > 225
    # The canvases come from pdf.js's drawing, not a placeholder: exactly this share is black.
    dark = page.evaluate(
        """() => { const c = document.querySelector('[data-testid=viewer-pdf-page]');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++;
                   return n / (c.width * c.height); }"""
    )
    assert abs(dark - (60 * 40) / (WIDTH * HEIGHT)) < 0.01


def test_the_download_still_gives_the_pdf(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["one"])
    name, data = download(page, "viewer-pdf-download", confirm=True)
    assert name == "document.pdf" and data == PDFS["one"]


def test_a_long_pdf_shows_the_first_pages_then_more(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["many"])
    pages = page.get_by_test_id("viewer-pdf-page")
    expect(pages).to_have_count(10, timeout=30000)
    more = page.get_by_test_id("viewer-pdf-more")
    expect(more).to_have_text("Show pages 11–12 of 12")
    more.click()
    expect(pages).to_have_count(12, timeout=30000)
    expect(more).to_have_count(0)
    # Page k has k bars: 10 + 8j points from the left, one bar in every 8 points.
    for index in (0, 11):
        bars = [(10 + 8 * j + 2) / WIDTH for j in range(12)]
        values = grey(page, index, [(x, 0.5) for x in bars])
        assert [v < 60 for v in values] == [j <= index for j in range(12)], (index, values)


def test_images_inside_a_pdf_are_decoded_by_the_shipped_webassembly(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["jpx"])
    expect(page.get_by_test_id("viewer-pdf")).to_have_attribute("data-drawn", "all", timeout=30000)
    white, black = grey(page, 0, [(0.25, 0.5), (0.75, 0.5)])
    assert white > 225 and black < 30


def test_a_damaged_pdf_says_so_and_keeps_the_download(page: Page, ids: dict[str, str]) -> None:
    select(page, ids["damaged"])
    error = page.get_by_test_id("viewer-pdf-error")
    expect(error).to_contain_text("damaged or not a PDF", timeout=30000)
    expect(page.get_by_test_id("viewer-pdf-page")).to_have_count(0)
    name, data = download(page, "viewer-pdf-download", confirm=True)
    assert name == "document.pdf" and data == PDFS["damaged"]
    # Another PDF after it is drawn as before.
    select(page, ids["one"])
    expect(page.get_by_test_id("viewer-pdf")).to_have_attribute("data-drawn", "all", timeout=30000)
    expect(page.get_by_test_id("viewer-pdf-error")).to_have_count(0)


def test_nothing_leaves_the_origin_and_the_policy_holds(page: Page, site_url: str, recorded: Recorded) -> None:
    origin = urlsplit(site_url).netloc
    assert [r.url for r in recorded.requests if urlsplit(r.url).netloc != origin] == []
    later = sorted({urlsplit(r.url).path for r in recorded.requests[recorded.loaded :]})
    # After loading, only pdf.js itself and the one decoder a PDF needed, from this site (the
    # service worker's copies).
    assert later == ["/pdfjs/openjpeg.wasm", "/pdfjs/pdf.min.mjs", "/pdfjs/pdf.worker.min.mjs"], later
    assert recorded.csp_console == []
    assert page.evaluate("window.__violations") == []
    counts = page.evaluate("window.dicomtab.network()")
    assert counts["crossOrigin"] == 0
    # The status line names them apart: the site's own files, fetched on first use.
    assert counts["ownFilesSinceLoaded"] == counts["sinceLoaded"] >= 3
    expect(page.get_by_test_id("privacy-status")).to_contain_text(
        f"0 network requests since the app loaded, apart from {counts['sinceLoaded']} of its own files loaded on first use")
