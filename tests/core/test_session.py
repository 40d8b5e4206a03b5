"""One session holds each open instance once, and everything parsed from it.

The inspector, the viewer and the de-identification preview take their parses from the
session's one cache (dicomtab.session); closing an instance forgets it everywhere, the
cache is held to a byte budget, and dropping a file's bytes drops what was parsed of them.
"""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

import pytest

from dicomtab import worker_api
from dicomtab.inspect import partial
from dicomtab.pixels import api as pixels
from dicomtab.session import MIN_PARSED_COST, Session
from tests import badfiles
from tests.conftest import bundled
from tests.worker_results import failed, ok


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> Session:
    session = Session()
    monkeypatch.setattr(worker_api, "SESSION", session)
    return session


def _open(name: str) -> str:
    return ok(worker_api.open_file(bundled(name).read_bytes(), name))["instanceId"]


def test_the_inspector_the_viewer_and_the_preview_share_one_parse_per_kind(
        monkeypatch: pytest.MonkeyPatch, fresh_session: Session) -> None:
    instance = _open("CT_small.dcm")
    loads: list[str] = []
    real = partial.load
    monkeypatch.setattr(partial, "load",
                        lambda data, name, *rest: loads.append(name) or real(data, name, *rest))
    key = json.loads(worker_api.deid_new_key())["payload"]["text"].encode()
    ok(worker_api.tree(instance))
    ok(worker_api.deid_preview(instance, json.dumps({"builtin": "basic"}), key, "k.key"))
    ok(worker_api.search(instance, "CT"))
    ok(worker_api.frame(instance, 0))
    ok(worker_api.frame_digest(instance, 0))
    assert loads.count("CT_small.dcm") == 1  # (the preview parses its own output too)
    assert sorted(fresh_session.parsed.kinds(instance)) == ["inspected", "pixels"]


def test_closing_an_instance_frees_it_everywhere(fresh_session: Session) -> None:
    instance, other = _open("CT_small.dcm"), _open("MR_small.dcm")
    ok(worker_api.tree(instance))
    ok(worker_api.frame(instance, 0))
    ok(worker_api.tree(other))
    inspected = weakref.ref(partial.of_instance(fresh_session.get(instance)))
    dataset = weakref.ref(pixels.dataset(fresh_session, instance))
    size = fresh_session.get(instance).content.size
    used = fresh_session.budget.used

    ok(worker_api.close_instance(instance))

    assert fresh_session.parsed.kinds(instance) == []
    assert fresh_session.parsed.kinds(other) == ["inspected"]
    assert fresh_session.budget.used == used - size
    assert [s["instanceId"] for s in ok(worker_api.list_instances())] == [other]
    for call in (worker_api.tree, worker_api.frame, worker_api.close_instance,
                 worker_api.transfer_syntax):
        result = call(instance)
        assert result == "" if call is worker_api.transfer_syntax else (
            failed(result)["code"] == "usage")
    gc.collect()
    assert inspected() is None and dataset() is None
    ok(worker_api.tree(other))  # the other instance is untouched


def test_closing_a_file_opened_as_damaged_frees_it(fresh_session: Session) -> None:
    data = bundled("MR_truncated.dcm").read_bytes()
    damaged = ok(worker_api.open_damaged(data, "MR_truncated.dcm"))["instanceId"]
    ok(worker_api.tree(damaged))
    assert fresh_session.parsed.kinds(damaged) == ["inspected"]
    ok(worker_api.close_instance(damaged))
    assert fresh_session.parsed.kinds(damaged) == [] and fresh_session.budget.used == 0
    assert failed(worker_api.tree(damaged))["code"] == "usage"


def test_a_refused_file_leaves_nothing_in_the_session(fresh_session: Session) -> None:
    good = bundled("CT_small.dcm").read_bytes()
    for name, data in badfiles.all_bad_inputs(good).items():
        assert worker_api.open_file(data, name).startswith('{"status": "failed"')
    assert fresh_session.instances() == [] and fresh_session.budget.used == 0
    assert fresh_session.parsed.used == 0


def _rows(instance: str) -> list[Any]:
    return [(r["path"], r.get("value")) for r in ok(worker_api.tree(instance))["rows"]]


def test_parses_beyond_the_budget_are_dropped_least_recent_first_and_made_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(parsed_budget=2 * MIN_PARSED_COST)
    monkeypatch.setattr(worker_api, "SESSION", session)
    reads: list[str] = []
    names = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"]
    ids = []
    for name in names:
        data = bundled(name).read_bytes()
        ids.append(session.open(data, name,
                                lambda n=name: reads.append(n) or bundled(n).read_bytes())
                   ["instanceId"])
    first_rows = _rows(ids[0])
    first = partial.of_instance(session.get(ids[0]))
    _rows(ids[1])
    assert session.parsed.kinds(ids[0]) == ["inspected"]  # within the budget
    _rows(ids[2])
    assert session.parsed.kinds(ids[0]) == []  # the least recently used went
    assert session.parsed.used <= session.parsed.limit
    assert _rows(ids[0]) == first_rows  # made again from the instance's bytes
    assert partial.of_instance(session.get(ids[0])) is not first
    assert session.parsed.kinds(ids[1]) == []  # and it pushed out the next oldest
    assert reads == []  # the bytes stayed resident: parsed again, not read again


def test_dropping_a_files_bytes_drops_its_parses_and_both_come_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(budget=1)  # every file but the last one used is dropped
    monkeypatch.setattr(worker_api, "SESSION", session)
    reads: list[str] = []
    ids = []
    for name in ("CT_small.dcm", "MR_small.dcm"):
        data = bundled(name).read_bytes()
        ids.append(session.open(data, name,
                                lambda n=name: reads.append(n) or bundled(n).read_bytes())
                   ["instanceId"])
    first_rows = _rows(ids[0])
    digest = ok(worker_api.frame_digest(ids[0], 0))
    assert sorted(session.parsed.kinds(ids[0])) == ["inspected", "pixels"]
    _rows(ids[1])  # reads the second file: the first's bytes are dropped, and its parses
    assert session.parsed.kinds(ids[0]) == [] and not session.get(ids[0]).content.resident
    assert _rows(ids[0]) == first_rows and ok(worker_api.frame_digest(ids[0], 0)) == digest
    # Read again: the first when the second was opened, then each when the other was used.
    assert reads == ["CT_small.dcm", "MR_small.dcm", "CT_small.dcm"]


def test_parses_take_the_walk_made_on_opening_instead_of_walking_again(
        monkeypatch: pytest.MonkeyPatch, fresh_session: Session) -> None:
    """A file opened by slices (its pixel value never read then) and one opened whole give
    the same tree and frames, from the report of the walk made when each was opened."""
    from dicomtab import reading

    data = bundled("rtdose.dcm").read_bytes()  # implicit VR, 15 native frames
    whole = fresh_session.open(data, "whole.dcm")["instanceId"]
    sliced = fresh_session.open_by_parts(
        data[:1024], len(data), "sliced.dcm", lambda start, end: data[start:end],
        lambda: data)["instanceId"]
    assert fresh_session.get(sliced).report == fresh_session.get(whole).report
    # Parses hold the pixel value as a view of the file's bytes: only the rest counts.
    span = fresh_session.get(whole).report.pixel_span  # type: ignore[union-attr]
    assert span is not None and span.end - span.start > len(data) // 2
    assert fresh_session.get(whole).parse_size == len(data) - (span.end - span.start)
    walks: list[int] = []
    real = reading.check_structure
    monkeypatch.setattr(reading, "check_structure",
                        lambda *args, **kwargs: walks.append(1) or real(*args, **kwargs))
    for index in (0, 14):
        assert ok(worker_api.frame_digest(whole, index)) == ok(
            worker_api.frame_digest(sliced, index))
    assert _rows(whole) == _rows(sliced)
    assert walks == []


def test_closing_several_instances_at_once_closes_each_and_says_which(
        fresh_session: Session) -> None:
    ct, mr, kept = _open("CT_small.dcm"), _open("MR_small.dcm"), _open("rtdose.dcm")
    damaged = ok(worker_api.open_damaged(bundled("MR_truncated.dcm").read_bytes(),
                                         "MR_truncated.dcm"))["instanceId"]
    ok(worker_api.tree(ct))
    ok(worker_api.frame(mr, 0))

    closed = ok(worker_api.close_instances([ct, damaged, mr, ct]))

    assert closed == {"closed": [ct, damaged, mr]}
    assert [s["instanceId"] for s in ok(worker_api.list_instances())] == [kept]
    assert fresh_session.damaged_ids() == []
    for gone in (ct, mr, damaged):
        assert fresh_session.parsed.kinds(gone) == []
        assert failed(worker_api.tree(gone))["code"] == "usage"
    assert fresh_session.budget.used == fresh_session.get(kept).content.size


def test_closing_with_an_unknown_id_closes_nothing(fresh_session: Session) -> None:
    ct, mr = _open("CT_small.dcm"), _open("MR_small.dcm")
    ok(worker_api.tree(ct))
    used = fresh_session.budget.used

    for bad in ([ct, "i99", mr], [ct, ct + ct], "i1", None, [ct, 7]):
        error = failed(worker_api.close_instances(bad))
        assert error["code"] == "usage"
        assert "i99" in error["message"] or "id" in error["message"]

    assert [s["instanceId"] for s in ok(worker_api.list_instances())] == [ct, mr]
    assert fresh_session.parsed.kinds(ct) == ["inspected"]
    assert fresh_session.budget.used == used
    assert ok(worker_api.close_instances([])) == {"closed": []}
