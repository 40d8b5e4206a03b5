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


def all_bad_inputs(good: bytes) -> dict[str, bytes]:
    """File name → bytes for each kind of bad input, derived from ``good`` (CT_small.dcm)."""
    return {
        "empty.dcm": b"",
        "notes.txt": b"Patient notes, not an image.\n" * 20,
        "truncated-in-header.dcm": truncated(good, 930),
        "truncated-in-pixels.dcm": truncated(good, len(good) - 1000),
        "huge-short-length.dcm": huge_short_length(good),
        "huge-long-length.dcm": huge_long_length(good),
    }
