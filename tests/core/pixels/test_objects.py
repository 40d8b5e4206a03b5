"""Objects other than images: PDF, SR, waveforms, and objects with nothing to show."""

from __future__ import annotations

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from dicomtab.pixels.objects import (
    describe_object,
    document_bytes,
    object_kind,
    sr_lines,
    waveforms,
)
from tests.conftest import bundled

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"


def _pdf(padded: bool) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = PDF + (b"\0" if padded else b"")
    return ds


def test_encapsulated_pdf() -> None:
    for padded in (False, True):
        ds = _pdf(padded)
        assert object_kind(ds) == "pdf"
        assert document_bytes(ds) == PDF
        assert describe_object(ds) == {"kind": "pdf", "mimeType": "application/pdf", "byteLength": len(PDF)}
    ds = _pdf(True)
    ds.EncapsulatedDocumentLength = len(PDF)
    assert document_bytes(ds) == PDF


def test_structured_report_as_lines() -> None:
    lines = sr_lines(pydicom.dcmread(bundled("reportsi.dcm")))
    assert lines[0] == "Document Title"
    assert "  Observation Context Mode: DIRECT" in lines
    assert "    Report Text: Enter text" in lines
    test_sr = sr_lines(pydicom.dcmread(bundled("test-SR.dcm")))
    assert "    Diameter: 3 Length Unit" in test_sr  # a NUM item with its unit
    assert describe_object(pydicom.dcmread(bundled("test-SR.dcm")))["kind"] == "sr"


def test_ecg_waveform() -> None:
    ds = pydicom.dcmread(bundled("waveform_ecg.dcm"))
    groups = waveforms(ds)
    assert groups[0]["samplingFrequency"] == 1000.0
    assert groups[0]["labels"][:2] == ["Lead I (Einthoven)", "Lead II"]
    assert groups[0]["samples"].shape == (10000, 12)
    assert np.array_equal(groups[0]["samples"], ds.waveform_array(0))
    summary = describe_object(ds)
    assert summary["kind"] == "waveform" and "samples" not in summary["waveforms"][0]


def test_no_pixels_is_a_typed_result() -> None:
    for name in ("rtplan.dcm", "rtstruct.dcm", "priv_SQ.dcm"):
        result = describe_object(pydicom.dcmread(bundled(name), force=True))
        assert result["kind"] == "none" and result["reason"]
    assert describe_object(pydicom.dcmread(bundled("CT_small.dcm"))) == {"kind": "image", "frames": 1}
