"""A batch verifying its outputs in a second process finds exactly what verifying them in the
batch finds: on sound, damaged and leaking files, while the process starts, and after it dies."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict
from pathlib import Path

import pydicom
import pytest

from dicomtab.deid import verifier as verifier_module
from dicomtab.deid.batch import BatchResult, collect_inputs, run_batch
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.deid.verifier import Verifier
from dicomtab.deid.verify import Originals
from tests import badfiles
from tests.conftest import bundled


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path, hipaa_dir: Path) -> Path:
    """The PHI and HIPAA sets, a file whose kept Manufacturer holds its original Study
    Instance UID (a leak the profile does not remove, so there are findings), and bad and
    damaged files."""
    folder = tmp_path_factory.mktemp("verifier") / "in"
    shutil.copytree(phi_dir, folder / "phi")
    shutil.copytree(hipaa_dir, folder / "hipaa")
    first = sorted((folder / "phi").rglob("*.dcm"))[0]
    ds = pydicom.dcmread(first)
    ds.Manufacturer = f"ref {ds.StudyInstanceUID}"
    ds.SOPInstanceUID = ds.SOPInstanceUID + ".9"
    ds.save_as(folder / "phi" / "leaky.dcm")
    for name, data in badfiles.all_bad_inputs(bundled("CT_small.dcm").read_bytes()).items():
        (folder / "phi" / f"bad-{name}").write_bytes(data)
    return folder


class _ReadyFirst(Verifier):
    """A verifier that has started before the batch goes on: every output goes to it."""

    made: list[Verifier] = []

    def __init__(self) -> None:
        super().__init__()
        deadline = time.monotonic() + 60
        while not self.ready and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.ready
        self.made.append(self)


class _DiesAfterThree(_ReadyFirst):
    """The process is killed once three outputs were sent to it."""

    def submit(self, originals: Originals, data: bytes,
               name: str) -> verifier_module.Pending | None:
        pending = super().submit(originals, data, name)
        if self._sent == 3:
            self._process.kill()
            self._process.wait()
        return pending


def _run(inputs: Path, out: Path, key: Key, apart: bool) -> BatchResult:
    return run_batch(collect_inputs([inputs]), out, load_profile("basic"), key, verify=True,
                     allow_damaged=True, verify_apart=apart)


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*.dcm"))}


@pytest.fixture(scope="module")
def in_batch(inputs: Path, tmp_path_factory: pytest.TempPathFactory, key: Key,
             ) -> tuple[Path, BatchResult]:
    """The batch verified in its own process (the reference)."""
    out = tmp_path_factory.mktemp("verified-here")
    return out, _run(inputs, out, key, apart=False)


def test_outputs_verified_apart_give_the_same_outcomes_and_files(
        inputs: Path, in_batch: tuple[Path, BatchResult], tmp_path: Path, key: Key,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verifier_module, "Verifier", _ReadyFirst)
    _ReadyFirst.made.clear()
    got = _run(inputs, tmp_path, key, apart=True)
    expected_out, expected = in_batch

    assert [asdict(o) for o in got.outcomes] == [asdict(o) for o in expected.outcomes]
    assert _outputs(tmp_path) == _outputs(expected_out)
    written = [o for o in got.outcomes if o.output is not None]
    assert [v.verified_apart for v in _ReadyFirst.made] == [len(written)]
    # what is compared holds findings (the leak), damaged originals (their values collected
    # in the batch) and failures
    kinds = {f.kind for o in got.outcomes for f in o.findings}
    assert "original-value" in kinds
    assert any(o.damaged for o in got.outcomes) and any(o.error for o in got.outcomes)


def test_a_verifier_that_dies_leaves_its_outputs_to_be_verified_in_the_batch(
        inputs: Path, in_batch: tuple[Path, BatchResult], tmp_path: Path, key: Key,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verifier_module, "Verifier", _DiesAfterThree)
    _DiesAfterThree.made.clear()
    got = _run(inputs, tmp_path, key, apart=True)
    expected_out, expected = in_batch

    assert [asdict(o) for o in got.outcomes] == [asdict(o) for o in expected.outcomes]
    assert _outputs(tmp_path) == _outputs(expected_out)
    # what it sent before it was killed may still be read; the rest was verified here
    assert len(_DiesAfterThree.made) == 1
    assert _DiesAfterThree.made[0].verified_apart <= 3


def test_a_batch_short_of_the_threshold_or_over_before_the_start_verifies_in_itself(
        inputs: Path, in_batch: tuple[Path, BatchResult], tmp_path: Path, key: Key,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Verifier] = []

    class Watched(Verifier):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(verifier_module, "Verifier", Watched)
    assert _run(inputs, tmp_path / "default", key, apart=None).outcomes  # type: ignore[arg-type]
    assert made == []  # fewer inputs than VERIFY_APART_FROM: no process
    started = time.monotonic()
    got = _run(inputs, tmp_path / "apart", key, apart=True)
    assert [asdict(o) for o in got.outcomes] == [asdict(o) for o in in_batch[1].outcomes]
    assert len(made) == 1 and made[0]._process.poll() is not None  # stopped at the end
    assert time.monotonic() - started < 60


def test_a_script_without_a_main_guard_can_run_a_batch_verified_apart(
        inputs: Path, tmp_path: Path) -> None:
    """The process is not a multiprocessing child, which would run the caller's script again."""
    script = tmp_path / "release.py"
    script.write_text(textwrap.dedent(f"""
        import time
        from pathlib import Path
        from dicomtab.deid.batch import collect_inputs, run_batch
        from dicomtab.deid.keys import Key
        from dicomtab.deid.profile import load_profile
        from dicomtab.deid.verifier import Verifier
        from dicomtab.deid.verify import originals_of
        from dicomtab.reading import open_dataset

        verifier = Verifier()
        while not verifier.ready:
            time.sleep(0.01)
        leaky = Path({str(inputs / "phi" / "leaky.dcm")!r}).read_bytes()
        originals = originals_of(open_dataset(leaky, "leaky.dcm").dataset)
        found = verifier.findings(verifier.submit(originals, leaky, "leaky.dcm"))
        verifier.close()
        print("apart", verifier.verified_apart, len(found) > 0)
        result = run_batch(collect_inputs([Path({str(inputs / "phi")!r})]),
                           Path({str(tmp_path / "out")!r}), load_profile("basic"),
                           Key(bytes(32)), verify=True, verify_apart=True)
        print("outcomes", len(result.outcomes))
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "apart 1 True"
    assert lines[1] == f"outcomes {len(collect_inputs([inputs / 'phi']))}"
    assert len(lines) == 2  # the script ran once
