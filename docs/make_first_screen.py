"""Re-make docs/first-screen.png, the README's picture of the first screen at 1280 × 800.

Serves the built site (``dist/``, or the folder given) on localhost, opens it in headless
Chromium as the browser tests do (tests/browser/conftest.py), waits until the app is ready and
its offline copy stored (the status line then counts requests), and saves the window::

    .venv/bin/python docs/make_first_screen.py [--site dist]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM, serve_in_thread  # noqa: E402

OUT = ROOT / "docs" / "first-screen.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    server, url = serve_in_thread(args.site)
    try:
        with sync_playwright() as playwright:
            executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.offline, window.dicomtab.pixelsReady])")
            page.wait_for_function("() => /since the app loaded/.test(document.getElementById('privacy-status').textContent)")
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        server.shutdown()
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
