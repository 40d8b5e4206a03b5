"""TypeScript's compiler, pinned like every other download, to check the JSDoc types of web/.

A test tool, never shipped in ``dist/``: tests/build/test_js_types.py runs ``tsc`` (with Node)
on ``web/jsconfig.json`` (the page) and ``web/jsconfig.worker.json`` (the workers). The npm
tarball named in the ``dev_tools`` section of ``pins.json`` comes through the same
:class:`ArtifactStore` as the runtime (cache, ``--source``, ``npm pack``; held to its sha256,
refused by ``--offline`` if it has to be fetched) and is unpacked once into the cache, in a
folder named after the tarball's sha256.

    python build/typescript_tool.py [--cache DIR] [--source DIR_OR_URL ...] [--offline]

prints the path of ``tsc``; run it as ``node <path> -p web/jsconfig.json``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from artifacts import ArtifactStore, BuildError, npm_pack, tool_main

PINS = Path(__file__).resolve().parent / "pins.json"
#: Where unpacked tools live inside the cache.
TOOLS_DIR = "tools"


def typescript_pin(pins: dict | None = None) -> dict:
    """The ``dev_tools.typescript`` pin: npm_spec, tarball, tarball_sha256."""
    return (pins if pins is not None else json.loads(PINS.read_text()))["dev_tools"]["typescript"]


def tsc_path(store: ArtifactStore, pins: dict | None = None) -> Path:
    """The path of ``package/bin/tsc`` of the pinned TypeScript, unpacked in the cache."""
    pin = typescript_pin(pins)
    tarball = store.get(
        pin["tarball"], pin["tarball_sha256"], npm_pack(pin["npm_spec"], pin["tarball"])
    )
    folder = store.cache / TOOLS_DIR / f"{Path(pin['tarball']).stem}-{pin['tarball_sha256'][:16]}"
    tsc = folder / "package" / "bin" / "tsc"
    if not tsc.is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Unpacked beside its final place, then renamed at once: a folder there is whole.
        scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".unpacking-"))
        try:
            with tarfile.open(tarball, "r:gz") as archive:
                _extract(archive, scratch)
            if not (scratch / "package" / "bin" / "tsc").is_file():
                raise BuildError(f"{pin['tarball']} has no package/bin/tsc")
            shutil.rmtree(folder, ignore_errors=True)
            scratch.rename(folder)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    return tsc


def _extract(archive: tarfile.TarFile, target: Path) -> None:
    """Extract regular files and folders only, each inside ``target``."""
    for member in archive.getmembers():
        destination = (target / member.name).resolve()
        if not destination.is_relative_to(target.resolve()):
            raise BuildError(f"unsafe path in the TypeScript tarball: {member.name}")
        if member.isdir():
            destination.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            source = archive.extractfile(member)
            if source is None:
                raise BuildError(f"{member.name} is unreadable in the TypeScript tarball")
            destination.parent.mkdir(parents=True, exist_ok=True)
            with source, destination.open("wb") as out:
                shutil.copyfileobj(source, out)


def main() -> int:
    return tool_main(__doc__.split("\n\n")[0], tsc_path)


if __name__ == "__main__":
    sys.exit(main())
