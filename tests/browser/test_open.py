"""Opening files in the page: summaries, start-up progress, bad input, drag and drop, API."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pydicom
from playwright.sync_api import BrowserContext, Page, expect

from dicomtab.session import Session
from tests.browser.conftest import attach_logging, open_files
from tests.conftest import bundled


def test_start_up_shows_named_stages_then_ready(
    context: BrowserContext, site_url: str, page_errors: list
) -> None:
    page = context.new_page()
    attach_logging(page, page_errors)
    # Record every text the stage label shows, from the first paint on.
    page.add_init_script(
        """window.__stages = [];
        new MutationObserver(() => {
          const label = document.querySelector('[data-testid=boot-stage]');
          if (label && label.textContent && window.__stages.at(-1) !== label.textContent)
            window.__stages.push(label.textContent);
        }).observe(document, {subtree: true, childList: true, characterData: true});"""
    )
    page.goto(site_url)
    info = page.evaluate("window.dicomtab.ready")
    assert info["version"] == "0.1.0"
    stages = page.evaluate("window.__stages")
    assert stages[0] == "Starting Python (WebAssembly)"
    assert "Importing the DICOM core" in stages
    assert stages[-1] == "Ready"
    assert page.locator("#boot-progress").evaluate("p => p.value") == 1
    expect(page.get_by_test_id("boot")).to_be_hidden()


def test_ct_small_summary_through_the_file_input(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    item = app.get_by_test_id("instance")
    expect(item.locator("h3")).to_have_text("CT_small.dcm")
    fields = {
        "Patient": "CompressedSamples^CT1",
        "Patient ID": "1CT1",
        "Modality": "CT",
        "Study date": "20040119",
        "SOP class": "CT Image Storage",
        "Transfer syntax": "Explicit VR Little Endian",
        "Image": "128 × 128, 1 frame",
        "File size": "38.3 KiB",
        "Study UID": "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322",
        "Series UID": "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322",
        "SOP Instance UID": "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322",
    }
    for label, value in fields.items():
        expect(item.locator(f'dd[data-field="{label}"]')).to_have_text(value)
    summaries = app.evaluate("window.dicomtab.instances()")
    assert [s["fileName"] for s in summaries] == ["CT_small.dcm"]
    assert summaries[0]["rows"] == 128 and summaries[0]["frames"] == 1


def test_bad_inputs_are_named_and_the_worker_stays_up(app: Page, bad_inputs: dict) -> None:
    files = [*bad_inputs.values(), bundled("no_meta.dcm"), bundled("CT_small.dcm")]
    open_files(app, files, expect_total=len(files))
    problems = app.get_by_test_id("problem").all_text_contents()
    assert len(problems) == len(bad_inputs) + 1
    for name in [*bad_inputs, "no_meta.dcm"]:
        assert sum(text.startswith(name + " ") for text in problems) == 1, name
    assert "empty.dcm is empty (0 bytes)." in problems
    assert any(t.startswith("truncated-in-pixels.dcm is truncated or damaged: element (7FE0,0010)") for t in problems)
    assert any(t.startswith("huge-long-length.dcm is truncated or damaged") for t in problems)
    assert any(t.startswith("notes.txt is not a DICOM file") for t in problems)
    # The worker is still there: the next file opens.
    open_files(app, [bundled("MR_small.dcm")], expect_total=len(files) + 1)
    expect(app.get_by_test_id("instance")).to_have_count(2)


def test_file_without_meta_header_opens_with_a_note(app: Page) -> None:
    open_files(app, [bundled("ExplVR_LitEndNoMeta.dcm")], expect_total=1)
    expect(app.get_by_test_id("instance").locator(".note")).to_have_text(
        "ExplVR_LitEndNoMeta.dcm has no File Meta Information header (no preamble and 'DICM' "
        "marker); it was read as Explicit VR Little Endian."
    )


def _file_handle_js(path: Path, name: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return (
        f"new File([Uint8Array.from(atob('{data}'), c => c.charCodeAt(0))], {name!r}, "
        "{type: 'application/dicom'})"
    )


def test_drag_and_drop(app: Page) -> None:
    transfer = app.evaluate_handle(
        f"() => {{ const t = new DataTransfer(); t.items.add({_file_handle_js(bundled('MR_small.dcm'), 'dropped.dcm')}); return t; }}"
    )
    app.get_by_test_id("drop-zone").dispatch_event("drop", {"dataTransfer": transfer})
    expect(app.get_by_test_id("instance").locator("h3")).to_have_text("dropped.dcm")


def test_automation_api_open_and_list(app: Page) -> None:
    results = app.evaluate(
        f"""async () => window.dicomtab.openFiles([
            {_file_handle_js(bundled('CT_small.dcm'), 'a.dcm')},
            new File([new Uint8Array(0)], 'b.dcm'),
            {_file_handle_js(bundled('rtplan.dcm'), 'c.dcm')},
        ])"""
    )
    assert [(r["fileName"], r["status"]) for r in results] == [
        ("a.dcm", "success"), ("b.dcm", "failed"), ("c.dcm", "success"),
    ]
    assert results[1]["code"] == "empty-file" and results[1]["message"] == "b.dcm is empty (0 bytes)."
    instances = app.evaluate("window.dicomtab.instances()")
    assert [(i["instanceId"], i["modality"]) for i in instances] == [
        (results[0]["instanceId"], "CT"), (results[2]["instanceId"], "RTPLAN"),
    ]


def test_file_values_and_names_are_shown_as_text(app: Page, tmp_path: Path) -> None:
    payload = "<img src=x onerror=window.__pwned=1>"
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.PatientName = payload
    ds.StudyDescription = "<script>window.__pwned=2</script>"
    path = tmp_path / "<img src=y onerror=window.__pwned=3>.dcm"
    ds.save_as(path)
    open_files(app, [path], expect_total=1)
    item = app.get_by_test_id("instance")
    expect(item.locator('dd[data-field="Patient"]')).to_have_text(payload)
    expect(item.locator("h3")).to_have_text(path.name)
    assert item.locator("img, script").count() == 0
    assert app.evaluate("window.__pwned") is None


def test_messages_are_dismissed_and_all_files_closed_and_forgotten(
        app: Page, bad_inputs: dict[str, Path]) -> None:
    """A message goes with its ×, or all at once; "Close all files" ends the worker (and so
    Python's memory) and starts the tab afresh, with nothing open."""
    bad = [bad_inputs[n] for n in ("notes.txt", "empty.dcm")]
    open_files(app, [bundled("CT_small.dcm"), *bad], expect_total=3)
    problems = app.get_by_test_id("problem")
    expect(problems).to_have_count(2)
    texts = problems.all_text_contents()
    assert all(t.startswith(("notes.txt", "empty.dcm")) for t in texts), texts
    problems.first.get_by_test_id("problem-dismiss").click()
    expect(problems).to_have_count(1)
    app.get_by_test_id("problems-dismiss-all").click()
    expect(problems).to_have_count(0)
    expect(app.get_by_test_id("instance")).to_have_count(1)

    app.once("dialog", lambda dialog: dialog.dismiss())
    app.get_by_test_id("close-all").click()
    expect(app.get_by_test_id("instance")).to_have_count(1)  # cancelled: still open
    asked: list[str] = []
    app.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with app.expect_navigation():
        app.get_by_test_id("close-all").click()
    assert asked and asked[0].startswith("Close all 1 open file?")
    app.evaluate("window.dicomtab.ready")
    expect(app.get_by_test_id("instance")).to_have_count(0)
    assert app.evaluate("window.dicomtab.instances()") == []


def test_a_folder_sent_in_batches_keeps_each_files_outcome(
        app: Page, tmp_path: Path, bad_inputs: dict) -> None:
    """Once the first image is shown, the page sends the worker several files per request
    (Request.OPEN): each file keeps its own outcome, a bad one among good ones too, and the
    instances keep the folder's order."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    folder = tmp_path / "mixed"
    folder.mkdir()
    bad = sorted(bad_inputs.items())
    for n in range(24):
        ds.InstanceNumber = n + 1
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.6.{n}"
        ds.save_as(folder / f"{n:02d}-good.dcm")
        if 0 < n <= len(bad):  # the first file is good: it is shown, and batches follow
            (folder / f"{n:02d}-bad-{bad[n - 1][0]}").write_bytes(bad[n - 1][1].read_bytes())
    app.get_by_test_id("folder-input").set_input_files(str(folder))
    expect(app.get_by_test_id("opening")).to_be_hidden(timeout=60000)
    good = app.locator("[data-testid=tree-instance]:not(.damaged)")
    expect(good).to_have_count(24)
    assert good.all_text_contents() == [f"#{n + 1} CT mixed/{n:02d}-good.dcm" for n in range(24)]
    instances = app.evaluate("window.dicomtab.instances()")
    # Ids in the order the page listed the files: the worker parsed the batches in order.
    assert [int(i["instanceId"][1:]) for i in instances] == sorted(
        int(i["instanceId"][1:]) for i in instances)
    # The same summary as the core gives that file alone.
    path = folder / "05-good.dcm"
    alone = Session().open(path.read_bytes(), "mixed/05-good.dcm")
    batched = next(i for i in instances if i["fileName"] == "mixed/05-good.dcm")
    # ids and download names number the files in the order a session opened them
    numbered = {"instanceId": None, "downloadName": None}
    assert {**batched, **numbered} == {**alone, **numbered}
    # Each bad file: one message naming it, or skipped as not DICOM (in a folder).
    problems = app.get_by_test_id("problem").all_text_contents()
    named = [name for n, (name, _) in enumerate(bad, start=1)
             if sum(t.startswith(f"mixed/{n:02d}-bad-{name} ") for t in problems) == 1]
    assert len(problems) == len(named)
    assert "truncated-in-pixels.dcm" in named and "huge-long-length.dcm" in named
    unnamed = len(bad) - len(named)
    assert unnamed >= 2  # empty.dcm and notes.txt at least
    expect(app.get_by_test_id("skipped")).to_contain_text(f"{unnamed} files in folders or archives skipped")


def test_the_tree_grows_in_place(app: Page, tmp_path: Path) -> None:
    """Files opened later are added to the study tree without remaking the rows already shown
    (a folder of thousands would otherwise re-lay out every row each time it grows)."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    paths = []
    for n in range(6):
        ds.InstanceNumber = 6 - n  # later files sort before earlier ones
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.7.{n}"
        paths.append(tmp_path / f"slice-{n}.dcm")
        ds.save_as(paths[-1])
    open_files(app, paths[:3], expect_total=3)
    expect(app.get_by_test_id("tree-instance")).to_have_count(3)
    app.evaluate("""() => document.querySelectorAll('[data-testid=tree-instance]')
        .forEach((row) => { row.dataset.before = '1'; })""")
    open_files(app, paths[3:], expect_total=6)
    expect(app.get_by_test_id("tree-instance")).to_have_count(6)
    expect(app.get_by_test_id("tree-series").locator(":scope > summary > .count")).to_have_text(
        "6 instances")
    rows = app.get_by_test_id("tree-instance")
    assert rows.all_text_contents() == [f"#{6 - n} CT slice-{n}.dcm" for n in reversed(range(6))]
    # The three rows made first are the same elements, among the new ones in number order.
    assert rows.evaluate_all("(rows) => rows.map((r) => r.dataset.before === '1')") == [
        False, False, False, True, True, True]


def test_patients_sharing_study_and_series_uids_each_keep_their_rows(app: Page,
                                                                     tmp_path: Path) -> None:
    """Files of other patients may carry the same Study and Series Instance UIDs (a copied
    template, a test set): each patient keeps its own study, series and rows in the tree."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    paths = []
    for n, (name, pid) in enumerate((("Doe^Jane", "P1"), ("Roe^Mary", "P2"))):
        ds.PatientName, ds.PatientID = name, pid
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.8.{n}"
        paths.append(tmp_path / f"patient-{n}.dcm")
        ds.save_as(paths[-1])
    open_files(app, paths, expect_total=2)
    expect(app.get_by_test_id("tree-patient")).to_have_count(2)
    expect(app.get_by_test_id("tree-series")).to_have_count(2)
    for n, patient in enumerate(app.get_by_test_id("tree-patient").all()):
        expect(patient.get_by_test_id("tree-instance")).to_have_text(f"#1 CT patient-{n}.dcm")


def test_a_file_deleted_after_it_was_chosen_is_named_and_the_others_open(
        app: Page, tmp_path: Path) -> None:
    """The browser cannot read a chosen file that was deleted since: the head reader's
    slices fail, the worker's own read fails too, and the file is named as gone; the file
    chosen with it opens."""
    kept, gone = tmp_path / "kept.dcm", tmp_path / "gone.dcm"
    for path in (kept, gone):
        shutil.copy(bundled("CT_small.dcm"), path)
    # Chosen in an input of the test's own, so that nothing reads the files yet.
    app.evaluate("""() => { const input = document.createElement('input');
        input.type = 'file'; input.multiple = true; input.id = 'chosen-later';
        document.body.append(input); }""")
    app.locator("#chosen-later").set_input_files([str(kept), str(gone)])
    gone.unlink()
    results = app.evaluate("() => window.dicomtab.openFiles(document.getElementById('chosen-later').files)")
    assert [(r["fileName"], r["status"]) for r in results] == [
        ("kept.dcm", "success"), ("gone.dcm", "failed")]
    expect(app.get_by_test_id("problem")).to_have_text(
        "gone.dcm could not be read (NotFoundError): it was changed, moved or deleted since it "
        "was chosen; choose it again.")
    expect(app.get_by_test_id("tree-instance")).to_have_count(1)
