"""Opening a file by its header's slices (dicomtab.file_head) gives what opening it whole gives.

The worker opens every file this way: a first slice, more while the header does not fit,
the bytes after the pixel value; the file itself is read only when its pixels (or its whole
tag tree) are needed.
"""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom.dataelem import DataElement

from dicomtab import worker_api
from dicomtab.errors import DicomtabError
from dicomtab.file_head import MAX_SLICE, header_bytes
from dicomtab.reading import ENCODINGS
from dicomtab.structure import check_structure, meta_end
from dicomtab.worker_api import Session
from tests.conftest import BUNDLED_DIR, bundled


class _File:
    """A file as the worker sees it: a size, and reads that are counted."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read_bytes = 0
        self.whole_reads = 0

    def read(self, start: int, end: int) -> bytes:
        self.read_bytes += end - start
        return self.data[start:end]

    def reader(self) -> bytes:
        self.whole_reads += 1
        self.read_bytes += len(self.data)
        return self.data


def _outcome(action: Any) -> Any:
    try:
        return action()
    except DicomtabError as exc:
        return (type(exc).__name__, exc.message)


def _by_parts(data: bytes, first: int) -> tuple[Any, _File]:
    file = _File(data)
    outcome = _outcome(lambda: Session().open_by_parts(
        file.read(0, first), len(data), "f.dcm", file.read, file.reader))
    return outcome, file


def _whole(data: bytes) -> Any:
    return _outcome(lambda: Session().open(data, "f.dcm", lambda: data))


CORPUS = sorted(p for p in BUNDLED_DIR.rglob("*") if p.is_file())


@pytest.mark.parametrize("first", [64 * 1024, 512, 140])
def test_every_bundled_file_opens_by_parts_as_it_opens_whole(first: int) -> None:
    """Summaries (notes and file size included) and refusals are the same for every file of
    pydicom's test set, whatever the first slice. Most of its files are a few KB (read to
    the end anyway) or encapsulated (read whole); of the 8 over 100 KB, the native ones are
    read less than half."""
    assert len(CORPUS) > 100
    read_partly = 0
    for path in CORPUS:
        data = path.read_bytes()
        outcome, file = _by_parts(data, first)
        assert outcome == _whole(data), path.name
        read_partly += file.whole_reads == 0 and file.read_bytes < len(data) // 2
    assert read_partly >= 4


@pytest.mark.parametrize("first", [64 * 1024, 512])
def test_the_walk_done_while_finding_the_pixels_is_the_files_walk(first: int) -> None:
    """The structural report of a stand-in (its header walked while looking for the pixels,
    the walk resumed over the rest) equals the report of walking the whole file."""
    compared = 0
    for path in [*CORPUS, None]:
        data = path.read_bytes() if path else _ct(trailing_padding=True)
        head = header_bytes(data[:first], len(data), lambda a, b, d=data: d[a:b])
        if head is None or head.complete:
            continue
        offset, syntax, _ = meta_end(data, 132)
        implicit, little, _ = ENCODINGS[syntax]
        assert head.report == check_structure(data, offset, implicit=implicit, little=little)
        compared += 1
    assert compared >= 5


def _ct(private_bytes: int = 0, trailing_padding: bool = False) -> bytes:
    """A 512×512 16-bit CT slice (512 KB of pixels after a header of ~6 KB), optionally with
    a private OB element of ``private_bytes`` in its header and padding after its pixels."""
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    ds.Rows = ds.Columns = 512
    ds.PixelData = bytes(range(256)) * 2048
    if private_bytes:
        block = ds.private_block(0x0009, "DICOMTAB TEST", create=True)
        block.add_new(0x10, "OB", bytes(private_bytes))
    if trailing_padding:
        ds.add(DataElement(0xFFFCFFFC, "OB", bytes(64)))  # Data Set Trailing Padding
    out = BytesIO()
    ds.save_as(out)
    return out.getvalue()


def _ct_series_slice() -> bytes:
    return _ct()


def test_a_ct_slice_is_summarised_from_its_header_and_read_whole_for_its_pixels() -> None:
    data = _ct_series_slice()
    file = _File(data)
    summary = json.loads(worker_api.open_file_by_parts(
        file.read(0, 4096), len(data), "ct.dcm", file.read, file.reader))["payload"]
    assert file.whole_reads == 0 and file.read_bytes < len(data) // 4
    whole = json.loads(worker_api.open_file(data, "ct-whole.dcm"))["payload"]
    # ids and download names number the files in the order the session opened them
    per_file = {"instanceId": "", "fileName": "", "downloadName": ""}
    assert {**summary, **per_file} == {**whole, **per_file}
    # Tags and pixels come from the file itself, read on first use.
    ids = summary["instanceId"], whole["instanceId"]
    assert [json.loads(worker_api.frame_digest(i, 0)) for i in ids][0]["status"] == "success"
    assert worker_api.frame_digest(ids[0], 0) == worker_api.frame_digest(ids[1], 0)
    assert file.whole_reads == 1
    tags = [json.loads(worker_api.tags(i))["payload"] for i in ids]
    assert tags[0] == tags[1]


def test_a_header_longer_than_the_first_slice_is_read_on() -> None:
    data = _ct(private_bytes=300_000)
    outcome, file = _by_parts(data, 64 * 1024)
    assert outcome == _whole(data)
    assert file.whole_reads == 0 and file.read_bytes < len(data)


def test_a_header_longer_than_the_slice_limit_reads_the_whole_file() -> None:
    data = _ct(private_bytes=MAX_SLICE + 1000)
    outcome, file = _by_parts(data, 64 * 1024)
    assert outcome == _whole(data)
    assert file.whole_reads == 1


def test_elements_after_the_pixel_data_are_read_and_checked() -> None:
    data = _ct(trailing_padding=True)
    outcome, file = _by_parts(data, 4096)
    assert outcome == _whole(data) and isinstance(outcome, dict)
    assert file.whole_reads == 0
    # Damage after the pixel data is the same refusal either way.
    damaged = data + b"\xfa\xff\xfa\xff" + b"SQ\0\0" + b"\x10\0\0\0"
    outcome, _ = _by_parts(damaged, 4096)
    assert outcome == _whole(damaged)
    assert outcome[0] == "TruncatedFileError"


def test_pixel_data_declaring_more_than_the_file_holds_is_refused_alike() -> None:
    data = _ct_series_slice()[:-1000]
    outcome, _ = _by_parts(data, 4096)
    assert outcome == _whole(data) and outcome[0] == "TruncatedFileError"


def test_bad_inputs_are_refused_as_when_read_whole(bad_inputs: dict[str, Path]) -> None:
    """Truncated, not DICOM, huge declared lengths, damaged values, empty."""
    for name, path in bad_inputs.items():
        data = path.read_bytes()
        for first in (64 * 1024, 200):
            outcome, _ = _by_parts(data, first)
            assert outcome == _whole(data), name


def test_a_file_changed_after_it_was_chosen() -> None:
    """A slice shorter than asked (the file shrank) falls back to reading it whole; a file
    whose size differs when its pixels are read is refused with a message."""
    data = _ct_series_slice()
    file = _File(data)
    shrunk = lambda start, end: file.read(start, end)[: max(0, len(data) - 100 - start)]  # noqa: E731
    assert header_bytes(data[:4096], len(data), shrunk) is None
    assert header_bytes(data[:4096], len(data), file.read) is not None

    changed = data + bytes(10)
    summary = json.loads(worker_api.open_file_by_parts(
        data[:4096], len(data), "ct.dcm", file.read, lambda: changed))["payload"]
    failed = json.loads(worker_api.frame_digest(summary["instanceId"], 0))
    assert failed["status"] == "failed"
    assert "changed since it was opened" in failed["error"]["message"]


def test_a_file_that_cannot_be_read_is_reported_not_crashed() -> None:
    def unreadable(start: int, end: int) -> bytes:
        raise OSError("gone")

    data = _ct(private_bytes=300_000)
    result = json.loads(worker_api.open_file_by_parts(
        data[:4096], len(data), "gone.dcm", unreadable, lambda: data))
    assert result["status"] == "failed"
    assert result["error"]["message"].startswith("gone.dcm could not be read (OSError)")
