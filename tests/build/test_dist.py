"""What the built site contains: only its own origin, only pinned files, the policy in place."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.build.conftest import DIST, ROOT

FOREIGN_URL = re.compile(rb"https?://(?!localhost[:/]|127\.0\.0\.1[:/]|\[::1\])[A-Za-z0-9.-]+")


@pytest.fixture(scope="module")
def dist() -> Path:
    assert (DIST / "index.html").exists(), "dist/ is not built: run ./dev build"
    return DIST


def _text_files(root: Path) -> list[Path]:
    files = []
    for path in root.rglob("*"):
        if path.is_file():
            try:
                path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            files.append(path)
    return files


def test_no_other_origin_anywhere_in_the_site(dist: Path) -> None:
    texts = _text_files(dist)
    assert len(texts) >= 10  # html, js, lock, headers… really scanned
    offenders = {
        p.relative_to(dist).as_posix(): FOREIGN_URL.findall(p.read_bytes())[:3] for p in texts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_other_origin_in_the_web_sources() -> None:
    offenders = [p.name for p in _text_files(ROOT / "web") if FOREIGN_URL.search(p.read_bytes())]
    assert offenders == []


def test_every_runtime_file_is_pinned(dist: Path) -> None:
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text())
    assert set(lock["packages"]) == {"numpy", "pillow", "pydicom", "dicomtab"}
    for entry in lock["packages"].values():
        wheel = dist / "pyodide" / entry["file_name"]
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], wheel.name
    pins = json.loads((ROOT / "build" / "pins.json").read_text())["pyodide"]
    patched = {p["file"]: p["sha256_after"] for p in pins["patches"]}  # the last patch wins
    for name, sha in pins["files"].items():
        if name == "pyodide-lock.json":
            continue
        actual = hashlib.sha256((dist / "pyodide" / name).read_bytes()).hexdigest()
        assert actual == patched.get(name, sha), name
    shipped = {p.name for p in (dist / "pyodide").iterdir()}
    expected = {e["file_name"] for e in lock["packages"].values()} | set(pins["files"])
    assert shipped == expected


def test_pydicom_ships_without_its_test_files(dist: Path) -> None:
    import zipfile

    with zipfile.ZipFile(dist / "pyodide" / "pydicom-3.0.2-py3-none-any.whl") as wheel:
        names = wheel.namelist()
    assert "pydicom/dataset.py" in names
    assert not [n for n in names if n.startswith("pydicom/data/test_files/")]


def test_policy_in_page_and_headers(dist: Path) -> None:
    csp = (ROOT / "web" / "csp.txt").read_text().strip()
    for directive in (
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "worker-src 'self'",
        "connect-src 'self'",
        "img-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ):
        assert directive in csp
    html = (dist / "index.html").read_text()
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta and meta.group(1) == csp.replace("; frame-ancestors 'none'", "")
    assert f"Content-Security-Policy: {csp}" in (dist / "_headers").read_text()
    assert "<script>" not in html and "style=" not in html  # nothing inline to allow


def test_service_worker_precaches_exactly_the_build(dist: Path) -> None:
    sw = (dist / "sw.js").read_text()
    assert "__PRECACHE__" not in sw and "__BUILD_ID__" not in sw and "__CSP__" not in sw
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw).group(1))
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    # build-info.json (the release manifest, written last) is for people, not for offline use.
    assert set(precache) == {"./"} | (files - {"sw.js", "_headers", "build-info.json"})
