"""Every runtime file is held to its pin, whatever its origin."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from functools import partial
from pathlib import Path

import pytest

import build_site
from artifacts import DEFAULT_CACHE, ArtifactStore, BuildError, IntegrityError
from tests.build.conftest import ROOT
from tests.conftest import bundled

GOOD = b"the pinned release"
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()


def test_tampered_cached_file_is_rejected(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "runtime.bin").write_bytes(b"the pinned releasE")
    with pytest.raises(IntegrityError) as caught:
        ArtifactStore(cache).get("runtime.bin", GOOD_SHA)
    message = str(caught.value)
    assert message.startswith("runtime.bin: sha256 mismatch")
    assert f"expected {GOOD_SHA}" in message
    assert f"actual   {hashlib.sha256(b'the pinned releasE').hexdigest()}" in message
    assert f"delete {cache / 'runtime.bin'}" in message


def test_file_from_a_source_folder_is_verified_then_cached(tmp_path: Path) -> None:
    source = tmp_path / "mirror"
    source.mkdir()
    (source / "runtime.bin").write_bytes(GOOD)
    store = ArtifactStore(tmp_path / "cache", [str(source)], offline=True)
    assert store.get("runtime.bin", GOOD_SHA).read_bytes() == GOOD
    (source / "runtime.bin").unlink()
    assert store.get("runtime.bin", GOOD_SHA).read_bytes() == GOOD  # from the cache now


def test_altered_file_on_a_mirror_url_is_rejected_and_not_cached(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "runtime.bin").write_bytes(b"something else")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        store = ArtifactStore(tmp_path / "cache", [url], offline=True)
        with pytest.raises(
            IntegrityError, match=r"runtime\.bin: sha256 mismatch \(from http://127"
        ):
            store.get("runtime.bin", GOOD_SHA)
        assert not (tmp_path / "cache" / "runtime.bin").exists()
        (mirror / "runtime.bin").write_bytes(GOOD)
        assert store.get("runtime.bin", GOOD_SHA).read_bytes() == GOOD
    finally:
        server.shutdown()


def test_offline_without_the_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not in the cache .* --offline forbids fetching it"):
        ArtifactStore(tmp_path / "cache", offline=True).get(
            "runtime.bin", GOOD_SHA, fetch=lambda d: d
        )


def test_builder_refuses_a_tampered_runtime_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: the real pins, a cache whose pyodide.asm.wasm was altered by one byte."""
    pins = build_site._load_pins()
    wasm_sha = pins["pyodide"]["files"]["pyodide.asm.wasm"]
    verified = DEFAULT_CACHE / "pyodide.asm.wasm"
    assert verified.exists(), "run the build once first (./dev build) so the cache is filled"
    cache = tmp_path / "cache"
    cache.mkdir()
    tampered = bytearray(verified.read_bytes())
    tampered[1000] ^= 0xFF
    (cache / "pyodide.asm.wasm").write_bytes(tampered)
    status = build_site.main(
        [
            "--cache",
            str(cache),
            "--source",
            str(DEFAULT_CACHE),
            "--offline",
            "--out",
            str(tmp_path / "site"),
        ]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert "build failed: pyodide.asm.wasm: sha256 mismatch" in err
    assert f"expected {wasm_sha}" in err
    assert f"actual   {hashlib.sha256(tampered).hexdigest()}" in err
    assert not (tmp_path / "site").exists()


def test_core_files_and_site_packages_are_reproducible(tmp_path: Path) -> None:
    from site_packages import write_site_packages
    from wheels import core_files

    first = core_files(ROOT / "py_core" / "dicomtab", "0.1.0", ["pydicom==3.0.2"])
    second = core_files(ROOT / "py_core" / "dicomtab", "0.1.0", ["pydicom==3.0.2"])
    assert first == second and first[0].startswith("0.1.0+g")
    a = write_site_packages(_mk(tmp_path / "a"), first[1])
    b = write_site_packages(_mk(tmp_path / "b"), second[1])
    assert a.name == b.name and a.read_bytes() == b.read_bytes()


def _mk(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def node_runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site's Pyodide in a folder Node can boot (its stdlib under the default name)."""
    dist = ROOT / "dist" / "pyodide"
    assert (dist / "pyodide.mjs").exists(), "dist/ is not built: run ./dev build"
    runtime = tmp_path_factory.mktemp("runtime")
    for name in ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "pyodide-lock.json"):
        shutil.copyfile(dist / name, runtime / name)
    (stdlib,) = dist.glob("python_stdlib-*.zip")
    shutil.copyfile(stdlib, runtime / "python_stdlib.zip")
    return runtime


def test_bytecode_is_reproducible_and_cached(node_runtime: Path, tmp_path: Path) -> None:
    from bytecode import SITE_PREFIX, SourceGroup, precompile
    from wheels import core_files

    _, files = core_files(ROOT / "py_core" / "dicomtab", "0.1.0", [])
    group = {"dicomtab": SourceGroup(SITE_PREFIX, files)}
    first = precompile(node_runtime, group, tmp_path / "cache-a")["dicomtab"]
    second = precompile(node_runtime, group, tmp_path / "cache-b")["dicomtab"]
    assert first == second
    assert "dicomtab/worker_api.pyc" in first and "dicomtab/worker_api.py" not in first
    # Cached: a second run with the same cache does not need Node at all.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("shutil.which", lambda name: None)
        assert precompile(node_runtime, group, tmp_path / "cache-a")["dicomtab"] == first


def test_snapshot_is_reproducible(node_runtime: Path, tmp_path: Path) -> None:
    from snapshot import make_snapshot

    dist = ROOT / "dist" / "pyodide"
    (stdlib,) = dist.glob("python_stdlib-*.zip")
    (site,) = dist.glob("site-packages-*.tar.gz")
    sample = bundled("CT_small.dcm").read_bytes()
    first = make_snapshot(node_runtime, stdlib, site, sample, tmp_path / "cache-a")
    data = first.read_bytes()
    first.unlink()
    second = make_snapshot(node_runtime, stdlib, site, sample, tmp_path / "cache-b")
    assert first.name == second.name and data == second.read_bytes()


def test_building_without_node_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import node_runner

    monkeypatch.setattr(node_runner.shutil, "which", lambda name: None)
    with pytest.raises(BuildError, match="Node.js is required to build the site"):
        node_runner.node_executable()


def test_patches_fail_loudly_when_upstream_changes(tmp_path: Path) -> None:
    target = tmp_path / "pyodide.mjs"
    target.write_text("nothing to patch here")
    patches = [
        p for p in build_site._load_pins()["pyodide"]["patches"] if p["file"] == "pyodide.mjs"
    ]
    with pytest.raises(BuildError, match="patch target not found"):
        build_site._apply_patches(target, patches)
    shutil.rmtree(tmp_path)
