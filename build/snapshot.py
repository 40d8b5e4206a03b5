"""The start-up snapshot: Python's memory with the core imported, restored by the worker.

Made under Node by ``make_snapshot.mjs`` from the very files the site ships (the same Pyodide
build, which Pyodide checks; the same stdlib zip and site-packages, whose bytes the restored
importer caches refer to). Pyodide's snapshot API is private and specific to the build, so
the worker treats the snapshot as an optimisation: if it is missing or will not restore, the
worker starts Python the ordinary way.

The file is gzip'd (25 MB of memory, a third of it zero pages) and named after its content.
It is cached under ``<cache>/snapshot/``, keyed by every input, because making it takes a few
seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tempfile
from pathlib import Path

from node_runner import BUILD_DIR, run_driver

#: Python records at start-up whether WebAssembly stack switching (JSPI) works, and the
#: snapshot keeps that: made without it, a restored interpreter could never wait for a promise
#: (pyodide.ffi.run_sync), which the text detector needs in the tab. Node 20 has the feature
#: behind this flag (the API before the standard's; Pyodide 0.27 takes either).
SNAPSHOT_NODE_FLAGS = ("--experimental-wasm-stack-switching",)

_DRIVER_FILES = (
    BUILD_DIR / "make_snapshot.mjs",
    BUILD_DIR / "pyodide_node.mjs",
    BUILD_DIR.parent / "web" / "app" / "worker" / "site-packages.js",
)


def _key(inputs: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in [*_DRIVER_FILES, *inputs]:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def make_snapshot(
    runtime: Path, stdlib: Path, site_packages: Path, sample: bytes, cache: Path
) -> Path:
    """Write ``snapshot-<hash>.bin.gz`` into ``runtime``; return its path.

    ``runtime`` holds the shipped Pyodide core files and lock, ``stdlib`` and ``site_packages``
    the shipped archives, ``sample`` a DICOM file read once so its imports are done too.
    """
    store = cache / "snapshot"
    store.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        sample_path = Path(scratch) / "sample.dcm"
        sample_path.write_bytes(sample)
        runtime_files = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "pyodide-lock.json")
        inputs = [runtime / n for n in runtime_files]
        key = _key([*inputs, stdlib, site_packages, sample_path]) + "-jspi"
        cached = store / f"{key}.bin.gz"
        if not cached.exists():
            print("making the start-up snapshot (Pyodide under Node)", flush=True)
            raw = Path(scratch) / "snapshot.bin"
            run_driver("make_snapshot.mjs", runtime, stdlib, site_packages, sample_path, raw,
                       node_flags=SNAPSHOT_NODE_FLAGS)
            partial = cached.with_suffix(".partial")
            partial.write_bytes(gzip.compress(raw.read_bytes(), compresslevel=6, mtime=0))
            partial.replace(cached)
    data = cached.read_bytes()
    target = runtime / f"snapshot-{hashlib.sha256(data).hexdigest()[:16]}.bin.gz"
    shutil.copyfile(cached, target)
    return target
