"""dicomtab against dwv, the plain-JavaScript DICOM viewer, side by side in one run.

    python bench/peer_bench.py [--runs 5] [--series 200]      (or: ./dev bench peer)

Builds a minimal dwv page (``bench/peer/``: dwv 0.36.4 and its dependencies pinned by
``package-lock.json``, bundled with esbuild; bench only, never in ``dist/``) into the build
cache, serves it and the built ``dist/`` on localhost, and times both in the same headless
Chromium, runs interleaved, a fresh browser profile for every run (no HTTP cache, no service
worker). Prints the median (min-max) of each row and the ratio dicomtab / dwv:

- navigation → app ready: dicomtab's ``window.dicomtab.ready`` (Python can read files); dwv's
  module has run (its App initialised);
- CT_small.dcm chosen right after ready → drawn: dicomtab then still loads numpy and the codecs;
- navigation → first image drawn: the file chosen as soon as the page's input exists;
- warm app, file chosen → drawn: dicomtab with numpy and the codecs loaded;
- a series of ``--series`` 512×512 CT files chosen at once → first image drawn, and → every
  file loaded (dicomtab: each file's summary in the list; dwv: its ``load`` event, the volume
  built).

What differs: dwv parses every file in the page and builds the whole volume before it is
done; dicomtab parses headers in Python (in a worker), lists each file with its PHI summary,
and decodes only the frame shown.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(ROOT))
from bench.machine import describe  # noqa: E402
from bench.run import PROBE  # noqa: E402
from bench.viewer_bench import make_ct  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM  # noqa: E402
from tests.conftest import bundled  # noqa: E402

from artifacts import DEFAULT_CACHE  # noqa: E402
from serve import serve_in_thread  # noqa: E402

PEER = ROOT / "bench" / "peer"
SAMPLE = bundled("CT_small.dcm")
ROWS = ("navigation → app ready", "CT_small.dcm chosen right after ready → drawn",
        "navigation → first image drawn", "warm app, file chosen → drawn",
        "series chosen → first image", "series chosen → all loaded")


def build_peer(cache: Path = DEFAULT_CACHE / "peer") -> Path:
    """The dwv page, built once per package-lock (npm ci, then esbuild)."""
    import hashlib

    key = hashlib.sha256(b"".join((PEER / n).read_bytes() for n in
                                  ("package-lock.json", "peer.js", "index.html"))).hexdigest()[:16]
    out = cache / key
    if (out / "peer.js").exists():
        return out
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=PEER, check=True)
    staging = Path(tempfile.mkdtemp(dir=cache.parent if cache.parent.exists() else None))
    subprocess.run([str(PEER / "node_modules" / ".bin" / "esbuild"), "peer.js", "--bundle",
                    "--format=esm", "--minify", f"--outfile={staging / 'peer.js'}"],
                   cwd=PEER, check=True)
    shutil.copy(PEER / "index.html", staging / "index.html")
    shutil.copytree(PEER / "node_modules" / "dwv" / "dist" / "assets", staging / "assets")
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


def serve_plain(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Subject:
    """How to read one viewer's clock."""

    def __init__(self, name: str, url: str, ready: str, drawn: str, loaded: str,
                 reset: str, chosen: str) -> None:
        self.name, self.url = name, url
        self.ready, self.drawn, self.loaded, self.reset, self.chosen = (
            ready, drawn, loaded, reset, chosen)


def _dicomtab(url: str) -> Subject:
    return Subject(
        "dicomtab", url,
        ready="window.dicomtab.ready.then(() => performance.now())",
        drawn="window.__bench.drawn",
        loaded="window.__bench.loaded",
        reset="window.__bench = {}",
        chosen="window.__bench.chosen")


def _dwv(url: str) -> Subject:
    return Subject(
        "dwv", url,
        ready="new Promise((r) => { const t = () => window.__peer ? r(window.__peer.ready) : setTimeout(t, 5); t(); })",
        drawn="window.__peer.drawn",
        loaded="window.__peer.loaded",
        reset="undefined",
        chosen="window.__peer.chosen")


#: dicomtab: every chosen file listed (its summary on the page), counted by the probe.
LOADED_PROBE = """
new MutationObserver(() => {
  const want = window.__bench.want;
  if (want && document.querySelectorAll('[data-testid=instance]').length >= want) window.__bench.loaded ??= performance.now();
}).observe(document, {subtree: true, childList: true});
"""


def _choose(page: Page, paths: list[Path]) -> None:
    page.get_by_test_id("file-input").set_input_files([str(p) for p in paths])


def _wait(page: Page, expression: str) -> float:
    page.wait_for_function(f"() => {expression} !== undefined", timeout=120000)
    return float(page.evaluate(expression))


def one_run(browser: Browser, subject: Subject, series: list[Path]) -> dict[str, float]:
    out: dict[str, float] = {}

    def fresh() -> Page:
        context = browser.new_context(service_workers="block")
        context.add_init_script(PROBE + LOADED_PROBE)
        return context.new_page()

    page = fresh()
    page.goto(subject.url)
    out[ROWS[0]] = float(page.evaluate(subject.ready))
    page.evaluate(subject.reset)
    _choose(page, [SAMPLE])
    out[ROWS[1]] = _wait(page, subject.drawn) - float(page.evaluate(subject.chosen))
    page.context.close()

    page = fresh()
    page.goto(subject.url, wait_until="domcontentloaded")
    _choose(page, [SAMPLE])
    out[ROWS[2]] = _wait(page, subject.drawn)
    page.context.close()

    page = fresh()
    page.goto(subject.url)
    page.evaluate(subject.ready)
    if subject.name == "dicomtab":
        page.evaluate("window.dicomtab.pixelsReady")
    page.evaluate(subject.reset)
    _choose(page, [SAMPLE])
    out[ROWS[3]] = _wait(page, subject.drawn) - float(page.evaluate(subject.chosen))
    page.context.close()

    page = fresh()
    page.goto(subject.url)
    page.evaluate(subject.ready)
    if subject.name == "dicomtab":
        page.evaluate("window.dicomtab.pixelsReady")
        page.evaluate(f"window.__bench = {{want: {len(series)}}}")
    _choose(page, series)
    chosen = _wait(page, subject.chosen)
    out[ROWS[4]] = _wait(page, subject.drawn) - chosen
    out[ROWS[5]] = _wait(page, subject.loaded) - chosen
    page.context.close()
    return out


def make_series(folder: Path, count: int) -> list[Path]:
    """``count`` 512×512 CT files of one series, slices in order."""
    import pydicom

    series = []
    for n in range(count):
        path = folder / f"s{n:04d}.dcm"
        make_ct(path, 512, series=1)
        ds = pydicom.dcmread(path)
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = \
            f"1.2.826.0.1.3680043.8.498.79.{n + 1}"
        ds.InstanceNumber = n + 1
        ds.ImagePositionPatient = [0, 0, float(n)]
        ds.SliceLocation = float(n)
        ds.save_as(path)
        series.append(path)
    return series


def measure(browser: Browser, site: Path, runs: int, series: list[Path]
            ) -> dict[str, dict[str, list[float]]]:
    """{viewer: {row: [ms per run]}} for dicomtab (``site``) and dwv, runs interleaved."""
    peer = build_peer()
    ours, ours_url = serve_in_thread(site)
    theirs, theirs_url = serve_plain(peer)
    subjects = [_dicomtab(ours_url), _dwv(theirs_url)]
    results: dict[str, dict[str, list[float]]] = {s.name: {row: [] for row in ROWS}
                                                  for s in subjects}
    try:
        for _ in range(runs):
            for subject in subjects:  # interleaved
                for row, value in one_run(browser, subject, series).items():
                    results[subject.name][row].append(value)
    finally:
        ours.shutdown()
        theirs.shutdown()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--series", type=int, default=200, help="files in the series")
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    series = make_series(Path(tempfile.mkdtemp()), args.series)
    with sync_playwright() as playwright:
        executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        results = measure(browser, args.site, args.runs, series)
        version = browser.version
        browser.close()
    print(f"machine: {describe()}; Chromium {version} (headless)")
    print(f"{args.runs} interleaved runs, a fresh profile each; series: {args.series} files of "
          "512×512 16-bit; median (min-max)")
    print(f"{'measure':50} {'dicomtab ms':>22} {'dwv ms':>22} {'ratio':>7}")
    for row in ROWS:
        cells = []
        for name in ("dicomtab", "dwv"):
            values = results[name][row]
            cells.append(f"{statistics.median(values):8.0f} ({min(values):.0f}-{max(values):.0f})")
        ratio = statistics.median(results["dicomtab"][row]) / statistics.median(results["dwv"][row])
        print(f"{row:50} {cells[0]:>22} {cells[1]:>22} {ratio:6.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
