"""Every error path, fed files full of identifying values: typed errors, never a value.

A damaged element is found when the file is read (unknown VR, a length its VR cannot hold),
so nothing downstream meets pydicom's conversion errors; an error no code foresaw, even a
native decoder's panic (a BaseException), is reported by class and code location only, and
the worker, the batch and the command line go on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dicomtab import worker_api
from dicomtab.cli import main as cli_main
from dicomtab.deid.batch import run_batch
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.errors import MalformedFileError
from dicomtab.reading import read_dataset
from tests import badfiles
from tests.conftest import bundled
from tests.core.deid.phi_set import SEEDED_VALUES, write_set
from tests.worker_results import failed

SECRET = "Geheim^Hans-4711"


class PanicException(BaseException):
    """What PyO3 raises when a Rust decoder panics (pylibjpeg-rle on a corrupt frame)."""


@pytest.mark.parametrize(("make", "detail"), [
    (badfiles.unknown_vr, "unknown value representation ZZ"),
    (badfiles.odd_length, "a US value of 3 bytes is not a whole number of 2-byte values"),
])
def test_damaged_elements_are_found_when_the_file_is_read(make: object, detail: str) -> None:
    data = make(bundled("CT_small.dcm").read_bytes())  # type: ignore[operator]
    with pytest.raises(MalformedFileError) as caught:
        read_dataset(data, "bad.dcm")
    assert "bad.dcm" in caught.value.message and detail in caught.value.message
    assert "at byte" in caught.value.message
    error = failed(worker_api.open_file(data, "bad.dcm"))
    assert error["code"] == "malformed" and detail in error["message"]


def test_a_panic_in_native_code_is_an_internal_error_and_the_worker_lives_on(
        capsys: pytest.CaptureFixture[str]) -> None:
    def panics() -> None:
        raise PanicException(f"called `Option::unwrap()` on {SECRET}")

    error = failed(worker_api._run(panics))
    assert error == {"code": "internal",
                     "message": "Internal error (PanicException); the file was not processed."}
    err = capsys.readouterr().err
    assert "PanicException" in err and "test_error_paths.py" in err and SECRET not in err
    assert json.loads(worker_api.list_instances())["status"] == "success"
    with pytest.raises(KeyboardInterrupt):
        worker_api._run(lambda: (_ for _ in ()).throw(KeyboardInterrupt()))


def test_a_panic_fails_one_file_and_the_batch_goes_on(tmp_path: Path) -> None:
    def panics() -> bytes:
        raise PanicException(SECRET)

    good = bundled("CT_small.dcm").read_bytes()
    items = [InputItem("a.dcm", panics), InputItem("b.dcm", lambda: good)]
    batch = run_batch(items, tmp_path / "out", load_profile("basic"), Key(bytes(32)), verify=True)
    first, second = batch.outcomes
    assert first.error == {"code": "internal", "message": "a.dcm could not be processed (PanicException)"}
    assert first.output is None and second.output is not None and second.error is None
    assert [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()] == [Path(second.output).name]


def test_an_unforeseen_error_in_a_command_names_no_value(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from dicomtab.cli import summary

    def broken(args: object) -> int:
        raise ValueError(f"invalid literal for int() with base 10: '{SECRET}'")

    monkeypatch.setattr(summary, "run", broken)
    assert cli_main.main(["summary", str(bundled("CT_small.dcm"))]) == cli_main.INTERNAL_ERROR
    captured = capsys.readouterr()
    assert "internal error (ValueError)" in captured.err and "test_error_paths.py" in captured.err
    assert SECRET not in captured.out + captured.err


@pytest.fixture
def damaged_phi(tmp_path: Path) -> Path:
    """The PHI set, every file damaged each way: the seeded values are all in there."""
    folder = tmp_path / "damaged"
    folder.mkdir()
    for name, path in write_set(tmp_path / "phi").items():
        good = path.read_bytes()
        for kind, data in badfiles.all_bad_inputs(good).items() if b"\x10\x00\x20\x00LO" in good \
                and b"\x28\x00\x10\x00US\x02\x00" in good else ():
            (folder / f"{name}-{kind}").write_bytes(data)
    assert len(list(folder.iterdir())) > 20
    return folder


def test_every_command_on_damaged_phi_files_quotes_no_value(
        damaged_phi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keyfile = tmp_path / "k.key"
    assert cli_main.main(["keygen", str(keyfile)]) == 0
    out, audit = tmp_path / "out", tmp_path / "audit.json"
    # (argv, whether its standard output may show values: a summary of a file that still
    # opens lists its patient, as it should; the complaints about the others quote nothing)
    runs = [
        (["summary", *map(str, sorted(damaged_phi.iterdir()))], True),
        (["summary", "--json", *map(str, sorted(damaged_phi.iterdir()))], True),
        (["deid", str(damaged_phi), "-o", str(out), "--key-file", str(keyfile), "--audit",
          str(audit)], False),
        (["verify", str(out), "--originals", str(damaged_phi)], False),
        (["verify", str(damaged_phi)], False),
    ]
    capsys.readouterr()
    for argv, shows_values in runs:
        status = cli_main.main(argv)
        assert status in (0, 1, 2), argv  # never an internal error
        captured = capsys.readouterr()
        text = captured.err + ("" if shows_values else captured.out)
        assert "Traceback" not in text and "internal error" not in text, argv
        assert [v for v in SEEDED_VALUES if v in text] == [], argv
    written = audit.read_text(encoding="utf-8") + audit.with_suffix(".csv").read_text(encoding="utf-8")
    assert [v for v in SEEDED_VALUES if v in written] == []
    # dump lists what it could read (that is its job); its complaint quotes nothing.
    for path in sorted(damaged_phi.iterdir()):
        cli_main.main(["dump", str(path)])
        assert [v for v in SEEDED_VALUES if v in capsys.readouterr().err] == [], path


def _deep_implicit(levels: int) -> bytes:
    """An implicit VR file with ``levels`` nested defined-length sequences (the kind the
    structure walk used not to descend into, so the engine recursed until it broke)."""
    import struct

    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.uid import ImplicitVRLittleEndian

    def element(tag: int, value: bytes) -> bytes:
        return struct.pack("<HHI", tag >> 16, tag & 0xFFFF, len(value)) + value

    inner = element(0x00100020, SECRET.encode()[:16])
    for _ in range(levels):
        inner = element(0x00081115, struct.pack("<HHI", 0xFFFE, 0xE000, len(inner)) + inner)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.9.7777.9"
    buffer = DicomBytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue() + inner


def test_deep_implicit_sequences_stop_at_the_depth_limit(tmp_path: Path) -> None:
    assert read_dataset(_deep_implicit(10), "shallow.dcm") is not None
    with pytest.raises(MalformedFileError) as caught:
        read_dataset(_deep_implicit(3000), "deep.dcm")
    assert "sequences nested more than 64 deep" in caught.value.message
    batch = run_batch([InputItem("deep.dcm", lambda: _deep_implicit(3000))], tmp_path,
                      load_profile("basic"), Key(bytes(32)), verify=True)
    assert batch.outcomes[0].error is not None and batch.outcomes[0].error["code"] == "malformed"


def _deflated(padding: int) -> bytes:
    """A Deflated Explicit VR Little Endian file with ``padding`` zero bytes in a private OB."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.9.7777.8"
    ds.PatientID = SECRET[:16]
    block = ds.private_block(0x0011, "BOMB", create=True)
    block.add_new(0x01, "OB", bytes(padding))
    buffer = DicomBytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_a_deflate_bomb_is_refused_before_it_is_inflated() -> None:
    assert read_dataset(_deflated(1000), "small.dcm") is not None
    bomb = _deflated(20 * 1024 * 1024)  # 20 MB of zeros: a file of about 20 KB
    assert len(bomb) < 100_000
    with pytest.raises(MalformedFileError) as caught:
        read_dataset(bomb, "bomb.dcm")
    assert "bomb.dcm" in caught.value.message and "decompression bomb" in caught.value.message
    assert failed(worker_api.open_file(bomb, "bomb.dcm"))["code"] == "malformed"


def test_an_image_cut_before_its_pixels_is_not_released_unless_asked(tmp_path: Path) -> None:
    """A cut between two elements leaves a well-formed file without its pixels: refused by
    default, processed when the user allows damaged files (and the record says so)."""
    good = bundled("CT_small.dcm").read_bytes()
    cut = good[: good.rindex(b"\xe0\x7f\x10\x00OW")]
    items = [InputItem("cut.dcm", lambda: cut)]
    refused = run_batch(items, tmp_path / "a", load_profile("basic"), Key(bytes(32)), verify=True)
    assert refused.outcomes[0].error is not None
    assert refused.outcomes[0].error["code"] == "truncated"
    assert "has no pixel data" in refused.outcomes[0].error["message"]
    assert not (tmp_path / "a").exists()
    allowed = run_batch(items, tmp_path / "b", load_profile("basic"), Key(bytes(32)), verify=True,
                        allow_damaged=True)
    assert allowed.outcomes[0].output is not None
    keyfile = tmp_path / "k.key"
    keyfile.write_text(bytes(range(32)).hex())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cut.dcm").write_bytes(cut)
    for flag, written in (([], 0), (["--allow-damaged"], 1)):
        out = tmp_path / f"cli{len(flag)}"
        cli_main.main(["deid", str(tmp_path / "in"), "-o", str(out), "--key-file", str(keyfile), *flag])
        record = json.loads((out / "release-record.json").read_text(encoding="utf-8"))
        assert record["files"]["written"] == written
        assert record["settings"]["allow_damaged"] is bool(flag)


def test_running_out_of_memory_is_said_as_such_and_the_batch_goes_on(tmp_path: Path) -> None:
    def too_big() -> bytes:
        raise MemoryError()

    good = bundled("CT_small.dcm").read_bytes()
    items = [InputItem("huge.dcm", too_big), InputItem("b.dcm", lambda: good)]
    batch = run_batch(items, tmp_path, load_profile("basic"), Key(bytes(32)), verify=True)
    error = batch.outcomes[0].error
    assert error is not None and error["code"] == "memory" and "huge.dcm needs more memory" in error["message"]
    assert batch.outcomes[1].output is not None
    assert failed(worker_api._run(too_big))["code"] == "memory"
