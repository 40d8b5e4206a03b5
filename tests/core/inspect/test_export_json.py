"""The DICOM JSON model: pydicom's model, made strict JSON, without reading deferred pixels."""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import pydicom
import pytest
from pydicom.dataset import Dataset

from dicomtab.errors import UsageError
from dicomtab.inspect.classify import classify_all, phi_paths
from dicomtab.inspect.export_json import to_json_model
from dicomtab.inspect.partial import Inspected, load
from tests.conftest import BUNDLED_DIR, bundled
from tests.core.inspect.conftest import MARKUP, big_multiframe, odd_values_file


def test_value_representations(sample: Inspected) -> None:
    model = to_json_model(sample.elements)
    # '=' separates a person name's component groups, so the markup is split at it.
    groups = model["00100010"]["Value"][0]
    assert list(groups) == ["Alphabetic", "Ideographic", "Phonetic"]
    assert "=".join(groups.values()) == MARKUP + "^Jane"
    assert model["0008103E"] == {"vr": "LO", "Value": [MARKUP]}
    assert model["00280009"] == {"vr": "AT", "Value": ["00181063"]}
    assert model["00200013"] == {"vr": "IS", "Value": [7]}
    assert model["00180050"] == {"vr": "DS", "Value": [1.25]}
    assert model["00409224"] == {"vr": "FD", "Value": ["NaN"]}
    assert model["00101000"] == {"vr": "LO", "Value": ["A1", "B2"]}
    assert model["00280010"] == {"vr": "US", "Value": [4]}
    json.dumps(model, allow_nan=False)  # strict JSON: no NaN


def test_sequences_nest(sample: Inspected) -> None:
    model = to_json_model(sample.elements)
    items = model["00400275"]["Value"]
    assert [i["00401001"]["Value"] for i in items] == [["RP-9"], ["RP-10"]]
    code = items[0]["00400008"]["Value"][0]
    assert code["00080104"] == {"vr": "LO", "Value": ["Protocol <b>bold</b>"]}


def test_binary_inline_or_omitted(sample: Inspected) -> None:
    inline = to_json_model(sample.elements)
    assert base64.b64decode(inline["7FE00010"]["InlineBinary"]) == bytes(range(16))
    assert inline["7FE00010"]["vr"] == "OB"
    assert base64.b64decode(inline["00111002"]["InlineBinary"]) == bytes(range(40))
    omitted = to_json_model(sample.elements, binary="omit")
    assert "7FE00010" not in omitted and "00111002" not in omitted
    assert "00100010" in omitted
    with pytest.raises(UsageError):
        to_json_model(sample.elements, binary="bulk")


def test_pydicom_reads_it_back(sample: Inspected) -> None:
    model = to_json_model(sample.elements)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = Dataset.from_json(json.dumps(model))
    assert str(ds.PatientName) == MARKUP + "^Jane"
    assert ds.RequestAttributesSequence[1].RequestedProcedureID == "RP-10"
    assert ds.PixelData == bytes(range(16))


def _normalised(model: dict[str, Any]) -> dict[str, Any]:
    """pydicom's output with the two documented differences undone."""
    out = {}
    for key, attribute in model.items():
        attribute = dict(attribute)
        value = attribute.get("Value")
        if attribute["vr"] == "SQ" and value is not None:
            if value:
                attribute["Value"] = [_normalised(item) for item in value]
            else:
                del attribute["Value"]  # an empty sequence has no Value
        elif isinstance(value, list):
            attribute["Value"] = [None if v == "" else v for v in value]
        out[key] = attribute
    return out


@pytest.mark.parametrize(
    "path",
    [
        bundled("CT_small.dcm"),
        bundled("rtplan.dcm"),
        bundled("test-SR.dcm"),
        bundled("waveform_ecg.dcm"),
        bundled("JPEG2000.dcm"),
        BUNDLED_DIR.parent / "charset_files" / "chrH31.dcm",
        BUNDLED_DIR.parent / "charset_files" / "chrSQEncoding.dcm",
    ],
    ids=lambda p: p.name,
)
def test_same_model_as_pydicom_where_pydicom_is_right(path: Any) -> None:
    inspected = load(path.read_bytes(), path.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = pydicom.dcmread(path).to_json_dict()
    assert to_json_model(inspected.elements) == _normalised(reference)


def test_empty_values(sample: Inspected) -> None:
    ct = load(bundled("CT_small.dcm").read_bytes(), "ct")
    model = to_json_model(ct.elements)
    assert model["00080090"] == {"vr": "PN"}  # empty Referring Physician's Name


def test_phi_only(sample: Inspected) -> None:
    keep = phi_paths(sample.all_elements, classify_all(sample.all_elements))
    model = to_json_model(sample.elements, keep=keep)
    assert "00100010" in model and "00280010" not in model
    assert [list(i) for i in model["00400275"]["Value"]][1] == ["00401001"]


def test_large_pixel_data_can_be_left_out_without_being_read() -> None:
    inspected = load(big_multiframe(encapsulated=False, frames=8), "big.dcm")
    model = to_json_model(inspected.elements, binary="omit")
    assert "7FE00010" not in model and model["00280008"]["Value"] == [8]


def test_a_damaged_file_exports_what_comes_before_the_damage() -> None:
    model = to_json_model(load(odd_values_file(), "odd.dcm").elements)
    assert model == {"00100020": {"vr": "LO", "Value": ["P1"]}}


def test_invalid_decimal_strings_stay_strings() -> None:
    data = bundled("CT_small.dcm").read_bytes()
    at = data.index(b"\x18\x00\x50\x00DS")  # Slice Thickness
    length = int.from_bytes(data[at + 6 : at + 8], "little")
    data = data[: at + 8] + b"NaN".ljust(length, b" ") + data[at + 8 + length :]
    model = to_json_model(load(data, "nan.dcm").elements)
    assert model["00180050"] == {"vr": "DS", "Value": ["NaN"]}
    json.dumps(model, allow_nan=False)
