"""bench/run.py's measuring code, once, so a change to the page cannot silently break it."""

from __future__ import annotations

from bench import run as bench
from playwright.sync_api import Browser


def test_start_up_bench_measures_every_row(browser: Browser, site_url: str) -> None:
    results = bench.measure(browser, site_url, runs=1)
    assert set(results) == {
        "cold: navigation → ready", "warm: navigation → ready",
        "cold: navigation → first summary", "warm: navigation → first summary",
        "file chosen → summary (Python ready)",
    }
    for name, values in results.items():
        assert len(values) == 1 and 0 < values[0] < 30000, name
