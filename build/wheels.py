"""The contents of the pure-Python packages the browser installs: the core, and a slimmer pydicom.

Each package is returned as the files pip would install (``path -> bytes``, its ``.dist-info``
included, so ``importlib.metadata`` works: pydicom reads its own version through it). The
builder then precompiles them (:mod:`bytecode`) and packs them (:mod:`site_packages`).
:func:`write_zip` writes an archive byte-for-byte deterministically (sorted entries, fixed
timestamps), so the same sources always give the same sha256.
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


def with_record(files: dict[str, bytes], dist_info: str) -> dict[str, bytes]:
    """``files`` plus a fresh ``RECORD`` listing them, as installed."""
    record_name = f"{dist_info}/RECORD"
    lines = [f"{name},{_record_hash(data)},{len(data)}" for name, data in sorted(files.items())]
    lines.append(f"{record_name},,")
    return {**files, record_name: ("\n".join(lines) + "\n").encode()}


def write_zip(target: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` into the zip ``target`` deterministically."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return target


def core_files(
    package_dir: Path, version: str, requires: list[str]
) -> tuple[str, dict[str, bytes]]:
    """The ``dicomtab`` package from ``package_dir`` (py_core/dicomtab): (full version, files).

    The version carries a content hash as a local label, so a changed core is told apart from
    an old one wherever it shows (``importlib.metadata``, the build manifest).
    """
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
    return full_version, files


def wheel_files(source: Path, skip_prefixes: tuple[str, ...]) -> dict[str, bytes]:
    """The files of a (verified) pure-Python wheel, without those under ``skip_prefixes``
    and without its ``RECORD`` (which would no longer match)."""
    with zipfile.ZipFile(source) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if not name.endswith(("/", ".dist-info/RECORD")) and not name.startswith(skip_prefixes)
        }


def dist_info_of(files: dict[str, bytes]) -> str:
    """The one ``*.dist-info`` folder among ``files``."""
    (folder,) = {
        name.split("/", 1)[0] for name in files if name.split("/", 1)[0].endswith(".dist-info")
    }
    return folder
