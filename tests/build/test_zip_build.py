"""client-zip in dist/zip/ is exactly the pinned npm module, with its licence, and suits the policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import build_site
from codecs_dist import NOTICES, ZIP_DIR
from tests.build.conftest import (
    DIST,
    assert_build_refuses_tampered_cache_file,
    assert_shipped_exactly,
)


def _package() -> dict:
    (package,) = build_site._load_pins()["zip"]["packages"]
    return package


def test_dist_zip_is_exactly_the_pinned_module_listed_and_precached() -> None:
    expected = {n: pin["sha256"] for n, pin in _package()["files"].items()}
    assert list(expected) == ["client-zip.js"]
    assert_shipped_exactly(ZIP_DIR, expected)


def test_the_licence_of_client_zip_ships_with_it() -> None:
    text = (DIST / ZIP_DIR / NOTICES).read_text()
    assert "client-zip 2.5.1, licence: MIT" in text and "Copyright 2020 David Junger" in text


def test_shipped_client_zip_suits_the_policy() -> None:
    """An ES module exporting the writer, with nothing evaluated from strings, no source map
    and no address of any host."""
    code = (DIST / ZIP_DIR / "client-zip.js").read_bytes()
    assert re.search(rb"export\s*\{", code) and b"makeZip" in code
    forbidden = re.compile(rb"importScripts|sourceMappingURL|new Function\(|\beval\(|https?://")
    assert forbidden.findall(code) == []


def test_builder_refuses_a_tampered_client_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "client-zip.js"
    assert_build_refuses_tampered_cache_file(
        name, _package()["files"][name]["sha256"], 100, tmp_path, capsys)
