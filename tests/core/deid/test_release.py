"""The release record, field by field, and its manifest check (deid/release.py, cli/deid.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pydicom
import pytest

from dicomtab import __version__
from dicomtab.cli.main import main
from dicomtab.deid.keys import Key, read_key_file
from dicomtab.deid.profile import load_profile, profile_from_dict
from dicomtab.deid.release import (
    RECORD_KIND,
    build_record,
    compare_manifest,
    read_record,
    record_paths,
    record_text,
)
from dicomtab.deid.table import load_table
from dicomtab.errors import PolicyError
from tests.core.deid import hipaa_set as H
from tests.core.deid.conftest import KEY, OTHER_KEY, Batches
from tests.core.deid.phi_set import SEEDED_VALUES

WHEN = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def no_phi(text: str, *paths: Path) -> None:
    """Nothing seeded, and no input path or file name, appears in ``text``."""
    for value in SEEDED_VALUES + H.SEEDED:
        assert value not in text, value
    for path in paths:
        assert str(path) not in text
    for name in ("a1_ct1", "c_mr1", "d_xc1", "e_ct1", "input"):
        assert name not in text, name


# -- the record as data ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def record(batches: Batches) -> dict[str, Any]:
    _, batch = batches("hipaa", "hipaa-safe-harbor")
    return build_record(batch, load_profile("hipaa-safe-harbor"), KEY, created=WHEN,
                        operator="J. Doe, privacy office", purpose="vendor ticket 4711",
                        settings={"verify": True, "audit_written": False})


def test_header_tool_operator_purpose(record: dict[str, Any]) -> None:
    assert record["record"] == RECORD_KIND and record["record_version"] == 1
    assert record["created_utc"] == "2025-03-04T05:06:07Z"
    tool = record["tool"]
    assert (tool["name"], tool["version"], tool["pydicom"]) == ("dicomtab", __version__,
                                                                pydicom.__version__)
    assert tool["standard"] == load_table().edition()
    assert tool["zip3_list"]["census_year"] == 2000
    assert (record["operator"], record["purpose"]) == ("J. Doe, privacy office",
                                                       "vendor ticket 4711")
    assert record["settings"] == {"verify": True, "audit_written": False}


def test_profile_section_lists_everything_applied(record: dict[str, Any]) -> None:
    profile = record["profile"]
    builtin = load_profile("hipaa-safe-harbor")
    assert profile["name"] == "hipaa-safe-harbor" and profile["origin"] == "built-in"
    assert profile["sha256"] == builtin.sha256
    assert profile["hipaa_method"] == "Safe Harbor, 45 CFR 164.514(b)(2)"
    assert profile["options"] == sorted(builtin.options)
    assert profile["dates"].startswith("reduced to the year")
    assert profile["scrub_patterns"] == list(builtin.scrub_patterns)
    overrides = {o["keyword"]: (o["tag"], o["action"]) for o in profile["overrides"]}
    assert overrides["PatientAge"] == ("(0010,1010)", "age90")
    assert overrides["PatientAddress"] == ("(0010,1040)", "zip3")
    assert len(overrides) == len(builtin.overrides)
    assert profile["templates"] == {"PatientID": "ANON{hash12}", "PatientName": "ANON^{hash8}"}
    assert profile["combined_actions"]["X/Z/D"] == "D"


def test_key_fingerprint_never_the_key(record: dict[str, Any]) -> None:
    fingerprint = record["key"]["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{4}(-[0-9a-f]{4}){3}", fingerprint)
    assert fingerprint == KEY.fingerprint() != OTHER_KEY.fingerprint()
    text = json.dumps(record)
    secret = bytes(range(32))
    assert secret.hex() not in text and hashlib.sha256(secret).hexdigest()[:16] not in text
    # Not one of the values the key derives (UIDs, pseudonyms use other purpose labels).
    assert fingerprint.replace("-", "") not in KEY.digest("pseudonym", "x").hex()


def test_counts_studies_verification(record: dict[str, Any]) -> None:
    files = record["files"]
    assert files == {"in": 5, "written": 5, "failed": 0, "failed_by_reason": {},
                     "flagged_for_review": {"face-review": 3}}
    studies = record["released_studies"]
    # C: one MR series of two; D: a CT and a photograph; E: one CT.
    assert sorted((s["series"], s["instances"]) for s in studies) == [(1, 1), (1, 2), (2, 2)]
    assert all(s["study_instance_uid"].startswith("2.25.") for s in studies)
    verification = record["verification"]
    assert verification["ran"] and verification["result"] == "not passed"
    assert verification["findings"] == 3 and verification["files_with_findings"] == 3
    assert verification["findings_by_kind"] == {"recognizable-face": 3}
    assert [r["flags"] for r in verification["review_required"]] == [["face-review"]] * 3
    assert {d["kind"] for d in verification["details"]} == {"recognizable-face"}


def test_manifest_has_every_file_with_its_sha256(record: dict[str, Any],
                                                 batches: Batches) -> None:
    folder, _ = batches("hipaa", "hipaa-safe-harbor")
    manifest = record["manifest"]
    assert manifest["algorithm"] == "sha256"
    on_disk = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.dcm")}
    assert {f["path"] for f in manifest["files"]} == set(on_disk)
    for entry in manifest["files"]:
        data = on_disk[entry["path"]]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)


def test_record_holds_no_phi(record: dict[str, Any], hipaa_dir: Path) -> None:
    no_phi(json.dumps(record, ensure_ascii=False), hipaa_dir)
    no_phi(record_text(record), hipaa_dir)


def test_text_version_a_person_can_read(record: dict[str, Any]) -> None:
    text = record_text(record)
    for line in ("DICOMTAB RELEASE RECORD", "Created (UTC):          2025-03-04T05:06:07Z",
                 "Operator:               J. Doe, privacy office",
                 "HIPAA method:           Safe Harbor, 45 CFR 164.514(b)(2)",
                 f"Key fingerprint:        {KEY.fingerprint()}",
                 "Override:               PatientAge (0010,1010) -> age90",
                 "Verification: NOT PASSED", "Flagged (face-review):  3"):
        assert line in text, line
    for entry in record["manifest"]["files"]:
        assert f"{entry['sha256']}  {entry['path']}" in text


def test_failures_counted_by_reason_not_by_name(batches: Batches) -> None:
    _, batch = batches("phi", "basic")
    from dicomtab.deid.batch import BatchResult, FileOutcome
    failed = BatchResult(outcomes=[*batch.outcomes, FileOutcome(
        "/data/Smith_John/x.dcm", error={"code": "truncated", "message": "Smith_John ..."})],
        verified=False)
    record = build_record(failed, load_profile("basic"), KEY)
    assert record["files"]["failed_by_reason"] == {"truncated": 1}
    assert record["verification"] == {
        "ran": False, "result": "not run",
        "scope": "verification was switched off for this batch (--no-verify)"}
    assert "Smith" not in json.dumps(record) and "Smith" not in record_text(record)


def test_custom_profile_is_recorded_by_sha256(tmp_path: Path) -> None:
    from dicomtab.deid.batch import BatchResult
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"name": "mine", "options": ["retain_long_modified_dates"],
                                "date_offset_days": -1234}))
    profile = load_profile(str(path))
    record = build_record(BatchResult(), profile, KEY)
    assert record["profile"]["origin"] == "file" and not profile.builtin
    assert record["profile"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "1234" not in json.dumps(record)  # a fixed date shift is never recorded
    memory = build_record(BatchResult(), profile_from_dict({"name": "m"}), KEY)
    assert memory["profile"]["origin"] == "in memory" and memory["profile"]["sha256"] is None


def test_compare_manifest() -> None:
    record = {"manifest": {"files": [{"path": "a/1.dcm", "sha256": "aa"},
                                     {"path": "a/2.dcm", "sha256": "bb"}]}}
    assert compare_manifest(record, {"a/1.dcm": "aa", "a/2.dcm": "bb"}) == []
    problems = compare_manifest(record, {"a/1.dcm": "ab", "a/3.dcm": "cc"})
    assert [str(p) for p in problems] == ["a/1.dcm: altered", "a/2.dcm: missing",
                                          "a/3.dcm: not-in-manifest"]


def test_fingerprint_of_a_key_file(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    path.write_text(bytes(range(32)).hex())
    assert read_key_file(path).fingerprint() == KEY.fingerprint()
    assert Key(bytes(range(16))).fingerprint() != KEY.fingerprint()


# -- from the command line ---------------------------------------------------------------------

@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "secret.key"
    path.write_text(bytes(range(32)).hex(), encoding="ascii")
    return path


def test_deid_writes_the_record_and_verify_checks_the_manifest(
    tmp_path: Path, hipaa_dir: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "release"
    status = main(["deid", str(hipaa_dir), "-o", str(out), "--key-file", str(keyfile),
                   "--profile", "hipaa-safe-harbor", "--operator", "J. Doe",
                   "--purpose", "research export 7"])
    printed = capsys.readouterr()
    assert status == 1  # written, but three files may show a face: not passed
    assert "5 written, 0 failed of 5" in printed.out
    assert "verification: not passed (3 finding(s), 3 file(s) flagged for review)" in printed.out
    no_phi(printed.out + printed.err, hipaa_dir)
    record = read_record(out / "release-record.json")
    text = (out / "release-record.txt").read_text(encoding="utf-8")
    digest = hashlib.sha256((out / "release-record.json").read_bytes()).hexdigest()
    assert f"sha256 of the JSON: {digest}" in printed.out
    assert record["operator"] == "J. Doe" and record["purpose"] == "research export 7"
    assert record["settings"] == {"verify": True, "audit_written": False,
                                  "crosswalk_written": False, "allow_damaged": False}
    assert record["key"]["fingerprint"] == KEY.fingerprint()
    assert len(record["manifest"]["files"]) == 5
    no_phi(json.dumps(record, ensure_ascii=False) + text, hipaa_dir, out)

    assert main(["verify", str(out)]) == 1  # the faces
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "manifest release-record.json: 5 file(s) listed, every file matches"

    # A recipient's check: one byte changed, one file gone, one file added.
    files = sorted(out.rglob("*.dcm"))
    data = bytearray(files[0].read_bytes())
    data[-1] ^= 0xFF
    files[0].write_bytes(bytes(data))
    files[1].unlink()
    (out / "extra.dcm").write_bytes(files[2].read_bytes())
    assert main(["verify", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    rel = [f.relative_to(out).as_posix() for f in files[:2]]
    assert f"manifest: {rel[0]}: altered" in lines
    assert f"manifest: {rel[1]}: missing" in lines
    assert "manifest: extra.dcm: not-in-manifest" in lines
    assert lines[-1] == "manifest release-record.json: 5 file(s) listed, 3 problem(s)"


def test_record_elsewhere_no_verify_and_one_record_per_folder(
    tmp_path: Path, phi_dir: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    shutil.copytree(phi_dir, src)
    for path in src.rglob("b_us.dcm"):
        path.unlink()  # no burned-in ultrasound: this batch can pass
    out, base = tmp_path / "out", tmp_path / "records" / "batch-1"
    assert main(["deid", str(src), "-o", str(out), "--key-file", str(keyfile),
                 "--record", str(base)]) == 0
    assert "verification: passed (0 finding(s), 0 file(s) flagged for review)" in (
        capsys.readouterr().out)
    assert not list(out.glob("release-record.*"))
    assert main(["verify", str(out), "--manifest", str(base) + ".json"]) == 0
    assert "7 file(s) listed, every file matches" in capsys.readouterr().out
    assert record_paths(Path("r/x.json")) == record_paths(Path("r/x")) == (
        Path("r/x.json"), Path("r/x.txt"))
    # A second batch into the same record is refused, before anything is written.
    assert main(["deid", str(src), "-o", str(tmp_path / "out2"), "--key-file", str(keyfile),
                 "--record", str(base)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()
    # Without verification the record says so, and the exit status reflects failures only.
    out3 = tmp_path / "out3"
    assert main(["deid", str(phi_dir), "-o", str(out3), "--key-file", str(keyfile),
                 "--no-verify"]) == 0
    record = read_record(out3 / "release-record.json")
    assert record["verification"]["result"] == "not run"
    assert record["files"]["flagged_for_review"] == {"pixel-review": 1}
    assert main(["deid", str(phi_dir), "-o", str(out3), "--key-file", str(keyfile)]) == 2
    assert "release-record.json already exists" in capsys.readouterr().err


def test_verify_without_a_record_and_with_a_bad_one(
    tmp_path: Path, batches: Batches, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = batches("phi", "basic")
    assert main(["verify", str(folder)]) == 1  # the burned-in ultrasound
    assert capsys.readouterr().out.splitlines()[-1] == (
        "manifest: no release record found (none checked)")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["verify", str(folder), "--manifest", str(bad)]) == 2
    assert "not a dicomtab release record" in capsys.readouterr().err
    with pytest.raises(PolicyError):
        read_record(tmp_path / "missing.json")


def test_the_whole_release_in_memory_as_the_worker_would(hipaa_dir: Path,
                                                         tmp_path: Path) -> None:
    """No file system: inputs from bytes, outputs to a dict, record and manifest check."""
    from dicomtab.deid.batch import run_batch
    from dicomtab.deid.inputs import InputItem
    from dicomtab.deid.profile import profile_from_bytes
    from dicomtab.deid.release import record_text
    blobs = {p.name: p.read_bytes() for p in sorted(hipaa_dir.rglob("*.dcm"))}
    items = [InputItem(name, lambda data=data: data) for name, data in blobs.items()]
    raw = resources.files("dicomtab").joinpath("profiles", "hipaa-safe-harbor.json")
    profile = profile_from_bytes(raw.read_bytes(), "uploaded.json")
    outputs: dict[str, bytes] = {}
    batch = run_batch(items, tmp_path / "unused", profile, KEY, verify=True,
                      sink=outputs.__setitem__)
    assert not (tmp_path / "unused").exists() and len(outputs) == 5
    record = build_record(batch, profile, KEY, operator="worker")
    actual = {path: hashlib.sha256(data).hexdigest() for path, data in outputs.items()}
    assert compare_manifest(record, actual) == []
    assert record["profile"]["sha256"] == load_profile("hipaa-safe-harbor").sha256
    assert record["verification"]["findings_by_kind"] == {"recognizable-face": 3}
    no_phi(json.dumps(record, ensure_ascii=False) + record_text(record), hipaa_dir)
