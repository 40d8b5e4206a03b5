"""What the built site contains: only its own origin, only pinned files, the policy in place."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.build.conftest import DIST, ROOT

CPYTHON_312_MAGIC = bytes.fromhex("cb0d0d0a")
#: First word of a Pyodide 0.27 memory snapshot ("pyodide" magic, checked on restore).
PYODIDE_SNAPSHOT_MAGIC = 1886286592
FOREIGN_URL = re.compile(rb"https?://(?!localhost[:/]|127\.0\.0\.1[:/]|\[::1\])[A-Za-z0-9.-]+")
#: A whole URL as it stands in a file (up to a quote, bracket or space).
URL_TOKEN = re.compile(rb"https?://[^\s\"'`<>()\\]+")
#: The only URLs of other hosts the site may contain: text that pdf.js (dist/pdfjs/, as pinned)
#: carries and never requests, allowed in those files only and each for its reason. Patching
#: them out would break what they are for; any other URL there still fails the test.
INERT_IN_PDFJS = {
    **dict.fromkeys(
        [
            "http://www.apache.org/licenses/LICENSE-2.0",
            "https://www.apache.org/licenses/LICENSE-2.0",
            "http://www.apache.org/licenses/",
            "https://www.apache.org/licenses/",
        ],
        "licence text (pdf.js's licence header, its Apache-2.0 LICENSE in NOTICES.txt), kept verbatim",
    ),
    **dict.fromkeys(
        [
            "http://www.w3.org/2000/svg",
            "http://www.w3.org/1999/xhtml",
            "http://www.w3.org/1999/XSL/Transform",
            "http://www.w3.org/2000/09/xmldsig#",
            "http://ns.adobe.com/xdp/",
            "http://ns.adobe.com/xdp/pdf/",
            "http://ns.adobe.com/xfdf/",
            "http://ns.adobe.com/xmpmeta/",
            *(
                f"http://www.xfa.org/schema/{n}/"
                for n in (
                    "xci", "xdc", "xfa-connection-set", "xfa-data", "xfa-data/1.0", "xfa-form",
                    "xfa-locale-set", "xfa-source-set", "xfa-template",
                )
            ),
        ],
        "an XML namespace name: an identifier that createElementNS and the XMP/XFA parsers"
        " compare, never fetched",
    ),
    **dict.fromkeys(
        ["http://example.com", "https://foo.bar"],
        "a dummy base for new URL(text, base), used only to test whether text parses as a URL",
    ),
}
#: The JSON the builder wrote in place of the placeholder "__BOOT_FILES__" (in a JSDoc cast).
BOOT_FILES_IN_WORKER = re.compile(r"const BOOT_FILES = /\*\* @type \{any\} \*/ \((.*)\);\n")


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
        p.relative_to(dist).as_posix(): FOREIGN_URL.findall(_without_inert(dist, p))[:3]
        for p in texts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def _without_inert(dist: Path, path: Path) -> bytes:
    """The file's bytes, minus the exact URLs of INERT_IN_PDFJS if it is one of pdf.js's."""
    data = path.read_bytes()
    if path.relative_to(dist).parts[0] != "pdfjs":
        return data
    return URL_TOKEN.sub(lambda m: b"" if m.group().decode() in INERT_IN_PDFJS else m.group(), data)


def test_the_inert_urls_allowed_in_pdfjs_are_all_there(dist: Path) -> None:
    """The exception stays exact: each allowed URL occurs in the pinned pdf.js, so a new pin
    that drops one makes this list shorter, not silently wider."""
    found = {
        m.decode() for p in _text_files(dist / "pdfjs") for m in URL_TOKEN.findall(p.read_bytes())
    }
    assert set(INERT_IN_PDFJS) <= found


def test_no_other_origin_in_the_web_sources() -> None:
    offenders = [p.name for p in _text_files(ROOT / "web") if FOREIGN_URL.search(p.read_bytes())]
    assert offenders == []


def _boot_files(dist: Path) -> dict[str, str]:
    """The names the builder wrote into the worker: {stdlib, sitePackages, snapshot}."""
    worker = (dist / "app" / "worker" / "worker.js").read_text()
    boot = json.loads(BOOT_FILES_IN_WORKER.search(worker).group(1))
    return {k: v for k, v in boot.items() if k != "integrity"}


def test_worker_checks_the_integrity_of_its_downloads(dist: Path) -> None:
    worker = (dist / "app" / "worker" / "worker.js").read_text()
    integrity = json.loads(BOOT_FILES_IN_WORKER.search(worker).group(1))["integrity"]
    for key in ("sitePackages", "snapshot", "numpy", "vocabulary"):
        data = (dist / "pyodide" / _boot_files(dist)[key]).read_bytes()
        assert (
            integrity[key] == "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
        )


def _site_packages(dist: Path) -> dict[str, bytes]:
    name = _boot_files(dist)["sitePackages"]
    with tarfile.open(dist / "pyodide" / name, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def test_every_runtime_file_is_pinned_or_derived_and_named_by_content(dist: Path) -> None:
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text())
    # No package for loadPackage: numpy is an archive the worker unpacks (derived, below);
    # Pillow is not shipped, the tab never uses it.
    assert lock["packages"] == {}
    pins = json.loads((ROOT / "build" / "pins.json").read_text())["pyodide"]
    patched = {p["file"]: p["sha256_after"] for p in pins["patches"]}  # the last patch wins
    copied = set(pins["files"]) - {"pyodide-lock.json", "python_stdlib.zip"}
    for name in copied:
        actual = hashlib.sha256((dist / "pyodide" / name).read_bytes()).hexdigest()
        assert actual == patched.get(name, pins["files"][name]), name
    # Derived from pinned inputs by the builder: a name is never reused for other bytes.
    derived = {v for k, v in _boot_files(dist).items() if k not in ("snapshotSize", "textDetector")}
    for name in derived:
        digest = hashlib.sha256((dist / "pyodide" / name).read_bytes()).hexdigest()
        assert digest[:16] in name, name
    shipped = {p.name for p in (dist / "pyodide").iterdir()}
    expected = copied | {"pyodide-lock.json"}
    assert shipped == expected | derived


def test_python_is_shipped_as_cpython_312_bytecode(dist: Path) -> None:
    """The stdlib, pydicom and the core: sourceless .pyc, unchecked hash-based (PEP 552)."""
    with zipfile.ZipFile(dist / "pyodide" / _boot_files(dist)["stdlib"]) as stdlib:
        stdlib_files = {n: stdlib.read(n) for n in stdlib.namelist() if not n.endswith("/")}
    for files in (stdlib_files, _site_packages(dist)):
        modules = [n for n in files if n.endswith((".py", ".pyc"))]
        assert len(modules) > 100 and not [n for n in modules if n.endswith(".py")]
        for name in modules:
            assert files[name][:4] == CPYTHON_312_MAGIC, name
            assert int.from_bytes(files[name][4:8], "little") == 0b01, name  # hash, unchecked
    assert "encodings/__init__.pyc" in stdlib_files


def test_site_packages_holds_pydicom_without_test_files_and_the_core(dist: Path) -> None:
    files = _site_packages(dist)
    assert "pydicom/dataset.pyc" in files and "dicomtab/worker_api.pyc" in files
    assert "pydicom-3.0.2.dist-info/METADATA" in files  # pydicom reads its version from it
    assert [n for n in files if n.startswith("dicomtab-") and n.endswith(".dist-info/METADATA")]
    assert not [n for n in files if n.startswith("pydicom/data/test_files/")]
    assert not [n for n in files if n.startswith(("numpy", "PIL"))]  # loaded only when needed


def test_no_pillow_is_built_or_precached(dist: Path) -> None:
    """Nothing in the tab imports PIL (the worker decodes with numpy, pydicom's own decoders
    and the JS codecs), so no part of Pillow is shipped: no file of dist/, no member of an
    archive the worker unpacks, no wheel the lock would load, nothing the service worker
    precaches."""
    def is_pillow(name: str) -> bool:
        top = name.split("/", 1)[0].lower()
        return top == "pil" or top.startswith(("pillow-", "pillow.libs")) or "/pil/" in name.lower()

    shipped = [p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()]
    assert not [n for n in shipped if is_pillow(n) or "pillow" in n.lower().rsplit("/", 1)[-1]]
    members = []
    for archive in (dist / "pyodide").glob("*.tar.gz"):
        with tarfile.open(archive, "r:gz") as tar:
            members += tar.getnames()
    assert "pydicom/dataset.pyc" in members and "numpy/__init__.pyc" in members  # really read
    assert [n for n in members if is_pillow(n)] == []
    lock = json.loads((dist / "pyodide" / "pyodide-lock.json").read_text())
    assert not [name for name in lock["packages"] if name.lower() == "pillow"]
    sw = (dist / "sw.js").read_text()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw).group(1))
    assert not [n for n in precache if "pillow" in n.lower() or "/pil/" in f"/{n.lower()}"]


def test_snapshot_is_made_for_this_pyodide_build(dist: Path) -> None:
    with gzip.open(dist / "pyodide" / _boot_files(dist)["snapshot"]) as snapshot:
        data = snapshot.read()
    header = data[:48]
    assert _boot_files(dist)["snapshotSize"] == len(data)  # memory is sized by it in advance
    assert int.from_bytes(header[:4], "little") == PYODIDE_SNAPSHOT_MAGIC
    build_id = "".join(
        f"{int.from_bytes(header[16 + 4 * i : 20 + 4 * i], 'little'):08x}" for i in range(8)
    )
    # Pyodide refuses a snapshot from another build: this is the id it compares.
    assert f'BUILD_ID:"{build_id}"' in (dist / "pyodide" / "pyodide.mjs").read_text()


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


def test_the_page_knows_the_build_files_exactly(dist: Path) -> None:
    """app/page/site-files.js lists every file of the build (the status line names the app's own
    files apart), and nothing else."""
    module = (dist / "app" / "page" / "site-files.js").read_text()
    listed = json.loads(re.search(r"SITE_FILES = /\*\* @type \{any\} \*/ \((.*)\);", module).group(1))
    files = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file())
    # _headers (for the server) and build-info.json are written later; no page asks for them.
    assert set(listed) == {"./", *files} - {"_headers", "build-info.json"}


def test_numpy_ships_as_bytecode_without_what_the_tab_never_imports(dist: Path) -> None:
    """numpy is an archive of its own, named by content, which the worker writes into
    site-packages itself (no wheel for loadPackage, whose unpacking ran as Python)."""
    archive_path = dist / "pyodide" / _boot_files(dist)["numpy"]
    digest = hashlib.sha256(archive_path.read_bytes()).hexdigest()
    assert archive_path.name == f"numpy-{digest[:16]}.tar.gz"  # named by content
    with tarfile.open(archive_path, "r:gz") as archive:
        members = archive.getmembers()
        names = [m.name for m in members if m.isfile()]
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = {line.split(",")[0]
                  for line in archive.extractfile(record).read().decode().splitlines()}
    assert all(m.isfile() for m in members)  # all site-packages.js accepts besides folders
    assert "numpy/__init__.pyc" in names and not [n for n in names if n.endswith(".py")]
    libraries = sorted(n.rsplit("/", 1)[-1].split(".")[0] for n in names if n.endswith(".so"))
    assert libraries == ["_multiarray_tests", "_multiarray_umath", "_umath_linalg", "lapack_lite"]
    assert not [n for n in names if n.startswith(("numpy/random/", "numpy/fft/"))]
    assert listed == set(names)
