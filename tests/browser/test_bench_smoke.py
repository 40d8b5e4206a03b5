"""bench/run.py's measuring code, once, so a change to the page cannot silently break it."""

from __future__ import annotations

import time
from pathlib import Path

from bench import run as bench
from bench.thread_cpu import traced
from playwright.sync_api import Browser


def test_start_up_bench_measures_every_row(browser: Browser, site_url: str) -> None:
    results = bench.measure(browser, site_url, runs=1)
    assert set(results) == {
        "cold: navigation → ready", "warm: navigation → ready",
        "cold: navigation → first summary", "warm: navigation → first summary",
        "cold: navigation → first image drawn", "warm: navigation → first image drawn",
        "file chosen → summary (Python ready)",
    }
    for name, values in results.items():
        assert len(values) == 1 and 0 < values[0] < 30000, name


def test_viewer_bench_measures_every_row(browser: Browser, site_url: str, tmp_path: Path) -> None:
    from bench import viewer_bench

    viewer_bench.make_ct(tmp_path / "s512.dcm", 512)
    viewer_bench.make_ct(tmp_path / "s3000.dcm", 3000)
    viewer_bench.make_ct(tmp_path / "cine512.dcm", 512, frames=24)
    viewer_bench.make_ct(tmp_path / "first512-0.dcm", 512, series=2)
    viewer_bench.make_ultrasound(tmp_path / "us40mb.dcm")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
    results = viewer_bench.measure(page, tmp_path, runs=1)
    context.close()
    assert len(results) == 9
    for name, values in results.items():
        assert values and all(v >= 0 for v in values), name
    assert results["cine, 512×512 × 24 frames (frames/s)"][0] > 5


def test_tab_deid_bench_measures_both_tools(browser: Browser, site_url: str, tmp_path: Path) -> None:
    from bench import deid_bench, tab_deid_bench

    files = deid_bench.generate(tmp_path / "in", 4, size=64)
    cli_s = tab_deid_bench.run_cli(tmp_path / "in", tmp_path, "basic")
    assert len(list((tmp_path / "cli-out").rglob("*.dcm"))) == 4
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
    tab = tab_deid_bench.run_tab(page, files, "basic")
    context.close()
    assert tab["counts"]["written"] == 4 and tab["zipBytes"] > 0 and tab["ms"] > 0
    text = tab_deid_bench.table(4, 0.1, cli_s, tab)
    assert "tab: deidentify() into a ZIP" in text and "4 written, 0 failed" in text
    assert "from before opening the files" in text


def test_redaction_bench_measures_every_syntax() -> None:
    """bench/redact_bench.py's CPython rows (its tab rows drive the same page API as
    tests/browser/test_deid.py's redaction tests)."""
    from bench import redact_bench

    rows = redact_bench.measure(frames=1, runs=1)
    assert len(rows) == 11 and all(ms >= 0 for _, _, ms in rows)
    assert {syntax for _, syntax, _ in rows} == set(redact_bench.SYNTAXES)


def test_peer_bench_times_dicomtab_and_dwv_on_every_row(
        browser: Browser, tmp_path: Path) -> None:
    """bench/peer_bench.py once, with a 5-file series: it builds the dwv page from its pinned
    npm packages and reads both viewers' clocks."""
    from bench import peer_bench

    series = peer_bench.make_series(tmp_path, 5)
    results = peer_bench.measure(browser, peer_bench.ROOT / "dist", 1, series)
    for name in ("dicomtab", "dwv"):
        assert set(results[name]) == set(peer_bench.ROWS)
        for row, values in results[name].items():
            assert len(values) == 1 and 0 < values[0] < 60000, (name, row)


def test_zip_bench_measures_every_row(browser: Browser, site_url: str, tmp_path: Path) -> None:
    from bench import zip_bench

    zip_bench.make_archive(tmp_path / "small.zip", 3, 0.5)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
    result = zip_bench.measure(page, tmp_path / "small.zip", 3)
    context.close()
    assert 0 < result["listed"] <= result["summary"] <= result["all"] < 60000
    assert 0 < result["image"] < 60000
    assert result["heapBefore"] > 0 and result["heapAfter"] > 0
    text = zip_bench.report((tmp_path / "small.zip").stat().st_size, 3, result, "smoke")
    assert "file chosen → entries listed:" in text and "all 3 entries opened" in text


def test_index_bench_measures_every_row(browser: Browser, site_url: str, tmp_path: Path) -> None:
    """bench/index_bench.py on a small folder: indexed, then its long series scrolled."""
    from bench import index_bench

    index_bench.generate(tmp_path, 30, 32, 20)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
    with traced(page) as cpu:
        found = index_bench.index(page, tmp_path, 30)
    passes = index_bench.scroll(page, 5)
    context.close()
    assert found["files_per_s"] > 0 and found["wasm_mb"] > 0 and found["heap_mb"] > 0
    assert cpu["worker"] > 0 and cpu["page"] > 0
    assert found["progress"]
    for held in (passes["first"], passes["second"]):
        # The last slice asked for is always drawn; those skipped on the way are not counted.
        assert held["asked"] == 5 and 1 <= held["shown"] <= 5 and held["slices_per_s"] > 0
    assert all(rate > 0 for rate in passes["one_at_a_time"])
    # The same folder dropped on the page.
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("window.dicomtab.ready")
    dropped = index_bench.index(page, tmp_path, 30, via="drop")
    context.close()
    assert dropped["complete"] and dropped["listed"] == 30 and dropped["progress"]


def test_open_bench_measures_cpython_and_webassembly(tmp_path: Path) -> None:
    """bench/open_bench.py on a few generated CT slices, in CPython and in dist/'s Python."""
    from bench import index_bench, open_bench

    from tests.build.conftest import DIST

    index_bench.generate(tmp_path, 6, 64, 6)
    files = open_bench.slices(tmp_path)
    assert len(files) == 6
    assert open_bench.one_round(files, time.thread_time) > 0
    assert open_bench.wasm(files, DIST, rounds=1) > 0


def test_tree_bench_times_updates_of_a_tree_larger_than_the_page_holds(browser: Browser, site_url: str) -> None:
    """bench/tree_bench.py with 300 files: timed, and fewer rows in the page than files."""
    from bench import tree_bench

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("window.dicomtab.ready")
    results = tree_bench.measure(page, [300], 3)
    context.close()
    assert results["300"]["update_ms"][0] > 0 and results["300"]["frame_ms"][0] > 0
    assert 0 < results["300"]["rows_in_page"] < 200
