"""One archive holding everything the worker installs into site-packages.

The worker unpacks it with ``web/app/worker/site-packages.js`` before Python starts (the snapshot
step does the same under Node), instead of one Pyodide ``loadPackage`` per wheel. The format
is the simplest that script can read: a ustar tar of regular files, gzip'd. It is written
deterministically (sorted, fixed times and owners, no gzip name or time) and named after its
content, so the runtime's "a name never changes its bytes" caching rule holds.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

from artifacts import BuildError


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name in sorted(files):
            if name.startswith("/") or ".." in name.split("/"):
                raise BuildError(f"site-packages: refusing the path {name!r}")
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            try:
                archive.addfile(info, io.BytesIO(files[name]))
            except ValueError as exc:  # ustar limits a path to 255 bytes
                raise BuildError(
                    f"site-packages: {name!r} does not fit a ustar header ({exc})"
                ) from None
    return buffer.getvalue()


def write_site_packages(out_dir: Path, files: dict[str, bytes],
                        stem: str = "site-packages") -> Path:
    """Write ``<stem>-<hash>.tar.gz`` holding ``files`` into ``out_dir``; return it."""
    # Level 6: within 1 % of level 9 in size, a third of its time on every build.
    data = gzip.compress(_tar(files), compresslevel=6, mtime=0)
    target = out_dir / f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}.tar.gz"
    target.write_bytes(data)
    return target
