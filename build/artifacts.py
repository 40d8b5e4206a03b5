"""Obtaining the runtime's files, each held to a pinned sha256.

A file is looked for, in order, in the local cache, in each alternate source the user named
(a folder, or a base URL such as a mirror of Pyodide's release), and finally fetched from
its package registry with the ordinary client (``npm pack``, ``pip download``). Whatever the
origin, the bytes must hash to the pin before they are used or cached. A cached file that no
longer matches is an error, not a reason to download again: someone or something changed it.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

DEFAULT_CACHE = Path.home() / ".cache" / "dicomtab"


class BuildError(Exception):
    """A build step failed; the message says what to do."""


class IntegrityError(BuildError):
    """A file's bytes do not hash to its pin."""

    def __init__(
        self, name: str, expected: str, actual: str, origin: str, cached: Path | None = None
    ) -> None:
        advice = f" If the cached copy is at fault, delete {cached} and build again." if cached else ""
        super().__init__(
            f"{name}: sha256 mismatch (from {origin})\n"
            f"  expected {expected}\n"
            f"  actual   {actual}\n"
            f"The file was altered or is not the pinned release. Nothing was built.{advice}"
        )
        self.name, self.expected, self.actual, self.origin = name, expected, actual, origin


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, expected: str, name: str, origin: str, *, cached: bool = False) -> Path:
    """Return ``path`` if it hashes to ``expected``, else raise :class:`IntegrityError`."""
    actual = sha256_of(path)
    if actual != expected:
        raise IntegrityError(name, expected, actual, origin, path if cached else None)
    return path


Fetcher = Callable[[Path], Path]
"""Puts the named file into the given (empty, temporary) folder and returns its path."""


def _local(fetch: Fetcher) -> Fetcher:
    """Mark a fetcher that only unpacks an archive already obtained (through the store, so
    held to its own pin): ``--offline`` allows it, e.g. codec files from a tarball in a
    ``--source`` folder."""
    fetch.local = True  # type: ignore[attr-defined]
    return fetch


class ArtifactStore:
    """The cache plus the alternate sources and registries that fill it."""

    def __init__(
        self,
        cache: Path = DEFAULT_CACHE,
        sources: list[str] | None = None,
        *,
        offline: bool = False,
    ) -> None:
        self.cache = cache
        self.sources = list(sources or [])
        self.offline = offline
        cache.mkdir(parents=True, exist_ok=True)

    def get(self, name: str, sha256: str, fetch: Fetcher | None = None) -> Path:
        """The verified cached path of ``name``, obtaining it if it is not cached yet."""
        cached = self.cache / name
        if cached.exists():
            return verify(cached, sha256, name, f"the cache, {cached}", cached=True)
        with tempfile.TemporaryDirectory(dir=self.cache) as scratch:
            found = self._from_sources(name, Path(scratch))
            origin = found[1] if found else ""
            path = found[0] if found else None
            if path is None:
                local = getattr(fetch, "local", False)
                if fetch is None or (self.offline and not local):
                    where = ", ".join(self.sources) or "no alternate source given"
                    raise BuildError(
                        f"{name} is not in the cache ({self.cache}) nor in any source ({where})"
                        + (" and --offline forbids fetching it." if self.offline else ".")
                    )
                path = fetch(Path(scratch))
                origin = "its pinned archive" if local else "its package registry"
            verify(path, sha256, name, origin)
            shutil.move(str(path), cached)
        return cached

    def _from_sources(self, name: str, scratch: Path) -> tuple[Path, str] | None:
        for source in self.sources:
            if "://" in source:
                url = source.rstrip("/") + "/" + name
                target = scratch / name
                try:
                    with (
                        urllib.request.urlopen(url, timeout=60) as response,
                        target.open("wb") as out,
                    ):
                        shutil.copyfileobj(response, out)
                except OSError:
                    continue
                return target, url
            candidate = Path(source) / name
            if candidate.is_file():
                target = scratch / name
                shutil.copyfile(candidate, target)
                return target, str(candidate)
        return None


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"{' '.join(command)} failed:\n{result.stderr.strip()[-2000:]}")


def npm_pack(spec: str, file_name: str) -> Fetcher:
    """A fetcher that downloads an npm package tarball with ``npm pack``."""

    def fetch(folder: Path) -> Path:
        if shutil.which("npm") is None:
            raise BuildError(
                f"npm is needed to fetch {spec} (install Node.js and npm), or pass --source."
            )
        _run(["npm", "pack", spec, "--pack-destination", str(folder), "--silent"], folder)
        return folder / file_name

    return fetch


def pip_download(spec: str, file_name: str) -> Fetcher:
    """A fetcher that downloads one wheel from PyPI with ``pip download``."""

    def fetch(folder: Path) -> Path:
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "-q",
                "-d",
                str(folder),
                spec,
            ],
            folder,
        )
        return folder / file_name

    return fetch


def from_tarball(tarball: Callable[[], Path], member: str, file_name: str) -> Fetcher:
    """A fetcher that extracts one member of a (verified) tarball."""

    def fetch(folder: Path) -> Path:
        with tarfile.open(tarball(), "r:gz") as archive:
            source = archive.extractfile(member)
            if source is None:
                raise BuildError(f"{member} is missing from the tarball.")
            target = folder / file_name
            with target.open("wb") as out:
                shutil.copyfileobj(source, out)
        return target

    return _local(fetch)


def from_zip(archive_path: Callable[[], Path], member: str, file_name: str) -> Fetcher:
    """A fetcher that extracts one member of a (verified) zip or wheel."""

    def fetch(folder: Path) -> Path:
        with zipfile.ZipFile(archive_path()) as archive:
            try:
                data = archive.read(member)
            except KeyError:
                raise BuildError(f"{member} is missing from {archive_path().name}.") from None
        target = folder / file_name
        target.write_bytes(data)
        return target

    return _local(fetch)


def tool_main(description: str, locate: Callable[[ArtifactStore], Path]) -> int:
    """The command line of a pinned test tool (build/typescript_tool.py, build/axe_tool.py):
    ``[--cache DIR] [--source DIR_OR_URL ...] [--offline]``; prints the path ``locate`` gives,
    or the error and returns 1."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--source", action="append", default=[], help="folder or base URL")
    parser.add_argument("--offline", action="store_true", help="never fetch from a registry")
    args = parser.parse_args()
    try:
        print(locate(ArtifactStore(args.cache, args.source, offline=args.offline)))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
