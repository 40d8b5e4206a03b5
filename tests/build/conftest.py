"""The builder's modules live in build/ (scripts, not a package): make them importable."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
DIST = ROOT / "dist"


def assert_build_refuses_tampered_cache_file(
    name: str, pinned_sha256: str, offset: int, tmp_path: Path, capsys: object
) -> None:
    """End to end with the real pins: a cache holding ``name`` with one byte altered (the
    verified copy in the default cache is the source of everything else) stops the build,
    naming the file and both hashes, and leaves no site."""
    import hashlib

    import build_site
    from artifacts import DEFAULT_CACHE

    verified = DEFAULT_CACHE / name
    assert verified.exists(), "run the build once first (./dev build) so the cache is filled"
    cache = tmp_path / "cache"
    cache.mkdir()
    tampered = bytearray(verified.read_bytes())
    tampered[offset] ^= 0xFF
    (cache / name).write_bytes(tampered)
    status = build_site.main(
        ["--cache", str(cache), "--source", str(DEFAULT_CACHE), "--offline",
         "--out", str(tmp_path / "site")]
    )
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert status == 1
    assert f"build failed: {name}: sha256 mismatch" in err
    assert f"expected {pinned_sha256}" in err
    assert f"actual   {hashlib.sha256(tampered).hexdigest()}" in err
    assert not (tmp_path / "site").exists()


def assert_shipped_exactly(folder_name: str, expected: dict[str, str]) -> None:
    """``dist/<folder_name>/`` holds exactly ``expected`` (name -> sha256) plus its
    NOTICES.txt, every one listed in build-info.json and precached for offline use."""
    import hashlib
    import json
    import re

    from codecs_dist import NOTICES

    folder = DIST / folder_name
    assert folder.is_dir(), "dist/ is not built: run ./dev build"
    actual = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    notices = actual.pop(NOTICES)
    assert actual == expected
    listed = json.loads((DIST / "build-info.json").read_text())["files"]
    assert {n: listed[f"{folder_name}/{n}"] for n in expected} == expected
    assert listed[f"{folder_name}/{NOTICES}"] == notices
    sw = (DIST / "sw.js").read_text()
    match = re.search(r"const PRECACHE = (\[.*?\]);", sw)
    assert match is not None
    precache = set(json.loads(match.group(1)))
    assert {f"{folder_name}/{n}" for n in [*expected, NOTICES]} <= precache  # works offline
