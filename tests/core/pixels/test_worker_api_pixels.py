"""The viewer's worker functions: JSON results, buffers, and start-up without numpy."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import FileMetaDataset
from pydicom.uid import UID

from dicomtab import worker_api
from dicomtab.pixels.frames import digest_of
from tests.conftest import bundled
from tests.core.pixels.test_objects import PDF, _pdf

ROOT = Path(__file__).resolve().parents[3]


def _open(data: bytes, name: str = "x.dcm") -> str:
    result = json.loads(worker_api.open_file(data, name))
    assert result["status"] == "success", result
    return str(result["payload"]["instanceId"])


def _payload(text: str) -> Any:
    result = json.loads(text)
    assert result["status"] == "success", result
    return result["payload"]


def test_frame_buffer_and_digest() -> None:
    path = bundled("CT_small.dcm")
    instance = _open(path.read_bytes())
    text, data = worker_api.frame_buffer(instance, 0)
    description = _payload(text)
    assert description == _payload(worker_api.frame(instance, 0))
    assert isinstance(data, bytes) and len(data) == description["byteLength"]
    reference = pydicom.dcmread(path).pixel_array
    assert _payload(worker_api.frame_digest(instance, 0)) == {"digest": digest_of(reference), "codec": "pydicom"}
    text, npy = worker_api.frame_npy(instance, 0)
    assert npy is not None and np.array_equal(np.load(io.BytesIO(npy)), reference)
    assert _payload(worker_api.object_info(instance)) == {"kind": "image", "frames": 1}


def test_failures_are_results_without_a_buffer() -> None:
    instance = _open(bundled("CT_small.dcm").read_bytes())
    text, data = worker_api.frame_buffer(instance, 5)
    assert data is None and json.loads(text)["error"]["code"] == "pixel-data"
    text, data = worker_api.frame_buffer("nope", 0)
    assert data is None and json.loads(text)["error"]["code"] == "usage"
    text, data = worker_api.document(instance)
    assert data is None and json.loads(text)["error"]["code"] == "usage"


def test_document_and_waveform() -> None:
    ds = _pdf(padded=True)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = UID("1.2.840.10008.1.2.1")
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = UID("1.2.3.4")
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    text, data = worker_api.document(_open(out.getvalue(), "report.dcm"))
    assert data == PDF and _payload(text)["mimeType"] == "application/pdf"

    ecg = _open(bundled("waveform_ecg.dcm").read_bytes())
    text, samples = worker_api.waveform(ecg, 0)
    info = _payload(text)
    assert info["shape"] == [10000, 12] and info["samplingFrequency"] == 1000.0
    assert samples is not None and len(samples) == 10000 * 12 * 4


def test_overlay_bitmap() -> None:
    path = bundled("examples_overlay.dcm")
    instance = _open(path.read_bytes())
    text, data = worker_api.overlay(instance, 0, "6000")
    info = _payload(text)
    expected = pydicom.dcmread(path).overlay_array(0x6000)
    assert data == expected.astype(np.uint8).tobytes() and info["rows"] == expected.shape[0]
    text, data = worker_api.overlay(instance, 0, "6002")
    assert data is None and json.loads(text)["error"]["code"] == "usage"


def test_register_a_js_decoder() -> None:
    from dicomtab.pixels import decoders

    ds = pydicom.dcmread(bundled("JPEG2000.dcm"))
    uid = str(ds.file_meta.TransferSyntaxUID)
    calls: list[dict[str, Any]] = []

    def js_decode(encoded: bytes, info: dict[str, Any]) -> memoryview:
        calls.append(info)
        frame = decoders.FrameInfo(**info)
        # A bare Uint8Array, as the worker hands it over (pyodide.toPy): a memoryview.
        return memoryview(bytearray(decoders.pydicom_decode(encoded, frame).data))

    instance = _open(bundled("JPEG2000.dcm").read_bytes())
    expected = _payload(worker_api.frame_digest(instance, 0))["digest"]
    try:
        assert _payload(worker_api.register_decoder(uid, js_decode, "test-js"))["codec"] == "test-js"
        result = _payload(worker_api.frame_digest(instance, 0))
        assert result == {"digest": expected, "codec": "test-js"} and calls
        status = {row["transferSyntax"]: row["codec"] for row in _payload(worker_api.decoders())}
        assert status[uid] == "test-js"
    finally:
        decoders.REGISTRY.unregister(uid, "test-js")


def _js_result(data: bytes, dtype: str | None, photometric: str | None) -> dict[str, Any]:
    """A codec's {data, dtype, photometric} as the worker hands it over (pyodide.toPy)."""
    return {"data": memoryview(bytearray(data)), "dtype": dtype, "photometric": photometric}


def test_a_js_decoder_may_state_dtype_and_colour_space() -> None:
    from dicomtab.pixels import decoders

    ds = pydicom.dcmread(bundled("SC_rgb_jpeg_dcmtk.dcm"))
    uid = str(ds.file_meta.TransferSyntaxUID)
    instance = _open(bundled("SC_rgb_jpeg_dcmtk.dcm").read_bytes())
    expected = _payload(worker_api.frame_digest(instance, 0))["digest"]

    def js_decode(encoded: bytes, info: dict[str, Any]) -> dict[str, Any]:
        out = decoders.pydicom_decode(encoded, decoders.FrameInfo(**info))
        return _js_result(out.data, out.dtype, out.photometric)

    def wrong_colour(encoded: bytes, info: dict[str, Any]) -> dict[str, Any]:
        out = decoders.pydicom_decode(encoded, decoders.FrameInfo(**info))
        return _js_result(out.data, out.dtype, "RGB")  # says it converted: YBR shown as RGB

    try:
        worker_api.register_decoder(uid, js_decode, "test-js")
        assert _payload(worker_api.frame_digest(instance, 0)) == {"digest": expected, "codec": "test-js"}
        worker_api.register_decoder(uid, wrong_colour, "test-js-2")
        assert _payload(worker_api.frame_digest(instance, 0))["digest"] != expected
    finally:
        decoders.REGISTRY.unregister(uid, "test-js")
        decoders.REGISTRY.unregister(uid, "test-js-2")


SCRIPT = """
import json, sys
sys.modules["numpy"] = None  # as in the worker at start-up
import dicomtab.worker_api as api
import dicomtab.pixels.decoders as decoders
data = open(sys.argv[1], "rb").read()
instance = json.loads(api.open_file(data, "a.dcm"))["payload"]["instanceId"]
before = {
    "frame": json.loads(api.frame(instance, 0)),
    "jpeg_available": decoders.REGISTRY.is_available("1.2.840.10008.1.2.4.50"),
    "numpy_modules": [n for n in sys.modules if n.startswith("numpy") and sys.modules[n] is not None],
}
del sys.modules["numpy"]  # the worker has loaded it now
from dicomtab.numpy_later import reimport_with_numpy
new_api = reimport_with_numpy()
before["after"] = json.loads(new_api.frame(instance, 0))["status"]
print(json.dumps(before))
"""


def test_without_numpy_pixels_ask_for_it() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(bundled("CT_small.dcm"))],
        capture_output=True, text=True, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "py_core"), "PATH": ""}, check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["frame"]["error"]["code"] == "needs-numpy"
    assert outcome["jpeg_available"] is False and outcome["numpy_modules"] == []
    assert outcome["after"] == "success"
