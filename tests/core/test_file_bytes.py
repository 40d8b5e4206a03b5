"""Opened files' bytes within a budget, read again when needed (dicomtab/file_bytes.py)."""

from __future__ import annotations

import json

import pytest

from dicomtab import worker_api
from dicomtab.file_bytes import ByteBudget, FileBytes
from tests.conftest import bundled
from tests.worker_results import ok

FILES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "JPEG2000.dcm"]


class Disk:
    """Files the session may read again, counting the reads (as the browser's File would)."""

    def __init__(self) -> None:
        self.reads: dict[str, int] = {}
        self.content = {name: bundled(name).read_bytes() for name in FILES}

    def reader(self, name: str):  # noqa: ANN201
        def read() -> bytes:
            self.reads[name] = self.reads.get(name, 0) + 1
            return self.content[name]

        return read


def test_the_budget_keeps_the_most_recently_used_files() -> None:
    budget = ByteBudget(limit=100)
    a = FileBytes(b"a" * 60, "a", lambda: b"a" * 60, budget)
    b = FileBytes(b"b" * 60, "b", lambda: b"b" * 60, budget)
    assert (a.resident, b.resident, budget.used) == (False, True, 60)
    assert a.get() == b"a" * 60 and (a.resident, b.resident) == (True, False)
    kept = FileBytes(b"k" * 60, "k", None, budget)  # no way to read it again: never dropped
    assert kept.resident and not a.resident
    b.get()
    assert kept.resident and b.resident and budget.used == 120


def test_a_file_changed_or_gone_since_it_was_opened_is_named() -> None:
    def gone() -> bytes:
        raise OSError("NotReadableError")

    budget = ByteBudget(limit=10)
    moved = FileBytes(b"x" * 20, "moved.dcm", gone, budget)
    changed = FileBytes(b"y" * 20, "changed.dcm", lambda: b"y" * 5, budget)
    assert not moved.resident
    with pytest.raises(Exception, match=r"moved.dcm could not be read again \(OSError\)"):
        moved.get()
    changed.drop()
    with pytest.raises(Exception, match="changed.dcm changed since it was opened"):
        changed.get()


def test_a_session_over_budget_reads_files_again_and_works_as_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    disk = Disk()
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session(budget=1))  # one file at a time
    ids = [ok(worker_api.open_file(disk.content[n], n, disk.reader(n)))["instanceId"] for n in FILES]
    assert disk.reads == {}  # opening uses the bytes given
    tree = ok(worker_api.tree(ids[0]))
    assert disk.reads == {"CT_small.dcm": 1} and tree["rows"]
    assert ok(worker_api.phi_summary(ids[1]))["total"] > 0
    assert disk.reads["MR_small.dcm"] == 1
    shown = json.loads(worker_api.export_dump(ids[3]))
    assert shown["status"] == "success" and disk.reads["JPEG2000.dcm"] == 1

