"""``dicomtab deid / verify / profiles / keygen`` (dicomtab/cli/deid.py, deid/batch.py, audit.py)."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from dicomtab.cli.main import main
from tests import badfiles
from tests.conftest import bundled
from tests.core.deid.phi_set import SEEDED_VALUES


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "secret.key"
    assert main(["keygen", str(path)]) == 0
    return path


def _no_phi(text: str) -> None:
    for value in SEEDED_VALUES:
        assert value not in text, value


def test_deid_without_key_explains_keygen(tmp_path: Path, phi_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deid", str(phi_dir), "-o", str(tmp_path / "out")]) == 2
    assert "dicomtab keygen" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_keygen_refuses_to_overwrite(keyfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = keyfile.read_bytes()
    assert main(["keygen", str(keyfile)]) == 2
    assert keyfile.read_bytes() == before and "refusing" in capsys.readouterr().err


def test_deid_batch_with_audit_and_crosswalk(tmp_path: Path, phi_dir: Path, keyfile: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out, audit, cross = tmp_path / "out", tmp_path / "audit.json", tmp_path / "cw.csv"
    status = main(["deid", str(phi_dir), "-o", str(out), "--key-file", str(keyfile),
                   "--profile", "research", "--audit", str(audit), "--crosswalk", str(cross)])
    captured = capsys.readouterr()
    # research looks for text in the burned-in ultrasound and finds none: the release passes.
    assert status == 0, captured.err
    assert "8 written, 0 failed of 8" in captured.out
    assert "verification: passed (0 finding(s), 0 file(s) flagged for review)" in captured.out
    _no_phi(captured.out + captured.err)
    doc = json.loads(audit.read_text(encoding="utf-8"))
    assert doc["summary"]["written"] == 8 and doc["summary"]["flags"] == {}
    assert doc["summary"]["actions"]["U"] > 0 and doc["profile"] == "research"
    element = doc["files"][0]["elements"][0]
    assert set(element) == {"path", "tag", "keyword", "vr", "action", "source"}
    _no_phi(audit.read_text(encoding="utf-8") + audit.with_suffix(".csv").read_text("utf-8"))
    rows = list(csv.reader(cross.open(encoding="utf-8")))
    assert rows[0] == ["id_old", "id_new"]
    mapping = dict(rows[1:])
    assert mapping["PID-A-4711"].startswith("ANON") and mapping["PID-B-0815"].startswith("ANON")
    assert mapping["Müller^Jürgen"].startswith("ANON^")
    assert mapping["Иванов^Дмитрий"].startswith("ANON^")
    assert any(k.startswith("1.2.826.0.1.3680043.9.9999.") for k in mapping)
    assert not list(out.rglob("*.csv"))
    assert [p.name for p in out.rglob("*.json")] == ["release-record.json"]
    # verify: clean, with the originals; the release record is not scanned as an output, its
    # manifest is checked.
    assert main(["verify", str(out), "--originals", str(phi_dir)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "0 finding(s) in 0 of 8 file(s)" in lines[0], lines
    assert "manifest release-record.json: 8 file(s) listed, every file matches" in lines[-1]


def test_verify_on_inputs_fails_without_printing_values(
    phi_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(phi_dir), "--originals", str(phi_dir)]) == 1
    printed = capsys.readouterr().out
    assert "PatientName: original-value (PN)" in printed
    _no_phi(printed)


def test_bad_inputs_are_reported_and_the_batch_goes_on(
    tmp_path: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "mixed"
    src.mkdir()
    good = bundled("CT_small.dcm").read_bytes()
    (src / "a_good.dcm").write_bytes(good)
    (src / "b_truncated.dcm").write_bytes(badfiles.truncated(good, 1000))
    (src / "c_text.dcm").write_bytes(b"hello, not DICOM at all\n" * 10)
    (src / "d_empty.dcm").write_bytes(b"")
    (src / "e_rtplan.dcm").write_bytes(bundled("rtplan.dcm").read_bytes())
    status = main(["deid", str(src), "-o", str(tmp_path / "out"), "--key-file", str(keyfile),
                   "--audit", str(tmp_path / "audit.json")])
    captured = capsys.readouterr()
    assert status == 1
    assert "2 written, 3 failed of 5" in captured.out
    for name, code in (("b_truncated", "truncated"), ("c_text", "not-dicom"),
                       ("d_empty", "empty-file")):
        assert any(name in line and f"[{code}]" in line for line in captured.err.splitlines())
    assert len(list((tmp_path / "out").rglob("*.dcm"))) == 2
    doc = json.loads((tmp_path / "audit.json").read_text())
    assert [f["error"]["code"] for f in doc["files"] if f["error"]] == [
        "truncated", "not-dicom", "empty-file"]


def test_zip_input(tmp_path: Path, keyfile: Path) -> None:
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x/ct.dcm", bundled("CT_small.dcm").read_bytes())
        zf.writestr("x/sr.dcm", bundled("test-SR.dcm").read_bytes())
        zf.writestr("x/readme.txt", b"not dicom")
    assert main(["deid", str(archive), "-o", str(tmp_path / "out"),
                 "--key-file", str(keyfile)]) == 1
    assert len(list((tmp_path / "out").rglob("*.dcm"))) == 2


def test_refuses_output_inside_input_and_side_files_inside_output(
    tmp_path: Path, phi_dir: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    shutil.copytree(phi_dir, src)
    before = sorted(src.rglob("*"))
    assert main(["deid", str(src), "-o", str(src / "out"), "--key-file", str(keyfile)]) == 2
    assert sorted(src.rglob("*")) == before
    out = tmp_path / "out"
    assert main(["deid", str(src), "-o", str(out), "--key-file", str(keyfile),
                 "--crosswalk", str(out / "cw.csv")]) == 2
    assert "crosswalk" in capsys.readouterr().err
    assert not out.exists()


def test_profiles_lists_builtins_with_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    printed = capsys.readouterr().out
    for name in ("basic", "research", "vendor-support", "hipaa-safe-harbor",
                 "expert-determination-research"):
        assert f"{name}\n  " in printed
    assert "Modified Dates" in printed
    assert "HIPAA: Safe Harbor, 45 CFR 164.514(b)(2)" in printed
    assert "HIPAA: Expert Determination, 45 CFR 164.514(b)(1): NOT Safe Harbor" in printed


def test_profile_file_and_bad_profile(tmp_path: Path, keyfile: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    custom = tmp_path / "mine.json"
    custom.write_text(json.dumps({"name": "mine", "options": ["retain_uids"],
                                  "overrides": [{"keyword": "PatientSex", "action": "K"}]}))
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(bundled("CT_small.dcm"), src / "ct.dcm")
    assert main(["deid", str(src), "-o", str(tmp_path / "o1"), "--key-file", str(keyfile),
                 "--profile", str(custom)]) == 0
    import pydicom
    out = pydicom.dcmread(next((tmp_path / "o1").rglob("*.dcm")))
    original = pydicom.dcmread(src / "ct.dcm")
    assert out.SOPInstanceUID == original.SOPInstanceUID and out.PatientSex == original.PatientSex
    custom.write_text("{not json")
    assert main(["deid", str(src), "-o", str(tmp_path / "o2"), "--key-file", str(keyfile),
                 "--profile", str(custom)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_written_files_have_a_zeroed_preamble(tmp_path: Path, keyfile: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    original = bundled("CT_small.dcm").read_bytes()
    assert original[:128].strip(b"\x00")  # CT_small carries a TIFF header in its preamble
    (source / "ct.dcm").write_bytes(original)
    assert main(["deid", str(source), "-o", str(tmp_path / "out"), "--key-file", str(keyfile)]) == 0
    [written] = list((tmp_path / "out").rglob("*.dcm"))
    data = written.read_bytes()
    assert data[:128] == bytes(128) and data[128:132] == b"DICM"
