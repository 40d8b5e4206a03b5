"""The element tree: names, values as text, lengths as encoded, binary values left unread."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from dicomtab.inspect.nodes import Element, build_elements, walk
from dicomtab.inspect.partial import Inspected, load
from tests.conftest import BUNDLED_DIR, bundled
from tests.core.inspect.conftest import LONG_TEXT, MARKUP, big_multiframe, odd_values_file

CHARSETS = BUNDLED_DIR.parent / "charset_files"


def _by_path(inspected: Inspected) -> dict[str, Element]:
    return {e.path: e for e in walk(inspected.all_elements)}


def test_meta_and_data_set_are_both_listed(sample: Inspected) -> None:
    assert [e.tag for e in sample.meta][:2] == [0x00020000, 0x00020001]
    assert all(e.meta for e in sample.meta) and not any(e.meta for e in sample.elements)
    assert sample.meta[-1].keyword == "SourceApplicationEntityTitle"


def test_values_are_text_verbatim(sample: Inspected) -> None:
    e = _by_path(sample)
    assert e["00100010"].values == [MARKUP + "^Jane"]
    assert e["00080008"].values == ["ORIGINAL", "PRIMARY"] and e["00080008"].vm == 2
    assert e["00180050"].values == ["1.2500"]  # DS as written, not re-formatted
    assert e["00280009"].values == ["(0018,1063)"]  # AT
    assert e["00409224"].values == ["nan"]
    assert e["00204000"].values == [LONG_TEXT.rstrip()]


def test_nested_sequences_have_numbered_paths(sample: Inspected) -> None:
    e = _by_path(sample)
    seq = e["00400275"]
    assert seq.is_sequence and len(seq.items or []) == 2 and seq.vm == 1
    assert e["00400275/0/00401001"].values == ["RP-9"]
    assert e["00400275/1/00401001"].values == ["RP-10"]
    code = e["00400275/0/00400008/0/00080104"]
    assert code.values == ["Protocol <b>bold</b>"] and code.depth == 4
    assert sample.find("00400275/0/00400008/0") is not None  # items are addressable too


def test_private_elements_are_named_through_their_creator(sample: Inspected) -> None:
    e = _by_path(sample)
    assert e["00110010"].is_private_creator and e["00110010"].values == ["ACME 1.0"]
    note = e["00111001"]
    assert note.is_private and not note.is_private_creator
    assert note.private_creator == "ACME 1.0" and note.name == "Private tag data"
    csa = e["00291010"]
    assert csa.private_creator == "SIEMENS CSA HEADER"
    assert csa.name == "CSA Image Header Info"  # from pydicom's private dictionary
    assert csa.is_binary and csa.size == 100


def test_lengths_are_the_encoded_ones(sample: Inspected) -> None:
    e = _by_path(sample)
    assert e["00100010"].length == len(MARKUP + "^Jane") + 1  # padded to even
    assert e["00400275/0/00400008"].length is None  # written with undefined length
    assert e["00400275"].length is not None
    seq = e["00400275"]
    assert seq.length == sum(8 + (item.length or 0) for item in seq.items or [])


@pytest.mark.parametrize("name", ["CT_small.dcm", "rtplan.dcm"])
def test_item_lengths_add_up_to_the_sequence_length(name: str) -> None:
    inspected = load(bundled(name).read_bytes(), name)
    checked = 0
    for element in walk(inspected.elements):
        if (
            element.items
            and element.length is not None
            and not any(i.undefined_length for i in element.items)
        ):
            assert element.length == sum(8 + (i.length or 0) for i in element.items)
            checked += 1
    assert checked


def test_a_dataset_built_in_memory_gets_computed_lengths() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^John"
    ds.Rows = 512
    elements = build_elements(ds)
    assert [(e.keyword, e.length) for e in elements] == [("PatientName", 8), ("Rows", 2)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
        ("chrX1.dcm", "Wang^XiaoDong=王^小東"),
        ("chrX2.dcm", "Wang^XiaoDong=王^小东"),
        ("chrArab.dcm", "قباني^لنزار"),
        ("chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동"),
    ],
)
def test_specific_character_sets_are_decoded(name: str, expected: str) -> None:
    inspected = load((CHARSETS / name).read_bytes(), name)
    assert _by_path(inspected)["00100010"].values == [expected]


def test_items_with_their_own_character_set_are_decoded() -> None:
    inspected = load((CHARSETS / "chrSQEncoding.dcm").read_bytes(), "sq")
    names = [e for e in walk(inspected.elements) if e.keyword == "PatientName"]
    assert names[0].values == ["ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"]


def test_multi_valued_text_is_a_list() -> None:
    inspected = load((CHARSETS / "chrFrenMulti.dcm").read_bytes(), "fr")
    names = _by_path(inspected)["00101001"]
    assert names.vm == 2 and names.values == ["Buc^Jérôme", "Buc^Jérôme"]


@pytest.mark.parametrize("encapsulated", [False, True], ids=["native", "encapsulated"])
def test_a_40_mb_multiframe_lists_fast_without_reading_pixels(encapsulated: bool) -> None:
    data = big_multiframe(encapsulated)
    start = time.perf_counter()
    inspected = load(data, "big.dcm")
    elapsed = time.perf_counter() - start
    pixels = _by_path(inspected)["7FE00010"]
    assert pixels.element is None, "pixel data went through pydicom"
    assert isinstance(pixels.data, memoryview) and pixels.data.obj is inspected.data
    if encapsulated:
        assert pixels.length is None and len(pixels.fragments or []) == 81
    else:
        assert pixels.length == pixels.size == 512 * 512 * 2 * 80
    assert inspected.elements[-1].tag == 0xFFFCFFFC  # elements after the pixels are listed
    assert elapsed < 2.0, f"listing took {elapsed:.2f} s"


def test_every_bundled_file_builds(tmp_path: Path) -> None:
    failures = []
    for path in sorted(BUNDLED_DIR.glob("*.dcm")):
        try:
            load(path.read_bytes(), path.name)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            failures.append((path.name, type(exc).__name__))
    # Files that are not DICOM at all are refused with a typed error, nothing else fails.
    assert {name for name, kind in failures} <= {"no_meta.dcm"}, failures


def test_lengths_their_vrs_cannot_hold_mark_the_file_damaged_there() -> None:
    """A 5-byte FD (and a 3-byte US after it): found when the file is read, not when a
    value is first used; the inspector shows what comes before, and where it stopped."""
    inspected = load(odd_values_file(), "odd.dcm")
    assert inspected.problem is not None
    assert (inspected.problem.kind, inspected.problem.tag, inspected.problem.offset) == (
        "malformed", 0x00180050, 326)
    assert "not a whole number of 8-byte values" in inspected.problem.message
    assert [e.tag for e in inspected.elements] == [0x00100020]
