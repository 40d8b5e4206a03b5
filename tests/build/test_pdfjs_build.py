"""pdf.js in dist/pdfjs/ is exactly the pinned npm files, with its licences, and suits the policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import build_site
from codecs_dist import NOTICES, PDFJS_DIR
from tests.build.conftest import (
    DIST,
    assert_build_refuses_tampered_cache_file,
    assert_shipped_exactly,
)


def _package() -> dict:
    (package,) = build_site._load_pins()["pdfjs"]["packages"]
    return package


def _shipped_sha(package: dict, name: str) -> str:
    patched = [p["sha256_after"] for p in package.get("patches", []) if p["file"] == name]
    return patched[-1] if patched else package["files"][name]["sha256"]


def test_dist_pdfjs_is_exactly_the_pinned_files_listed_and_precached() -> None:
    package = _package()
    expected = {n: _shipped_sha(package, n) for n in package["files"]}
    assert {"pdf.min.mjs", "pdf.worker.min.mjs"} <= set(expected)
    assert_shipped_exactly(PDFJS_DIR, expected)


def test_the_licences_of_pdfjs_ship_with_it() -> None:
    text = (DIST / PDFJS_DIR / NOTICES).read_text()
    package = _package()
    assert package["upstream"] in text and "pdfjs-dist 6.5.438, licence: Apache-2.0" in text
    assert "Apache License" in text and "Version 2.0, January 2004" in text  # the full text
    for member in package["licence_members"]:
        assert f"--- {member.removeprefix('package/')}" in text
    assert "Copyright 2014 The PDFium Authors" in text  # JBIG2
    assert "Universite catholique de Louvain" in text  # OpenJPEG
    assert "Marti Maria" in text  # qcms


def test_shipped_pdfjs_suits_the_policy() -> None:
    """ES modules, nothing evaluated from strings, no source maps to request, no scripting
    engine and no CMaps or standard fonts shipped (nothing pdf.js would fetch is missing
    except those, which it does without)."""
    folder = DIST / PDFJS_DIR
    scripts = sorted(folder.glob("*.mjs"))
    assert [p.name for p in scripts] == ["pdf.min.mjs", "pdf.worker.min.mjs"]
    forbidden = re.compile(rb"importScripts|sourceMappingURL|new Function\(|\beval\(")
    offenders = {p.name: forbidden.findall(p.read_bytes()) for p in scripts}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert b"export{" in (folder / "pdf.min.mjs").read_bytes().replace(b" ", b"")
    assert not [p for p in folder.iterdir() if "quickjs" in p.name or p.suffix in {".bcmap", ".pfb", ".ttf"}]
    # The worker fetches its WebAssembly decoders by these names from wasmUrl (pdfjs/).
    worker = (folder / "pdf.worker.min.mjs").read_text()
    for wasm in folder.glob("*.wasm"):
        assert wasm.name in worker


def test_builder_refuses_a_tampered_pdfjs_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real pins, a cache whose pdf.js worker was altered by one byte."""
    name = "pdf.worker.min.mjs"
    assert_build_refuses_tampered_cache_file(
        name, _package()["files"][name]["sha256"], 20000, tmp_path, capsys)
