"""Writing the wheels the browser loads: the core package, and a slimmer pydicom.

Both are written byte-for-byte deterministically (sorted entries, fixed timestamps), so the
same sources always give the same sha256 and a browser's cached copy stays valid until the
code really changes. The core wheel's version carries a content hash as a local label, so a
changed core gets a new file name and can never be mistaken for a cached old one.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

_EPOCH = (1980, 1, 1, 0, 0, 0)

#: What the browser never needs from pydicom's wheel: its ~3 MB of bundled test files.
PYDICOM_SKIP_PREFIXES = ("pydicom/data/test_files/",)


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def _write_wheel(target: Path, files: dict[str, bytes], dist_info: str) -> None:
    """Write ``files`` plus a RECORD into ``target`` deterministically."""
    record_name = f"{dist_info}/RECORD"
    lines = [f"{name},{_record_hash(data)},{len(data)}" for name, data in sorted(files.items())]
    lines.append(f"{record_name},,")
    entries = dict(files)
    entries[record_name] = ("\n".join(lines) + "\n").encode()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])


def core_wheel(package_dir: Path, version: str, requires: list[str], out_dir: Path) -> Path:
    """Build the ``dicomtab`` wheel from ``package_dir`` (py_core/dicomtab) into ``out_dir``."""
    files: dict[str, bytes] = {}
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json"} and "__pycache__" not in path.parts:
            files[f"dicomtab/{path.relative_to(package_dir).as_posix()}"] = path.read_bytes()
    content = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(files.items())))
    full_version = f"{version}+g{content.hexdigest()[:12]}"
    dist_info = f"dicomtab-{full_version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        "Name: dicomtab",
        f"Version: {full_version}",
        *(f"Requires-Dist: {r}" for r in requires),
    ]
    files[f"{dist_info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: dicomtab-build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    target = out_dir / f"dicomtab-{full_version}-py3-none-any.whl"
    _write_wheel(target, files, dist_info)
    return target


def slim_wheel(source: Path, target: Path, skip_prefixes: tuple[str, ...]) -> Path:
    """Copy a (verified) wheel without the entries under ``skip_prefixes``; fresh RECORD."""
    with zipfile.ZipFile(source) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        files = {
            name: archive.read(name)
            for name in names
            if name != record and not name.startswith(skip_prefixes)
        }
    _write_wheel(target, files, record.rsplit("/", 1)[0])
    return target
