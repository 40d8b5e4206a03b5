"""Opening for inspection: damaged files show what could be read and where parsing stopped."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from dicomtab.errors import EmptyFileError, NotDicomError
from dicomtab.inspect.nodes import walk
from dicomtab.inspect.partial import load
from tests.conftest import bundled
from tests.core.inspect.conftest import sample_dataset, to_bytes


def test_sound_files_have_no_problem(sample_bytes: bytes) -> None:
    inspected = load(sample_bytes, "sample.dcm")
    assert inspected.problem is None and inspected.notes == []
    assert inspected.transfer_syntax == "1.2.840.10008.1.2.1"


def test_mr_truncated_stops_at_pixel_data() -> None:
    inspected = load(bundled("MR_truncated.dcm").read_bytes(), "MR_truncated.dcm")
    problem = inspected.problem
    assert problem is not None
    assert (problem.kind, problem.tag, problem.offset) == ("truncated", 0x7FE00010, 1488)
    assert "(7FE0,0010)" in problem.message and "byte 1488" in problem.message
    tags = [e.tag for e in inspected.elements]
    assert 0x00100010 in tags and 0x7FE00010 not in tags
    assert tags[-1] == 0x00281051  # everything before the pixel data was read


def test_rtplan_truncated_keeps_the_sequences_before_the_damage() -> None:
    inspected = load(bundled("rtplan_truncated.dcm").read_bytes(), "rtplan_truncated.dcm")
    assert inspected.problem is not None
    assert (inspected.problem.tag, inspected.problem.offset) == (0x300A00B0, 1410)
    fractions = next(e for e in inspected.elements if e.keyword == "FractionGroupSequence")
    assert fractions.items and fractions.items[0].elements


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("truncated-in-header.dcm", 0x00100010),
        ("truncated-in-pixels.dcm", 0x7FE00010),
        ("huge-short-length.dcm", 0x00100010),
        ("huge-long-length.dcm", 0x7FE00010),
    ],
)
def test_generated_bad_inputs(bad_inputs: dict, name: str, tag: int) -> None:
    inspected = load(bad_inputs[name].read_bytes(), name)
    assert inspected.problem is not None and inspected.problem.tag == tag
    assert inspected.elements and all(e.tag < tag for e in inspected.elements)
    assert inspected.notes and name in inspected.notes[0]


def test_nothing_to_show_is_still_an_error(bad_inputs: dict) -> None:
    with pytest.raises(EmptyFileError):
        load(bad_inputs["empty.dcm"].read_bytes(), "empty.dcm")
    with pytest.raises(NotDicomError):
        load(bad_inputs["notes.txt"].read_bytes(), "notes.txt")


def test_damage_inside_undefined_length_sequences_keeps_the_items_before_it() -> None:
    data = bundled("JPEG2000.dcm").read_bytes()[:1000]  # ends inside (0008,2112)'s item
    inspected = load(data, "cut.dcm")
    assert inspected.problem is not None and inspected.problem.path == "00082112"
    damaged = inspected.elements[-1]
    assert damaged.tag == 0x00082112 and damaged.damaged
    inner = [e.keyword for e in walk([damaged])]
    assert "ReferencedSOPClassUID" in inner and "ReferencedSOPInstanceUID" in inner


def test_damage_in_the_meta_group_shows_the_meta_elements_before_it() -> None:
    data = bundled("CT_small.dcm").read_bytes()[:200]
    inspected = load(data, "cut.dcm")
    assert inspected.problem is not None and inspected.problem.tag >> 16 == 0x0002
    assert [e.tag for e in inspected.meta] == [0x00020000, 0x00020001, 0x00020002]
    assert inspected.elements == []


def test_no_preamble_and_truncated() -> None:
    data = bundled("MR_truncated.dcm").read_bytes()[128:]  # starts with 'DICM'
    inspected = load(data, "nopre.dcm")
    assert inspected.problem is not None and inspected.problem.tag == 0x7FE00010
    assert inspected.elements[-1].tag == 0x00281051


@pytest.mark.parametrize(
    ("name", "step"), [("JPEG2000.dcm", 37), ("CT_small.dcm", 997), ("rtplan.dcm", 53)]
)
def test_any_truncation_gives_a_tree_or_a_typed_error(name: str, step: int) -> None:
    data = bundled(name).read_bytes()
    stop = min(len(data), 3200)
    for cut in range(1, stop, step):
        try:
            inspected = load(data[:cut], name)
        except (EmptyFileError, NotDicomError):
            continue
        # A cut between two elements leaves a well-formed (if incomplete) file.
        assert inspected.problem is None or inspected.problem.offset <= cut, cut
        list(walk(inspected.all_elements))


def test_hostile_nesting_is_reported_not_recursed() -> None:
    ds = sample_dataset()
    inner = Dataset()
    inner.CodeValue = "deep"
    for _ in range(70):
        outer = Dataset()
        outer.ContentSequence = Sequence([inner])
        inner = outer
    ds.ContentSequence = inner.ContentSequence
    inspected = load(to_bytes(ds), "deep.dcm")
    assert inspected.problem is not None and inspected.problem.kind == "malformed"
    assert "nested" in inspected.problem.detail
    assert any(e.keyword == "PatientName" for e in inspected.elements)
