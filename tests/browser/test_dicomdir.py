"""A DICOMDIR opened with its files: its records build the study tree (issue #4, point 1)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.conftest import bundled

DICOMDIR_TESTS = bundled("dicomdirtests/DICOMDIR").parent
PATIENT_FOLDERS = ("77654033", "98892001", "98892003")


def label(node: Locator) -> Locator:
    """The label of a tree node's own summary (not of the nodes inside it)."""
    return node.locator(":scope > summary > .label")


def count(node: Locator) -> Locator:
    """The count of a tree node's own summary."""
    return node.locator(":scope > summary > .count")


def copy_media(target: Path) -> Path:
    """The DICOMDIR of pydicom's dicomdirtests and the 31 files it names, alone in a folder."""
    target.mkdir(parents=True)
    shutil.copy(DICOMDIR_TESTS / "DICOMDIR", target / "DICOMDIR")
    for folder in PATIENT_FOLDERS:
        shutil.copytree(DICOMDIR_TESTS / folder, target / folder)
    return target


def test_pydicom_dicomdir_folder_builds_the_tree_from_its_records(app: Page) -> None:
    # pydicom's folder: DICOMDIR and five variants of it side by side (one of them damaged),
    # the 31 files they name, README.txt, and TINY_ALPHA/ with its own DICOMDIR and 50 files.
    app.get_by_test_id("folder-input").set_input_files(str(DICOMDIR_TESTS))
    expect(app.get_by_test_id("skipped")).to_have_text(
        "2 files in folders or archives skipped (not DICOM); 7 DICOMDIRs read (the tree is "
        "built from their records)", timeout=60000)
    # The 81 files the two DICOMDIRs name, each once, plus DICOMDIR-nooffset, whose item
    # lengths do not add up: it is a damaged file, shown as such.
    expect(app.get_by_test_id("tree-instance")).to_have_count(82)
    expect(app.get_by_test_id("tree-missing")).to_have_count(0)
    expect(app.get_by_test_id("problem")).to_have_count(2)
    # In the order the browser listed the folder's files.
    assert sorted(app.get_by_test_id("problem").all_text_contents()) == [
        "dicomdirtests/DICOMDIR-nooffset is truncated or damaged: element (0004,1220) at byte "
        "10860: an item declares 248 bytes but only 224 remain.",
        "dicomdirtests/DICOMDIR-nopatient: 51 directory records of the DICOMDIR are not linked "
        "from its root and were left out.",
    ]

    patients = app.get_by_test_id("tree-patient")
    expect(label(patients)).to_have_text([
        "Doe^Archibald · 77654033", "Doe^Peter · 98890234", "Citizen^Jan · 12345678", "(no name)"])
    expect(count(patients)).to_have_text(["2 studies", "4 studies", "1 study", "1 study"])
    archibald, peter, jan = patients.nth(0), patients.nth(1), patients.nth(2)
    expect(label(archibald.get_by_test_id("tree-study"))).to_have_text([
        "20010101 XR C Spine Comp Min 4 Views", "19950903 CT, HEAD/BRAIN WO CONTRAST"])
    expect(label(peter.get_by_test_id("tree-study"))).to_have_text([
        "20010101", "20030505 Carotids", "20030505 Brain", "20030505 Brain-MRA"])
    expect(peter.get_by_test_id("tree-series")).to_have_count(9)
    expect(archibald.get_by_test_id("tree-series")).to_have_count(4)
    expect(peter.get_by_test_id("tree-instance")).to_have_count(24)
    expect(archibald.get_by_test_id("tree-instance")).to_have_count(7)
    # Series by series number, labelled from the SERIES records; instances by instance number.
    mra = peter.get_by_test_id("tree-study").nth(3)
    expect(label(mra.get_by_test_id("tree-series"))).to_have_text(["#1 MR", "#2 MR", "#700 MR"])
    expect(count(mra.get_by_test_id("tree-series"))).to_have_text(
        ["1 instance", "3 instances", "7 instances"])
    ct = archibald.get_by_test_id("tree-study").nth(1).get_by_test_id("tree-instance")
    expect(ct).to_have_text([
        "#18 CT dicomdirtests/77654033/CT2/17106", "#180 CT dicomdirtests/77654033/CT2/17136",
        "#181 CT dicomdirtests/77654033/CT2/17166", "#182 CT dicomdirtests/77654033/CT2/17196"])
    expect(jan.get_by_test_id("tree-instance")).to_have_count(50)
    expect(jan.get_by_test_id("tree-instance").first).to_have_text(
        "#0 CT dicomdirtests/TINY_ALPHA/PT000000/ST000000/SE000000/IM000000")

    # An instance placed by the DICOMDIR opens like any other.
    ct.nth(1).click()
    expect(ct.nth(1)).to_have_attribute("aria-selected", "true")
    expect(app.get_by_test_id("inspector-title")).to_have_text("dicomdirtests/77654033/CT2/17136")
    expect(app.locator('[data-testid=tag-row][data-path="00200013"] [data-col=value]')).to_have_text("180")
    expect(app.locator('[data-testid=tag-row][data-path="00080060"] [data-col=value]')).to_have_text("CT")


def test_a_file_the_dicomdir_names_but_was_not_opened_is_marked_missing(
    app: Page, tmp_path: Path
) -> None:
    media = copy_media(tmp_path / "media")
    (media / "98892003" / "MR700" / "4618").unlink()
    # A file the DICOMDIR does not name still appears, grouped from its own header.
    shutil.copy(bundled("CT_small.dcm"), media / "extra.dcm")
    app.get_by_test_id("folder-input").set_input_files(str(media))
    expect(app.get_by_test_id("tree-instance")).to_have_count(31, timeout=60000)
    expect(app.get_by_test_id("skipped")).to_have_text(
        "1 DICOMDIR read (the tree is built from its records)")
    expect(app.get_by_test_id("problem")).to_have_count(0)
    missing = app.get_by_test_id("tree-missing")
    expect(missing).to_have_count(1)
    expect(missing).to_have_text("#5 MR media/98892003/MR700/4618not found")
    expect(missing.get_by_test_id("missing-marker")).to_have_text("not found")
    expect(missing).to_have_attribute("aria-disabled", "true")
    series700 = app.get_by_test_id("tree-series").filter(has_text="#700 MR")
    expect(count(series700)).to_have_text("7 instances, 1 not found")
    expect(series700.get_by_test_id("tree-instance")).to_have_count(6)
    patients = app.get_by_test_id("tree-patient")
    expect(label(patients)).to_have_text([
        "Doe^Archibald · 77654033", "Doe^Peter · 98890234", "CompressedSamples^CT1 · 1CT1"])
    expect(patients.nth(2).get_by_test_id("tree-instance")).to_have_text("#1 CT media/extra.dcm")

    # Clicking the missing record selects nothing; the keyboard steps over it.
    selected = app.get_by_test_id("inspector").get_attribute("data-loaded")
    missing.click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    expect(app.locator("[data-testid=tree-instance][aria-selected=true]")).to_have_count(1)
    assert app.get_by_test_id("inspector").get_attribute("data-loaded") == selected
    items = series700.get_by_test_id("tree-instance")
    expect(items).to_have_text([
        f"#{n} MR media/98892003/MR700/{f}" for n, f in
        ((1, "4558"), (2, "4528"), (3, "4588"), (4, "4467"), (6, "4678"), (7, "4648"))])
    items.nth(3).focus()
    app.keyboard.press("ArrowDown")  # from #4 to #6: #5 is not there
    expect(items.nth(4)).to_be_focused()
    app.keyboard.press("Enter")
    expect(items.nth(4)).to_have_attribute("aria-selected", "true")
    expect(app.get_by_test_id("inspector-title")).to_have_text("media/98892003/MR700/4678")
    expect(app.locator('[data-testid=tag-row][data-path="00200013"] [data-col=value]')).to_have_text("6")


def test_a_dicomdir_alone_shows_every_record_missing(app: Page) -> None:
    app.get_by_test_id("file-input").set_input_files(str(DICOMDIR_TESTS / "DICOMDIR"))
    expect(app.get_by_test_id("tree-missing")).to_have_count(31, timeout=30000)
    expect(app.get_by_test_id("tree-instance")).to_have_count(0)
    expect(app.get_by_test_id("skipped")).to_have_text(
        "1 DICOMDIR read (the tree is built from its records)")
    expect(label(app.get_by_test_id("tree-patient"))).to_have_text(
        ["Doe^Archibald · 77654033", "Doe^Peter · 98890234"])
    expect(app.get_by_test_id("tree-study")).to_have_count(6)
    expect(app.get_by_test_id("tree-series")).to_have_count(13)
    expect(app.get_by_test_id("tree-missing").first).to_have_text("#1 CR 77654033/CR1/6154not found")


def test_dicomdir_in_a_zip_matches_names_ignoring_case(app: Page, tmp_path: Path) -> None:
    archive = tmp_path / "cd.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(DICOMDIR_TESTS / "DICOMDIR", "disc/DICOMDIR", compress_type=zipfile.ZIP_DEFLATED)
        for path in sorted((DICOMDIR_TESTS / "77654033").rglob("*")):
            if path.is_file():
                # Lower case, as some copies of media are: the DICOMDIR says CT2, CR1, …
                name = path.relative_to(DICOMDIR_TESTS).as_posix().lower()
                z.write(path, f"disc/{name}", compress_type=zipfile.ZIP_DEFLATED)
    app.get_by_test_id("file-input").set_input_files(str(archive))
    expect(app.get_by_test_id("tree-instance")).to_have_count(7, timeout=30000)
    expect(app.get_by_test_id("tree-missing")).to_have_count(24)
    archibald = app.get_by_test_id("tree-patient").first
    expect(archibald.get_by_test_id("tree-missing")).to_have_count(0)
    expect(archibald.get_by_test_id("tree-instance").first).to_have_text(
        "#1 CR cd.zip/disc/77654033/cr1/6154")
