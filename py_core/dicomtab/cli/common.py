"""Pieces every sub-command shares."""

from __future__ import annotations

from pathlib import Path

from dicomtab.errors import DicomtabError


def read_failure(exc: DicomtabError | OSError, path: Path) -> str:
    """The user-facing sentence for a file that could not be read or parsed."""
    if isinstance(exc, DicomtabError):
        return exc.message
    return f"{path.name} cannot be read ({exc.strerror})."
