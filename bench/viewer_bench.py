"""The image viewer's speed in headless Chromium, on generated CT and ultrasound images.

    python bench/viewer_bench.py [--runs 5] [--site DIR]      (or: ./dev bench viewer)

Prints one table (median, min and max):
- "W/L update": one window/level change through the viewer's own path (values → grey
  through a lookup table, drawn with the view transform), as a mouse drag makes them;
- "W/L drag → frame painted": the same, until the next animation frame has run;
- "first image": the app loaded (Python, numpy, codecs), a 512×512 CT already open but
  never shown: from the click in the study tree until the image is drawn (each run shows
  another file, so no cache helps);
- "cine": frames per second shown by a 512×512 multi-frame played at 60 fps once its frames
  are cached;
- "40 MB ultrasound": the longest gap between animation frames on the page while the file
  is opened and its first frame shown (a frozen page shows as a long gap), how much the
  page's JavaScript heap grew, and how much the worker's WebAssembly memory grew: the file
  is held there once, and frames are decoded from it one by one (a copy of the file would
  show as twice its size).

Targets (issue #5): W/L ≤ 16 ms at 512×512 and ≤ 50 ms at 3000×3000; first image ≤ 300 ms;
cine ≥ 30 frames/s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(ROOT))
from bench.machine import describe  # noqa: E402
from bench.tab import app_page  # noqa: E402
from tests.conftest import bundled  # noqa: E402


def make_ct(path: Path, size: int, frames: int = 1, *, series: int = 1) -> None:
    """A CT-like image of random HU values (int16), one or more frames."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    rng = np.random.default_rng(size * 10 + frames)
    ds.Rows = ds.Columns = size
    if frames > 1:
        ds.NumberOfFrames = frames
        ds.FrameTime = 1000 / 60
    ds.PixelData = rng.integers(-1000, 3000, size=(frames, size, size), dtype=np.int16).tobytes()
    ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.77.{series}.{size}.{frames}"
    ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.78.{series}.{size}.{frames}"
    ds.save_as(path)


def make_ultrasound(path: Path) -> None:
    """A 40+ MB multi-frame ultrasound: 8-bit RGB 640×480, 46 frames."""
    ds = pydicom.dcmread(bundled("SC_rgb_small_odd.dcm"))  # 8-bit RGB, Explicit VR LE
    rows, columns, frames = 480, 640, 46
    rng = np.random.default_rng(7)
    ds.Modality = "US"
    ds.Rows, ds.Columns, ds.NumberOfFrames, ds.FrameTime = rows, columns, frames, 33.3
    ds.PixelData = rng.integers(0, 255, size=(frames, rows, columns, 3), dtype=np.uint8).tobytes()
    ds.save_as(path)
    assert path.stat().st_size > 40_000_000


def select(page: Page, name: str) -> float:
    """Click the instance in the study tree; milliseconds until the viewer has drawn it."""
    item = page.get_by_test_id("tree-instance").filter(has_text=name)
    instance_id = item.get_attribute("data-instance-id")
    page.evaluate("""() => {
        window.__bench = {};
        const viewer = document.querySelector('[data-testid=viewer]');
        new MutationObserver(() => {
            if (viewer.dataset.loaded && !window.__bench.loaded) window.__bench.loaded = performance.now();
        }).observe(viewer, {attributes: true});
        document.querySelector('[data-testid=study-tree]').addEventListener('click',
            () => { window.__bench.clicked = performance.now(); }, {capture: true, once: true});
    }""")
    item.click()
    page.get_by_test_id("viewer").and_(page.locator(f"[data-loaded='{instance_id}']")).wait_for(timeout=60000)
    return page.evaluate("window.__bench.loaded - window.__bench.clicked")


def window_updates(page: Page, count: int) -> tuple[list[float], list[float]]:
    """`count` W/L changes: each one's own time, and until the next frame has been painted."""
    sync, painted = page.evaluate(
        """async (count) => {
            const viewer = window.dicomtab.viewer;
            const sync = [], painted = [];
            for (let i = 0; i < count; i++) {
                const start = performance.now();
                viewer.setWindow(40 + 7 * i, 400 + 11 * i);
                sync.push(performance.now() - start);
                await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
                painted.push(performance.now() - start);
            }
            return [sync, painted];
        }""",
        count,
    )
    return sync, painted


def cine_fps(page: Page, instance_id: str, frames: int) -> float:
    """Play at 60 fps once every frame is cached; the frames per second actually shown."""
    page.get_by_test_id("viewer-fps").fill("60")
    page.get_by_test_id("viewer-fps").dispatch_event("change")
    page.get_by_test_id("viewer-cine").click()
    page.evaluate(
        """async ([id, frames]) => {
            const viewer = window.dicomtab.viewer;
            while (![...Array(frames).keys()].every((i) => viewer.frames.has(id, i))) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        }""",
        [instance_id, frames],
    )
    page.wait_for_timeout(1500)
    fps = float(page.evaluate("window.dicomtab.viewer.state.cine.measuredFps"))
    page.get_by_test_id("viewer-cine").click()
    return fps


def big_file(page: Page, path: Path) -> tuple[float, float, float]:
    """Open and show a 40 MB file: the longest frame gap (ms), the page's JS heap growth and
    the worker's WebAssembly memory growth (MB)."""
    wasm_before = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    page.evaluate("""() => {
        window.__gaps = {max: 0, last: performance.now(), on: true};
        const tick = (now) => {
            window.__gaps.max = Math.max(window.__gaps.max, now - window.__gaps.last);
            window.__gaps.last = now;
            if (window.__gaps.on) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        window.__heap = performance.memory ? performance.memory.usedJSHeapSize : 0;
    }""")
    page.get_by_test_id("file-input").set_input_files(str(path))
    item = page.get_by_test_id("tree-instance").filter(has_text=path.name)
    item.wait_for(timeout=60000)
    instance_id = item.get_attribute("data-instance-id")
    item.click()
    page.get_by_test_id("viewer").and_(page.locator(f"[data-loaded='{instance_id}']")).wait_for(timeout=60000)
    page.wait_for_timeout(300)
    gap, heap = page.evaluate("""() => {
        window.__gaps.on = false;
        const heap = performance.memory ? performance.memory.usedJSHeapSize - window.__heap : 0;
        return [window.__gaps.max, heap / 1048576];
    }""")
    wasm_after = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    return float(gap), float(heap), (wasm_after - wasm_before) / 1048576


def measure(page: Page, folder: Path, runs: int) -> dict[str, list[float]]:
    """Every row of the table, ``runs`` times (the big file once)."""
    results: dict[str, list[float]] = {}

    def add(name: str, values: list[float]) -> None:
        results.setdefault(name, []).extend(values)

    # First, on the fresh page, so that the worker's memory growth is this file's alone.
    megabytes = (folder / "us40mb.dcm").stat().st_size / 1048576
    gap, heap, wasm = big_file(page, folder / "us40mb.dcm")
    add("40 MB US: longest frame gap (ms)", [gap])
    add("40 MB US: page JS heap growth (MB)", [heap])
    add(f"40 MB US ({megabytes:.1f} MB): worker memory growth (MB)", [wasm])

    firsts = [f"first512-{n}.dcm" for n in range(runs)]
    names = ["s512.dcm", "s3000.dcm", "cine512.dcm", *firsts]
    page.get_by_test_id("file-input").set_input_files([str(folder / n) for n in names])
    page.get_by_test_id("tree-instance").nth(len(names) - 1).wait_for(timeout=60000)
    for size in (512, 3000):
        select(page, f"s{size}.dcm")
        window_updates(page, 3)  # warm-up
        for _ in range(runs):
            sync, painted = window_updates(page, 10)
            add(f"W/L update, {size}×{size}", sync)
            add(f"W/L update → frame painted, {size}×{size}", painted)
    for name in firsts:
        select(page, "s512.dcm")
        add("first image, 512×512 CT (click → drawn)", [select(page, name)])
    cine_id = page.get_by_test_id("tree-instance").filter(has_text="cine512.dcm").get_attribute("data-instance-id")
    select(page, "cine512.dcm")
    add("cine, 512×512 × 24 frames (frames/s)", [cine_fps(page, str(cine_id), 24)])
    return results


def print_table(results: dict[str, list[float]], header: str) -> None:
    """The results as a Markdown table."""
    width = max(len(name) for name in results)
    print(header)
    print(f"| {'measure':<{width}} | {'median':>8} | {'min':>8} | {'max':>8} |")
    print(f"|{'-' * (width + 2)}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    fmt: Callable[[float], str] = lambda v: f"{v:.1f}"  # noqa: E731
    for name, values in results.items():
        print(f"| {name:<{width}} | {fmt(statistics.median(values)):>8} | {fmt(min(values)):>8} | {fmt(max(values)):>8} |")
    print("(times in ms unless the row says otherwise)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, default=ROOT / "dist", help="built site (default dist/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_ct(folder / "s512.dcm", 512)
        make_ct(folder / "s3000.dcm", 3000)
        make_ct(folder / "cine512.dcm", 512, frames=24)
        for n in range(args.runs):
            make_ct(folder / f"first512-{n}.dcm", 512, series=2 + n)
        make_ultrasound(folder / "us40mb.dcm")
        with app_page(args.site) as (page, version):
            results = measure(page, folder, args.runs)
    print_table(results, f"dicomtab viewer, {args.runs} runs, Chromium {version} headless, localhost; {describe()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
