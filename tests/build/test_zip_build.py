"""dist/zip/ holds exactly the pinned npm modules (client-zip, the writer; zip.js, the reader), with
their licences, and they suit the policy."""

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

ZIP_READER = "zip-core-external.min.js"


def _package(name: str = "client-zip") -> dict:
    (package,) = [p for p in build_site._load_pins()["zip"]["packages"] if p["name"] == name]
    return package


def test_dist_zip_is_exactly_the_pinned_modules_listed_and_precached() -> None:
    expected = {
        n: pin["sha256"]
        for package in build_site._load_pins()["zip"]["packages"]
        for n, pin in package["files"].items()
    }
    assert sorted(expected) == ["client-zip.js", ZIP_READER]
    assert_shipped_exactly(ZIP_DIR, expected)


def test_the_licences_of_client_zip_and_zip_js_ship_with_them() -> None:
    text = (DIST / ZIP_DIR / NOTICES).read_text()
    assert "client-zip 2.5.1, licence: MIT" in text and "Copyright 2020 David Junger" in text
    assert "@zip.js/zip.js 2.25.1, licence: BSD-3-Clause" in text
    assert "Copyright (c) 2023, Gildas Lormeau" in text


def test_shipped_client_zip_suits_the_policy() -> None:
    """An ES module exporting the writer, with nothing evaluated from strings, no source map
    and no address of any host."""
    code = (DIST / ZIP_DIR / "client-zip.js").read_bytes()
    assert re.search(rb"export\s*\{", code) and b"makeZip" in code
    forbidden = re.compile(rb"importScripts|sourceMappingURL|new Function\(|\beval\(|https?://")
    assert forbidden.findall(code) == []


def test_shipped_zip_js_reads_by_slices_and_suits_the_policy() -> None:
    """An ES module exporting the reader over a Blob, evaluating nothing from strings, with no
    source map and no address of any host (its worker and WebAssembly are named relative to
    itself, and never fetched with useWebWorkers false: see the browser tests)."""
    code = (DIST / ZIP_DIR / ZIP_READER).read_bytes()
    assert re.search(rb"export\s*\{", code)
    assert b"as ZipReader," in code and b"as BlobReader," in code and b"as configure," in code
    forbidden = re.compile(rb"importScripts|sourceMappingURL|new Function\(|\beval\(|https?://")
    assert forbidden.findall(code) == []


def test_builder_refuses_a_tampered_zip_js(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_build_refuses_tampered_cache_file(
        ZIP_READER, _package("zip.js")["files"][ZIP_READER]["sha256"], 100, tmp_path, capsys)


def test_builder_refuses_a_tampered_client_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "client-zip.js"
    assert_build_refuses_tampered_cache_file(
        name, _package()["files"][name]["sha256"], 100, tmp_path, capsys)
