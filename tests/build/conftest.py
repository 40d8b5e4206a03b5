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
