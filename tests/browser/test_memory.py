"""The caches' budgets follow the device's memory, as the core decides (dicomtab.memory)."""

from __future__ import annotations

from playwright.sync_api import Page

from dicomtab.memory import budgets_for


def test_the_budgets_follow_the_devices_memory_in_the_worker_and_the_page(app: Page) -> None:
    device = app.evaluate("navigator.deviceMemory ?? null")
    info = app.evaluate("window.dicomtab.ready")
    assert info["budgets"] == budgets_for(device).to_dict()
    assert app.evaluate("window.dicomtab.viewer.frames.maxBytes") == info["budgets"]["frames"]
