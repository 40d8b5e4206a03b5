"""ZIP archives for the tests: ZIP64 in every record, damaged and flagged ones.

Python's ``zipfile`` writes a ZIP64 local header per entry with ``force_zip64=True``, but ZIP64
central directory fields and end records only past 4 GB or 65,535 entries. :func:`zip64_everywhere`
rewrites a small archive's central directory and end records in the ZIP64 form (APPNOTE 6.3.10,
4.3.14-4.3.16 and 4.5.3), as a writer does for a large archive, so that a reader's ZIP64 paths are
taken on a few kilobytes.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

CENTRAL = b"PK\x01\x02"
END = b"PK\x05\x06"
ZIP64_END = b"PK\x06\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EXTRA = 0x0001
FFFF = 0xFFFF
FFFFFFFF = 0xFFFFFFFF


def write_archive(path: Path, entries: list[tuple[str, bytes, int]], *, force_zip64: bool = False) -> Path:
    """An archive of ``(name, data, compress_type)`` entries (a name ending in / is a folder)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, method in entries:
            if name.endswith("/"):
                archive.writestr(name, b"")
                continue
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
            info.compress_type = method
            with archive.open(info, "w", force_zip64=force_zip64) as out:
                out.write(data)
    return path


def _end_record(data: bytes) -> tuple[int, int, int]:
    """(where the end record starts, the central directory's offset, its entry count)."""
    at = data.rindex(END)
    count, _size, offset = struct.unpack_from("<HII", data, at + 10)
    return at, offset, count


def zip64_everywhere(path: Path) -> Path:
    """Rewrite ``path`` so that every central directory record keeps its sizes and local header
    offset in a ZIP64 extra field (the 32-bit fields say 0xFFFFFFFF), and the archive ends with a
    ZIP64 end of central directory record, its locator, and an end record whose counts, size and
    offset say 0xFFFF / 0xFFFFFFFF. Checked by reading it back with ``zipfile``."""
    data = path.read_bytes()
    end_at, directory_at, count = _end_record(data)
    records = []
    at = directory_at
    for _ in range(count):
        assert data[at:at + 4] == CENTRAL
        (compressed, size, name_len, extra_len, comment_len, disk, internal, external,
         local) = struct.unpack_from("<IIHHHHHII", data, at + 20)
        name = data[at + 46:at + 46 + name_len]
        extra = data[at + 46 + name_len:at + 46 + name_len + extra_len]
        assert extra == b"", "written without extra fields"
        zip64 = struct.pack("<HHQQQ", ZIP64_EXTRA, 24, size, compressed, local)
        head = bytearray(data[at:at + 46])
        struct.pack_into("<IIHH", head, 20, FFFFFFFF, FFFFFFFF, name_len, len(zip64))
        struct.pack_into("<I", head, 42, FFFFFFFF)
        struct.pack_into("<H", head, 4, 45)  # version made by: 4.5, ZIP64
        struct.pack_into("<H", head, 6, 45)  # version needed to extract: 4.5
        records.append(bytes(head) + name + zip64)
        at += 46 + name_len + extra_len + comment_len
    directory = b"".join(records)
    zip64_end_at = directory_at + len(directory)
    zip64_end = ZIP64_END + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, count, count,
                                        len(directory), directory_at)
    locator = ZIP64_LOCATOR + struct.pack("<IQI", 0, zip64_end_at, 1)
    end = END + struct.pack("<HHHHIIH", 0, 0, FFFF, FFFF, FFFFFFFF, FFFFFFFF, 0)
    path.write_bytes(data[:directory_at] + directory + zip64_end + locator + end)
    assert data[end_at:end_at + 4] == END
    with zipfile.ZipFile(path) as check:
        assert len(check.infolist()) == count and check.testzip() is None
    return path


def truncate_central_directory(path: Path) -> Path:
    """Keep the entries' data and the end record, but cut the central directory in half."""
    data = path.read_bytes()
    end_at, directory_at, _count = _end_record(data)
    half = directory_at + (end_at - directory_at) // 2
    path.write_bytes(data[:half] + data[end_at:])
    return path


def flag_encrypted(path: Path, name: str) -> Path:
    """Set the 'encrypted' bit of entry ``name`` in its local header and central record (the
    data stays as it is: no ZIP encryption is in Python's zipfile, and the bit is what a reader
    goes by)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    data[local + 6] |= 1
    _end_at, at, _count = _end_record(bytes(data))
    encoded = name.encode()
    while data[at + 46:at + 46 + len(encoded)] != encoded:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name_len + extra_len + comment_len
    data[at + 8] |= 1
    path.write_bytes(bytes(data))
    return path


def declare_uncompressed_size(path: Path, name: str, size: int) -> Path:
    """Make the central directory state ``size`` as the inflated size of entry ``name``."""
    data = bytearray(path.read_bytes())
    _end_at, at, count = _end_record(bytes(data))
    encoded = name.encode()
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46:at + 46 + name_len] == encoded:
            struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return path
        at += 46 + name_len + extra_len + comment_len
    raise KeyError(name)


def damage_data(path: Path, name: str) -> Path:
    """Overwrite the middle of entry ``name``'s compressed data with bytes no inflater accepts."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for at in range(start + 2, start + min(info.compress_size - 2, 64)):
        data[at] = 0xFF
    path.write_bytes(bytes(data))
    return path
