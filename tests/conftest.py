"""Shared fixtures: pydicom's bundled test files and generated bad inputs."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from tests import badfiles

#: pydicom's bundled test files (read from the installed package; nothing is downloaded).
BUNDLED_DIR = Path(pydicom.__file__).parent / "data" / "test_files"


def bundled(name: str) -> Path:
    """Path of one of pydicom's bundled test files."""
    path = BUNDLED_DIR / name
    assert path.is_file(), f"pydicom test file {name} is missing"
    return path


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bad-input files every file path must handle, written to disk once."""
    folder = tmp_path_factory.mktemp("bad-inputs")
    files = {}
    for name, data in badfiles.all_bad_inputs(bundled("CT_small.dcm").read_bytes()).items():
        files[name] = folder / name
        files[name].write_bytes(data)
    return files
