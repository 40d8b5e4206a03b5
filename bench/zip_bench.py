"""A 4 GB ZIP64 archive opened in headless Chromium through the file input.

    python bench/zip_bench.py [--entries 400] [--mb 10] [--site DIR]   (or: ./dev bench zip)

Generates an archive of ``--entries`` stored CT files of about ``--mb`` MB each (pydicom;
written with Python's zipfile, which writes the ZIP64 records past 4 GB) in a temporary folder
(deleted afterwards: check the free space first), opens it in the page and prints:
- from the file chosen to the entries listed (the central directory read by slices with zip.js),
  to the first summary shown, to the first image drawn, and to every entry opened;
- the page's JS heap (CDP, Performance.getMetrics) and the resident memory of all the browser's
  processes (Linux /proc) before and after, and the worker's WebAssembly memory: had the archive
  been read whole, they would grow by its size.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pydicom
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import describe  # noqa: E402
from bench.tab import app_page  # noqa: E402
from bench.tab_deid_bench import page_heap  # noqa: E402
from tests.conftest import bundled  # noqa: E402

MB = 1048576


def make_archive(path: Path, entries: int, megabytes: float) -> None:
    """``entries`` stored CT files of about ``megabytes`` MB each (random int16 pixels), in
    folders of 100."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    side = int((megabytes * MB / 2) ** 0.5)
    ds.Rows = ds.Columns = side
    ds.PixelData = np.random.default_rng(4).integers(
        -1000, 3000, size=(side, side), dtype=np.int16).tobytes()
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.64.1"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for n in range(entries):
            ds.InstanceNumber = n + 1
            ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.64.2.{n + 1}"
            buffer = io.BytesIO()
            ds.save_as(buffer, enforce_file_format=True)
            archive.writestr(f"series-{n // 100}/ct-{n:04d}.dcm", buffer.getvalue())
    if path.stat().st_size > 2**32:  # past 4 GB zipfile must have ended with the ZIP64 records
        with path.open("rb") as written:
            written.seek(-22 - 20 - 56, 2)
            assert written.read(4) == b"PK\x06\x06", "no ZIP64 end of central directory record"


def browser_rss(root_pid: int) -> int:
    """Resident bytes of every process descended from ``root_pid`` (Linux), else 0."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)
    return total


def measure(page: Page, archive: Path, entries: int) -> dict[str, float]:
    """Open ``archive`` through the file input; the times (ms) and memory (bytes) of the run."""
    out: dict[str, float] = {
        "heapBefore": page_heap(page), "rssBefore": browser_rss(os.getpid()),
        "wasmBefore": page.evaluate("window.dicomtab.memory()")["wasmMemory"],
    }
    page.evaluate("""(entries) => {
        const marks = window.__zipBench = {};
        const now = () => performance.now();
        document.addEventListener('change', () => { marks.chosen = now(); }, { capture: true, once: true });
        new MutationObserver((_, observer) => {
            const status = document.getElementById('open-status');
            if (!marks.listed && status && status.textContent.includes(`of ${entries} files`)) marks.listed = now();
            if (!marks.summary && document.querySelector('[data-testid=tree-instance]')) marks.summary = now();
            const viewer = document.querySelector('[data-testid=viewer]');
            if (!marks.image && viewer && viewer.getAttribute('data-loaded')) marks.image = now();
            if (document.querySelectorAll('[data-testid=tree-instance]').length >= entries) {
                marks.all = now();
                observer.disconnect();
            }
        }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    }""", entries)
    page.get_by_test_id("file-input").set_input_files(str(archive))
    page.wait_for_function("() => window.__zipBench.all", timeout=3_600_000, polling=200)
    marks = page.evaluate("window.__zipBench")
    for name in ("listed", "summary", "image", "all"):
        out[name] = marks[name] - marks["chosen"]
    out["heapAfter"], out["rssAfter"] = page_heap(page), browser_rss(os.getpid())
    out["wasmAfter"] = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    return out


def report(archive_bytes: int, entries: int, result: dict[str, float], header: str) -> str:
    """The figures as text."""
    return "\n".join([
        header,
        f"archive: {archive_bytes / 2**30:.2f} GiB, {entries} stored entries, "
        + ("ZIP64" if archive_bytes > 2**32 else "under 4 GB: no ZIP64"),
        f"file chosen → entries listed: {result['listed']:.0f} ms",
        f"file chosen → first summary shown: {result['summary']:.0f} ms",
        f"file chosen → first image drawn: {result['image']:.0f} ms",
        f"file chosen → all {entries} entries opened: {result['all']:.0f} ms",
        f"page JS heap: {result['heapBefore'] / MB:.1f} MB before, {result['heapAfter'] / MB:.1f} MB after",
        f"browser processes' resident memory: {result['rssBefore'] / MB:.0f} MB before, "
        f"{result['rssAfter'] / MB:.0f} MB after",
        f"worker WebAssembly memory: {result['wasmBefore'] / MB:.0f} MB before, "
        f"{result['wasmAfter'] / MB:.0f} MB after",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=400)
    parser.add_argument("--mb", type=float, default=10.5, help="size of each entry (MB)")
    parser.add_argument("--site", type=Path, default=ROOT / "dist", help="built site (default dist/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "big.zip"
        started = time.perf_counter()
        make_archive(archive, args.entries, args.mb)
        print(f"archive written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        with app_page(args.site) as (page, version):
            result = measure(page, archive, args.entries)
        size = archive.stat().st_size
    print(report(size, args.entries, result,
                 f"dicomtab ZIP archive, Chromium {version} headless, localhost; {describe()}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
