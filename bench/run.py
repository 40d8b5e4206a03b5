"""Start-up and first-result timings of the built site in headless Chromium.

    python bench/run.py [--runs 7] [--site DIR] [--against DIR]        (or: ./dev bench)

Prints one table (median, min and max over the runs):
- cold: a fresh browser profile (empty HTTP cache, no service worker) per run;
- warm: a second navigation in the same profile (HTTP cache and offline copy in place);
- "navigation → ready": until window.dicomtab.ready resolves (Python can read files);
- "navigation → first summary": the user picks CT_small.dcm as soon as the page shows, and
  the clock stops when its summary is on the page;
- "navigation → first image drawn": in that same run, until the viewer has drawn it (it waits
  for numpy and the image codecs, which load after Python is ready);
- "file chosen → summary": with the app loaded (Python up, numpy and the image codecs in),
  from the input's change event to the summary being on the page.

``--against DIR`` measures a second build (another commit's dist/) in the same runs, the two
alternating run by run, and prints a table for each: differences of a few ms between builds
measured one after the other are within what the machine drifts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(ROOT))
from bench.machine import describe  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM  # noqa: E402
from tests.conftest import bundled  # noqa: E402

from serve import serve_in_thread  # noqa: E402

SAMPLE = bundled("CT_small.dcm")

# Installed before any page script: times (ms since navigation) of the file input's change
# event and of the first summary appearing in the list.
PROBE = """
window.__bench = {};
document.addEventListener('change', () => { window.__bench.chosen ??= performance.now(); }, true);
new MutationObserver(() => {
  if (document.querySelector('[data-testid=instance]')) window.__bench.summary ??= performance.now();
  if (document.querySelector('[data-testid=viewer][data-loaded]')) window.__bench.drawn ??= performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-loaded']});
"""


#: Per start: whether the worker restored Python from the build's snapshot (else it fell back).
RESTORED: list[bool] = []


def _note_start(page: Page) -> None:
    RESTORED.append(page.evaluate("window.dicomtab.ready.then(i => i.timings.snapshot === true)"))


def _first_summary(page: Page, url: str) -> tuple[float, float]:
    """Navigate, choose the sample at once; ms from navigation to its summary, and to its
    image drawn."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_test_id("file-input").set_input_files(str(SAMPLE))
    page.get_by_test_id("instance").first.wait_for(state="attached", timeout=60000)
    _note_start(page)
    page.wait_for_function("() => window.__bench.drawn !== undefined", timeout=60000)
    return page.evaluate("[window.__bench.summary, window.__bench.drawn]")


def _ready(page: Page, url: str) -> float:
    page.goto(url)
    ready = page.evaluate("window.dicomtab.ready.then(() => performance.now())")
    _note_start(page)
    return ready


def _open_after_ready(page: Page) -> float:
    # Once the app has loaded completely: numpy and the image codecs load just after "ready".
    page.evaluate("window.dicomtab.pixelsReady")
    page.evaluate("window.__bench = {chosen: undefined, summary: undefined}")
    page.get_by_test_id("file-input").set_input_files(str(SAMPLE))
    page.get_by_test_id("instance").first.wait_for(state="attached", timeout=60000)
    return page.evaluate("window.__bench.summary - window.__bench.chosen")


def _fresh(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context()
    context.add_init_script(PROBE)
    return context, context.new_page()


def measure(browser: Browser, url: str, runs: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {k: [] for k in (
        "cold: navigation → ready", "warm: navigation → ready",
        "cold: navigation → first summary", "warm: navigation → first summary",
        "cold: navigation → first image drawn", "warm: navigation → first image drawn",
        "file chosen → summary (Python ready)",
    )}
    for _ in range(runs):
        context, page = _fresh(browser)
        results["cold: navigation → ready"].append(_ready(page, url))
        results["file chosen → summary (Python ready)"].append(_open_after_ready(page))
        page.evaluate("window.dicomtab.offline")
        results["warm: navigation → ready"].append(_ready(page, url))
        summary, drawn = _first_summary(page, url)
        results["warm: navigation → first summary"].append(summary)
        results["warm: navigation → first image drawn"].append(drawn)
        context.close()
        context, page = _fresh(browser)
        summary, drawn = _first_summary(page, url)
        results["cold: navigation → first summary"].append(summary)
        results["cold: navigation → first image drawn"].append(drawn)
        context.close()
    return results


def print_table(results: dict[str, list[float]], header: str) -> None:
    print(header)
    print(f"| {'measure':<40} | {'median':>9} | {'min':>9} | {'max':>9} |")
    print(f"|{'-' * 42}|{'-' * 11}|{'-' * 11}|{'-' * 11}|")
    fmt: Callable[[float], str] = lambda ms: f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms"  # noqa: E731
    for name, values in results.items():
        print(f"| {name:<40} | {fmt(statistics.median(values)):>9} | {fmt(min(values)):>9} | {fmt(max(values)):>9} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--site", type=Path, default=ROOT / "dist", help="built site to measure (default dist/)"
    )
    parser.add_argument("--against", type=Path, help="a second built site, measured alternately")
    args = parser.parse_args(argv)
    sites = [args.site] + ([args.against] if args.against else [])
    servers = [serve_in_thread(site) for site in sites]
    results: list[dict[str, list[float]]] = [{} for _ in sites]
    with sync_playwright() as playwright:
        executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        version = browser.version
        for run in range(args.runs):
            # Alternating which goes first, so that neither always follows the other.
            order = range(len(sites)) if run % 2 == 0 else reversed(range(len(sites)))
            for k in order:
                for name, values in measure(browser, servers[k][1], 1).items():
                    results[k].setdefault(name, []).extend(values)
        browser.close()
    for server, _ in servers:
        server.shutdown()
    for site, table in zip(sites, results, strict=True):
        label = f" ({site})" if args.against else ""
        print_table(table, f"dicomtab start-up{label}, {args.runs} runs, Chromium {version} headless, "
                           f"localhost; {describe()}")
    print(f"Python restored from the build's start-up snapshot in {sum(RESTORED)} of {len(RESTORED)} starts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
