"""The codecs in dist/codecs/ are the pinned npm files, patched only as pins.json says."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

import build_site
from artifacts import DEFAULT_CACHE, ArtifactStore, IntegrityError
from codecs_dist import CODECS_DIR, NOTICES, obtain_codecs
from tests.build.conftest import DIST, ROOT, assert_build_refuses_tampered_cache_file


def _packages() -> list[dict]:
    return build_site._load_pins()["codecs"]["packages"]


def _shipped_sha(package: dict, name: str) -> str:
    """The file's pin, or the result of its last patch."""
    patched = [p["sha256_after"] for p in package.get("patches", []) if p["file"] == name]
    return patched[-1] if patched else package["files"][name]["sha256"]


def test_dist_codecs_are_exactly_the_pinned_files() -> None:
    codecs = DIST / CODECS_DIR
    assert codecs.is_dir(), "dist/ is not built: run ./dev build"
    expected = {n: _shipped_sha(p, n) for p in _packages() for n in p["files"]}
    actual = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in codecs.iterdir()}
    notices = actual.pop(NOTICES)  # the licences, written by the builder
    assert actual == expected
    listed = json.loads((DIST / "build-info.json").read_text())["files"]
    assert {n: listed[f"{CODECS_DIR}/{n}"] for n in expected} == expected
    assert listed[f"{CODECS_DIR}/{NOTICES}"] == notices


def test_the_licences_of_the_codecs_ship_with_them() -> None:
    text = (DIST / CODECS_DIR / NOTICES).read_text()
    for package in _packages():
        assert package["upstream"] in text
        for name in package["files"]:
            assert name in text
    # The MIT licences of the wrappers that include one, with their copyright lines.
    assert text.count("Permission is hereby granted, free of charge") >= 3
    assert "Copyright (c) 2020 Chris Hafey" in text


def test_shipped_scripts_suit_a_module_worker_under_the_policy() -> None:
    """ES modules only (no importScripts in a module worker), no eval (script-src 'self'),
    and nothing that points elsewhere, in the vendored files and in our wrappers alike."""
    scripts = [*(DIST / CODECS_DIR).glob("*.js"), *(ROOT / "web" / "app" / "worker" / "codecs").glob("*.js")]
    assert len(scripts) >= 12
    forbidden = re.compile(
        r"module\.exports|define\(\[|importScripts|sourceMappingURL|new Function|\beval\("
    )
    offenders = {p.name: forbidden.findall(p.read_text()) for p in scripts}
    assert {k: v for k, v in offenders.items() if v} == {}
    glue = [p for p in (DIST / CODECS_DIR).glob("*.js") if "export default" in p.read_text()]
    assert len(glue) >= 5  # four emscripten factories and JpegImage


def test_builder_refuses_a_tampered_codec_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real pins, a cache whose OpenJPEG .wasm was altered by one byte."""
    (openjpeg,) = [p for p in _packages() if p["name"] == "openjpeg"]
    name = "openjpegwasm_decode.wasm"
    assert_build_refuses_tampered_cache_file(
        name, openjpeg["files"][name]["sha256"], 5000, tmp_path, capsys)


def test_a_tampered_codec_tarball_from_a_source_is_refused_and_not_cached(tmp_path: Path) -> None:
    (charls,) = [p for p in _packages() if p["name"] == "charls"]
    verified = DEFAULT_CACHE / charls["tarball"]
    assert verified.exists(), "run the build once first (./dev build) so the cache is filled"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / charls["tarball"]).write_bytes(verified.read_bytes() + b"\0")
    store = ArtifactStore(tmp_path / "cache", [str(mirror)], offline=True)
    pins = {"codecs": {"packages": [charls]}}
    with pytest.raises(IntegrityError, match=re.escape(f"{charls['tarball']}: sha256 mismatch")):
        obtain_codecs(store, pins, tmp_path / "out", build_site._apply_patches)
    assert not (tmp_path / "cache" / charls["tarball"]).exists()
    # The genuine tarball from the same source: every file is extracted, checked and patched.
    shutil.copyfile(verified, mirror / charls["tarball"])
    written = obtain_codecs(store, pins, tmp_path / "out", build_site._apply_patches)
    assert written == [*charls["files"], NOTICES]
    for name in charls["files"]:
        data = (tmp_path / "out" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == _shipped_sha(charls, name)
