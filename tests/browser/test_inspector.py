"""Tag inspector: the study tree, the tag table, PHI flags, search, filter and keyboard."""

from __future__ import annotations

from pathlib import Path

import pydicom
from playwright.sync_api import Page, expect

from tests.browser.conftest import open_files
from tests.conftest import bundled


def rows(page: Page):
    return page.get_by_test_id("tag-row")


def row(page: Page, path: str):
    return page.locator(f'[data-testid=tag-row][data-path="{path}"]')


def loaded(page: Page, instance_id: str) -> None:
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", instance_id)


def test_ct_small_tree_and_tags(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    expect(app.get_by_test_id("tree-patient").locator("summary").first).to_contain_text("CompressedSamples^CT1")
    expect(app.get_by_test_id("tree-series").locator("summary").first).to_contain_text("CT")
    expect(app.get_by_test_id("tree-instance")).to_have_text("#1 CT CT_small.dcm")
    expect(app.get_by_test_id("inspector-title")).to_have_text("CT_small.dcm")
    # Meta group and dataset, columns filled in.
    meta = row(app, "00020010")
    expect(meta.locator("[data-col=vr]")).to_have_text("UI")
    expect(meta.locator("[data-col=value]")).to_have_text("1.2.840.10008.1.2.1")
    name = row(app, "00100010")
    expect(name.locator("td.tag")).to_have_text("(0010,0010)")
    expect(name.locator("[data-col=name]")).to_have_text("Patient's Name · PatientName")
    expect(name.locator("[data-col=vm]")).to_have_text("1")
    expect(name.locator("[data-col=length]")).to_have_text("22")
    expect(name.locator("[data-col=action]")).to_have_text("Z")
    expect(name.locator("[data-col=flags]")).to_have_text("may identify")
    # A private element: named by the private dictionary and marked private.
    private = row(app, "00091001")
    expect(private.locator("[data-col=name]")).to_have_text("Full fidelity")
    expect(private).to_have_class("identifying private")
    expect(private.locator("[data-col=flags]")).to_contain_text("private")
    # Binary values: size + hex preview; pixel data not decoded, with a way to see more.
    pixels = row(app, "7FE00010")
    expect(pixels.locator("[data-col=value]")).to_contain_text("32768 bytes: af 00 b4 00")
    # The PHI summary.
    expect(app.get_by_test_id("phi-counts")).to_have_text(
        "206 elements may identify the patient, 170 private elements, 12 dates, 6 UIDs")
    expect(app.get_by_test_id("pixel-warning")).to_have_count(0)


def test_sequences_expand_by_click_and_keyboard(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    seq = row(app, "00101002")
    expect(seq.locator("[data-col=value]")).to_have_text("2 items")
    expect(row(app, "00101002/0")).to_be_hidden()
    seq.click()
    expect(seq).to_have_attribute("aria-expanded", "true")
    item = row(app, "00101002/0")
    expect(item).to_be_visible()
    expect(item.locator("[data-col=name]")).to_have_text("Item 1")
    expect(row(app, "00101002/0/00100020")).to_be_hidden()
    # Keyboard: Down to item 1, Right expands it, Down enters it, Left goes back to the item,
    # Left collapses it, Left goes up to the sequence, Enter collapses the sequence.
    app.keyboard.press("ArrowDown")
    expect(item).to_be_focused()
    app.keyboard.press("ArrowRight")
    expect(item).to_have_attribute("aria-expanded", "true")
    app.keyboard.press("ArrowDown")
    inner = app.locator('[data-testid=tag-row][data-parent="00101002/0"]').first
    expect(inner).to_be_focused()
    app.keyboard.press("ArrowLeft")
    expect(item).to_be_focused()
    app.keyboard.press("ArrowLeft")
    expect(item).to_have_attribute("aria-expanded", "false")
    app.keyboard.press("ArrowLeft")
    expect(seq).to_be_focused()
    app.keyboard.press("Enter")
    expect(item).to_be_hidden()
    app.keyboard.press("ArrowUp")
    expect(seq).not_to_be_focused()


def test_search_by_tag_keyword_name_and_nested_value(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    search = app.get_by_test_id("tag-search")
    for query in ["00100010", "(0010,0010)", "0010,0010", "PatientName"]:
        search.fill(query)
        expect(app.locator("[data-testid=tag-row][data-match]").first).to_have_attribute("data-path", "00100010")
    search.fill("Patient's Name")
    expect(app.locator("[data-testid=tag-row][data-match]")).to_have_count(1)
    # A value inside a sequence item: found, its containers expanded, the row visible.
    value = pydicom.dcmread(bundled("CT_small.dcm")).OtherPatientIDsSequence[1].PatientID
    search.fill(value)
    match = app.locator("[data-testid=tag-row][data-match]")
    expect(match).to_have_count(1)
    expect(match).to_have_attribute("data-path", "00101002/1/00100020")
    expect(match).to_be_visible()
    expect(app.get_by_test_id("search-status")).to_have_text("1 match")
    search.fill("")
    expect(app.locator("[data-testid=tag-row][data-match]")).to_have_count(0)


def test_phi_only_filter(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    expect(row(app, "00280010")).to_have_count(1)  # Rows: not identifying
    all_rows = rows(app).count()
    app.get_by_test_id("phi-only").check()
    expect(row(app, "00280010")).to_have_count(0)
    expect(row(app, "00100010")).to_have_count(1)
    assert rows(app).count() < all_rows
    for r in rows(app).all():
        if r.get_attribute("data-kind") == "element":
            assert "identifying" in (r.get_attribute("class") or "")


def test_burned_in_annotation_is_called_out(app: Page, tmp_path: Path) -> None:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.BurnedInAnnotation = "YES"
    path = tmp_path / "burned.dcm"
    ds.save_as(path)
    open_files(app, [path], expect_total=1)
    loaded(app, "i1")
    warning = app.get_by_test_id("pixel-warning")
    expect(warning).to_contain_text("Header cleaning alone does not clean pixels")
    expect(warning).to_contain_text("Burned In Annotation (0028,0301) is YES.")


def test_long_value_truncated_with_show_all(app: Page, tmp_path: Path) -> None:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.ImageComments = "x" * 1000 + "END"
    path = tmp_path / "long.dcm"
    ds.save_as(path)
    open_files(app, [path], expect_total=1)
    loaded(app, "i1")
    value = row(app, "00204000").locator("[data-col=value]")
    expect(value).not_to_contain_text("END")
    value.get_by_test_id("show-all").click()
    expect(value).to_have_text("x" * 1000 + "END")


def test_automation_api_tags_and_phi_summary(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    model = app.evaluate("window.dicomtab.tags('i1')")
    assert model["00100010"] == {"vr": "PN", "Value": [{"Alphabetic": "CompressedSamples^CT1"}]}
    assert model["7FE00010"]["vr"] == "OW" and "InlineBinary" in model["7FE00010"]
    phi = app.evaluate("window.dicomtab.phiSummary('i1')")
    assert (phi["identifying"], phi["private"], phi["dates"], phi["uids"]) == (206, 170, 12, 6)
    assert phi["warnings"] == []


def test_a_long_table_fills_a_screenful_a_frame(app: Page) -> None:
    """CT_small's ~250 rows go in 40 shown rows at a time (a frame each), not in one long
    layout, and the inspector counts as loaded once every row is in."""
    app.evaluate("""() => {
        window.__added = [];
        new MutationObserver((records) => {
          for (const r of records) {
            const added = Array.from(r.addedNodes).filter((n) => n.nodeType === 1);
            if (added.length) window.__added.push([added.length, added.filter((n) => !n.hidden).length]);
          }
        }).observe(document.querySelector('[data-testid=tag-rows]'), {childList: true});
    }""")
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    added = app.evaluate("window.__added")
    assert len(added) >= 5
    assert max(shown for _, shown in added) == 40
    assert sum(count for count, _ in added) == rows(app).count()
    expect(row(app, "7FE00010")).to_have_count(1)


def test_search_and_keys_reach_rows_not_added_yet(app: Page) -> None:
    """With no frame drawn the table stays at its first screenful; a search, or End, adds
    the rest at once and finds the last element."""
    app.evaluate("window.requestAnimationFrame = () => 0")
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    expect(row(app, "00020010")).to_have_count(1)
    assert rows(app).count() < 60
    expect(row(app, "7FE00010")).to_have_count(0)
    expect(app.get_by_test_id("inspector")).not_to_have_attribute("data-loaded", "i1")
    app.get_by_test_id("tag-search").fill("PixelData")
    expect(row(app, "7FE00010")).to_have_attribute("data-match", "")
    expect(row(app, "7FE00010")).to_be_visible()
    loaded(app, "i1")


def test_end_key_adds_the_rest_of_the_table(app: Page) -> None:
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    loaded(app, "i1")
    everything = rows(app).count()
    # From here no frame adds rows: the table the filter makes stays at its first screenful.
    app.evaluate("window.requestAnimationFrame = () => 0")
    app.get_by_test_id("phi-only").check()
    app.wait_for_function("() => document.querySelectorAll('[data-testid=tag-row]').length <= 60")
    rows(app).first.click()
    app.keyboard.press("End")
    last = rows(app).last
    expect(last).to_be_focused()
    assert 60 < rows(app).count() < everything
