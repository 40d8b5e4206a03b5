"""Closing files one by one, a series or a study at once, through the study tree's ×
buttons as a user would (a click, or Tab and Enter): the rows go, the viewer and the
inspector move on to the next open file, the de-identification scope and the counts follow,
and the worker forgets each closed instance (its list no longer has it, and a request for
its tags fails as for an id never opened)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydicom
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import open_files, select_in_viewer, tree_ids
from tests.conftest import bundled

ROOT = "1.2.826.0.1.3680043.8.498.77."


def _write_set(folder: Path) -> dict[str, Path]:
    """Jane Doe's study: a CT series of three slices and an MR series of one; John Roe's
    study of one CT; and a truncated MR (opened as damaged, for the inspector only)."""
    files: dict[str, Path] = {}
    ct = pydicom.dcmread(bundled("CT_small.dcm"))
    values = ct.pixel_array
    for n in (1, 2, 3):
        ct.PatientName, ct.PatientID = "DOE^JANE", "PID-7741"
        ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SeriesNumber = ROOT + "1", ROOT + "1.1", 1
        ct.InstanceNumber, ct.SOPInstanceUID = n, f"{ROOT}1.1.{n}"
        ct.ImagePositionPatient, ct.ImageOrientationPatient = [0, 0, 10.0 * n], [1, 0, 0, 0, 1, 0]
        ct.PixelData = (values + n * 100).astype(values.dtype).tobytes()
        files[f"ct{n}"] = folder / f"jane-ct-{n}.dcm"
        ct.save_as(files[f"ct{n}"])
    mr = pydicom.dcmread(bundled("MR_small.dcm"))
    mr.PatientName, mr.PatientID = "DOE^JANE", "PID-7741"
    mr.StudyInstanceUID, mr.SeriesInstanceUID, mr.SeriesNumber = ROOT + "1", ROOT + "1.2", 2
    files["mr"] = folder / "jane-mr.dcm"
    mr.save_as(files["mr"])
    ct.PatientName, ct.PatientID = "ROE^JOHN", "PID-9902"
    ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SOPInstanceUID = ROOT + "2", ROOT + "2.1", ROOT + "2.1.1"
    files["john"] = folder / "john-ct.dcm"
    ct.save_as(files["john"])
    files["damaged"] = folder / "MR_truncated.dcm"
    files["damaged"].write_bytes(bundled("MR_truncated.dcm").read_bytes())
    return files


@pytest.fixture
def opened(app: Page, tmp_path: Path) -> dict[str, str]:
    """The set opened through the file input (5 instances, 1 problem); instance id by key."""
    files = _write_set(tmp_path)
    open_files(app, list(files.values()), expect_total=6)
    expect(app.get_by_test_id("tree-instance")).to_have_count(6)
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i1", timeout=30000)
    return tree_ids(app, files)


def _row(page: Page, instance_id: str):  # noqa: ANN202 - a Playwright Locator
    return page.locator(f'[data-testid=tree-instance][data-instance-id="{instance_id}"]')


def _tags_error(page: Page, instance_id: str) -> Any:
    return page.evaluate(
        "(id) => window.dicomtab.tags(id).then(() => 'answered', (e) => e.code)", instance_id)


def _worker_ids(page: Page) -> list[str]:
    return [s["instanceId"] for s in page.evaluate("window.dicomtab.workerInstances()")]


def _assert_forgotten(page: Page, closed: list[str], still_open: list[str]) -> None:
    """Gone from the tree, the page's list, the worker's list and the viewer's frame cache;
    the worker answers a request for it as for an id never opened."""
    for instance_id in closed:
        expect(_row(page, instance_id)).to_have_count(0)
        assert _tags_error(page, instance_id) == "usage"
    sound = [i for i in still_open if not i.startswith("d")]
    assert _worker_ids(page) == sound
    assert [s["instanceId"] for s in page.evaluate("window.dicomtab.instances()")] == sound
    expect(page.get_by_test_id("instance")).to_have_count(len(sound))
    cached = page.evaluate("[...window.dicomtab.viewer.frames.frames.keys()]")
    assert not [key for key in cached if key.split("#")[0] in closed], cached
    measured = page.evaluate("[...window.dicomtab.viewer.annotator.store.byImage.keys()]")
    assert not [key for key in measured if key.split("#")[0] in closed], measured
    for instance_id in still_open:
        expect(_row(page, instance_id)).to_have_count(1)


def test_one_file_closes_with_its_button_and_is_forgotten(app: Page, opened: dict[str, str]) -> None:
    ids = opened
    series = app.get_by_test_id("tree-series").filter(has=_row(app, ids["ct1"]))
    expect(series.locator("summary .count").first).to_have_text("3 instances")
    select_in_viewer(app, ids["ct2"])
    expect(app.get_by_test_id("viewer-stack")).to_contain_text("Image 2 of 3")

    _row(app, ids["ct3"]).get_by_role("button", name="Close this file").click()

    _assert_forgotten(app, [ids["ct3"]], [ids[k] for k in ("ct1", "ct2", "mr", "john", "damaged")])
    expect(series.locator("summary .count").first).to_have_text("2 instances")
    # The file shown stays; its stack is sorted again without the closed slice.
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["ct2"])
    expect(app.get_by_test_id("viewer-stack")).to_contain_text("Image 2 of 2")
    # The de-identification scope counts only the files left open.
    app.get_by_test_id("deid-open").click()
    expect(app.get_by_test_id("deid-scope")).to_contain_text("5 of 5 instances")


def test_closing_the_file_shown_shows_the_next_one(app: Page, opened: dict[str, str]) -> None:
    ids = opened
    select_in_viewer(app, ids["mr"])
    expect(app.get_by_test_id("inspector")).to_have_attribute("data-loaded", ids["mr"], timeout=30000)
    shown = app.evaluate("[...window.dicomtab.viewer.frames.frames.keys()]")
    assert f"{ids['mr']}#0" in shown

    _row(app, ids["mr"]).get_by_role("button", name="Close this file").click()

    _assert_forgotten(app, [ids["mr"]], [ids[k] for k in ("ct1", "ct2", "ct3", "john", "damaged")])
    following = app.evaluate(
        "[...document.querySelectorAll('[data-testid=tree-instance]')].map((n) => n.dataset.instanceId)")
    next_id = following[following.index(ids["ct3"]) + 1]  # the row after the closed one
    expect(_row(app, next_id)).to_have_attribute("aria-selected", "true")
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", next_id, timeout=30000)
    expect(app.get_by_test_id("inspector")).to_have_attribute("data-loaded", next_id, timeout=30000)
    assert ids["mr"] not in app.locator("#compare-with option").evaluate_all(
        "(options) => options.map((o) => o.value)")


def test_a_series_then_a_study_close_at_once_and_the_last_leaves_the_panels_empty(
        app: Page, opened: dict[str, str]) -> None:
    ids = opened
    series = app.get_by_test_id("tree-series").filter(has=_row(app, ids["ct1"]))
    series.locator("summary").get_by_role("button", name="Close this series").click()
    cts = [ids["ct1"], ids["ct2"], ids["ct3"]]
    _assert_forgotten(app, cts, [ids[k] for k in ("mr", "john", "damaged")])
    jane = app.get_by_test_id("tree-study").filter(has=_row(app, ids["mr"]))
    expect(jane.locator("summary .count").first).to_have_text("1 series")
    # The viewer showed ct1: it goes on to the next file in the tree.
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["mr"], timeout=30000)

    jane.locator("summary").first.get_by_role("button", name="Close this study").click()
    _assert_forgotten(app, [ids["mr"]], [ids["john"], ids["damaged"]])
    expect(app.get_by_test_id("tree-patient")).to_have_count(2)  # John Roe, the damaged file's

    # The damaged file (inspector only) closes too; then John's, the last one.
    _row(app, ids["damaged"]).get_by_role("button", name="Close this file").click()
    _assert_forgotten(app, [ids["damaged"]], [ids["john"]])
    _row(app, ids["john"]).get_by_role("button", name="Close this file").click()
    _assert_forgotten(app, [ids["john"]], [])
    expect(app.get_by_test_id("tree-patient")).to_have_count(0)
    expect(app.get_by_test_id("viewer")).to_be_hidden()
    expect(app.get_by_test_id("inspector")).to_be_hidden()
    assert app.get_by_test_id("tag-row").count() == 0
    # Opening a file again works as the first time.
    open_files(app, [bundled("CT_small.dcm")], expect_total=2)
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", "i6", timeout=30000)


def test_a_file_closes_from_the_keyboard(app: Page, opened: dict[str, str]) -> None:
    ids = opened
    row = _row(app, ids["ct1"])
    row.focus()
    app.keyboard.press("Tab")
    button = row.get_by_role("button", name="Close this file")
    expect(button).to_be_focused()
    app.keyboard.press("Enter")
    _assert_forgotten(app, [ids["ct1"]], [ids[k] for k in ("ct2", "ct3", "mr", "john", "damaged")])
    # It was the file shown: the next is, and the keyboard focus is on its row.
    expect(_row(app, ids["ct2"])).to_be_focused()
    expect(app.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids["ct2"], timeout=30000)


def test_an_id_not_open_closes_nothing_and_says_so(app: Page, opened: dict[str, str]) -> None:
    ids = opened
    every = [ids[k] for k in ("ct1", "ct2", "ct3", "mr", "john", "damaged")]
    error = app.evaluate(
        "(ids) => window.dicomtab.close(ids).then(() => null, (e) => [e.code, e.message])",
        [ids["mr"], "i99"])
    assert error[0] == "usage" and "i99" in error[1]
    _assert_forgotten(app, [], every)
    assert app.evaluate("(ids) => window.dicomtab.close(ids)", [ids["mr"], ids["john"]]) == [
        ids["mr"], ids["john"]]
    _assert_forgotten(app, [ids["mr"], ids["john"]], [ids[k] for k in ("ct1", "ct2", "ct3", "damaged")])
