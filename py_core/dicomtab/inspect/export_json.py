"""The DICOM JSON model (PS3.18 Annex F) of an instance.

pydicom's ``Dataset.to_json_dict`` is close but not usable as is here: it reads deferred
values (so it would pull a whole multi-frame's pixel data through pydicom), writes ``NaN``
(not JSON) for a non-finite FL/FD/DS, writes ``""`` instead of ``null`` for an empty value
among several, and always inlines binary values. This writer follows the same model from the
element tree instead:

* PN: one object per value with ``Alphabetic``/``Ideographic``/``Phonetic`` groups present;
* AT: ``"GGGGEEEE"`` strings; IS/DS: JSON numbers, kept as the original string when that
  does not parse as a finite number (F.2.3 allows a string in that case); FL/FD: numbers,
  ``"NaN"``/``"Infinity"``/``"-Infinity"`` as strings; SV/UV beyond 2^53: strings (exact);
* empty values in a multi-valued element: ``null``; an empty element or sequence: no
  ``Value``;
* binary values (OB/OD/OF/OL/OV/OW/UN, pixel data): ``InlineBinary`` base64 of the value
  bytes as encoded (encapsulated pixel data: its items as encoded), or, with
  ``binary="omit"``, the attribute left out altogether (an attribute with no ``Value``
  would claim a zero-length value); BulkDataURI is not produced;
* a value that could not be decoded for its VR (an odd-length US, …): ``UN`` with its bytes.

The file meta group is not part of the model; ``include_meta`` adds it for inspection.
"""

from __future__ import annotations

import base64
import math
from dataclasses import replace
from typing import Any

from pydicom.multival import MultiValue
from pydicom.valuerep import PersonName

from dicomtab.errors import UsageError
from dicomtab.inspect.nodes import BINARY_VRS, Element, tag_key
from dicomtab.structure import PIXEL_TAGS

BINARY_OPTIONS = ("inline", "omit")
_NUMBER_VRS = frozenset({"US", "SS", "UL", "SL", "UV", "SV"})
_FLOAT_VRS = frozenset({"FL", "FD"})
_SAFE_INTEGER = 2**53


def _person_name(value: Any) -> dict[str, str] | None:
    text = str(value)
    if not text:
        return None
    name = value if isinstance(value, PersonName) else PersonName(text)
    groups = dict(zip(("Alphabetic", "Ideographic", "Phonetic"), name.components, strict=False))
    return {key: group for key, group in groups.items() if group}


def _float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _decimal_string(text: str, integer: bool) -> int | float | str | None:
    text = text.strip()
    if not text:
        return None
    try:
        number = int(text) if integer else float(text)
    except ValueError:
        return text  # not a number: keep what the file says
    if isinstance(number, float) and not math.isfinite(number):
        return text
    return number


def _values(element: Element) -> list[Any]:
    assert element.element is not None
    raw = element.element.value
    values = list(raw) if isinstance(raw, MultiValue | list | tuple) else [raw]
    vr = element.vr
    if vr == "PN":
        return [_person_name(v) for v in values]
    if vr == "AT":
        return [tag_key(int(v)) for v in values]
    if vr in ("IS", "DS"):
        # From the text as written: the number pydicom made of it may be rounded.
        return [_decimal_string(t, vr == "IS") for t in element.values]
    if vr in _FLOAT_VRS:
        return [_float(float(v)) for v in values]
    if vr in _NUMBER_VRS:
        return [int(v) if abs(int(v)) < _SAFE_INTEGER else str(int(v)) for v in values]
    return [t if t != "" else None for t in element.values]


def _attribute(element: Element, binary: str) -> dict[str, Any] | None:
    out: dict[str, Any] = {"vr": element.vr}
    if element.items is not None:
        if element.items:
            out["Value"] = [_dataset(item.elements, binary) for item in element.items]
        return out
    if element.data is not None:
        if binary == "omit":
            return None
        if element.vr not in BINARY_VRS and element.tag not in PIXEL_TAGS:
            # A value pydicom could not decode for its VR (a US of 3 bytes, …): its bytes
            # can only be carried as UN, which the model allows for any VR.
            out["vr"] = "UN"
        if element.size:
            out["InlineBinary"] = base64.b64encode(element.data).decode("ascii")
        return out
    if element.values:
        out["Value"] = _values(element)
    return out


def _dataset(elements: list[Element], binary: str) -> dict[str, Any]:
    model: dict[str, Any] = {}
    for element in elements:
        attribute = _attribute(element, binary)
        if attribute is not None:
            model[tag_key(element.tag)] = attribute
    return model


def to_json_model(
    elements: list[Element],
    *,
    binary: str = "inline",
    keep: set[str] | None = None,
) -> dict[str, Any]:
    """The DICOM JSON model of ``elements``.

    ``binary`` is ``"inline"`` or ``"omit"``; ``keep`` limits the output to these paths
    (the phi-only view: see :func:`dicomtab.inspect.classify.phi_paths`).
    """
    if binary not in BINARY_OPTIONS:
        raise UsageError(f"Binary values can be {' or '.join(BINARY_OPTIONS)}.")
    if keep is not None:
        elements = _filtered(elements, keep)
    return _dataset(elements, binary)


def _filtered(elements: list[Element], keep: set[str]) -> list[Element]:
    out = []
    for element in elements:
        if element.path not in keep:
            continue
        if element.items is not None:
            items = [
                replace(item, elements=_filtered(item.elements, keep))
                for item in element.items
                if item.path in keep
            ]
            element = replace(element, items=items)
        out.append(element)
    return out
