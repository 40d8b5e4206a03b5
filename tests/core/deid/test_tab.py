"""De-identification as the tab runs it (dicomtab/deid/tab.py through dicomtab.worker_api).

The worker's calls are made here exactly as web/app/worker/worker.js makes them (JSON text in, JSON
text and bytes out), and the results are compared with ``dicomtab deid`` on the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dicomtab import worker_api
from dicomtab.deid.keys import read_key_file
from dicomtab.deid.profile import builtin_names
from tests.burned_in import burned_files, template_json
from tests.conftest import bundled
from tests.core.deid.phi_set import SEEDED_VALUES
from tests.damaged_set import SEEDED, phi_file, stopped, swallowing, wrong_vr
from tests.deid_runs import KEY_TEXT, OTHER_SYNTAXES, cli_run, tab_run
from tests.worker_results import failed, ok


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())
    monkeypatch.setattr(worker_api, "_DEID", [])




def _open(path: Path) -> str:
    return str(ok(worker_api.open_file(path.read_bytes(), path.name))["instanceId"])


BASIC = json.dumps({"builtin": "basic"})


@pytest.mark.parametrize("profile", ["basic", "research", "hipaa-safe-harbor"])
def test_the_tab_writes_exactly_the_files_the_cli_writes(
        tmp_path: Path, phi_dir: Path, hipaa_dir: Path, profile: str) -> None:
    inputs = sorted(p for d in (phi_dir, hipaa_dir) for p in d.rglob("*") if p.is_file())
    inputs += [bundled(name) for name in OTHER_SYNTAXES]
    cli_files, cli_record = cli_run(inputs, tmp_path / "cli", profile, crosswalk=True)
    tab_files, tab_record, crosswalk = tab_run(worker_api, inputs, profile, crosswalk=True)
    assert len(tab_files) == len(inputs) > 10
    assert tab_files == cli_files  # same paths, byte for byte
    # The records differ only in when and where they were made.
    for record in (cli_record, tab_record):
        del record["created_utc"]
    assert tab_record == cli_record
    assert crosswalk == (tmp_path / "cli" / "crosswalk.csv").read_bytes().decode("utf-8")


def test_a_file_the_page_could_not_store_is_failed_and_absent_from_the_record(
        phi_dir: Path) -> None:
    ids = [_open(p) for p in sorted(phi_dir.rglob("*.dcm"))[:3]]
    ok(worker_api.deid_begin(BASIC, KEY_TEXT.encode(), "k.key", "{}"))
    outputs = []
    for instance_id in ids:
        json_text, data = worker_api.deid_file(instance_id)
        outcome = ok(json_text)
        assert data is not None and outcome["output"] and outcome["error"] is None
        outputs.append(outcome["output"])
    ok(worker_api.deid_stored(outputs[0], True))
    refused = ok(worker_api.deid_stored(outputs[1], False, "the folder refused it"))
    assert refused["error"]["code"] == "write-failed" and refused["output"] is None
    # outputs[2] was handed out but never stored: finishing fails it too.
    done = ok(worker_api.deid_finish())
    record = done["record"]
    assert [f["path"] for f in record["manifest"]["files"]] == [outputs[0]]
    assert record["files"] == {"in": 3, "written": 1, "failed": 2,
                               "failed_by_reason": {"write-failed": 2},
                               "flagged_for_review": {}}
    assert record["verification"]["result"] == "not passed"
    assert record["verification"]["files_failed"] == 2
    assert done["names"] == ["release-record.json", "release-record.txt"]
    assert json.loads(done["json"]) == record and "NOT PASSED" in done["text"]


def test_bad_inputs_fail_with_their_name_and_the_run_goes_on(
        phi_dir: Path, bad_inputs: dict[str, Path]) -> None:
    good = _open(sorted(phi_dir.rglob("*.dcm"))[0])
    # A file with no SOP Instance UID opens for viewing but cannot be written as an instance.
    no_uid = _open(bundled("no_meta_group_length.dcm"))
    ok(worker_api.deid_begin(BASIC, KEY_TEXT.encode(), "k.key", "{}"))
    error = ok(worker_api.deid_file(no_uid)[0])["error"]
    assert error is not None and "no_meta_group_length.dcm" in error["message"]
    outcome = ok(worker_api.deid_file(good)[0])
    assert outcome["error"] is None
    assert failed(worker_api.deid_file("i99")[0])["code"] == "usage"
    for name, path in bad_inputs.items():  # such files never reach the session
        assert failed(worker_api.open_file(path.read_bytes(), name))["code"] != "internal"


def test_keys_made_in_the_tab_are_keygen_key_files(tmp_path: Path) -> None:
    made = ok(worker_api.deid_new_key())
    assert len(made["text"]) == 65 and made["text"].endswith("\n")
    assert int(made["text"], 16) > 0  # hex, as keygen writes it
    path = tmp_path / "tab.key"
    path.write_text(made["text"], encoding="ascii")
    assert read_key_file(path).fingerprint() == made["fingerprint"]
    assert ok(worker_api.deid_new_key())["text"] != made["text"]
    info = ok(worker_api.deid_key_info(made["text"].encode(), "tab.key"))
    assert info["fingerprint"] == made["fingerprint"]


@pytest.mark.parametrize(("raw", "words"), [
    (b"", "is empty"), (b"  \n", "is empty"), (b"abcd\n", "less than 16 bytes"),
])
def test_a_wrong_key_file_is_named_with_the_problem(raw: bytes, words: str) -> None:
    error = failed(worker_api.deid_key_info(raw, "wrong.key"))
    assert error["code"] == "policy" and "wrong.key" in error["message"]
    assert words in error["message"]
    error = failed(worker_api.deid_begin(BASIC, raw, "wrong.key", "{}"))
    assert "wrong.key" in error["message"]


def test_every_builtin_profile_is_offered_with_a_short_summary() -> None:
    offered = ok(worker_api.deid_profiles())
    assert [p["name"] for p in offered] == builtin_names()
    for profile in offered:
        sentences = profile["summary"].count(". ") + 1
        assert profile["summary"] and sentences <= 3 and len(profile["summary"]) < 300
    by_name = {p["name"]: p for p in offered}
    assert "Safe Harbor" in by_name["hipaa-safe-harbor"]["hipaa"]
    assert "NOT Safe Harbor" in by_name["expert-determination-research"]["hipaa"]


@pytest.mark.parametrize(("text", "words"), [
    ("not json", "not valid JSON (line 1)"),
    ('{"options": ["clean_everything"]}', "unknown option(s) clean_everything"),
    ('["basic"]', "must be a JSON object"),
    ('{"hipaa": "safe-harbor", "options": ["retain_uids"]}', "keeps original UIDs"),
])
def test_a_bad_profile_file_is_named_with_the_problem(text: str, words: str) -> None:
    spec = json.dumps({"name": "mine.json", "json": text})
    error = failed(worker_api.deid_check_profile(spec))
    assert error["code"] == "policy" and "mine.json" in error["message"]
    assert words in error["message"]


def test_a_profile_file_is_used_like_the_clis(tmp_path: Path, phi_dir: Path) -> None:
    text = json.dumps({"name": "mine", "options": ["retain_device_identity"]})
    checked = ok(worker_api.deid_check_profile(json.dumps({"name": "mine.json", "json": text})))
    assert checked["name"] == "mine" and checked["options"] == ["retain_device_identity"]
    begun = ok(worker_api.deid_begin(json.dumps({"name": "mine.json", "json": text}),
                                      KEY_TEXT.encode(), "k.key", "{}"))
    assert begun["profile"] == "mine"


def test_preview_labels_every_change_and_writes_nothing(phi_dir: Path) -> None:
    ct = _open(sorted(phi_dir.rglob("*.dcm"))[0])
    shown = ok(worker_api.deid_preview(ct, json.dumps({"builtin": "research"}),
                                        KEY_TEXT.encode(), "k.key"))
    by_keyword = {c["keyword"]: c for c in shown["changes"] if c["path"].count("/") == 0}
    assert by_keyword["PatientName"]["action"] == "replaced"
    assert by_keyword["StudyInstanceUID"]["action"] == "remapped"
    assert by_keyword["StudyDate"]["action"] == "shifted"
    assert by_keyword["PatientIdentityRemoved"]["action"] == "added"
    assert by_keyword["OtherPatientIDsSequence"]["action"] == "removed"
    assert shown["counts"]["kept"] == len(shown["kept"]) > 10
    assert {"Rows", "Columns"} <= {k["keyword"] for k in shown["kept"]}
    assert shown["output"].endswith(".dcm") and shown["output"].count("/") == 3
    # The preview shows the values (the user's own data, in the user's tab) ...
    assert any(c["a"] and "PID-A-4711" in c["a"] for c in shown["changes"])
    # ... and the output side never holds a seeded value.
    for change in shown["changes"]:
        for value in SEEDED_VALUES:
            assert value not in (change["b"] or ""), (change["path"], value)
    # Nothing was started: a file request needs a run.
    assert failed(worker_api.deid_file(ct)[0])["code"] == "usage"


def test_a_crosswalk_only_when_asked_and_nothing_after_end(phi_dir: Path) -> None:
    ct = _open(sorted(phi_dir.rglob("*.dcm"))[0])
    ok(worker_api.deid_begin(BASIC, KEY_TEXT.encode(), "k.key", "{}"))
    path = ok(worker_api.deid_file(ct)[0])["output"]
    ok(worker_api.deid_stored(path, True))
    assert ok(worker_api.deid_finish())["record"]["settings"]["crosswalk_written"] is False
    assert failed(worker_api.deid_crosswalk())["code"] == "usage"
    ok(worker_api.deid_end())
    assert failed(worker_api.deid_file(ct)[0])["code"] == "usage"
    assert failed(worker_api.deid_finish())["code"] == "usage"


@pytest.mark.parametrize("profile", ["basic", "research", "hipaa-safe-harbor"])
def test_the_files_flagged_before_a_run_are_those_the_run_flags(
        phi_dir: Path, hipaa_dir: Path, profile: str) -> None:
    paths = sorted(p for d in (phi_dir, hipaa_dir) for p in d.rglob("*.dcm"))
    ids = [_open(p) for p in paths]
    spec = json.dumps({"builtin": profile})
    listed = ok(worker_api.deid_flags(ids, spec))
    before = {f["instanceId"]: f["flags"] for f in listed if f["flags"]}
    checked = {f["instanceId"] for f in listed if "pixel-check" in f["checks"]}
    assert before or checked  # the sets hold an ultrasound, and the HIPAA set faces
    ok(worker_api.deid_begin(spec, KEY_TEXT.encode(), "k.key", "{}"))
    after = {}
    for instance_id in ids:
        outcome = ok(worker_api.deid_file(instance_id)[0])
        if outcome["flags"]:
            after[instance_id] = outcome["flags"]
    # A profile that finds burned-in text itself lists those files as to be checked: the run
    # flags them only if it cannot show the text gone. Every other flag is foreseen exactly.
    cleans = profile != "basic"
    assert bool(checked) == cleans
    assert not cleans or not any("pixel-review" in f for f in before.values())

    def others(flags: dict[str, list[str]]) -> dict[str, list[str]]:
        kept = {k: [f for f in v if not cleans or not f.startswith("pixel-")]
                for k, v in flags.items()}
        return {k: v for k, v in kept.items() if v}
    assert others(before) == others(after)
    for instance_id, flags in after.items():
        if cleans and any(f.startswith("pixel-") for f in flags):
            assert instance_id in checked


def test_a_run_over_the_memory_budget_writes_the_same_files(
        monkeypatch: pytest.MonkeyPatch, phi_dir: Path, tmp_path: Path) -> None:
    """Files read again from their source when their turn comes (the browser's File), one
    resident at a time: the outputs do not change."""
    inputs = sorted(phi_dir.rglob("*.dcm"))
    expected, _ = cli_run(inputs, tmp_path / "cli", "basic")

    class Budgeted(worker_api.Session):
        def open(self, data: bytes, name: str, reader: object = None) -> dict:  # type: ignore[override]
            path = next(p for p in inputs if p.name == name)
            return super().open(data, name, path.read_bytes)

    monkeypatch.setattr(worker_api, "SESSION", Budgeted(budget=1))
    monkeypatch.setattr(worker_api, "_DEID", [])
    written, _, _ = tab_run(worker_api, inputs, "basic")
    assert written == expected


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("allow", [False, True])
def test_damaged_files_are_taken_only_when_allowed_and_as_the_cli_takes_them(
        tmp_path: Path, allow: bool) -> None:
    made = {"wrong-vr.dcm": wrong_vr(phi_file("4")),
            "swallowed.dcm": swallowing(phi_file("5"), b"\x08\x00\x80\x00LO"),
            "stopped.dcm": stopped(phi_file("6", StudyDescription=("LO", "HEAD"))),
            "cut.dcm": bundled("CT_small.dcm").read_bytes()[:-1000],
            "sound.dcm": phi_file("7")}
    (tmp_path / "in").mkdir()
    for name, data in made.items():
        (tmp_path / "in" / name).write_bytes(data)
    inputs = sorted((tmp_path / "in").iterdir())
    cli_files, cli_record = cli_run(inputs, tmp_path / "cli", "basic", allow_damaged=allow)
    tab_files, tab_record, _ = tab_run(worker_api, inputs, "basic", allow_damaged=allow)
    assert len(tab_files) == (5 if allow else 1)
    assert tab_files == cli_files
    for record in (cli_record, tab_record):
        del record["created_utc"]
    assert tab_record == cli_record
    assert tab_record["settings"]["allow_damaged"] is allow
    for data in tab_files.values():
        assert not any(value in data for value in SEEDED)


def test_the_tab_blanks_burned_in_text_exactly_as_the_cli(tmp_path: Path) -> None:
    inputs = burned_files(tmp_path / "in", [("rgb", "1.2.840.10008.1.2.1"),
                                            ("mono2-12", "1.2.840.10008.1.2.5"),
                                            ("mono2-12", "1.2.840.10008.1.2.4.80"),
                                            ("jpeg-rgb", "1.2.840.10008.1.2.4.50")])
    regions = tmp_path / "acme.json"
    regions.write_bytes(template_json())
    cli_files, cli_record = cli_run(inputs, tmp_path / "cli", "research", regions=(regions,))
    tab_files, tab_record, _ = tab_run(worker_api, inputs, "research", regions=(regions,))
    assert len(tab_files) == 4 and tab_files == cli_files
    for record in (cli_record, tab_record):
        del record["created_utc"]
    assert tab_record == cli_record
    # research detects text: the template's box and the detector's, then checked again.
    assert tab_record["pixels"]["flagged_files"]["cleaned"] == 4
    assert all(f["checked"] and "text-detection" in f["templates"]
               for f in tab_record["pixels"]["files"])


def test_a_redaction_template_is_described_or_refused_by_name() -> None:
    info = ok(worker_api.deid_regions(template_json().decode(), "acme.json"))
    assert info == {"name": "acme.json", "templates": [{"name": "ACME header", "boxes": 1}]}
    error = failed(worker_api.deid_regions("{}", "nope.json"))
    assert error["code"] == "policy" and error["message"].startswith("nope.json: not a redaction")
