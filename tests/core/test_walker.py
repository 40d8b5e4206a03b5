"""The one structural walk (dicomtab.structure.Walker), seen through each of its uses.

The structure check, the de-identification's byte spans (deid/spans), the inspector's
reading of damaged files (inspect/partial) and the fragment lengths the inspector lists
(structure.fragment_lengths) used to be four walks that disagreed about group FFFE
elements and implicit VR sequences. These tests walk the same files, real ones from pydicom
and bytes made for the edge cases, through every use and check that they agree with each
other and with pydicom about where each element is.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import Any

import pydicom
import pytest
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomtab.deid.spans import Region, regions
from dicomtab.inspect.nodes import walk
from dicomtab.inspect.partial import load
from dicomtab.reading import ENCODINGS
from dicomtab.structure import (
    StructureReport,
    Walker,
    WalkHooks,
    check_structure,
    fragment_lengths,
    meta_end,
)
from tests.conftest import bundled

ROOT = "1.2.826.0.1.3680043.9.9999.14."


class Recorder(WalkHooks):
    """Every element's inspector path and value offset in the file, and fragment lengths."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.fragments: list[int] = []

    def element(self, walker: Walker, tag: int, start: int, value_start: int, after: int
                ) -> None:
        parts = [f"{p:08X}" if i % 2 == 0 else str(p) for i, p in enumerate(walker.where)]
        self.values["/".join([*parts, f"{tag:08X}"])] = walker.base + value_start

    def fragment(self, walker: Walker, offset: int, length: int) -> None:
        if not walker.where:
            self.fragments.append(length)


def _encoding(data: bytes) -> tuple[int, bool, bool, bool]:
    offset, syntax, problem = meta_end(data, 132)
    assert problem is None and syntax is not None
    return (offset, *ENCODINGS[syntax])


def _strict(data: bytes) -> tuple[StructureReport, Recorder]:
    offset, implicit, little, deflated = _encoding(data)
    recorder = Recorder()
    report = check_structure(data, offset, implicit=implicit, little=little, deflated=deflated,
                             hooks=recorder)
    return report, recorder


def _spans(data: bytes) -> Region:
    _, implicit, little, deflated = _encoding(data)
    return regions(data, implicit=implicit, little=little, deflated=deflated)[0]


def _pydicom_offsets(ds: Dataset, prefix: str = "", base: int = 0) -> dict[str, int]:
    """Inspector path → value offset in the file, as pydicom read the file.

    pydicom reads a sequence it kept as raw bytes from those bytes: the offsets inside it
    count from its value (``base``)."""
    out: dict[str, int] = {}
    for tag in sorted(ds.keys()):
        raw = ds.get_item(tag, keep_deferred=True)
        path = prefix + f"{int(tag):08X}"
        is_raw = isinstance(raw, RawDataElement)
        out[path] = base + (raw.value_tell if is_raw else raw.file_tell)
        element = ds[tag]
        if element.VR == "SQ":
            inner = out[path] if is_raw else base
            for index, item in enumerate(element.value):
                out.update(_pydicom_offsets(item, f"{path}/{index}/", inner))
    return out


def _read(data: bytes) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(io.BytesIO(data), force=True)


def _assert_uses_agree(data: bytes) -> Recorder:
    """The strict walk, the spans, the inspector's tree and pydicom agree on every element."""
    report, recorder = _strict(data)
    assert report.problem is None
    region = _spans(data)
    dataset_spans = {span.start for span in region.spans if not span.path.startswith("FileMeta.")}
    assert dataset_spans == set(recorder.values.values())
    assert _pydicom_offsets(_read(data)) == recorder.values
    inspected = load(data, "x.dcm")
    assert inspected.problem is None
    assert {element.path for element in walk(inspected.elements)} == set(recorder.values)
    return recorder


@pytest.mark.parametrize("name", [
    "rtplan.dcm",  # implicit VR, nested sequences of defined length
    "rtdose.dcm",  # implicit VR, sequences
    "nested_priv_SQ.dcm",  # implicit VR, private sequences of undefined length
    "priv_SQ.dcm",  # implicit VR, a private sequence pydicom leaves unread
    "liver_expb_1frame.dcm",  # explicit VR big endian, sequences
    "SC_rgb_rle.dcm",  # encapsulated pixel data
    "CT_small.dcm",
])
def test_every_use_finds_each_element_of_a_real_file_where_pydicom_does(name: str) -> None:
    _assert_uses_agree(bundled(name).read_bytes())


def test_fragment_lengths_are_the_fragments_the_walk_passes() -> None:
    data = bundled("SC_rgb_rle.dcm").read_bytes()
    recorder = _assert_uses_agree(data)
    pixels = load(data, "rle.dcm").find("7FE00010")
    assert pixels is not None and getattr(pixels, "fragments", None) == recorder.fragments
    assert len(recorder.fragments) == 2  # the offset table and the one frame


# -- bytes made for the edge cases ------------------------------------------------------------


def _file(syntax: str, body: bytes) -> bytes:
    """A file of ``syntax`` whose data set is SOP Class and Instance UIDs, then ``body``."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", ROOT + "1"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue() + body


def _implicit(tag: int, value: bytes, length: int | None = None) -> bytes:
    return struct.pack("<HHI", tag >> 16, tag & 0xFFFF,
                       len(value) if length is None else length) + value


def _explicit(tag: int, vr: bytes, value: bytes) -> bytes:
    if vr in (b"SQ", b"UN", b"OB"):
        return struct.pack("<HH2sHI", tag >> 16, tag & 0xFFFF, vr, 0, len(value)) + value
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, len(value)) + value


ITEM_UNDEFINED = struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
ITEM_DELIMITER = struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
SEQUENCE_DELIMITER = struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
UNDEFINED = 0xFFFFFFFF


def _item(content: bytes) -> bytes:
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(content)) + content


def _implicit_edge_file() -> bytes:
    """Implicit VR: a defined-length sequence, a private undefined-length sequence, and an
    undefined-length OB value whose fragment looks like a damaged element header."""
    series = _implicit(0x0020000E, ROOT.encode() + b"2\x00")
    private = ITEM_UNDEFINED + _implicit(0x00100010, b"DOE^JANE") + ITEM_DELIMITER
    fragment = _item(b"\x10\x00\x10\x00\xf0\xff\x00\x00ABCD")
    return _file(ImplicitVRLittleEndian, b"".join([
        _implicit(0x00081115, _item(series)),
        _implicit(0x00090010, b"ACME"),
        _implicit(0x00091010, private + SEQUENCE_DELIMITER, UNDEFINED),
        _implicit(0x00100020, b"PID-7741"),
        _implicit(0x00420011, fragment + SEQUENCE_DELIMITER, UNDEFINED),
    ]))


def test_implicit_sequences_and_an_undefined_length_value_are_walked_alike_by_every_use() -> None:
    data = _implicit_edge_file()
    recorder = _assert_uses_agree(data)
    # The private sequence is walked into, the undefined-length OB value is not: its
    # fragment is not a data set, whatever its bytes look like.
    assert {"00081115/0/0020000E", "00091010/0/00100010", "00420011"} <= set(recorder.values)
    assert not any(path.startswith("00420011/") for path in recorder.values)
    paths = {span.path for span in _spans(data).spans}
    assert {"ReferencedSeriesSequence[0].SeriesInstanceUID", "(0009,1010)[0].PatientName",
            "PatientID", "EncapsulatedDocument"} <= paths


def test_a_defined_length_un_sequence_is_walked_as_implicit_vr_by_every_use() -> None:
    series = _implicit(0x0020000E, ROOT.encode() + b"2\x00")
    data = _file(ExplicitVRLittleEndian, _explicit(0x00081115, b"UN", _item(series))
                 + _explicit(0x00100020, b"LO", b"PID-7741"))
    recorder = _assert_uses_agree(data)
    assert "00081115/0/0020000E" in recorder.values
    assert "ReferencedSeriesSequence[0].SeriesInstanceUID" in {s.path for s in _spans(data).spans}
    # Damage inside it is damage to every use, at the same byte and path.
    cut = data.index(ROOT.encode() + b"2") - 4
    damaged = data[:cut] + struct.pack("<I", 0x7FFFFFF0) + data[cut + 4:]
    _assert_stop_agrees(damaged, "truncated", cut - 4, "00081115/0/0020000E")


def _assert_stop_agrees(data: bytes, kind: str, offset: int, path: str) -> None:
    """Every use stops at ``offset``: the check names it, the inspector shows what is before
    it, the spans name nothing after it."""
    report, _ = _strict(data)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.offset, report.problem.path_text) == (
        kind, offset, path)
    inspected = load(data, "x.dcm")
    assert inspected.problem is not None and inspected.problem.offset == offset
    assert all(span.start < offset for span in _spans(data).spans)


def test_a_stray_item_delimiter_stops_every_use_where_pydicom_stops_reading() -> None:
    data = _file(ExplicitVRLittleEndian, _explicit(0x00100010, b"PN", b"DOE^JANE")
                 + ITEM_DELIMITER + _explicit(0x00100020, b"LO", b"PID-7741"))
    # pydicom ends the data set at the delimiter: the Patient ID after it is read by nobody.
    assert "PatientID" not in _read(data) and "PatientName" in _read(data)
    at = data.index(ITEM_DELIMITER)
    _assert_stop_agrees(data, "malformed", at, "FFFEE00D")
    inspected = load(data, "x.dcm")
    assert [e.keyword for e in inspected.elements][-1] == "PatientName"
    assert "PatientName" in {span.path for span in _spans(data).spans}


def test_an_item_delimiter_in_a_defined_length_item_stops_every_use_alike() -> None:
    item = _item(_explicit(0x0020000E, b"UI", ROOT.encode() + b"2\x00") + ITEM_DELIMITER)
    data = _file(ExplicitVRLittleEndian, _explicit(0x00081115, b"SQ", item))
    at = data.index(ITEM_DELIMITER)
    _assert_stop_agrees(data, "malformed", at, "00081115/0/FFFEE00D")


def test_an_item_tag_with_a_vr_like_length_is_never_read_as_explicit() -> None:
    # Length 0x5153 reads "SQ" where an explicit VR would be: still a stray item, not a
    # sequence, whichever use meets it.
    data = _file(ExplicitVRLittleEndian, struct.pack("<HHI", 0xFFFE, 0xE000, 0x5153)
                 + bytes(0x5153))
    _assert_stop_agrees(data, "malformed", data.index(b"\xfe\xff\x00\xe0"), "FFFEE000")


# -- bad input, through each use ------------------------------------------------------------


def _nested_offset(data: bytes, path: str) -> int:
    return _strict(data)[1].values[path]


@pytest.mark.parametrize("damage", ["truncated", "huge-length"])
def test_bad_input_in_a_nested_implicit_element_stops_every_use_at_the_same_byte(
        damage: str) -> None:
    good = bundled("rtplan.dcm").read_bytes()
    path = "300A0010/0/300A0012"  # DoseReferenceSequence[0].DoseReferenceNumber
    value = _nested_offset(good, path)
    if damage == "truncated":
        data = good[:value + 1]
        # The sequence around it is the first element whose declared length does not fit.
        _assert_stop_agrees(data, "truncated", _nested_offset(good, "300A0010") - 8, "300A0010")
    else:
        data = good[:value - 4] + struct.pack("<I", 0x7FFFFFF0) + good[value:]
        _assert_stop_agrees(data, "truncated", value - 8, path)
        # The damage lies in a sequence of defined length: the spans still name it.
        assert _spans(data).path_at(value) == "DoseReferenceSequence"
    # The spans before the damage are the intact file's.
    intact = {(s.start, s.end, s.path) for s in _spans(good).spans if s.end <= value - 8}
    assert intact <= {(s.start, s.end, s.path) for s in _spans(data).spans}


def test_pydicoms_truncated_rtplan_stops_every_use_alike() -> None:
    data = bundled("rtplan_truncated.dcm").read_bytes()
    report, _ = _strict(data)
    assert report.problem is not None and report.problem.kind == "truncated"
    assert report.problem.path_text.startswith("300A")
    inspected = load(data, "rtplan_truncated.dcm")
    assert inspected.problem is not None and inspected.problem.offset == report.problem.offset
    assert all(span.start < report.problem.offset for span in _spans(data).spans)


def _rle_pixels() -> tuple[bytes, Any]:
    data = bundled("SC_rgb_rle.dcm").read_bytes()
    report, recorder = _strict(data)
    assert report.pixel_span is not None
    return data[report.pixel_span.start:report.pixel_span.end], recorder.fragments


def test_fragment_lengths_of_truncated_pixel_data_keep_the_fragments_before_the_cut() -> None:
    value, lengths = _rle_pixels()
    assert fragment_lengths(value + SEQUENCE_DELIMITER, 0, True) == (len(value), lengths)
    cut = value[: len(value) - 10]
    assert fragment_lengths(cut, 0, True) == (len(cut), lengths)
    assert fragment_lengths(value[:3], 0, True) == (0, [])


def test_fragment_lengths_with_a_huge_declared_length_stop_at_the_end_of_the_bytes() -> None:
    value, lengths = _rle_pixels()
    huge = value[:8 + lengths[0] + 4] + struct.pack("<I", 0x7FFFFFF0) + value[8 + lengths[0] + 8:]
    assert fragment_lengths(huge, 0, True) == (len(huge), [lengths[0], 0x7FFFFFF0])
    not_an_item = value[:8 + lengths[0]] + b"\x10\x00\x10\x00" + value[8 + lengths[0] + 4:]
    assert fragment_lengths(not_an_item, 0, True) == (8 + lengths[0], lengths[:1])


def test_damage_inside_an_undefined_length_un_sequence_keeps_the_items_before_it() -> None:
    """The inspector closes the sequences and items open at the damage to read what comes
    before it; the levels of an implicit VR sequence inside an explicit VR file are counted
    like any other (the walk's hooks follow it into the nested encoding)."""
    good_item = ITEM_UNDEFINED + _implicit(0x0020000E, ROOT.encode() + b"2\x00") + ITEM_DELIMITER
    bad_item = ITEM_UNDEFINED + _implicit(0x0020000E, b"", 0x7FFFFFF0)
    un = struct.pack("<HH2sHI", 0x0008, 0x1115, b"UN", 0, UNDEFINED)
    data = _file(ExplicitVRLittleEndian, un + good_item + bad_item)
    at = data.rindex(struct.pack("<HHI", 0x0020, 0x000E, 0x7FFFFFF0))
    _assert_stop_agrees(data, "truncated", at, "00081115/1/0020000E")
    inspected = load(data, "x.dcm")
    kept = inspected.find("00081115/0/0020000E")
    assert kept is not None and getattr(kept, "values", None) == [ROOT + "2"]
    assert inspected.problem is not None and inspected.problem.path == "00081115"


def _reports(data: bytes) -> tuple[StructureReport, StructureReport] | None:
    """A strict walk of ``data``'s data set without hooks (short elements walked inline,
    see Walker.dataset) and with hooks that do nothing (every element through element())."""
    offset, syntax, problem = meta_end(data, 132)
    if problem is not None or syntax not in ENCODINGS:
        return None
    implicit, little, deflated = ENCODINGS[syntax]
    return tuple(check_structure(data, offset, implicit=implicit, little=little,
                                 deflated=deflated, hooks=hooks)
                 for hooks in (None, WalkHooks()))  # type: ignore[return-value]


def test_the_inline_walk_of_short_elements_reports_what_element_does(tmp_path: Any) -> None:
    """Problems, doubts, the pixel span and UN, for every bundled file, the PHI sets and
    the fuzzer's mutations of them (bit flips, cuts, lengths, VRs, swapped tags...)."""
    import random

    from bench import fuzz

    files, _ = fuzz.corpus(tmp_path)
    rng = random.Random(5)
    cases = [(name, data) for name, data in files if data[128:132] == b"DICM"]
    for _ in range(600):
        name, data = files[rng.randrange(len(files))]
        cases.append((name, fuzz.mutate(data, rng.choice(fuzz.MUTATIONS), rng)))
    compared = doubted = 0
    for name, data in cases:
        reports = _reports(data)
        if reports is not None:
            assert reports[0] == reports[1], name
            compared += 1
            doubted += bool(reports[0].doubts)
    assert compared > 500 and doubted > 20
