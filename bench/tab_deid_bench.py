"""De-identification in the tab against ``dicomtab deid`` in CPython, on the same files.

    python bench/tab_deid_bench.py [--count 2000] [--size 512] [--profile basic]

Generates ``--count`` CT-like instances (bench/deid_bench.py's generator: ``--size`` squared
16-bit pixels and a full header of made-up PHI), then, in one run on the same machine:
- ``dicomtab deid`` (CPython, one process, verification on, as a user runs it);
- the tab (headless Chromium, the built dist/): the files are chosen in the file input and
  opened, then ``window.dicomtab.deidentify({output: 'zip'})`` de-identifies and verifies
  every one into a streamed ZIP download, timed from the call to the record.
Prints files/s and MB/s (input bytes) for both, the tab's ratio to the CLI, and how much the
worker's WebAssembly memory and the page's JS heap grew, from before the files were opened to
the end of the run, and during the run alone.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))
from bench.deid_bench import generate  # noqa: E402
from bench.machine import describe  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM  # noqa: E402
from tests.deid_runs import KEY_TEXT  # noqa: E402

from serve import serve_in_thread  # noqa: E402

DIST = Path(__file__).resolve().parent.parent / "dist"
MB = 1024 * 1024


def run_cli(folder: Path, work: Path, profile: str) -> float:
    """Seconds for ``dicomtab deid`` on ``folder`` (verification on), interpreter included."""
    key = work / "bench.key"
    key.write_text(KEY_TEXT, encoding="ascii")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dicomtab.cli.main", "deid", str(folder), "-o",
                    str(work / "cli-out"), "--key-file", str(key), "--profile", profile],
                   check=False, capture_output=True)
    return time.perf_counter() - started


def page_heap(page: Page) -> float:
    """The page's JS heap in use (bytes), from the DevTools protocol."""
    session = page.context.new_cdp_session(page)
    session.send("Performance.enable")  # without it, every metric reads 0
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    session.detach()
    return float(metrics.get("JSHeapUsedSize", 0.0))


def run_tab(page: Page, files: list[Path], profile: str) -> dict[str, Any]:
    """Open ``files`` in the page, then de-identify them all into a ZIP; times and memory."""
    wasm_at_start = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    heap_at_start = page_heap(page)
    page.get_by_test_id("file-input").set_input_files([str(p) for p in files])
    page.wait_for_function("(n) => window.dicomtab.instances().length === n", arg=len(files),
                           timeout=0, polling=500)
    page.evaluate("window.gc && window.gc()")
    wasm_before = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    heap_before = page_heap(page)
    with page.expect_download(timeout=0) as info:
        out = page.evaluate("""async ({key, profile}) => {
            const started = performance.now();
            const result = await window.dicomtab.deidentify({profile, key, output: 'zip'});
            return {ms: performance.now() - started, counts: result.counts,
                    verification: result.verification.result};
        }""", {"key": KEY_TEXT, "profile": profile})
    zip_bytes = Path(info.value.path()).stat().st_size
    page.evaluate("window.gc && window.gc()")
    wasm_after = page.evaluate("window.dicomtab.memory()")["wasmMemory"]
    heap_after = page_heap(page)
    out["wasmGrowth"], out["heapGrowth"] = wasm_after - wasm_before, heap_after - heap_before
    out["wasmWorkflow"], out["heapWorkflow"] = wasm_after - wasm_at_start, heap_after - heap_at_start
    out["zipBytes"] = zip_bytes
    return out


def table(count: int, megabytes: float, cli_s: float, tab: dict[str, Any]) -> str:
    tab_s = tab["ms"] / 1000
    rows = [
        f"batch: {count} CT-like instances, {megabytes:.1f} MB; profile with verification on",
        f"{'tool':<34}{'seconds':>9}{'files/s':>9}{'MB/s':>8}{'vs CLI':>8}",
        f"{'dicomtab deid (CPython)':<34}{cli_s:>9.2f}{count / cli_s:>9.1f}{megabytes / cli_s:>8.1f}{1:>7.2f}x",
        f"{'tab: deidentify() into a ZIP':<34}{tab_s:>9.2f}{count / tab_s:>9.1f}{megabytes / tab_s:>8.1f}"
        f"{cli_s / tab_s:>7.2f}x",
        f"tab: {tab['counts']['written']} written, {tab['counts']['failed']} failed, verification "
        f"{tab['verification']}; ZIP {tab['zipBytes'] / MB:.1f} MB",
        f"tab: worker WebAssembly memory growth: {tab['wasmWorkflow'] / MB:.1f} MB from before "
        f"opening the files to the end of the run ({tab['wasmGrowth'] / MB:.1f} MB during the run)",
        f"tab: page JS heap growth: {tab['heapWorkflow'] / MB:.1f} MB from before opening the files "
        f"({tab['heapGrowth'] / MB:.1f} MB during the run)",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--profile", default="basic")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = generate(work / "in", args.count, size=args.size)
        megabytes = sum(p.stat().st_size for p in files) / MB
        cli_s = run_cli(work / "in", work, args.profile)
        server, url = serve_in_thread(DIST)
        with sync_playwright() as playwright:
            executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
            browser = playwright.chromium.launch(executable_path=executable,
                                                 args=[*CHROMIUM_ARGS, "--js-flags=--expose-gc"])
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            page.goto(url)
            page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
            tab = run_tab(page, files, args.profile)
            browser.close()
        server.shutdown()
    print(describe())
    print(table(args.count, megabytes, cli_s, tab))
    return 0


if __name__ == "__main__":
    sys.exit(main())
