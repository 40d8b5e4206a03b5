"""verify's raw-byte scan (deid/bytescan.py, deid/spans.py, verify.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomtab.deid.batch import BatchResult, collect_inputs
from dicomtab.deid.bytescan import ByteScanner, encoded_forms, needles_for
from dicomtab.deid.spans import regions
from dicomtab.deid.verify import Originals, verify_items
from tests.core.deid.phi_set import SEEDED_VALUES

Out = tuple[Path, BatchResult]


def _ct_output(folder: Path) -> Path:
    return next(p for p in sorted(folder.rglob("*.dcm")) if pydicom.dcmread(p).Modality == "CT")


def _byte_findings(folder: Path, originals: Originals) -> list[tuple[str, str, int | None]]:
    return [(f.path, f.what, f.offset) for f in verify_items(collect_inputs([folder]), originals)
            if f.kind == "original-value-in-bytes"]


def test_clean_outputs_have_no_byte_hits(basic_out: Out, research_out: Out,
                                         originals: Originals) -> None:
    for folder, _ in (basic_out, research_out):
        assert _byte_findings(folder, originals) == []


def test_a_name_planted_in_pixel_data_is_found_by_offset_and_element(
    tmp_path: Path, basic_out: Out, originals: Originals
) -> None:
    source = _ct_output(basic_out[0])
    data = bytearray(source.read_bytes())
    pixels = bytes(pydicom.dcmread(source).PixelData)
    at = data.rindex(pixels) + 4
    family = "Müller".encode("latin-1")  # the original's own character set (ISO_IR 100)
    data[at : at + len(family)] = family
    (tmp_path / "leak.dcm").write_bytes(bytes(data))
    assert _byte_findings(tmp_path, originals) == [("PixelData", "PN", at)]


def test_values_in_a_private_ob_element_and_the_preamble_are_found(
    tmp_path: Path, basic_out: Out, originals: Originals
) -> None:
    ds = pydicom.dcmread(_ct_output(basic_out[0]))
    block = ds.private_block(0x0041, "TEST 1.0", create=True)
    block.add_new(0x01, "OB", b"\x00\x01pid-a-4711\x00\x0020240110\x00\x00")  # any ASCII case
    ds.preamble = b"Wagner".ljust(128, b"\x00")
    ds.save_as(tmp_path / "leak.dcm", enforce_file_format=True)
    found = {(p, w) for p, w, _ in _byte_findings(tmp_path, originals)}
    assert found == {("(0041,1001)", "PatientID"), ("(0041,1001)", "date"),
                     ("(preamble)", "PN")}
    printed = "\n".join(str(f) for f in verify_items(collect_inputs([tmp_path]), originals))
    assert "at byte" in printed and not any(v in printed for v in SEEDED_VALUES)


def test_a_file_that_is_not_dicom_is_still_searched(tmp_path: Path, originals: Originals) -> None:
    (tmp_path / "notes.txt").write_bytes(b"seen by Dr Wagner")
    findings = verify_items(collect_inputs([tmp_path]), originals)
    assert [(f.kind, f.offset) for f in findings] == [
        ("unreadable", None), ("original-value-in-bytes", 11)]


def test_name_parts_in_the_originals_character_set() -> None:
    original = Dataset()
    original.SpecificCharacterSet = "ISO_IR 144"  # Cyrillic, ISO 8859-5: neither UTF-8 nor Latin-1
    original.PatientName = "Иванов^Ян"
    originals = Originals()
    originals.add_dataset(original)
    assert "Иванов".encode("iso8859_5") in originals.forms["Иванов"]
    assert needles_for({"Ян": "PN"}, originals.forms) == {}  # two letters: too short for bytes
    scanner = ByteScanner({form: "PN" for form in encoded_forms("Иванов", ["ISO_IR 144"])})
    hay = b"\x00\x01" + "Иванов".encode("iso8859_5") + b"\x00"
    [region] = regions(hay, implicit=True, little=True, deflated=False)
    assert [(h.offset, h.what) for h in scanner.scan([region])] == [(2, "PN")]


@pytest.mark.parametrize(("haystack", "hits"), [
    (b"\x001.2.826.99.7\x00", 1),
    (b"\x001.2.826.99.71\x00", 0),      # a longer UID is not the original
    (b"\x001.2.826.99.7.5\x00", 0),     # nor one that extends it
    (b"\x002.25.11.2.826.99.7\x00", 0),  # nor one that ends with it
    (b"MUELLERS", 0), (b"x mueller.", 1),
])
def test_match_edges(haystack: bytes, hits: int) -> None:
    scanner = ByteScanner({b"1.2.826.99.7": "UID", b"mueller": "PN"})
    [region] = regions(haystack, implicit=True, little=True, deflated=False)
    assert len(scanner.scan([region])) == hits


def _file(ds: Dataset, syntax: str) -> bytes:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3"
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.3"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _nested() -> Dataset:
    ds = Dataset()
    item = Dataset()
    item.ReferencedSOPInstanceUID = "1.2.826.99.7"
    ds.ReferencedImageSequence = Sequence([Dataset(), item])
    ds.ImageComments = "plain"
    return ds


@pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1",
                                    "1.2.840.10008.1.2.2"])
def test_spans_name_nested_elements_in_every_encoding(syntax: str) -> None:
    data = _file(_nested(), syntax)
    [region] = regions(data, implicit=syntax == ImplicitVRLittleEndian,
                       little=not syntax.endswith(".2.2"), deflated=False)
    assert region.path_at(data.index(b"1.2.826.99.7")) == (
        "ReferencedImageSequence[1].ReferencedSOPInstanceUID")
    assert region.path_at(data.index(b"plain")) == "ImageComments"
    assert region.path_at(data.index(b"1.2.840.10008.5.1.4.1.1.7")) == (
        "FileMeta.MediaStorageSOPClassUID")
    assert region.path_at(0) == "(preamble)"


def test_a_deflated_file_is_searched_inflated() -> None:
    data = _file(_nested(), DeflatedExplicitVRLittleEndian)
    assert b"1.2.826.99.7" not in data
    file_region, inflated = regions(data, implicit=False, little=True, deflated=True)
    assert inflated.label == "inflated data set"
    assert b"1.2.826.99.7" in inflated.data
    hits = ByteScanner({b"1.2.826.99.7": "UID"}).scan([file_region, inflated])
    assert [(h.region, h.path) for h in hits] == [
        ("inflated data set", "ReferencedImageSequence[1].ReferencedSOPInstanceUID")]


@pytest.mark.parametrize(("haystack", "hits"), [
    (b"DA\x0820240110", 1),
    (b"DT\x1020240110102100.5", 1),  # the original date starting a date-time
    (b"\x00120240110\x00", 0),         # inside a longer number
    (b"2.25.20240110\x00", 0),         # a component of a UID
])
def test_dates_as_bytes(haystack: bytes, hits: int) -> None:
    scanner = ByteScanner({b"20240110": "date"})
    [region] = regions(haystack, implicit=True, little=True, deflated=False)
    assert len(scanner.scan([region])) == hits


def _every_occurrence(needles: list[bytes], hay: bytes) -> list[tuple[int, bytes]]:
    """The reference: each needle searched on its own, every occurrence, word-bounded."""
    word = set(b"0123456789abcdefghijklmnopqrstuvwxyz_")
    found = []
    for needle in needles:
        at = hay.find(needle)
        while at >= 0:
            end = at + len(needle)
            if (not at or hay[at - 1] not in word) and (end == len(hay) or hay[end] not in word):
                found.append((at, needle))
            at = hay.find(needle, at + 1)
    return found


def _text_hits(scanner: ByteScanner, hay: bytes) -> list[tuple[int, bytes]]:
    return list(scanner._text_hits(hay, scanner._candidates(hay)))


def test_one_pass_finds_every_occurrence_a_search_per_needle_finds() -> None:
    """Overlapping and nested needles ("klaus" in "wagner^klaus", "anna" beside "anna
    schmidt"), needles sharing first bytes, at the very start and end, in random bytes, in
    either ASCII case; needles whose first bytes are not letters."""
    import random

    rnd = random.Random(7)
    names = [b"klaus", b"wagner", b"wagner^klaus", b"klaus wagner", b"anna", b"anna schmidt",
             b"annabel", b"m\xc3\xbcller", b"m\xfcller", b"pid-0000-4711", b"0000-47",
             # first or second bytes far from letters: the cheap range test must let them by
             b"\xc3\x9cmit", b"o'neil", b"\xfcber"]
    scanner = ByteScanner({n: "PN" for n in names})
    for trial in range(300):
        parts = []
        for _ in range(rnd.randint(0, 12)):
            parts.append(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 40))))
            name = rnd.choice(names + [b" ", b"^", b"x"])
            parts.append(name.upper() if rnd.random() < 0.3 else name)
        hay = b"".join(parts)
        assert _text_hits(scanner, hay) == _every_occurrence(scanner.text, hay.lower()), trial
    hay = b"KLAUS wagner^klaus annabel anna schmidt"
    assert _text_hits(scanner, hay) == _every_occurrence(scanner.text, hay.lower())
    assert len(_text_hits(scanner, hay)) == 8


def _every_run(numeric: set[bytes], dates: set[bytes], hay: bytes) -> list[bytes]:
    """The reference for UIDs and dates: every whole run of digits and dots, looked up."""
    import re

    found = []
    for run in re.finditer(rb"[0-9.]+", hay):
        token = run.group().rstrip(b".")
        if token in numeric:
            found.append(token)
        elif token[:8] in dates and token[8:9].isdigit():
            found.append(token[:8])
    return sorted(found)


def test_numeric_hits_are_the_whole_runs_a_tokenizer_finds() -> None:
    """UIDs sharing roots, one inside another, dates alone and starting a DT, a UID ending a
    sentence, in random bytes."""
    import random

    rnd = random.Random(11)
    uids = [b"1.2.826.99.7", b"1.2.826.99.71", b"1.2.826.99", b"2.25.1234567"]
    dates = [b"20240110", b"19700101"]
    scanner = ByteScanner({**{u: "UID" for u in uids}, **{d: "date" for d in dates}})
    for trial in range(300):
        parts = []
        for _ in range(rnd.randint(0, 10)):
            parts.append(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 30))))
            parts.append(rnd.choice([*uids, *dates, b"20240110093000", b"1.2.826.99.7.",
                                     b"x", b".", b"5"]))
        hay = b"".join(parts)
        hits = [token for _, token in scanner._numeric_hits(hay, scanner._candidates(hay))]
        assert sorted(hits) == _every_run(scanner.numeric, scanner.dates, hay), trial
