"""De-identification in the tab, as a user does it: open a study, tick what to share, choose a
profile and a key, preview, run into a ZIP or a folder, read the result, re-open the output.
The tab's files are compared byte for byte with ``dicomtab deid`` on the same inputs."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from playwright.sync_api import Browser, Page, expect

from dicomtab.deid.keys import key_from_bytes
from tests.browser.conftest import canvas_point, download, open_files
from tests.burned_in import (
    BOX,
    burned_dataset,
    burned_files,
    drawn_dataset,
    template_json,
    text_mask,
)
from tests.conftest import bundled
from tests.core.deid.hipaa_set import write_hipaa_set
from tests.core.deid.phi_set import SEEDED_VALUES, write_set
from tests.damaged_set import SEEDED, phi_file, stopped, swallowing
from tests.deid_runs import KEY_TEXT, OTHER_SYNTAXES, cli_run

FINGERPRINT = key_from_bytes(KEY_TEXT.encode(), "k").fingerprint()


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two PHI-seeded multi-patient sets (nested sequences, private blocks, an SR, an
    ultrasound, faces) and pydicom's files in six more transfer syntaxes."""
    folder = tmp_path_factory.mktemp("deid-study")
    write_set(folder / "phi")
    write_hipaa_set(folder / "hipaa")
    (folder / "other").mkdir()
    for name in OTHER_SYNTAXES:
        shutil.copy(bundled(name), folder / "other" / name)
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def keyfile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "site.key"
    path.write_text(KEY_TEXT, encoding="ascii")
    return path


def _start(app: Page, files: list[Path]) -> None:
    open_files(app, files, expect_total=len(files))
    app.get_by_test_id("deid-open").click()
    expect(app.get_by_test_id("deid-panel")).to_be_visible()


def _redact_tool_on(app: Page, instance_id: str) -> None:
    """Select the instance in the tree, wait for its image, and choose the Redact tool."""
    app.locator(f'[data-testid=tree-instance][data-instance-id="{instance_id}"]').click()
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", instance_id, timeout=30000)
    app.get_by_test_id("viewer-tool-redact").click()


def _zip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _run_with_key(app: Page, keyfile: Path) -> dict[str, bytes]:
    """Give the key, run, and return the ZIP's de-identified files (the record set aside)."""
    app.get_by_test_id("deid-key-file").set_input_files(str(keyfile))
    expect(app.get_by_test_id("deid-key-status")).to_contain_text(FINGERPRINT)
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    written = _zip_files(Path(info.value.path()).read_bytes())
    written.pop("release-record.json"), written.pop("release-record.txt")
    return written


def test_a_study_de_identified_in_the_tab_is_what_the_cli_writes(
        app: Page, study: list[Path], keyfile: Path, tmp_path: Path) -> None:
    cli_files, cli_record = cli_run(study, tmp_path / "cli", "research", crosswalk=True)
    _start(app, study)
    total = len(study)
    expect(app.get_by_test_id("deid-scope")).to_contain_text(f"{total} of {total} instances selected")

    # Scope: untick a patient, and the count follows; then everything again.
    patient = app.get_by_test_id("tree-patient").first
    patient.get_by_test_id("scope-check").first.uncheck()
    expect(app.get_by_test_id("deid-scope")).not_to_contain_text(f"{total} of {total}")
    app.get_by_test_id("deid-select-all").click()
    expect(app.get_by_test_id("deid-scope")).to_contain_text(f"{total} of {total} instances selected")

    app.get_by_test_id("deid-profile").select_option("research")
    expect(app.get_by_test_id("deid-profile-summary")).to_contain_text("Not HIPAA Safe Harbor")
    app.get_by_test_id("deid-key-file").set_input_files(str(keyfile))
    expect(app.get_by_test_id("deid-key-status")).to_contain_text(FINGERPRINT)
    expect(app.get_by_test_id("deid-key-warning")).to_be_visible()

    # Preview the CT shown in the viewer: every change labelled, nothing identifying after it.
    ct = next(p for p in study if "CT" in p.name.upper() and "phi" in p.parts)
    app.get_by_test_id("tree-instance").filter(has_text=ct.name).click()
    app.get_by_test_id("deid-preview").click()
    rows = app.get_by_test_id("deid-preview-row")
    expect(rows.first).to_be_visible()
    actions = set(rows.evaluate_all("rows => rows.map(r => r.dataset.action)"))
    assert {"replaced", "removed", "remapped", "shifted", "added"} <= actions
    expect(app.locator('[data-testid=deid-preview-row][data-path="00100010"]')).to_have_attribute(
        "data-action", "replaced")
    after = " ".join(rows.evaluate_all("rows => rows.map(r => r.querySelector('[data-col=b]').textContent)"))
    assert not [v for v in SEEDED_VALUES if v in after]
    expect(app.get_by_test_id("deid-preview-counts")).to_contain_text("kept")

    # The files to review, listed before the run: exactly those the run flags.
    # (Research finds burned-in text itself: those files are listed as checked, not flagged.)
    app.get_by_test_id("deid-flags").click()
    expect(app.get_by_test_id("deid-flagged")).to_be_visible()  # the list has come
    flagged = app.get_by_test_id("deid-flagged-file")
    expect(flagged).to_have_count(len(cli_record["verification"]["review_required"]))
    expect(app.get_by_test_id("deid-checked-file")).to_have_count(
        len(cli_record["pixels"]["files"]))

    app.get_by_test_id("deid-crosswalk").check()
    expect(app.get_by_test_id("deid-crosswalk-warning")).to_be_visible()
    app.get_by_test_id("deid-operator").fill("QA")
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    assert info.value.suggested_filename == "dicomtab-release.zip"
    written = _zip_files(Path(info.value.path()).read_bytes())
    record = json.loads(written.pop("release-record.json"))
    assert written.pop("release-record.txt").decode().startswith("DICOMTAB RELEASE RECORD")
    assert written == cli_files  # same paths, byte for byte
    # And what an archive-scale run writes on 2 worker processes (dicomtab.scale).
    scaled_files, scaled_record = cli_run(study, tmp_path / "scaled", "research", crosswalk=True,
                                          workers=2)
    assert written == scaled_files
    assert scaled_record["manifest"] == record["manifest"]

    # The record differs from the CLI's only in its time, where it ran and the operator given.
    assert record["operator"] == "QA" and record["tool"]["platform"] == "emscripten"
    for r in (record, cli_record):
        for field in ("created_utc", "operator"):
            del r[field]
        for field in ("python", "platform"):
            del r["tool"][field]
    assert record == cli_record

    result = app.get_by_test_id("deid-result")
    expect(result).to_be_visible()
    # The burned-in ultrasound was checked by the text detector (no text): the release passes.
    assert record["verification"]["result"] == "passed"
    expect(app.get_by_test_id("deid-verification")).to_have_attribute("data-result", "passed")
    expect(app.get_by_test_id("deid-counts")).to_contain_text(f"{len(cli_files)} of {total} files written, 0 failed")
    expect(app.get_by_test_id("deid-progress-text")).to_contain_text(f"{total} of {total} files")
    name, crosswalk = download(app, "deid-crosswalk-download")
    assert name == "crosswalk.csv"
    assert crosswalk == (tmp_path / "cli" / "crosswalk.csv").read_bytes()
    name, record_json = download(app, "deid-record-json")
    assert name == "release-record.json" and json.loads(record_json)["manifest"]["files"]

    # Re-open the output beside the originals: the pseudonymous patients join the tree.
    app.get_by_test_id("deid-reopen").click()
    expect(app.get_by_test_id("instance")).to_have_count(total + len(cli_files), timeout=60000)
    labels = " ".join(app.get_by_test_id("tree-patient").all_text_contents())
    assert "ANON^" in labels


FOLDER_SCRIPT = """async ({key, profile, name}) => {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(name, {recursive: true}).catch(() => {});
    const folder = await root.getDirectoryHandle(name, {create: true});
    const result = await window.dicomtab.deidentify({profile, key, output: folder});
    const files = {};
    async function walk(dir, prefix) {
        for await (const [entry, handle] of dir.entries()) {
            if (handle.kind === 'directory') { await walk(handle, prefix + entry + '/'); continue; }
            const bytes = await (await handle.getFile()).arrayBuffer();
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
            files[prefix + entry] = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
        }
    }
    await walk(folder, '');
    await root.removeEntry(name, {recursive: true});
    return {counts: result.counts, verification: result.verification.result, files};
}"""


def test_the_api_writes_into_a_folder_what_the_cli_writes(
        app: Page, study: list[Path], tmp_path: Path) -> None:
    cli_files, cli_record = cli_run(study, tmp_path / "cli", "hipaa-safe-harbor")
    open_files(app, study, expect_total=len(study))
    # The origin's private folder stands in for a folder the user picked: both are
    # FileSystemDirectoryHandles, written through the same calls.
    out = app.evaluate(FOLDER_SCRIPT, {"key": KEY_TEXT, "profile": "hipaa-safe-harbor", "name": "out"})
    assert out["counts"] == cli_record["files"]
    assert out["verification"] == cli_record["verification"]["result"]
    record_files = {"release-record.json", "release-record.txt"}
    assert set(out["files"]) == set(cli_files) | record_files
    assert {p: d for p, d in out["files"].items() if p not in record_files} == {
        p: hashlib.sha256(b).hexdigest() for p, b in cli_files.items()}


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """120 instances (CT_small with new UIDs), enough for a run to be cancelled midway."""
    folder = tmp_path_factory.mktemp("many")
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    paths = []
    for n in range(120):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.9.7777.{n + 1}"
        ds.InstanceNumber = n + 1
        paths.append(folder / f"ct{n:03d}.dcm")
        ds.save_as(paths[-1], enforce_file_format=True)
    return paths


def test_cancel_stops_cleanly_and_leaves_nothing_in_the_folder(app: Page, many: list[Path]) -> None:
    _start(app, many)
    app.evaluate("""async (key) => {
        const root = await navigator.storage.getDirectory();
        const folder = await root.getDirectoryHandle('cancelled', {create: true});
        window.cancelled = window.dicomtab.deidentify({profile: 'basic', key, output: folder})
            .then(() => 'finished', (error) => error.message);
    }""", KEY_TEXT)
    # Cancel while the run is under way (it takes seconds: 120 files).
    expect(app.get_by_test_id("deid-progress-text")).to_contain_text(
        re.compile(r"\b[1-9]\d? of 120 files"), timeout=60000)
    app.get_by_test_id("deid-cancel").click()
    assert "cancelled" in app.evaluate("window.cancelled")
    expect(app.get_by_test_id("deid-progress-text")).to_contain_text("the files it wrote were removed")
    left = app.evaluate("""async () => {
        const root = await navigator.storage.getDirectory();
        const folder = await root.getDirectoryHandle('cancelled');
        const names = [];
        for await (const name of folder.keys()) names.push(name);
        await root.removeEntry('cancelled', {recursive: true});
        return names;
    }""")
    assert left == []
    # The app goes on: the next run completes.
    expect(app.get_by_test_id("deid-cancel")).to_be_hidden()
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-key-file").set_input_files(
            files=[{"name": "k.key", "mimeType": "text/plain", "buffer": KEY_TEXT.encode()}])
        expect(app.get_by_test_id("deid-key-status")).to_contain_text(FINGERPRINT)
        app.get_by_test_id("deid-run").click()
    assert len([n for n in _zip_files(Path(info.value.path()).read_bytes()) if n.endswith(".dcm")]) == 120


def test_bad_profile_key_and_files_are_named_and_the_batch_goes_on(
        app: Page, study: list[Path], tmp_path: Path) -> None:
    files = [*study[:4], bundled("no_meta_group_length.dcm")]
    _start(app, files)
    # A run without a key says what is missing.
    app.get_by_test_id("deid-run").click()
    expect(app.get_by_test_id("deid-run-error")).to_contain_text("A key is needed")
    # Profile files: not JSON, an unknown option.
    bad = tmp_path / "bad-profile.json"
    bad.write_text("{not json")
    app.get_by_test_id("deid-profile-file").set_input_files(str(bad))
    expect(app.get_by_test_id("deid-profile-error")).to_contain_text("bad-profile.json: not valid JSON")
    unknown = tmp_path / "mine.json"
    unknown.write_text(json.dumps({"name": "mine", "options": ["clean_everything"]}))
    app.get_by_test_id("deid-profile-file").set_input_files(str(unknown))
    expect(app.get_by_test_id("deid-profile-error")).to_contain_text("unknown option(s) clean_everything")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"name": "mine", "options": ["retain_device_identity"]}))
    app.get_by_test_id("deid-profile-file").set_input_files(str(good))
    expect(app.get_by_test_id("deid-profile-summary")).to_contain_text('profile "mine"')
    expect(app.get_by_test_id("deid-profile-error")).to_be_hidden()
    # Key files: empty, too short.
    for name, content, words in (("empty.key", b"", "is empty"), ("short.key", b"abcd\n", "less than 16 bytes")):
        app.get_by_test_id("deid-key-file").set_input_files(
            files=[{"name": name, "mimeType": "text/plain", "buffer": content}])
        expect(app.get_by_test_id("deid-key-error")).to_contain_text(f"{name} ")
        expect(app.get_by_test_id("deid-key-error")).to_contain_text(words)
    # A new key made in the tab is a keygen key file, downloaded.
    name, made = download(app, "deid-key-new")
    assert name == "dicomtab.key" and len(made) == 65
    expect(app.get_by_test_id("deid-key-status")).to_contain_text(key_from_bytes(made, name).fingerprint())
    # A file that cannot be written as an instance fails by name; the others are written.
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    written = _zip_files(Path(info.value.path()).read_bytes())
    assert len([n for n in written if n.endswith(".dcm")]) == 4
    error = app.get_by_test_id("deid-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("no_meta_group_length.dcm")
    expect(app.get_by_test_id("deid-counts")).to_contain_text("4 of 5 files written, 1 failed")
    assert json.loads(written["release-record.json"])["profile"]["name"] == "mine"


def test_the_api_rejects_bad_options_with_clear_messages(app: Page, study: list[Path]) -> None:
    open_files(app, study[:2], expect_total=2)
    cases = {
        "{profile: 'basic', key: K, output: 'disk'}": "output must be 'zip' or a FileSystemDirectoryHandle",
        "{profile: 'basic', key: K, output: 'zip', instanceIds: ['i999']}": "no open instance has the id i999",
        "{profile: 'nonexistent', key: K, output: 'zip'}": "no built-in profile named 'nonexistent'",
        "{profile: 'basic', output: 'zip'}": "key is required",
        "{profile: 'basic', key: '', output: 'zip'}": "is empty",
        "{profile: {options: ['nope']}, key: K, output: 'zip'}": "unknown option(s) nope",
    }
    for call, words in cases.items():
        message = app.evaluate(
            f"(K) => window.dicomtab.deidentify({call}).then(() => 'resolved', (e) => e.message)", KEY_TEXT)
        assert words in message, (call, message)


def test_verify_in_the_tab_checks_outputs_against_originals_and_the_record(
        app: Page, study: list[Path], tmp_path: Path) -> None:
    originals = [p for p in study if "phi" in p.parts and "_us" not in p.name]
    files, _ = cli_run(originals, tmp_path / "cli", "basic")
    _start(app, originals)
    verification = app.evaluate("""(K) => window.dicomtab.deidentify({profile: 'basic', key: K, output: 'zip'})
        .then((r) => r.verification.result)""", KEY_TEXT)
    assert verification == "passed"
    app.get_by_test_id("deid-reopen").click()
    expect(app.get_by_test_id("instance")).to_have_count(2 * len(originals), timeout=60000)

    # The inspector says how a de-identified instance was made, not "may identify the patient".
    output = next(iter(sorted(files)))
    app.get_by_test_id("tree-instance").filter(has_text=output.split("/")[-1]).click()
    expect(app.get_by_test_id("deid-marking")).to_contain_text("Patient Identity Removed: YES")
    expect(app.get_by_test_id("deid-method")).to_contain_text("profile basic")
    expect(app.get_by_test_id("deid-codes")).to_contain_text("Basic Application Confidentiality Profile")
    expect(app.get_by_test_id("phi-counts")).to_contain_text("De-identified file")

    app.get_by_test_id("verify-open").click()
    app.get_by_test_id("verify-run").click()
    expect(app.get_by_test_id("verify-result")).to_have_attribute("data-result", "passed")
    expect(app.get_by_test_id("verify-result")).to_contain_text(
        f"{len(originals)} de-identified file(s) checked against the values of {len(originals)} open original(s)")
    expect(app.get_by_test_id("verify-record")).to_contain_text(
        f"dicomtab-release.zip/release-record.json: {len(originals)} file(s) listed, every file matches")

    # An output with a patient's name typed into a comment: found by file and element, not quoted.
    leaky = pydicom.dcmread(io.BytesIO(files[output]))
    leaky.ImageComments = "seen by Müller"
    leaky.save_as(tmp_path / "leak.dcm")
    open_files(app, [tmp_path / "leak.dcm"], expect_total=2 * len(originals) + 1)
    found = app.evaluate("window.dicomtab.verify()")
    assert found["result"] == "not passed"
    expect(app.get_by_test_id("verify-result")).to_have_attribute("data-result", "not passed")
    finding = app.locator('[data-testid=verify-finding]', has_text="leak.dcm")
    expect(finding.first).to_contain_text("ImageComments")
    table = app.get_by_test_id("verify-findings").text_content() or ""
    assert "Müller" not in table and not [v for v in SEEDED_VALUES if v in json.dumps(found, ensure_ascii=False)]


#: A folder handle whose files cannot be written: the disk is full.
FULL_DISK = """() => {
    const file = {
        createWritable: async () => ({
            write: async () => { throw new DOMException('No space left', 'QuotaExceededError'); },
            close: async () => {}, abort: async () => {},
        }),
    };
    const folder = {
        kind: 'directory', name: 'full',
        queryPermission: async () => 'granted',
        getFileHandle: async (name, options) => {
            if (!options || !options.create) throw new DOMException('missing', 'NotFoundError');
            return file;
        },
        getDirectoryHandle: async (name, options) => {
            if (!options || !options.create) throw new DOMException('missing', 'NotFoundError');
            return folder;
        },
        removeEntry: async () => {},
    };
    return folder;
}"""


def test_a_refused_folder_a_cancelled_dialog_and_a_full_disk_are_said_plainly(
        app: Page, study: list[Path]) -> None:
    _start(app, study[:3])
    app.get_by_test_id("deid-key-file").set_input_files(
        files=[{"name": "k.key", "mimeType": "text/plain", "buffer": KEY_TEXT.encode()}])
    expect(app.get_by_test_id("deid-key-status")).to_contain_text(FINGERPRINT)
    assert app.evaluate("'showDirectoryPicker' in window")  # Chromium can write to folders
    app.get_by_test_id("deid-output-folder").check()
    # The user closes the folder dialog: nothing happens, and the page says so.
    app.evaluate("() => { window.showDirectoryPicker = async () => { throw new DOMException('closed', 'AbortError'); }; }")
    app.get_by_test_id("deid-run").click()
    expect(app.get_by_test_id("deid-run-error")).to_have_text("No folder was chosen; nothing was written.")
    # The browser refuses to let the page write there.
    app.evaluate("""() => { window.showDirectoryPicker = async () => ({kind: 'directory', name: 'locked',
        queryPermission: async () => 'prompt', requestPermission: async () => 'denied'}); }""")
    app.get_by_test_id("deid-run").click()
    expect(app.get_by_test_id("deid-run-error")).to_contain_text(
        'The browser does not allow writing to the folder "locked"')
    # A full disk: each file fails with that reason and the batch goes on; then the record
    # cannot be written either, and the run says so instead of leaving a release without one.
    message = app.evaluate(f"""(key) => window.dicomtab.deidentify(
        {{profile: 'basic', key, output: ({FULL_DISK})()}}).then(() => 'resolved', (e) => e.message)""",
        KEY_TEXT)
    assert message == ("The release record could not be written (the disk is full), so the output "
                       "was removed.")
    expect(app.get_by_test_id("deid-error")).to_have_count(3)
    expect(app.get_by_test_id("deid-error").first).to_contain_text("the disk is full")
    expect(app.get_by_test_id("deid-cancel")).to_be_hidden()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_damaged_files_are_refused_by_name_unless_allowed_then_flagged(
        app: Page, keyfile: Path, tmp_path: Path) -> None:
    made = {"sound.dcm": phi_file("7"),
            "swallowed.dcm": swallowing(phi_file("5"), b"\x08\x00\x80\x00LO"),
            "stopped.dcm": stopped(phi_file("6", StudyDescription=("LO", "HEAD")))}
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    files = sorted(tmp_path / name for name in made)
    cli_files, _ = cli_run(files, tmp_path / "cli", "basic", allow_damaged=True)
    _start(app, files)
    expect(app.get_by_test_id("damaged-marker")).to_have_count(1)  # "stopped" opens for inspection only
    scope = app.get_by_test_id("deid-scope")
    expect(scope).to_contain_text("3 of 3 instances selected")
    expect(scope).to_contain_text("1 of them is damaged: they will be refused")
    app.get_by_test_id("deid-key-file").set_input_files(str(keyfile))
    expect(app.get_by_test_id("deid-key-status")).to_contain_text(FINGERPRINT)

    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    written = _zip_files(Path(info.value.path()).read_bytes())
    assert len([n for n in written if n.endswith(".dcm")]) == 1
    errors = app.get_by_test_id("deid-error")
    expect(errors).to_have_count(2)
    expect(errors.filter(has_text="swallowed.dcm")).to_contain_text("control bytes")
    expect(errors.filter(has_text="stopped.dcm")).to_contain_text("unknown value representation")

    app.get_by_test_id("deid-allow-damaged").check()
    expect(scope).to_contain_text("what can be read of them is de-identified and flagged for review")
    app.get_by_test_id("deid-flags").click()
    expect(app.get_by_test_id("deid-flagged-file")).to_have_count(2)
    expect(app.get_by_test_id("deid-flagged")).to_contain_text("stopped.dcm")
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    written = _zip_files(Path(info.value.path()).read_bytes())
    record = json.loads(written.pop("release-record.json"))
    written.pop("release-record.txt")
    assert written == cli_files and len(written) == 3
    assert not [v for v in SEEDED for data in written.values() if v in data]
    assert record["settings"]["allow_damaged"] is True
    assert record["verification"]["result"] == "not passed"
    expect(app.get_by_test_id("deid-counts")).to_contain_text("3 of 3 files written, 0 failed")


def test_a_redaction_template_blanks_burned_in_text_as_the_cli_does(
        app: Page, keyfile: Path, tmp_path: Path) -> None:
    files = burned_files(tmp_path / "in", [("rgb", "1.2.840.10008.1.2.1"),
                                           ("mono2-12", "1.2.840.10008.1.2.4.80"),
                                           ("rgb", "1.2.840.10008.1.2.4.90")])
    regions = tmp_path / "acme.json"
    regions.write_bytes(template_json())
    cli_files, cli_record = cli_run(files, tmp_path / "cli", "hipaa-safe-harbor", regions=(regions,))
    _start(app, files)
    app.get_by_test_id("deid-profile").select_option("hipaa-safe-harbor")
    app.get_by_test_id("deid-key-file").set_input_files(str(keyfile))
    # A bad template is named with its problem; a good one is listed.
    app.get_by_test_id("deid-regions-file").set_input_files(
        files=[{"name": "wrong.json", "mimeType": "application/json", "buffer": b"[]"}])
    expect(app.get_by_test_id("deid-regions-error")).to_contain_text("wrong.json: not a redaction template")
    app.get_by_test_id("deid-regions-file").set_input_files(str(regions))
    expect(app.get_by_test_id("deid-regions-file-item")).to_have_text(
        "acme.json: 1 template(s), 1 box(es) to blank in the images they match")
    expect(app.get_by_test_id("deid-regions-error")).to_be_hidden()
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    written = _zip_files(Path(info.value.path()).read_bytes())
    record = json.loads(written.pop("release-record.json"))
    written.pop("release-record.txt")
    assert written == cli_files and len(written) == 3  # byte for byte, redacted pixels included
    # The same boxes: the template's and the text detector's (onnxruntime-web here,
    # onnxruntime in the CLI), and the same check afterwards.
    assert record["pixels"] == cli_record["pixels"]
    assert record["pixels"]["flagged_files"]["cleaned"] == 3
    assert all("text-detection" in f["templates"] for f in record["pixels"]["files"])
    for data in written.values():
        ds = pydicom.dcmread(io.BytesIO(data))
        frame = ds.pixel_array
        ink = frame[text_mask()]
        assert (ink == (0 if frame.ndim == 3 else frame.min())).all()


def test_boxes_drawn_with_the_mouse_blank_the_text_when_de_identifying(
        app: Page, keyfile: Path, tmp_path: Path) -> None:
    ds, _ = burned_dataset("rgb", "1.2.840.10008.1.2.1", frames=2)
    path = tmp_path / "us.dcm"
    ds.save_as(path, enforce_file_format=True)
    open_files(app, [path], expect_total=1)
    _redact_tool_on(app, app.evaluate("window.dicomtab.instances()")[0]["instanceId"])
    expect(app.get_by_test_id("viewer-redaction")).to_be_visible()
    # Drag over the text (image rows 2-14, columns 2-88), as a user does.
    app.mouse.move(*canvas_point(app, 2.4, 2.4))
    app.mouse.down()
    app.mouse.move(*canvas_point(app, 13.6, 87.6), steps=5)
    app.mouse.up()
    expect(app.get_by_test_id("viewer-redact-box")).to_have_count(1)
    expect(app.get_by_test_id("viewer-redact-box")).to_contain_text("x 2, y 2, 86 × 12 px, every frame")
    assert app.evaluate("window.dicomtab.viewer.state.redaction") == [BOX]
    # Saved as a template: the CLI takes the same file.
    with app.expect_download() as info:
        app.get_by_test_id("viewer-redact-save").click()
    assert info.value.suggested_filename == "redaction-template.json"
    template = Path(info.value.path()).read_bytes()
    assert json.loads(template)["templates"][0]["match"]["Manufacturer"] == "ACME MEDICAL"
    (tmp_path / "t").mkdir()
    saved = tmp_path / "t" / "redaction-template.json"
    saved.write_bytes(template)
    cli_files, _ = cli_run([path], tmp_path / "cli", "basic", regions=(saved,))
    # Handed to the de-identification panel, and run there.
    app.get_by_test_id("viewer-redact-use").click()
    expect(app.get_by_test_id("viewer-redact-status")).to_contain_text("will be blanked by the next de-identification")
    app.get_by_test_id("deid-open").click()
    expect(app.get_by_test_id("deid-regions-file-item")).to_contain_text("redaction-template.json: 1 template(s), 1 box(es)")
    written = _run_with_key(app, keyfile)
    assert written == cli_files and len(written) == 1
    frames = pydicom.dcmread(io.BytesIO(next(iter(written.values())))).pixel_array
    assert (frames[:, text_mask()] == 0).all()  # both frames, every glyph pixel black


def test_verify_in_a_fresh_tab_fetches_the_word_list_it_needs(
        app: Page, study: list[Path], tmp_path: Path) -> None:
    """Outputs of a profile that cleans free text, verified in a tab that has not
    de-identified anything: verify's text detector needs the vocabulary the worker fetches."""
    originals = [p for p in study if "phi" in p.parts and "_us" not in p.name]
    files, _ = cli_run(originals, tmp_path / "cli", "research")
    written = []
    for n, data in enumerate(files.values()):
        written.append(tmp_path / f"out{n}.dcm")
        written[-1].write_bytes(data)
    open_files(app, written, expect_total=len(written))
    found = app.evaluate("window.dicomtab.verify()")
    assert found["result"] == "passed", found
    assert not [f for f in found.get("findings", []) if f.get("kind") == "identifying-text"]


def test_text_the_detector_finds_is_suggested_and_accepted_boxes_are_blanked(
        app: Page, keyfile: Path, tmp_path: Path) -> None:
    ds, _stored, masks = drawn_dataset("mono2-8", "1.2.840.10008.1.2.1")
    path = tmp_path / "us.dcm"
    ds.save_as(path, enforce_file_format=True)
    open_files(app, [path], expect_total=1)
    _redact_tool_on(app, app.evaluate("window.dicomtab.instances()")[0]["instanceId"])
    app.get_by_test_id("viewer-redact-detect").click()
    suggestions = app.get_by_test_id("viewer-redact-suggestion")
    expect(suggestions).to_have_count(2, timeout=60000)  # the two blocks of lines
    expect(app.get_by_test_id("viewer-redact-status")).to_contain_text("Text found in 2 place(s)")
    # Accept one, reject the other: only the accepted becomes a box.
    suggestions.nth(1).get_by_test_id("viewer-redact-reject").click()
    expect(suggestions).to_have_count(1)
    suggestions.first.get_by_test_id("viewer-redact-accept").click()
    expect(suggestions).to_have_count(0)
    expect(app.get_by_test_id("viewer-redact-box")).to_have_count(1)
    (box,) = app.evaluate("window.dicomtab.viewer.state.redaction")
    assert "frames" not in box  # "every frame", as the panel's default says
    top_left = masks[0, :120, :160]
    ys, xs = np.nonzero(top_left)
    assert box["x"] <= xs.min() and box["y"] <= ys.min()
    assert box["x"] + box["width"] > xs.max() and box["y"] + box["height"] > ys.max()
    # Used for a de-identification (basic: no detection of its own), the box is blanked.
    app.get_by_test_id("viewer-redact-use").click()
    app.get_by_test_id("deid-open").click()
    written = _run_with_key(app, keyfile)
    (data,) = written.values()
    frame = pydicom.dcmread(io.BytesIO(data)).pixel_array
    before = pydicom.dcmread(path).pixel_array
    accepted = np.zeros(masks[0].shape, dtype=bool)
    accepted[:120, :160] = masks[0, :120, :160]
    assert (frame[accepted] != before[accepted]).all()       # the accepted block: gone
    rejected = masks[0].copy()
    rejected[:120, :160] = False
    assert (frame[rejected] == before[rejected]).all()       # the rejected one: kept


def test_a_text_detector_that_cannot_load_leaves_the_file_flagged_and_the_run_going(
        browser: Browser, site_url: str, keyfile: Path, tmp_path: Path) -> None:
    """The model's download fails (the service worker is kept out, so the request really
    goes out): the files are written as they were, flagged, with the reason; the batch ends."""
    context = browser.new_context(accept_downloads=True, service_workers="block")
    context.route("**/ocr/text_detector.onnx", lambda route: route.abort())
    app = context.new_page()
    app.goto(site_url)
    app.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
    paths = []
    for n, kind in enumerate(("mono2-8", "rgb")):
        ds, _, _ = drawn_dataset(kind, "1.2.840.10008.1.2.1")
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.9.9999.6.{n}"
        paths.append(tmp_path / f"us{n}.dcm")
        ds.save_as(paths[-1], enforce_file_format=True)
    _start(app, paths)
    app.get_by_test_id("deid-profile").select_option("hipaa-safe-harbor")
    app.get_by_test_id("deid-key-file").set_input_files(str(keyfile))
    with app.expect_download(timeout=120000) as info:
        app.get_by_test_id("deid-run").click()
    written = _zip_files(Path(info.value.path()).read_bytes())
    record = json.loads(written.pop("release-record.json"))
    assert record["files"]["written"] == 2 and record["verification"]["result"] == "not passed"
    assert record["pixels"]["flagged_files"]["not_cleaned"] == 2
    for entry in record["pixels"]["files"]:
        assert entry["status"] == "not-cleaned" and "The text detector could not run in this tab" in entry["reason"]
    expect(app.get_by_test_id("deid-verification")).to_have_attribute("data-result", "not passed")
    # The viewer says the same when asked to find text.
    _redact_tool_on(app, app.evaluate("window.dicomtab.instances()")[0]["instanceId"])
    app.get_by_test_id("viewer-redact-detect").click()
    expect(app.get_by_test_id("viewer-redact-status")).to_contain_text("could not run in this tab")
    context.close()
