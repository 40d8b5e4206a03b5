"""One input file as the batch and ``verify`` see it: a name and a way to get its bytes."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


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
            return InputItem(self.name, Path(self.path).read_bytes)
        path, member = self.path, self.member

        def read() -> bytes:
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)

        return InputItem(self.name, read)


def _read_url(url: str) -> bytes:
    """An input at an fsspec URL (dicomtab.scale lists them; fsspec comes with its extra)."""
    import fsspec

    with fsspec.open(url, "rb") as f:
        data: bytes = f.read()
    return data
