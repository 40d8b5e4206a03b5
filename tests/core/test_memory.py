"""Budgets by the device's memory, and running out of memory told as such (dicomtab.memory,
worker_api)."""

from __future__ import annotations

import pytest

from dicomtab import memory, worker_api
from dicomtab.pixels import describe
from tests.conftest import bundled
from tests.worker_results import failed, ok


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())


@pytest.mark.parametrize(("device_gb", "scale"), [
    (None, 1.0), (0, 1.0), ("unknown", 1.0), (float("nan"), 1.0), (4, 1.0),
    (8, 2.0), (64, 2.0), (2, 0.5), (0.25, 0.5),
])
def test_budgets_scale_with_the_device_between_half_and_double(device_gb: object,
                                                                scale: float) -> None:
    budgets = memory.budgets_for(device_gb)
    default = memory.DEFAULT
    assert (budgets.file_bytes, budgets.parsed, budgets.frames) == (
        int(default.file_bytes * scale), int(default.parsed * scale), int(default.frames * scale))
    assert budgets.to_dict()["deviceScale"] == scale


def test_the_worker_takes_its_budgets_and_gives_the_page_its_own() -> None:
    given = ok(worker_api.configure_memory(1))
    assert given == memory.budgets_for(1).to_dict()
    assert worker_api.SESSION.budget.limit == given["fileBytes"] == memory.DEFAULT.file_bytes // 2
    assert worker_api.SESSION.parsed.limit == given["parsed"]
    # numpy's arrival makes a new session of the old one: the budgets go with it.
    later = worker_api.Session()
    later.adopt(worker_api.SESSION)
    assert (later.budget.limit, later.parsed.limit) == (given["fileBytes"], given["parsed"])


def test_a_frame_too_big_for_the_memory_left_says_how_much_it_needs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    instance = ok(worker_api.open_file(bundled("MR_small.dcm").read_bytes(), "MR_small.dcm"))
    assert ok(worker_api.frame(instance["instanceId"], 0))["rows"] == 64  # it shows

    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    with monkeypatch.context() as patched:
        patched.setattr(describe, "describe_frame", no_memory)
        error = failed(worker_api.frame_buffer(instance["instanceId"], 0)[0])
    assert error["code"] == "memory"
    assert "Frame 1 of MR_small.dcm needs about 1 MB" in error["message"]
    assert "close some series" in error["message"]
    assert ok(worker_api.frame(instance["instanceId"], 0))["rows"] == 64  # and goes on


def test_a_javascript_allocation_failure_is_running_out_of_memory() -> None:
    class JsException(Exception):  # what Pyodide raises for a JavaScript error
        name = "RangeError"

    def allocate() -> None:
        raise JsException("Array buffer allocation failed")

    error = failed(worker_api._run(allocate))
    assert error == {"code": "memory", "message": worker_api.OUT_OF_MEMORY}
    JsException.name = "TypeError"
    assert failed(worker_api._run(allocate))["code"] == "internal"
