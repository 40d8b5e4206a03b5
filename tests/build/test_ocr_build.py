"""The text detector in dist/ocr/: onnxruntime-web's WebAssembly build and the PP-OCR model,
exactly as pinned, with their licences; the model is the file CPython's core runs too."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

import build_site
from codecs_dist import NOTICES, OCR_DIR
from tests.build.conftest import (
    DIST,
    assert_build_refuses_tampered_cache_file,
    assert_shipped_exactly,
)
from tests.build.test_dist import BOOT_FILES_IN_WORKER

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict:
    return build_site._load_pins()["ocr"]


def _expected() -> dict[str, str]:
    pins = _pins()
    (package,) = pins["packages"]
    expected = {n: pin["sha256"] for n, pin in package["files"].items()}
    for patch in package["patches"]:
        expected[patch["file"]] = patch["sha256_after"]  # the last patch wins
    expected[pins["model"]["name"]] = pins["model"]["sha256"]
    return expected


def test_dist_ocr_is_exactly_the_pinned_files_listed_and_precached() -> None:
    expected = _expected()
    assert sorted(expected) == ["ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm",
                                "ort.wasm.min.mjs", "text_detector.onnx"]
    assert_shipped_exactly(OCR_DIR, expected)


def test_cpython_runs_the_same_model_file_as_the_tab() -> None:
    core = ROOT / "py_core" / "dicomtab" / "data" / "text_detector.onnx"
    assert core.read_bytes() == (DIST / OCR_DIR / "text_detector.onnx").read_bytes()


def test_the_worker_knows_the_detector_files_and_checks_the_large_ones() -> None:
    worker = (DIST / "app" / "worker" / "worker.js").read_text()
    boot = json.loads(BOOT_FILES_IN_WORKER.search(worker).group(1))
    files = boot["textDetector"]
    for key in ("model", "wasm"):
        digest = hashlib.sha256((DIST / OCR_DIR / files[key]).read_bytes()).digest()
        assert files["integrity"][key] == "sha256-" + base64.b64encode(digest).decode()


def test_the_licences_ship_with_them() -> None:
    text = (DIST / OCR_DIR / NOTICES).read_text()
    assert "onnxruntime-web 1.30.0, licence: MIT" in text
    assert "PP-OCRv4 text detection" in text and "Apache License 2.0" in text


def test_shipped_runtime_suits_the_policy() -> None:
    """No source map and no address of any host; no module loaded by importScripts."""
    for name in ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs"):
        code = (DIST / OCR_DIR / name).read_bytes()
        assert re.findall(rb"sourceMappingURL|https?://|importScripts\(", code) == [], name


def test_builder_refuses_a_tampered_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _pins()["model"]
    assert_build_refuses_tampered_cache_file(model["name"], model["sha256"], 100, tmp_path, capsys)
