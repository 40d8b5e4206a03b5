"""The caches' budgets follow the device's memory, as the core decides (dicomtab.memory)."""

from __future__ import annotations

from pathlib import Path

from bench.viewer_bench import big_file, make_ultrasound
from playwright.sync_api import Browser, Page

from dicomtab.memory import budgets_for
from tests.browser.conftest import load_app


def test_the_budgets_follow_the_devices_memory_in_the_worker_and_the_page(app: Page) -> None:
    device = app.evaluate("navigator.deviceMemory ?? null")
    info = app.evaluate("window.dicomtab.ready")
    assert info["budgets"] == budgets_for(device).to_dict()
    assert app.evaluate("window.dicomtab.viewer.frames.maxBytes") == info["budgets"]["frames"]


def test_a_file_read_whole_is_held_once_in_the_workers_memory(
        browser: Browser, site_url: str, tmp_path: Path) -> None:
    """Showing a 40 MB multi-frame reads the file whole: the worker's WebAssembly memory (which
    never shrinks) grows by about its size, not twice it. The worker hands the file to Python
    as it is, which copies it once (a converted memoryview, then bytes, held it twice)."""
    path = tmp_path / "us40mb.dcm"
    make_ultrasound(path)
    megabytes = path.stat().st_size / 1048576
    context = browser.new_context()
    try:
        errors: list[str] = []
        page = load_app(context, site_url, errors)
        _, _, grown = big_file(page, path)
        assert errors == []
    finally:
        context.close()
    assert megabytes < grown < 1.5 * megabytes
