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
    #: Asks the operating system to read the bytes ahead, without waiting (a local file, where
    #: it can): then ``read`` finds them in memory, and the batch reads it on its own thread
    #: instead of a reading thread's (dicomtab.deid.pipeline.read_ahead). Never raises.
    prefetch: Callable[[], None] | None = None


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
            return InputItem(self.name, lambda: read_file(path),
                             (lambda: advise_reading(path)) if _ADVISE else None)
        path, member = self.path, self.member

        def read() -> bytes:
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)

        return InputItem(self.name, read)


#: How inputs are opened: binary (Windows translates line ends otherwise), not inherited.
_READING = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_file(path: str) -> bytes:
    """The bytes of the file at ``path``, in as few system calls as it takes (open, size, one
    read, the read that finds its end, close; ``Path.read_bytes`` makes nine): each call
    releases the GIL, and in a batch another thread may hold it when the call returns
    (dicomtab.deid.pipeline)."""
    fd = os.open(path, _READING)
    try:
        parts = [os.read(fd, os.fstat(fd).st_size + 1)]
        while parts[-1]:  # until the read that finds the end (the file may have grown)
            parts.append(os.read(fd, 1 << 20))
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 2 else b"".join(parts)


#: Whether the kernel can be asked to read a file ahead (Linux and most Unixes).
_ADVISE = hasattr(os, "posix_fadvise")


def advise_reading(path: str) -> None:
    """Ask the kernel to read the file at ``path`` into its cache in the background (read
    ahead without a thread: a reading thread costs the de-identifying one a GIL hand-off for
    each of its system calls). A file that cannot be opened is left to ``read`` to report."""
    try:
        fd = os.open(path, _READING)
    except OSError:
        return
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass  # a file system that takes no advice: read as it comes
    finally:
        os.close(fd)


def _read_url(url: str) -> bytes:
    """An input at an fsspec URL (dicomtab.scale lists them; fsspec comes with its extra)."""
    import fsspec

    with fsspec.open(url, "rb") as f:
        data: bytes = f.read()
    return data
