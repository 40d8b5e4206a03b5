"""Opening folders, ZIP archives and damaged files into the study tree."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pydicom
from playwright.sync_api import Page, expect

from tests import badfiles
from tests.browser.conftest import drop_folder
from tests.conftest import bundled


def write_series(folder: Path, count: int, *, series_number: int = 2, uid_root: str = "1.2.826.0.1.3680043.8.498.7") -> list[Path]:
    """A series of ``count`` small instances, files named so their order is not instance order."""
    folder.mkdir(parents=True, exist_ok=True)
    base = pydicom.dcmread(bundled("CT_small.dcm"))
    base.SeriesInstanceUID = f"{uid_root}.1"
    base.SeriesNumber = series_number
    base.SeriesDescription = "AXIAL TEST"
    paths = []
    for n in range(1, count + 1):
        base.InstanceNumber = n
        base.SOPInstanceUID = f"{uid_root}.2.{n}"
        base.SliceLocation = float(n)
        path = folder / f"file-{count - n:04d}.dcm"
        base.save_as(path)
        paths.append(path)
    return paths


def test_folder_picker_with_non_dicom_skipped_and_sorted_tree(app: Page, tmp_path: Path) -> None:
    study = tmp_path / "study"
    write_series(study / "series2", 3)
    (study / "series2" / "README.txt").write_text("not dicom")
    (study / "thumbs.db").write_bytes(b"\x00" * 100)
    (study / "other").mkdir()
    (study / "other" / "ct.dcm").write_bytes(bundled("CT_small.dcm").read_bytes())
    app.get_by_test_id("folder-input").set_input_files(str(study))
    expect(app.get_by_test_id("tree-instance")).to_have_count(4, timeout=30000)
    expect(app.get_by_test_id("skipped")).to_have_text(
        "2 files in folders or archives skipped (not DICOM)")
    expect(app.get_by_test_id("problem")).to_have_count(0)
    series = app.get_by_test_id("tree-series")
    # Series sorted by series number: CT_small's #1 before the generated #2.
    expect(series.locator("summary > .label")).to_have_text(["#1 CT", "#2 CT AXIAL TEST"])
    expect(series.locator("summary > .count")).to_have_text(["1 instance", "3 instances"])
    # Instances sorted by instance number, not by file name; labelled by their relative path.
    expect(series.nth(1).get_by_test_id("tree-instance")).to_have_text([
        "#1 CT study/series2/file-0002.dcm", "#2 CT study/series2/file-0001.dcm",
        "#3 CT study/series2/file-0000.dcm"])
    expect(app.get_by_test_id("tree-study").locator(":scope > summary > .label")).to_have_text("20040119 e+1")
    expect(app.get_by_test_id("tree-study").locator(":scope > summary > .count")).to_have_text("2 series")
    expect(app.get_by_test_id("tree-patient").locator(":scope > summary > .count")).to_have_text("1 study")
    # Clicking an instance in the tree shows its tags.
    series.nth(1).get_by_test_id("tree-instance").nth(2).click()
    expect(app.get_by_test_id("inspector-title")).to_have_text("study/series2/file-0000.dcm")
    expect(app.locator('[data-testid=tag-row][data-path="00200013"] [data-col=value]')).to_have_text("3")


def test_zip_archive_through_the_file_input(app: Page, tmp_path: Path) -> None:
    paths = write_series(tmp_path / "s", 2)
    archive = tmp_path / "study.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(paths[1], "a/one.dcm", compress_type=zipfile.ZIP_DEFLATED)  # instance 2
        z.write(paths[0], "a/two.dcm", compress_type=zipfile.ZIP_STORED)  # instance 1
        z.writestr("a/notes.txt", "hello", compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("a/empty/", "")
    app.get_by_test_id("file-input").set_input_files(str(archive))
    expect(app.get_by_test_id("tree-instance")).to_have_count(2, timeout=30000)
    expect(app.get_by_test_id("tree-instance")).to_have_text([
        "#1 CT study.zip/a/two.dcm", "#2 CT study.zip/a/one.dcm"])
    expect(app.get_by_test_id("skipped")).to_have_text(
        "1 file in folders or archives skipped (not DICOM)")


def test_truncated_file_shows_partial_tags_with_damaged_marker(app: Page, tmp_path: Path) -> None:
    data = badfiles.all_bad_inputs(bundled("CT_small.dcm").read_bytes())
    path = tmp_path / "truncated-in-header.dcm"
    path.write_bytes(data["truncated-in-header.dcm"])
    results = app.evaluate(
        "async (b64) => window.dicomtab.openFiles([new File([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], 'truncated-in-header.dcm')])",
        __import__("base64").b64encode(path.read_bytes()).decode(),
    )
    assert results[0]["status"] == "failed" and results[0]["code"] == "truncated"
    assert results[0]["damagedInstanceId"] == "d1"
    expect(app.get_by_test_id("problem")).to_have_count(1)
    item = app.get_by_test_id("tree-instance")
    expect(item.get_by_test_id("damaged-marker")).to_have_text("damaged")
    item.click()
    expect(app.get_by_test_id("inspector")).to_have_attribute("data-loaded", "d1")
    expect(app.get_by_test_id("tree-problem")).to_contain_text(
        "parsing stopped at element (0010,0010), byte 922")
    problem = app.locator("[data-testid=tag-row][data-kind=problem]")
    expect(problem.locator("td.tag")).to_have_text("(0010,0010) @ byte 922")
    # What came before the damage is listed.
    expect(app.locator('[data-testid=tag-row][data-path="00080020"] [data-col=value]')).to_have_text("20040119")
    expect(app.locator('[data-testid=tag-row][data-path="00100010"]')).to_have_count(0)


def test_dropped_files_still_open(app: Page) -> None:
    transfer = app.evaluate_handle(
        "() => { const t = new DataTransfer(); t.items.add(new File(['not dicom'], 'x.txt')); return t; }"
    )
    app.get_by_test_id("drop-zone").dispatch_event("drop", {"dataTransfer": transfer})
    expect(app.get_by_test_id("problem")).to_have_count(1)
    expect(app.get_by_test_id("problem")).to_contain_text("x.txt is not a DICOM file")


def test_study_tree_keyboard(app: Page, tmp_path: Path) -> None:
    write_series(tmp_path / "s", 3)
    app.get_by_test_id("folder-input").set_input_files(str(tmp_path / "s"))
    items = app.get_by_test_id("tree-instance")
    expect(items).to_have_count(3, timeout=30000)
    expect(app.get_by_test_id("inspector")).to_have_attribute("data-loaded", "i1")
    expect(items).to_have_text(["#1 CT s/file-0002.dcm", "#2 CT s/file-0001.dcm", "#3 CT s/file-0000.dcm"])
    items.first.focus()
    app.keyboard.press("ArrowDown")
    app.keyboard.press("ArrowDown")
    expect(items.nth(2)).to_be_focused()
    app.keyboard.press("ArrowUp")
    expect(items.nth(1)).to_be_focused()
    app.keyboard.press("Enter")
    expect(items.nth(1)).to_have_attribute("aria-selected", "true")
    expect(app.get_by_test_id("inspector-title")).to_have_text("s/file-0001.dcm")
    expect(app.locator('[data-testid=tag-row][data-path="00200013"] [data-col=value]')).to_have_text("2")


def test_a_dropped_folder_is_walked_in_name_order(app: Page, tmp_path: Path) -> None:
    """A folder dragged onto the page: its files and those of its subfolders, each folder's
    entries in name order (numbers by value), a file that is not DICOM skipped and counted."""
    study = tmp_path / "study"
    (study / "sub").mkdir(parents=True)
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    for name in ("b10.dcm", "b2.dcm", "sub/c.dcm"):
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.save_as(study / name)
    (study / "notes.txt").write_text("not an image")
    drop_folder(app, study)
    expect(app.get_by_test_id("tree-instance")).to_have_count(3, timeout=30000)
    expect(app.get_by_test_id("instance").locator("h3")).to_have_text(
        ["study/b2.dcm", "study/b10.dcm", "study/sub/c.dcm"])
    expect(app.get_by_test_id("skipped")).to_have_text(
        "1 file in folders or archives skipped (not DICOM)")
    expect(app.get_by_test_id("opening")).to_be_hidden()


def test_a_dropped_folder_is_opened_while_it_is_listed(app: Page) -> None:
    """The files found first are handed on before the folder is listed to its end: the
    walk's list grows, and says when it is complete. Driven with entries of a dropped
    folder's shape, where listing the second subfolder waits until the test says."""
    seen = app.evaluate("""async () => {
        const { fromDataTransfer } = await import('./app/page/file-sources.js');
        const file = (name) => ({ isFile: true, isDirectory: false, name,
          file: (ok) => ok(new File(['x'], name)) });
        let release;
        const later = new Promise((resolve) => { release = resolve; });
        const dir = (name, children, wait) => ({ isFile: false, isDirectory: true, name,
          createReader: () => { let given = false; return { readEntries: async (ok) => {
            if (wait) await wait;
            const batch = given ? [] : children;
            given = true;
            ok(batch); } }; } });
        const tree = dir('study', [dir('b', [file('b1.dcm')], later), dir('a', [file('a2.dcm'), file('a1.dcm')])]);
        const list = fromDataTransfer({ items: [{ kind: 'file', webkitGetAsEntry: () => tree }], files: [] });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const before = { names: list.items.map((s) => s.name), done: list.done };
        release();
        await list.beyond(Infinity);
        return { before, after: { names: list.items.map((s) => s.name), done: list.done } };
    }""")
    assert seen["before"] == {"names": ["study/a/a1.dcm", "study/a/a2.dcm"], "done": False}
    assert seen["after"] == {
        "names": ["study/a/a1.dcm", "study/a/a2.dcm", "study/b/b1.dcm"], "done": True}


def test_a_dropped_folder_that_cannot_be_listed_to_its_end_keeps_what_was_found(app: Page) -> None:
    """A subfolder the browser fails to list ends the list there, marked incomplete (the page
    then says so); the files found before it are kept."""
    seen = app.evaluate("""async () => {
        const { fromDataTransfer } = await import('./app/page/file-sources.js');
        const file = (name) => ({ isFile: true, isDirectory: false, name,
          file: (ok) => ok(new File(['x'], name)) });
        const dir = (name, children) => ({ isFile: false, isDirectory: true, name,
          createReader: () => { let given = false; return { readEntries: (ok, fail) => {
            if (children === null) { fail(new DOMException('gone', 'NotFoundError')); return; }
            const batch = given ? [] : children; given = true; ok(batch); } }; } });
        const tree = dir('study', [dir('a', [file('a1.dcm')]), dir('b', null), dir('c', [file('c1.dcm')])]);
        const list = fromDataTransfer({ items: [{ kind: 'file', webkitGetAsEntry: () => tree }], files: [] });
        await list.beyond(Infinity);
        return { names: list.items.map((s) => s.name), done: list.done, incomplete: list.incomplete };
    }""")
    assert seen == {"names": ["study/a/a1.dcm"], "done": True, "incomplete": True}


def test_folder_with_dicomdir(app: Page) -> None:
    folder = bundled("dicomdirtests/TINY_ALPHA/DICOMDIR").parent
    images = [p for p in folder.rglob("IM*") if p.is_file()]
    app.get_by_test_id("folder-input").set_input_files(str(folder))
    expect(app.get_by_test_id("tree-instance")).to_have_count(len(images), timeout=30000)
    expect(app.get_by_test_id("skipped")).to_have_text(
        "1 file in folders or archives skipped (not DICOM); 1 DICOMDIR read (the tree is built "
        "from its records)")
    expect(app.get_by_test_id("problem")).to_have_count(0)
