"""axe-core (build/axe_tool.py): a test tool held to its pins, and never part of the site."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from artifacts import ArtifactStore, IntegrityError
from axe_tool import SCRIPT_NAME, axe_pin, axe_script
from tests.build.conftest import DIST


@pytest.fixture(scope="module")
def axe() -> bytes:
    """The pinned axe.min.js (from the cache, fetched with npm pack the first time)."""
    return axe_script(ArtifactStore()).read_bytes()


def test_the_script_is_the_pinned_axe(axe: bytes) -> None:
    assert hashlib.sha256(axe).hexdigest() == axe_pin()["member_sha256"]
    version = axe_pin()["npm_spec"].split("@")[-1]
    assert axe.startswith(f"/*! axe v{version}".encode())


@pytest.mark.parametrize("which", ["tarball", "script"])
def test_axe_is_held_to_its_pins(tmp_path: Path, axe: bytes, which: str) -> None:
    """An altered tarball, or an altered script taken out of it, is refused by its sha256."""
    pin = axe_pin()
    cache = tmp_path / "cache"
    cache.mkdir()
    if which == "tarball":
        (cache / pin["tarball"]).write_bytes(b"not axe-core")
        expected = pin["tarball_sha256"]
    else:
        (cache / SCRIPT_NAME).write_bytes(axe.replace(b"axe v", b"axe w", 1))
        expected = pin["member_sha256"]
    with pytest.raises(IntegrityError, match=expected):
        axe_script(ArtifactStore(cache, offline=True))


def test_the_site_holds_no_axe_file(axe: bytes) -> None:
    """Not by name, not by content, not pasted into another file."""
    assert (DIST / "index.html").exists(), "dist/ is not built: run ./dev build"
    files = [p for p in DIST.rglob("*") if p.is_file()]
    assert len(files) >= 10
    banner = axe.split(b"\n", 1)[0]  # "/*! axe v4.…"
    digest = hashlib.sha256(axe).hexdigest()
    offenders = [
        p.relative_to(DIST).as_posix() for p in files
        if "axe" in p.name.lower()
        or hashlib.sha256(p.read_bytes()).hexdigest() == digest
        or banner in p.read_bytes()
        or b"Deque Systems" in p.read_bytes()
    ]
    assert offenders == []
