"""The app as the browser benches open it: served from a built site, in headless Chromium."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM  # noqa: E402

from serve import serve_in_thread  # noqa: E402


@contextmanager
def app_page(site: Path) -> Iterator[tuple[Page, str]]:
    """A 1400×900 page with the app loaded from ``site`` (Python, numpy and the codecs ready),
    and the browser's version; the browser and the server stop on leaving."""
    server, url = serve_in_thread(site)
    try:
        with sync_playwright() as playwright:
            executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.goto(url)
            page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
            yield page, browser.version
            browser.close()
    finally:
        server.shutdown()
