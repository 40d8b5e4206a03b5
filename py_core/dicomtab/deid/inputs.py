"""One input file as the batch and ``verify`` see it: a name and a way to get its bytes."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class InputItem:
    """One input file: a display name (the path the user gave) and how to get its bytes."""

    name: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class Source:
    """Where an input is: a file, a member of a ZIP archive, or an object at an fsspec URL
    (archive mode only, see dicomtab.scale). Plain data, so that it can be sent to another
    process and read there."""

    path: str
    member: str | None = None

    @property
    def name(self) -> str:
        """The input's display name: its path, ``archive.zip:member`` for a ZIP member."""
        return self.path if self.member is None else f"{self.path}:{self.member}"

    @property
    def is_url(self) -> bool:
        """Whether ``path`` is an fsspec URL (``s3://…``, ``gs://…``, ``file://…``)."""
        return "://" in self.path

    def item(self) -> InputItem:
        """The input, reading its bytes when asked."""
        if self.is_url:
            return InputItem(self.name, lambda: _read_url(self.path))
        if self.member is None:
            path = self.path
            return InputItem(self.name, lambda: read_file(path))
        path, member = self.path, self.member

        def read() -> bytes:
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)

        return InputItem(self.name, read)


def read_file(path: str) -> bytes:
    """The bytes of the file at ``path``, in as few system calls as it takes (open, size, one
    read, the read that finds its end, close): a batch reads its inputs on a thread, where each
    call releases the GIL and takes it back from the thread that de-identifies.
    ``Path.read_bytes`` makes nine."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        parts = [os.read(fd, os.fstat(fd).st_size + 1)]
        while parts[-1]:  # until the read that finds the end (the file may have grown)
            parts.append(os.read(fd, 1 << 20))
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 2 else b"".join(parts)


def _read_url(url: str) -> bytes:
    """An input at an fsspec URL (dicomtab.scale lists them; fsspec comes with its extra)."""
    import fsspec

    with fsspec.open(url, "rb") as f:
        data: bytes = f.read()
    return data
