"""Re-make the README's pictures: the first screen, the viewer and the study PHI report.

- ``docs/first-screen.png`` (1280 × 800): the first screen, once the app is ready and its
  offline copy stored (the status line then counts requests);
- ``docs/viewer.png`` (1920 × 1080): pydicom's head CT ``693_J2KI.dcm`` (JPEG 2000, decoded in
  the tab) with a length and an ellipse ROI drawn on it, beside the study tree (a generated CT
  series too, for the series previews) and the tag table;
- ``docs/study-phi.png`` (1280 × 800): the study PHI report of generated files holding
  synthetic PHI only (Jane Doe's and Mary Roe's, as the tests make them), the patient names'
  row opened to its values.

Serves the built site (``dist/``, or the folder given) on localhost and drives it in headless
Chromium as a user would (file input, clicks, drags), as the browser tests do
(tests/browser/conftest.py)::

    .venv/bin/python docs/make_screenshots.py [--site dist] [--only first-screen viewer study-phi]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM, canvas_point, serve_in_thread  # noqa: E402
from tests.conftest import bundled  # noqa: E402
from tests.core.pixels.helpers import ct_series  # noqa: E402
from tests.damaged_set import ROOT as UID_ROOT  # noqa: E402
from tests.damaged_set import phi_file  # noqa: E402

FIRST_SCREEN = ROOT / "docs" / "first-screen.png"
VIEWER = ROOT / "docs" / "viewer.png"
STUDY_PHI = ROOT / "docs" / "study-phi.png"


def _page(browser: Browser, url: str, width: int, height: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.offline, window.dicomtab.pixelsReady])")
    return page


def first_screen(browser: Browser, url: str, folder: Path) -> None:  # noqa: ARG001 - no files
    page = _page(browser, url, 1280, 800)
    page.wait_for_function("() => /since the app loaded/.test(document.getElementById('privacy-status').textContent)")
    page.screenshot(path=str(FIRST_SCREEN))
    page.close()


def _drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Left-drag on the image between two image points (row, column)."""
    page.mouse.move(*canvas_point(page, *start))
    page.mouse.down()
    page.mouse.move(*canvas_point(page, *end), steps=8)
    page.mouse.up()


def viewer(browser: Browser, url: str, folder: Path) -> None:
    series = ct_series(folder, "slice-", "1.2.826.0.1.3680043.8.498.99.1", 2, [0.0, 5.0, 10.0], 0)
    head = bundled("693_J2KI.dcm")
    page = _page(browser, url, 1920, 1080)
    page.get_by_test_id("file-input").set_input_files([str(head), *map(str, series)])
    expect(page.get_by_test_id("tree-instance")).to_have_count(4, timeout=60000)
    page.get_by_test_id("tree-instance").filter(has_text="693_J2KI.dcm").click()
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i1", timeout=60000)
    page.get_by_test_id("viewer-preset").select_option("ct-bone")
    page.get_by_test_id("viewer-measure").click()
    _drag(page, (130, 150), (130, 360))  # across the skull, left to right
    page.get_by_test_id("viewer-tool-ellipse").click()
    _drag(page, (200, 130), (300, 230))  # the skull's left side and the brain inside it
    expect(page.get_by_test_id("viewer-measure-result")).to_contain_text("mean")
    for preview in page.get_by_test_id("series-preview").all():
        expect(preview).to_have_attribute("data-state", "drawn", timeout=30000)
    page.mouse.move(5, 1075)  # the pointer off the image: no probe readout
    page.screenshot(path=str(VIEWER))
    page.close()


def study_phi(browser: Browser, url: str, folder: Path) -> None:
    files = {
        "jane-1.dcm": phi_file("3", BodyPartExamined=("CS", "HEAD")),
        "jane-2.dcm": phi_file("4", StudyDescription=("LO", "HEAD CT JANE DOE")),
        "jane-3.dcm": phi_file("5", BurnedInAnnotation=("CS", "YES")),
        "mary-1.dcm": phi_file("6", PatientName=("PN", "ROE^MARY"), PatientID=("LO", "PID-9902"),
                               StudyInstanceUID=("UI", UID_ROOT + "50")),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    page = _page(browser, url, 1280, 800)
    page.get_by_test_id("file-input").set_input_files([str(folder / name) for name in files])
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", "i1", timeout=60000)
    page.get_by_test_id("study-phi-open").click()
    expect(page.get_by_test_id("study-phi")).to_have_attribute("data-loaded", "true", timeout=30000)
    row = page.locator('[data-testid=study-phi-row][data-key="00100010"]')
    row.get_by_test_id("study-phi-expand").click()
    page.screenshot(path=str(STUDY_PHI))
    page.close()


#: Each picture, by name: where it goes and what makes it.
PICTURES: dict[str, tuple[Path, Callable[[Browser, str, Path], None]]] = {
    "first-screen": (FIRST_SCREEN, first_screen),
    "viewer": (VIEWER, viewer),
    "study-phi": (STUDY_PHI, study_phi),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    parser.add_argument("--only", nargs="+", choices=sorted(PICTURES), default=sorted(PICTURES))
    args = parser.parse_args(argv)
    server, url = serve_in_thread(args.site)
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
            executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for name in args.only:
                out, make = PICTURES[name]
                make(browser, url, Path(tmp))
                print(f"wrote {out.relative_to(ROOT)}")
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
