"""The CLI's batch reads ahead and stores behind on threads: the result is that of one file at a
time, in input order, with failures, duplicates and the journal's entries as before."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pytest

from dicomtab.deid.batch import Batch, BatchResult, collect_inputs, run_batch
from dicomtab.deid.folders import write_atomically
from dicomtab.deid.inputs import InputItem, Source, read_file
from dicomtab.deid.journal import _to_json
from dicomtab.deid.keys import Key
from dicomtab.deid.pipeline import HAND_OFF, Storing, read_ahead
from dicomtab.deid.profile import load_profile
from tests import badfiles
from tests.conftest import bundled


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path) -> Path:
    """The PHI set with a duplicate instance right after its first copy, and bad files."""
    folder = tmp_path_factory.mktemp("pipeline") / "in"
    shutil.copytree(phi_dir, folder / "phi")
    first = sorted((folder / "phi").rglob("*.dcm"))[0]
    shutil.copy(first, first.with_name(first.stem + "-again.dcm"))
    for name, data in badfiles.all_bad_inputs(bundled("CT_small.dcm").read_bytes()).items():
        (folder / "phi" / f"bad-{name}").write_bytes(data)
    return folder


def _one_at_a_time(items: list[InputItem], key: Key,
                   store: dict[str, bytes]) -> BatchResult:
    """The batch as it ran before the threads: each output stored before the next input."""
    batch = Batch(load_profile("basic"), key, verify=True)
    for item in items:
        outcome, data = batch.process(item)
        if data is not None and outcome.output is not None:
            store[outcome.output] = data
        batch.add(outcome)
    return batch.result


def _stored(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*.dcm"))}


def test_a_batch_gives_what_one_file_at_a_time_gives(inputs: Path, tmp_path: Path,
                                                    key: Key) -> None:
    items = collect_inputs([inputs])
    stem = sorted((inputs / "phi").rglob("*.dcm"))[0].stem.removesuffix("-again")
    expected_files: dict[str, bytes] = {}
    expected = _one_at_a_time(items, key, expected_files)
    got = run_batch(items, tmp_path / "out", load_profile("basic"), key, verify=True)

    assert [asdict(o) for o in got.outcomes] == [asdict(o) for o in expected.outcomes]
    assert got.crosswalk == expected.crosswalk
    assert _stored(tmp_path / "out") == expected_files
    # the copy and the original are next to each other: the second came while the first
    # was still being stored, and is refused
    pair = [i for i, o in enumerate(got.outcomes) if Path(o.source).name.startswith(stem)]
    assert len(pair) == 2 and pair[1] == pair[0] + 1
    first, second = (got.outcomes[i] for i in pair)
    assert first.error is None and first.output is not None
    assert second.error is not None and "same instance" in second.error["message"]
    assert second.output is None
    assert sum(o.error is None for o in got.outcomes) == len(expected_files) > 0


def test_an_output_that_cannot_be_stored_fails_alone_in_its_place(inputs: Path,
                                                                 key: Key) -> None:
    items = [i for i in collect_inputs([inputs / "phi"])
             if not Path(i.name).name.startswith("bad-") and "-again" not in i.name][:6]
    stored: dict[str, bytes] = {}
    calls: list[str] = []

    def sink(rel: str, data: bytes) -> None:
        calls.append(rel)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        time.sleep(0.01)  # slower than processing: outputs wait behind
        stored[rel] = data

    got = run_batch(items, Path("unused"), load_profile("basic"), key, sink=sink)
    assert [o.source for o in got.outcomes] == [i.name for i in items]
    failed = got.outcomes[1]
    assert failed.error == {"code": "write-failed", "message":
                            f"{items[1].name}: the output could not be stored "
                            "(No space left on device)"}
    assert failed.output is None and failed.sha256 is None and failed.records == []
    assert sorted(stored) == sorted(o.output for o in got.outcomes if o.output)
    assert len(stored) == len(items) - 1


def test_storing_settles_in_order_and_stays_behind_by_a_bound() -> None:
    settled: list[tuple[int, str | None]] = []
    release = threading.Event()
    storing: Storing[int] = Storing(
        lambda n, error: settled.append((n, None if error is None else error.strerror)),
        behind=2)

    def slow() -> None:
        release.wait(5)

    def broken() -> None:
        raise OSError(5, "Input/output error")

    storing.add(0, slow)
    storing.add(1, None)  # nothing to store: settled in its turn, after 0
    assert settled == []
    storing.add(2, broken)  # three queued, two allowed: waits for 0
    release.set()
    storing.add(3, slow)
    storing.settle_all()
    storing.close()
    assert settled == [(0, None), (1, None), (2, "Input/output error"), (3, None)]


def test_reading_ahead_keeps_order_and_each_inputs_error() -> None:
    started: list[str] = []

    def reader_of(name: str) -> InputItem:
        def read() -> bytes:
            started.append(name)
            if name == "missing":
                raise FileNotFoundError(2, "No such file or directory")
            return name.encode()
        return InputItem(name, read)

    names = ["a", "missing", "c", "d"]
    with ThreadPoolExecutor(1) as reader:
        ahead = read_ahead([reader_of(n) for n in names], reader, ahead=2)
        first = next(ahead)
        time.sleep(0.05)
        assert started == ["a", "missing", "c"]  # two read ahead of the one handed out
        assert first.read() == b"a"
        second = next(ahead)
        with pytest.raises(FileNotFoundError):
            second.read()
        assert [i.read() for i in ahead] == [b"c", b"d"]


def test_the_journal_holds_what_asdict_gives(inputs: Path, key: Key) -> None:
    items = collect_inputs([inputs / "phi"])[:4]
    batch = Batch(load_profile("research"), key, verify=True)
    outcomes = [batch.process(item)[0] for item in items]
    assert any(o.records for o in outcomes)
    for outcome in outcomes:
        expected = asdict(outcome)
        del expected["source"]
        assert _to_json(outcome) == expected


def test_without_threads_the_batch_runs_one_file_at_a_time(inputs: Path, tmp_path: Path,
                                                          key: Key,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Python cannot start threads (Pyodide) the same code runs each read and store
    when it is submitted, with the same result."""
    items = collect_inputs([inputs])
    threaded = run_batch(items, tmp_path / "threads", load_profile("basic"), key, verify=True)
    started = threading.active_count()
    monkeypatch.setattr("sys.platform", "emscripten")
    seen: list[int] = []
    original = Storing.add

    def counting(self: Storing[object], what: object, store: object) -> None:
        seen.append(threading.active_count())
        original(self, what, store)  # type: ignore[arg-type]

    monkeypatch.setattr(Storing, "add", counting)
    at_once = run_batch(items, tmp_path / "at-once", load_profile("basic"), key, verify=True)
    assert seen and max(seen) == started  # no thread was started
    assert [asdict(o) for o in at_once.outcomes] == [asdict(o) for o in threaded.outcomes]
    assert _stored(tmp_path / "at-once") == _stored(tmp_path / "threads")


def test_an_input_is_read_whole_whatever_its_size_said(tmp_path: Path) -> None:
    """read_file asks the size once and reads to the end: a DICOM file, an empty one, and a
    pipe whose size (0) says nothing of what comes; a folder or a missing file is an OSError,
    as the batch reports it."""
    dicom = bundled("CT_small.dcm")
    assert read_file(str(dicom)) == dicom.read_bytes()
    (tmp_path / "empty").write_bytes(b"")
    assert read_file(str(tmp_path / "empty")) == b""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    sent = dicom.read_bytes() * 5  # more than one read's worth after the first byte
    writer = threading.Thread(target=lambda: pipe.write_bytes(sent))
    writer.start()
    assert read_file(str(pipe)) == sent
    writer.join()
    with pytest.raises(IsADirectoryError):
        read_file(str(tmp_path))
    with pytest.raises(FileNotFoundError):
        read_file(str(tmp_path / "missing.dcm"))


def test_an_output_is_written_whole_even_where_its_folder_went(tmp_path: Path) -> None:
    """write_atomically with the folders made so far: a folder removed since is made again;
    no temporary file is left, written or failed; the file's mode is Path.write_bytes's."""
    made: set[Path] = set()
    data = bundled("CT_small.dcm").read_bytes()
    target = tmp_path / "out" / "p" / "one.dcm"
    write_atomically(target, data, made=made)
    assert target.read_bytes() == data and target.parent in made
    shutil.rmtree(tmp_path / "out")
    write_atomically(target, data, made=made)
    assert target.read_bytes() == data
    assert sorted(p.name for p in target.parent.iterdir()) == ["one.dcm"]
    (tmp_path / "ref.dcm").write_bytes(data)
    assert target.stat().st_mode == (tmp_path / "ref.dcm").stat().st_mode

    def refused(partial: Path, where: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomically(target.with_name("two.dcm"), data, refused, made=made)
    assert sorted(p.name for p in target.parent.iterdir()) == ["one.dcm"]
    # a link (store_once) leaves the file linked and removes the temporary name
    write_atomically(target.with_name("three.dcm"), data, os.link, made=made)
    assert sorted(p.name for p in target.parent.iterdir()) == ["one.dcm", "three.dcm"]


def test_local_files_are_read_ahead_by_the_kernel_not_the_thread(tmp_path: Path) -> None:
    """A local file's item can be prefetched (posix_fadvise): read_ahead asks the kernel and
    hands the item on, to be read on the batch's thread; a ZIP member goes to the reading
    thread. A file that vanished is reported by its read, not by the prefetch."""
    data = bundled("CT_small.dcm").read_bytes()
    (tmp_path / "a.dcm").write_bytes(data)
    (tmp_path / "b.dcm").write_bytes(data[:1000])
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as archive:
        archive.writestr("c.dcm", data)
    items = collect_inputs([tmp_path / "a.dcm", tmp_path / "b.dcm", tmp_path / "c.zip"])
    items.insert(1, Source(str(tmp_path / "gone.dcm")).item())
    assert [i.prefetch is not None for i in items] == [hasattr(os, "posix_fadvise")] * 3 + [False]
    submitted: list[object] = []

    class Reader(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(fn)
            return super().submit(fn, *args, **kwargs)

    with Reader(1) as reader:
        got = list(read_ahead(items, reader, ahead=2))
        assert [i.name for i in got] == [i.name for i in items]
        assert got[0].read() == data and got[2].read() == data[:1000]
        with pytest.raises(FileNotFoundError):
            got[1].read()
        assert got[3].read() == data
    assert len(submitted) == (1 if hasattr(os, "posix_fadvise") else 4)


def test_while_outputs_are_stored_the_gil_is_handed_over_sooner() -> None:
    """The storing thread takes the GIL back after each system call: while any Storing is
    open the switch interval is HAND_OFF at most, and the one before comes back after the
    last closes (two at once: dicomtab.scale's chunks on a worker's threads)."""
    before = sys.getswitchinterval()
    seen: list[float] = []
    first: Storing[int] = Storing(lambda n, error: None)
    second: Storing[int] = Storing(lambda n, error: None)
    first.add(1, lambda: seen.append(sys.getswitchinterval()))
    first.settle_all()
    first.close()
    assert sys.getswitchinterval() == min(before, HAND_OFF) == seen[0]
    second.close()
    assert sys.getswitchinterval() == before
