"""CPU time per thread of the tab, from a DevTools (Chromium) trace: what a bench's work costs
the page's main thread and the worker, apart from the time it waits for a core on a loaded
machine (a trace's ``tdur`` is thread time).

    with traced(page) as cpu:
        ...  # the work
    cpu["worker"], cpu["page"]  # seconds
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Page

#: What the trace records: every task of every thread, with its thread time.
CATEGORIES = ["toplevel", "disabled-by-default-devtools.timeline"]


@contextmanager
def traced(page: Page) -> Iterator[dict[str, float]]:
    """Trace the tab while the block runs; the dict then holds the seconds of CPU of the
    page's main thread (``page``) and of its busiest worker thread (``worker``)."""
    browser = page.context.browser
    assert browser is not None
    browser.start_tracing(page=page, categories=CATEGORIES)
    cpu: dict[str, float] = {}
    try:
        yield cpu
    finally:
        cpu.update(thread_cpu(json.loads(browser.stop_tracing())))


def thread_cpu(trace: Any) -> dict[str, float]:
    """Seconds of CPU of the page's main thread and of the busiest dedicated worker: the
    thread time of each top-level task (a task inside another is counted with it)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    tasks = defaultdict(list)
    for event in events:
        if event.get("ph") == "X" and "dur" in event:
            tasks[(event["pid"], event["tid"])].append(event)
    busy: dict[tuple[int, int], float] = {}
    for thread, found in tasks.items():
        found.sort(key=lambda e: (e["ts"], -e["dur"]))
        end, seconds = -1, 0.0
        for event in found:
            if event["ts"] >= end:
                end = event["ts"] + event["dur"]
                seconds += event.get("tdur", 0) / 1e6
        busy[thread] = seconds

    def busiest(prefix: str) -> float:
        return max((s for t, s in busy.items() if names.get(t, "").startswith(prefix)),
                   default=0.0)
    return {"page": busiest("CrRendererMain"), "worker": busiest("DedicatedWorker")}
