"""Bad inputs, made from a good file: what every path that reads a file must survive."""

from __future__ import annotations

import struct

PATIENT_NAME_HEADER = b"\x10\x00\x10\x00PN"  # (0010,0010) PN, explicit VR little endian


def truncated(data: bytes, keep: int) -> bytes:
    """The first ``keep`` bytes of a file."""
    return data[:keep]


def huge_short_length(data: bytes) -> bytes:
    """PatientName's 16-bit length set to 0xFFF0: far past the end of a small file."""
    at = data.index(PATIENT_NAME_HEADER)
    return data[: at + 6] + struct.pack("<H", 0xFFF0) + data[at + 8 :]


def huge_long_length(data: bytes) -> bytes:
    """Pixel Data's 32-bit length set to 0x7FFFFFF0 (2 GiB) in a 39 KB file."""
    at = data.rindex(b"\xe0\x7f\x10\x00OW")
    return data[: at + 8] + struct.pack("<I", 0x7FFFFFF0) + data[at + 12 :]


PATIENT_ID_HEADER = b"\x10\x00\x20\x00LO"  # (0010,0020) LO, explicit VR little endian
ROWS_HEADER = b"\x28\x00\x10\x00US\x02\x00"  # (0028,0010) US, 2 bytes


def unknown_vr(data: bytes) -> bytes:
    """PatientID's VR replaced by ``ZZ``, which no edition of the standard has."""
    at = data.index(PATIENT_ID_HEADER)
    return data[: at + 4] + b"ZZ" + data[at + 6 :]


def odd_length(data: bytes) -> bytes:
    """Rows (US) declaring 3 bytes: not a whole number of 2-byte values."""
    at = data.index(ROWS_HEADER)
    return data[: at + 6] + struct.pack("<H", 3) + data[at + 8 : at + 10] + b"\x00" + data[at + 10 :]


def all_bad_inputs(good: bytes) -> dict[str, bytes]:
    """File name → bytes for each kind of bad input, derived from ``good`` (CT_small.dcm)."""
    return {
        "empty.dcm": b"",
        "notes.txt": b"Patient notes, not an image.\n" * 20,
        "truncated-in-header.dcm": truncated(good, 930),
        "truncated-in-pixels.dcm": truncated(good, len(good) - 1000),
        "huge-short-length.dcm": huge_short_length(good),
        "huge-long-length.dcm": huge_long_length(good),
        "unknown-vr.dcm": unknown_vr(good),
        "odd-length.dcm": odd_length(good),
    }


# -- DICOMDIR (made from pydicom's dicomdirtests/DICOMDIR, explicit VR little endian) --------

_DIRECTORY_RECORD_SEQUENCE = b"\x04\x00\x20\x12SQ\x00\x00"  # (0004,1220) SQ
_OFFSET_TAGS = {
    "first": b"\x04\x00\x00\x12UL\x04\x00",  # (0004,1200) root's first record
    "next": b"\x04\x00\x00\x14UL\x04\x00",  # (0004,1400) next sibling
    "lower": b"\x04\x00\x20\x14UL\x04\x00",  # (0004,1420) first child
}


def set_dicomdir_offset(data: bytes, record_at: int, which: str, value: int) -> bytes:
    """``data`` with one offset element changed: the first ``which`` ("first", "next",
    "lower") at or after byte ``record_at`` (a record's item tag) set to ``value``."""
    at = data.index(_OFFSET_TAGS[which], record_at) + 8
    return data[:at] + struct.pack("<I", value) + data[at + 4 :]


def dicomdir_bad_inputs(good: bytes) -> dict[str, bytes]:
    """File name → bytes for each kind of broken DICOMDIR, derived from ``good``.

    In pydicom's dicomdirtests/DICOMDIR the first records are PATIENT at byte 396, STUDY at
    510, SERIES at 724 and IMAGE at 856.
    """
    seq = good.index(_DIRECTORY_RECORD_SEQUENCE) + 8
    return {
        "truncated-dicomdir": truncated(good, len(good) // 2),
        "huge-short-length-dicomdir": huge_short_length(good),
        "huge-long-length-dicomdir": good[:seq] + struct.pack("<I", 0x7FFFFFF0) + good[seq + 4 :],
        # The first patient's next sibling is itself: the root's chain loops.
        "loop-next-dicomdir": set_dicomdir_offset(good, 396, "next", 396),
        # The first series' first child is its own patient: the hierarchy loops.
        "loop-lower-dicomdir": set_dicomdir_offset(good, 724, "lower", 396),
        # The first study's first child points into the middle of nowhere.
        "dangling-dicomdir": set_dicomdir_offset(good, 510, "lower", 12345),
        "no-root-dicomdir": set_dicomdir_offset(good, 0, "first", 0),
    }
