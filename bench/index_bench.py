"""A folder of many CT instances indexed in headless Chromium, then one long series scrolled.

    python bench/index_bench.py [--count 20000] [--size 512] [--series-length 2000]
                                [--scroll 200] [--site DIR] [--keep DIR]
                                [--limit-seconds S] [--every S] [--trace] [--key-rate R]
                                [--via input|drop]

Generates ``--count`` CT instances of ``--size`` x ``--size`` 16-bit pixels (20,000 at 512: about
10 GB; check the free space first) in a temporary folder (deleted afterwards unless ``--keep``
names a folder to reuse), one series of ``--series-length`` slices and the rest in series of
200. Opens the folder through the folder input, as a user does (``--via drop``: dragged from the
desktop and dropped on the page, as DevTools delivers a real drag), and prints:
- files/s from the folder chosen to every instance listed, and the time to the first one;
- the longest gap between the page's animation frames while the tree grows (a frame over 100
  ms is a stutter a user sees) and whether the progress bar moved;
- the worker's WebAssembly memory and the page's JS heap (CDP) after indexing;
- scrolling the long series with the arrow key held (pressed ``--key-rate`` times a second,
  as a key repeats), down ``--scroll`` slices and back up: the distinct slices drawn per
  second (a slice counts once the viewer has drawn it, not when its key is pressed; while a
  slice is being drawn the viewer skips to the last one asked for) and how many of those asked
  were drawn; then the same one key at a time (each press waiting for its slice to be drawn
  and painted).

While indexing it prints a line every ``--every`` seconds (files listed, rate so far, the
worker's WebAssembly memory, the page's JS heap), so a long run can be watched and stopped;
``--limit-seconds`` stops indexing after that long and prints the table for the files listed
by then (the scroll is then skipped: the long series may not be complete). ``--trace`` traces
the indexing with DevTools and adds the CPU time a file of the worker and of the page's main
thread (thread time: the steadier measure on a loaded machine).

Issue #14's targets: >= 300 files/s, WebAssembly memory < 600 MB, JS heap < 400 MB, no frame
over 100 ms, >= 20 slices/s after the first pass. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from playwright.sync_api import CDPSession, Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import describe  # noqa: E402
from bench.tab import app_page  # noqa: E402
from bench.tab_deid_bench import page_heap  # noqa: E402
from bench.thread_cpu import traced  # noqa: E402
from tests.browser.conftest import drop_folder  # noqa: E402
from tests.conftest import bundled  # noqa: E402

MB = 1048576
UID_ROOT = "1.2.826.0.1.3680043.8.498.77."
PER_SERIES = 200


def generate(folder: Path, count: int, size: int, series_length: int) -> None:
    """``count`` CT slices: the first ``series_length`` one series, the others by 200."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.Rows = ds.Columns = size
    ds.PixelData = np.random.default_rng(7).integers(
        -1000, 3000, size=(size, size), dtype=np.int16).tobytes()
    for n in range(count):
        series = 0 if n < series_length else 1 + (n - series_length) // PER_SERIES
        slice_number = n if series == 0 else (n - series_length) % PER_SERIES
        ds.SeriesInstanceUID = f"{UID_ROOT}1.{series}"
        ds.SeriesNumber = series + 1
        ds.InstanceNumber = slice_number + 1
        ds.ImagePositionPatient = [0, 0, float(slice_number)]
        ds.SOPInstanceUID = f"{UID_ROOT}2.{n}"
        target = folder / f"series-{series:03d}" / f"ct-{slice_number:04d}.dcm"
        target.parent.mkdir(exist_ok=True)
        ds.save_as(target, enforce_file_format=True)


WATCH = """() => {
    window.__maxGap = 0; window.__progressed = false;
    let last = performance.now();
    const tick = (now) => { window.__maxGap = Math.max(window.__maxGap, now - last); last = now;
      if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const bar = document.querySelector('[data-testid=open-progress]');
    new MutationObserver(() => { if (bar.value > 0) window.__progressed = true; })
      .observe(bar, {attributes: true});
    setInterval(() => { if (bar.value > 0) window.__progressed = true; }, 50);
}"""


#: Files read so far: those the progress line counts (it keeps the last count once hidden).
#: Not window.dicomtab.instances(): it copies every summary (at 5,000 files, a 60 ms frame
#: of the bench's own).
READ_PROGRESS = """() => Number((document.querySelector('[data-testid=open-status]').textContent
                   .match(/Reading (\\d+) of/) || [0, 0])[1])"""


def page_busy(session: CDPSession) -> dict[str, float]:
    """Seconds the page's main thread has spent in tasks, scripts, layout and style since
    ``session`` enabled DevTools' Performance metrics: what indexing costs the page, apart
    from the worker."""
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    return {"task": metrics["TaskDuration"], "script": metrics["ScriptDuration"],
            "layout": metrics["LayoutDuration"] + metrics["RecalcStyleDuration"]}


def index(page: Page, folder: Path, count: int, limit: float | None = None,
          every: float = 5.0, via: str = "input") -> dict[str, Any]:
    """Open ``folder`` through the folder input, or dropped on the page (``via="drop"``);
    time, frames and memory until all ``count`` instances are listed, or until ``limit``
    seconds have passed; a progress line every ``every`` seconds."""
    page.evaluate(WATCH)
    session = page.context.new_cdp_session(page)
    session.send("Performance.enable")
    busy_before = page_busy(session)
    start = time.monotonic()
    if via == "drop":
        drop_folder(page, folder)
    else:
        page.get_by_test_id("folder-input").set_input_files(str(folder))
    first = None
    shown = start
    while True:
        listed = page.evaluate(READ_PROGRESS)
        now = time.monotonic()
        if listed and first is None:
            first = now - start
        if listed >= count or (limit is not None and now - start >= limit):
            break
        if now - shown >= every:
            shown = now
            wasm = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
            print(f"  {now - start:6.1f} s  {listed:6d}/{count} listed  "
                  f"{listed / (now - start):5.0f} files/s  wasm {wasm / MB:4.0f} MB  "
                  f"heap {page_heap(page) / MB:4.0f} MB  "
                  f"longest frame gap {page.evaluate('window.__maxGap'):.0f} ms", flush=True)
        time.sleep(0.25)
    seconds = time.monotonic() - start
    # Frames and the page's work are counted up to here: not the bench's own checks below.
    page.evaluate("window.__stop = true")
    max_gap = page.evaluate("window.__maxGap")
    busy = {k: v - busy_before[k] for k, v in page_busy(session).items()}
    session.detach()
    if listed >= count:
        listed = page.evaluate("window.dicomtab.instances().length")
    wasm = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    return {"busy": busy, "seconds": seconds, "first": first or seconds, "listed": listed,
            "files_per_s": listed / seconds, "complete": listed >= count,
            "max_gap_ms": max_gap,
            "progress": page.evaluate("window.__progressed"),
            "wasm_mb": wasm / MB, "heap_mb": page_heap(page) / MB}


#: Records each image the viewer finishes showing (data-loaded set: drawn, with its place in
#: the series) and each arrow key pressed, with the page's clock.
RECORD_SCROLL = """() => {
    const viewer = document.querySelector('[data-testid=viewer]');
    window.__shown = []; window.__pressed = [];
    new MutationObserver(() => {
        if (!viewer.dataset.loaded) return;
        window.__shown.push([performance.now(), viewer.dataset.loaded,
                             window.dicomtab.viewer.state.stack.index]);
    }).observe(viewer, {attributes: true, attributeFilter: ['data-loaded']});
    document.addEventListener('keydown', (e) => {
        if (e.key.startsWith('Arrow')) window.__pressed.push(performance.now());
    }, true);
}"""

#: One key at a time, in the page (no round trip to the bench per key): press, wait until
#: the image asked for is drawn and painted, press again. Resolves to the seconds taken.
STEP_IN_PAGE = """async ([key, steps]) => {
    const viewer = document.querySelector('[data-testid=viewer]');
    const stage = document.querySelector('[data-testid=viewer-stage]');
    const ids = window.dicomtab.viewer.state.stack.ids;
    let index = window.dicomtab.viewer.state.stack.index;
    const start = performance.now();
    for (let n = 0; n < steps; n++) {
        index += key === 'ArrowDown' ? 1 : -1;
        const drawn = new Promise((resolve) => {
            const watch = new MutationObserver(() => {
                if (viewer.dataset.loaded === ids[index]) { watch.disconnect(); resolve(); }
            });
            watch.observe(viewer, {attributes: true, attributeFilter: ['data-loaded']});
        });
        stage.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
        await drawn;
        // Seen once painted: after the next animation frame.
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    }
    return (performance.now() - start) / 1000;
}"""


def hold_key(page: Page, key: str, slices: int, rate: float) -> dict[str, float]:
    """Press ``key`` ``slices`` times at ``rate`` presses a second, as a held key repeats, and
    wait until the last image asked for is drawn. Counts the distinct images drawn (each
    counted when the viewer has drawn it, not when its key was pressed): slices/s shown from
    the first press to the last image, and how many of those asked were drawn."""
    state = page.evaluate("window.dicomtab.viewer.state.stack")
    target = state["ids"][state["index"] + (slices if key == "ArrowDown" else -slices)]
    page.evaluate("window.__shown = []; window.__pressed = []")
    start = time.monotonic()
    for n in range(slices):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        page.keyboard.press(key)
    page.wait_for_function(
        "(t) => document.querySelector('[data-testid=viewer]').dataset.loaded === t",
        arg=target, timeout=120000)
    shown = page.evaluate("window.__shown")
    first_press = page.evaluate("window.__pressed[0]")
    distinct = {index for _, _, index in shown}
    seconds = (shown[-1][0] - first_press) / 1000
    return {"slices_per_s": len(distinct) / seconds, "shown": len(distinct), "asked": slices,
            "seconds": seconds, "press_rate": slices / (page.evaluate(
                "window.__pressed.at(-1) - window.__pressed[0]") / 1000 or 1)}


def scroll(page: Page, slices: int, rate: float = 30.0) -> dict[str, Any]:
    """Scroll the first series from its first image with the arrow key: down ``slices``
    images and back up as a key held at ``rate`` presses a second (first and second pass),
    then from its last image up and down again one key at a time (each press waits for its
    image to be drawn; first and second pass)."""
    page.locator("[data-testid=tree-instance]").first.click()  # the long series' first slice
    page.wait_for_function("() => document.querySelector('[data-testid=viewer]').dataset.loaded")
    page.get_by_test_id("viewer-canvas").click()  # the viewer takes the keys
    page.evaluate(RECORD_SCROLL)
    first = hold_key(page, "ArrowDown", slices, rate)
    second = hold_key(page, "ArrowUp", slices, rate)
    # One key at a time from the series' other end, on slices not shown yet, then back.
    last = page.evaluate("window.dicomtab.viewer.state.stack.ids.at(-1)")
    page.keyboard.press("End")
    page.wait_for_function(
        "(t) => document.querySelector('[data-testid=viewer]').dataset.loaded === t",
        arg=last, timeout=30000)
    steps = [slices / page.evaluate(STEP_IN_PAGE, [key, slices])
             for key in ("ArrowUp", "ArrowDown")]
    return {"first": first, "second": second, "one_at_a_time": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--series-length", type=int, default=2000)
    parser.add_argument("--scroll", type=int, default=200, help="slices per scroll pass")
    parser.add_argument("--key-rate", type=float, default=30.0,
                        help="presses a second while the arrow key is held (a key's repeat)")
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--limit-seconds", type=float,
                        help="stop indexing after this long; the table covers what was listed")
    parser.add_argument("--every", type=float, default=5.0,
                        help="seconds between progress lines while indexing")
    parser.add_argument("--via", choices=("input", "drop"), default="input",
                        help="open the folder through the folder input, or drag and drop it")
    parser.add_argument("--trace", action="store_true",
                        help="CPU a file of the worker and the page, from a DevTools trace")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dicomtab-index-"))
    try:
        if not any(folder.rglob("*.dcm")):
            folder.mkdir(parents=True, exist_ok=True)
            generate(folder, args.count, args.size, min(args.series_length, args.count))
        gigabytes = sum(p.stat().st_size for p in folder.rglob("*.dcm")) / 2**30
        print(f"indexing {args.count} files ({gigabytes:.1f} GB) from {folder}", flush=True)
        with app_page(args.site) as (page, version):
            with traced(page) if args.trace else nullcontext({}) as cpu:
                found = index(page, folder, args.count, args.limit_seconds, args.every, args.via)
            passes = (scroll(page, min(args.scroll, args.series_length - 1), args.key_rate)
                      if found["complete"] and args.scroll > 0 else None)
        print(describe())
        print(f"browser: Chromium {version} headless; folder: {args.count} CT instances "
              f"({args.size}x{args.size} 16-bit), {gigabytes:.1f} GB, opened "
              + ("by the folder input" if args.via == "input" else "dropped on the page"))
        rows = [
            ("first instance listed", f"{found['first']:.2f} s", ""),
            ("all listed" if found["complete"] else f"{found['listed']} listed (stopped)",
             f"{found['seconds']:.1f} s", ""),
            ("files/s", f"{found['files_per_s']:.0f}", ">= 300"),
            ("longest frame gap while indexing", f"{found['max_gap_ms']:.0f} ms", "<= 100 ms"),
            ("page main thread busy while indexing",
             f"{found['busy']['task']:.1f} s", ""),
            ("  of which scripts / layout and style",
             f"{found['busy']['script']:.1f} / {found['busy']['layout']:.1f} s", ""),
            ("progress bar moved", "yes" if found["progress"] else "no", "yes"),
            *[(f"CPU a file, {thread} (trace)", f"{cpu[thread] / found['listed'] * 1e3:.2f} ms",
               "") for thread in ("worker", "page") if thread in cpu],
            ("worker WebAssembly memory", f"{found['wasm_mb']:.0f} MB", "< 600 MB"),
            ("page JS heap", f"{found['heap_mb']:.0f} MB", "< 400 MB"),
        ]
        if passes:
            held = f"key held ({passes['first']['press_rate']:.0f} presses/s)"
            for name, run in ((f"scroll, first pass, {held}", passes["first"]),
                              (f"scroll, second pass, {held}", passes["second"])):
                rows.append((name, f"{run['slices_per_s']:.1f} slices/s",
                             ">= 20" if run is passes["second"] else ""))
                rows.append(("  images drawn / asked",
                             f"{run['shown']} / {run['asked']}", ""))
            rows.append(("scroll one key at a time, 1st / 2nd pass",
                         " / ".join(f"{r:.1f}" for r in passes["one_at_a_time"]) + " slices/s", ""))
        else:
            rows.append(("scroll", "not run", ""))
        width = max(len(r[0]) for r in rows)
        print(f"{'measure':<{width}}  {'value':>16}  target")
        for name, value, target in rows:
            print(f"{name:<{width}}  {value:>16}  {target}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
