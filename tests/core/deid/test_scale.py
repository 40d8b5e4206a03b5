"""dicomtab.scale: the same de-identification on a Dask cluster, merged into one release.

A local cluster of 2 worker processes (as ``--workers 2`` starts), a cluster reached by its
scheduler's address (``--scheduler``), and a worker that dies mid-run: each gives the files,
release record and crosswalk one process gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dicomtab.cli.main import main
from dicomtab.deid.batch import input_sources, run_batch
from dicomtab.deid.folders import LocalFolder, UrlFolder
from dicomtab.deid.inputs import InputItem, Source
from dicomtab.deid.profile import load_profile
from dicomtab.scale import deidentify_at_scale
from tests import badfiles
from tests.conftest import bundled
from tests.core.deid.conftest import KEY

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path, hipaa_dir: Path) -> Path:
    """The PHI and HIPAA sets, a duplicate instance and bad files, in one folder."""
    folder = tmp_path_factory.mktemp("scale") / "in"
    shutil.copytree(phi_dir, folder / "phi")
    shutil.copytree(hipaa_dir, folder / "hipaa")
    first = sorted((folder / "phi").rglob("*.dcm"))[0]
    shutil.copy(first, folder / "phi" / "zz-same-instance.dcm")
    bad = folder / "bad"
    bad.mkdir()
    for name, data in badfiles.all_bad_inputs(bundled("CT_small.dcm").read_bytes()).items():
        (bad / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def _files(folder: Path) -> dict[str, str]:
    """Every output's sha256 (the release record is compared apart: it holds its time)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("release-record.")}


def _record(folder: Path) -> dict[str, object]:
    record = json.loads((folder / "release-record.json").read_text(encoding="utf-8"))
    record.pop("created_utc")
    return record


def _cli(inputs: Path, out: Path, keyfile: Path, *extra: str) -> int:
    return main(["deid", str(inputs), "-o", str(out), "--key-file", str(keyfile),
                 "--profile", "research", "--crosswalk", str(out.with_suffix(".csv")), *extra])


@pytest.fixture(scope="module")
def keyfile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "secret.key"
    assert main(["keygen", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def one_process(inputs: Path, keyfile: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("one") / "out"
    assert _cli(inputs, out, keyfile) == 1  # the bad files and the duplicate fail
    return out


def test_two_local_workers_give_what_one_process_gives(
        inputs: Path, keyfile: Path, one_process: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _cli(inputs, out, keyfile, "--workers", "2") == 1
    printed = capsys.readouterr()
    files = _files(out)
    assert files == _files(one_process)
    assert len([f for f in files if f.endswith(".dcm")]) >= 10
    assert not [f for f in files if f.endswith(".partial")]
    assert _record(out) == _record(one_process)
    assert out.with_suffix(".csv").read_bytes() == one_process.with_suffix(".csv").read_bytes()
    files_record = _record(out)["files"]
    assert files_record["failed_by_reason"]["policy"] == 1  # type: ignore[index]
    assert printed.err.count("the same instance (SOP Instance UID)") == 1
    assert "written" in printed.out and "verification:" in printed.out


@pytest.fixture
def by_hand(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two workers started by hand on localhost, as on a cluster:
    ``dask scheduler`` and ``dask worker ADDRESS`` (the commands Dask installs)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    logs = (tmp_path / "dask.log").open("wb")
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-dashboard"], stdout=logs, stderr=logs)]
    started += [subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard",
                                  "--local-directory", str(tmp_path / f"w{n}")],
                                 stdout=logs, stderr=logs) for n in range(2)]
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=30)
        logs.close()


def test_a_cluster_started_by_hand_reached_by_its_scheduler_address(
        inputs: Path, keyfile: Path, one_process: Path, tmp_path: Path, by_hand: str) -> None:
    out = tmp_path / "out"
    assert _cli(inputs, out, keyfile, "--scheduler", by_hand) == 1
    assert _files(out) == _files(one_process)
    assert _record(out) == _record(one_process)


@dataclass(frozen=True)
class _DyingSource(Source):
    """An input whose first reading kills the worker process reading it (once: a marker
    file says it happened)."""

    marker: str = ""

    def item(self) -> InputItem:
        if not os.path.exists(self.marker):
            Path(self.marker).write_text("killed")
            os._exit(1)
        return super().item()


def test_a_worker_that_dies_mid_run_has_its_files_done_elsewhere(
        inputs: Path, tmp_path: Path, cluster: object) -> None:
    profile = load_profile("research")
    sources = input_sources([inputs])
    marker = tmp_path / "killed"
    middle = len(sources) // 2
    sources[middle] = _DyingSource(sources[middle].path, sources[middle].member, str(marker))
    client = distributed.Client(cluster)
    try:
        scaled = deidentify_at_scale(sources, tmp_path / "scaled", profile, KEY, client=client,
                                     chunk=4)
    finally:
        client.close()
    assert marker.exists(), "the worker did die"
    serial = run_batch([s.item() for s in input_sources([inputs])], tmp_path / "serial",
                       profile, KEY, verify=True)
    assert _files(tmp_path / "scaled") == _files(tmp_path / "serial")
    assert [(o.output, o.sha256, o.error) for o in scaled.outcomes] == \
        [(o.output, o.sha256, o.error) for o in serial.outcomes]
    assert scaled.crosswalk == serial.crosswalk


@pytest.mark.parametrize("kind", ["path", "url"])
def test_store_once_keeps_one_writer_and_no_partial_file(tmp_path: Path, kind: str) -> None:
    folder = LocalFolder(tmp_path) if kind == "path" else UrlFolder(f"file://{tmp_path}")
    assert folder.store_once("a/b.dcm", b"first")
    assert folder.store_once("a/b.dcm", b"first"), "an earlier attempt's own bytes are kept"
    assert not folder.store_once("a/b.dcm", b"other"), "another file is not overwritten"
    target = tmp_path / "a" / "b.dcm"
    assert target.read_bytes() == b"first"
    assert [p.name for p in target.parent.iterdir()] == ["b.dcm"]
    folder.write("j/1.json", b"{}")
    assert folder.names("j", ".json") == ["j/1.json"] and folder.read("j/1.json") == b"{}"
    folder.remove("j")
    assert not (tmp_path / "j").exists() and folder.sha256("j/1.json") is None


def test_scale_needs_no_dask_elsewhere() -> None:
    """The core and the tab never import Dask: only dicomtab.scale (the 'scale' extra)."""
    core = Path(__file__).resolve().parents[3] / "py_core" / "dicomtab"
    users = [p.name for p in core.rglob("*.py") if "dask" in p.read_text(encoding="utf-8")]
    assert users == ["scale.py"]


def test_an_interrupted_run_resumes_without_redoing_what_it_wrote(
        inputs: Path, keyfile: Path, one_process: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One process, stopped after 20 inputs (Ctrl-C), then ``--resume``: the files, record
    and crosswalk of an uninterrupted run; the inputs journaled as written (in the first group
    of 16) are not done again, except one whose output was changed meanwhile."""
    from dicomtab.deid import batch as batch_module

    calls: list[str] = []
    process = batch_module.Batch.process

    def stopping(self: batch_module.Batch, item: InputItem, **options: bool) -> object:
        calls.append(item.name)
        if len(calls) == 21:
            raise KeyboardInterrupt
        return process(self, item, **options)

    monkeypatch.setattr(batch_module.Batch, "process", stopping)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        _cli(inputs, out, keyfile)
    journal = out / ".dicomtab-journal"
    assert journal.is_dir() and not (out / "release-record.json").exists()
    assert not list(tmp_path.glob("out.csv"))  # the crosswalk is written at the end only
    pairs = json.loads(next(tmp_path.glob("out.csv.journal/*.json")).read_text("utf-8"))
    assert all(len(k) == 32 for k in pairs)  # inputs by keyed hash, apart from the outputs
    assert "PID-A-4711" not in "".join(p.read_text("utf-8") for p in journal.glob("*.json"))
    entries = [e for p in journal.glob("*.json") for e in json.loads(p.read_text("utf-8"))]
    assert len(entries) >= 4
    changed = out / entries[0]["outcome"]["output"]
    changed.write_bytes(changed.read_bytes() + b"\0\0")

    calls.clear()
    assert _cli(inputs, out, keyfile, "--resume") == 1
    total = len(input_sources([inputs]))
    assert len(calls) == total - len(entries) + 1
    assert _files(out) == _files(one_process)
    assert _record(out) == _record(one_process)
    assert out.with_suffix(".csv").read_bytes() == one_process.with_suffix(".csv").read_bytes()
    assert not journal.exists() and not list(tmp_path.glob("out.csv.journal"))


def test_a_run_on_workers_resumes_too(inputs: Path, tmp_path: Path) -> None:
    profile = load_profile("research")
    sources = input_sources([inputs])
    stop = len(sources) - 3

    @dataclass(frozen=True)
    class Stopping(Source):
        def item(self) -> InputItem:
            raise KeyboardInterrupt

    cut = [*sources[:stop], Stopping(sources[stop].path, sources[stop].member), *sources[stop + 1:]]
    with pytest.raises(KeyboardInterrupt):
        deidentify_at_scale(cut, tmp_path / "out", profile, KEY, chunk=4)
    journaled = len(list((tmp_path / "out" / ".dicomtab-journal").glob("*.json")))
    assert journaled >= 2
    seen: list[str] = []
    resumed = deidentify_at_scale(sources, tmp_path / "out", profile, KEY, chunk=4,
                                  resume=True, progress=lambda o: seen.append(o.source))
    serial = run_batch([s.item() for s in sources], tmp_path / "serial", profile, KEY,
                       verify=True)
    assert _files(tmp_path / "out") == _files(tmp_path / "serial")
    assert [(o.source, o.output, o.sha256, o.error, o.flags) for o in resumed.outcomes] == \
        [(o.source, o.output, o.sha256, o.error, o.flags) for o in serial.outcomes]
    # No pairs journal was asked for: the crosswalk holds the redone inputs' pairs only.
    assert resumed.crosswalk.items() < serial.crosswalk.items()
    assert len(seen) == len(sources)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_inputs_given_as_urls_are_read_where_they_are(
        inputs: Path, keyfile: Path, one_process: Path, tmp_path: Path, workers: str) -> None:
    """An fsspec URL (here file://, as s3:// or gs:// would be) of the input folder: the
    workers read each object themselves; the release is the one of the local folder."""
    out = tmp_path / "out"
    assert main(["deid", f"file://{inputs}", "-o", str(out), "--key-file", str(keyfile),
                 "--profile", "research", "--crosswalk", str(out.with_suffix(".csv")),
                 "--workers", workers]) == 1
    assert _files(out) == _files(one_process)
    assert _record(out) == _record(one_process)
    assert out.with_suffix(".csv").read_bytes() == one_process.with_suffix(".csv").read_bytes()


def test_a_missing_url_is_named(tmp_path: Path, keyfile: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deid", f"file://{tmp_path}/nowhere", "-o", str(tmp_path / "out"),
                 "--key-file", str(keyfile)]) == 2
    assert "nowhere does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_output_folder_given_as_a_url(
        inputs: Path, keyfile: Path, one_process: Path, tmp_path: Path, workers: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """-o file://… (as s3://… would be): outputs, journal and release record written with
    fsspec; the release is the one of a local folder, and a second run into it is refused."""
    out = tmp_path / "out"
    url = f"file://{out}"
    argv = ["deid", str(inputs), "-o", url, "--key-file", str(keyfile), "--profile",
            "research", "--crosswalk", str(tmp_path / "cw.csv"), "--workers", workers]
    assert main(argv) == 1
    assert f"release record: {url}/release-record.json" in capsys.readouterr().out
    assert _files(out) == _files(one_process)
    assert _record(out) == _record(one_process)
    assert (tmp_path / "cw.csv").read_bytes() == one_process.with_suffix(".csv").read_bytes()
    assert main(argv) == 2
    assert "already holds a release record" in capsys.readouterr().err


def test_the_journal_serves_only_its_own_job_and_passes_over_damaged_parts(
        inputs: Path, tmp_path: Path) -> None:
    from dicomtab.deid.journal import FOLDER, Journal, job_fingerprint

    research, basic = load_profile("research"), load_profile("basic")
    job = job_fingerprint(research, None, verify=True, allow_damaged=False)
    assert job != job_fingerprint(basic, None, verify=True, allow_damaged=False)
    assert job != job_fingerprint(research, None, verify=False, allow_damaged=False)
    # The same in another process, whatever its hash seed (sets and dicts in the profile).
    code = ("from dicomtab.deid.journal import job_fingerprint;"
            "from dicomtab.deid.profile import load_profile;"
            "print(job_fingerprint(load_profile('research'), None, verify=True,"
            " allow_damaged=False))")
    for seed in ("1", "2"):
        other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        assert other.stdout.strip() == job

    sources = input_sources([inputs])
    run_batch([s.item() for s in sources], tmp_path / "out", research, KEY, verify=True,
              journal=Journal(tmp_path / "out", KEY))  # complete: the journal is removed
    names = [s.name for s in sources]
    journal = Journal(tmp_path / "out", KEY, job=job)
    outcome = next(o for o in run_batch([s.item() for s in sources], tmp_path / "again",
                                        research, KEY, verify=True).outcomes if o.output)
    journal.record([(names[0], outcome, {})])
    (tmp_path / "out" / FOLDER / "damaged.json").write_text("[{\"input\": ", encoding="utf-8")
    assert list(journal.done_before(names)) == [0]
    assert journal.for_job("another job").done_before(names) == {}
