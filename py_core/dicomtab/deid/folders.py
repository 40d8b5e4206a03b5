"""Where a batch writes: a local folder, or a "folder" at an fsspec URL (an object store).

What a batch needs of its output folder is small: store an output once (never over another
file, never partially), write its journal's parts and its release record whole, read them
back, hash an output, list and remove the journal. :class:`LocalFolder` does it with the
file system's own guarantees (a temporary name, then a link or a rename); :class:`UrlFolder`
does it with fsspec (``dicomtab.scale``'s extra), where an object appears only once written
whole. :func:`folder_at` picks one from what the user gave.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol


def write_atomically(target: Path, data: bytes,
                     place: Callable[[Path, Path], None] = os.replace,
                     made: set[Path] | None = None) -> None:
    """Write ``data`` under a temporary name beside ``target``, then ``place`` it there
    (rename by default); on failure nothing is left. ``place`` may raise (FileExistsError
    from a link onto an existing file), and the temporary file is removed all the same.

    ``made``: the folders this caller has made already (updated here), so that a batch does
    not ask for its series' folder once a file. A batch stores its outputs on a thread, and
    each system call there releases the GIL and must take it back from the thread that
    de-identifies: the fewer calls, the fewer hand-offs (see dicomtab.deid.pipeline).
    """
    folder = target.parent
    if made is None or folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(folder)
    partial = target.with_name(f"{target.name}.{_partial_tag()}.partial")
    moved = False
    try:
        try:
            _write_new(partial, data)
        except FileNotFoundError:
            if made is None:
                raise
            folder.mkdir(parents=True, exist_ok=True)  # removed since it was made
            _write_new(partial, data)
        place(partial, target)
        moved = place is os.replace
    finally:
        if not moved:
            partial.unlink(missing_ok=True)


#: How an output is created: new (never over another file), binary (Windows translates line
#: ends otherwise), not inherited.
_CREATING = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
             | getattr(os, "O_CLOEXEC", 0))


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) holding ``data``: three system calls, where
    ``Path.write_bytes`` makes six (it also asks the file's size, whether it is a terminal,
    and its position)."""
    fd = os.open(path, _CREATING, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


_tag: tuple[int, str, Iterator[int]] | None = None


def _partial_tag() -> str:
    """A name part no other writer uses: a random tag drawn once a process (a uuid4 a file
    cost a system call) and a count."""
    global _tag
    if _tag is None or _tag[0] != os.getpid():  # a forked process draws its own
        _tag = (os.getpid(), uuid.uuid4().hex, itertools.count())
    return f"{_tag[1]}{next(_tag[2])}"


class Folder(Protocol):
    """An output folder; ``rel`` paths use ``/``."""

    def write(self, rel: str, data: bytes) -> None:
        """Write ``data`` at ``rel``, replacing what is there; complete or absent."""

    def store_once(self, rel: str, data: bytes) -> bool:
        """Write ``data`` at ``rel`` unless a file is there; True if ``rel`` now holds
        ``data`` (written now, or found there already)."""

    def read(self, rel: str) -> bytes:
        """The bytes at ``rel`` (OSError if none)."""

    def sha256(self, rel: str) -> str | None:
        """The sha256 of the file at ``rel``, None if there is none."""

    def names(self, rel: str, suffix: str) -> list[str]:
        """The files directly in ``rel`` whose names end in ``suffix``, as ``rel`` paths,
        sorted."""

    def remove(self, rel: str) -> None:
        """Remove ``rel`` and everything under it, if it exists."""

    def where(self, rel: str) -> str:
        """How to name ``rel`` to a user (a path or a URL)."""


class LocalFolder:
    """A folder on a local (or mounted, shared) file system."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, data: bytes) -> None:
        write_atomically(self.root / rel, data)

    def store_once(self, rel: str, data: bytes) -> bool:
        # Linked into place rather than renamed: a link fails on an existing file, so of two
        # writers only one wins.
        try:
            write_atomically(self.root / rel, data, os.link)
        except FileExistsError:
            return self.sha256(rel) == hashlib.sha256(data).hexdigest()
        return True

    def read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def sha256(self, rel: str) -> str | None:
        path = self.root / rel
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def names(self, rel: str, suffix: str) -> list[str]:
        folder = self.root / rel
        return sorted(f"{rel}/{p.name}" for p in folder.glob(f"*{suffix}")) \
            if folder.is_dir() else []

    def remove(self, rel: str) -> None:
        shutil.rmtree(self.root / rel, ignore_errors=True)

    def where(self, rel: str) -> str:
        return str(self.root / rel)


class UrlFolder:
    """A "folder" at an fsspec URL: a prefix in an object store (``s3://bucket/release``),
    or any file system fsspec reaches."""

    def __init__(self, url: str) -> None:
        from fsspec.core import url_to_fs

        self.url = url.rstrip("/")
        self.fs: Any
        self.fs, root = url_to_fs(self.url)
        self.root = root.rstrip("/")

    def _path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def write(self, rel: str, data: bytes) -> None:
        target = self._path(rel)
        partial = f"{target}.{uuid.uuid4().hex}.partial"
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        try:
            self.fs.pipe_file(partial, data)
            self.fs.mv(partial, target)
        finally:
            if self.fs.exists(partial):
                self.fs.rm(partial)

    def store_once(self, rel: str, data: bytes) -> bool:
        # Object stores have no "create if absent": look first. Two workers storing the same
        # instance at once both write (the same path, the same bytes when they are copies).
        found = self.sha256(rel)
        if found is not None:
            return found == hashlib.sha256(data).hexdigest()
        self.write(rel, data)
        return True

    def read(self, rel: str) -> bytes:
        data: bytes = self.fs.cat_file(self._path(rel))
        return data

    def sha256(self, rel: str) -> str | None:
        path = self._path(rel)
        if not self.fs.isfile(path):
            return None
        digest = hashlib.sha256()
        with self.fs.open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def names(self, rel: str, suffix: str) -> list[str]:
        folder = self._path(rel)
        if not self.fs.isdir(folder):
            return []
        return sorted(f"{rel}/{p.rstrip('/').rsplit('/', 1)[-1]}"
                      for p in self.fs.ls(folder, detail=False) if p.endswith(suffix))

    def remove(self, rel: str) -> None:
        path = self._path(rel)
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)

    def where(self, rel: str) -> str:
        return f"{self.url}/{rel}"


def is_url(where: Path | str) -> bool:
    """Whether ``where`` is an fsspec URL rather than a local path."""
    return isinstance(where, str) and "://" in where


def folder_at(where: Path | str) -> Folder:
    """The output folder at ``where``: a local path, or an fsspec URL."""
    if is_url(where):
        return UrlFolder(str(where))
    return LocalFolder(Path(where))
