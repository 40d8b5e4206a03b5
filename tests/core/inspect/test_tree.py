"""Rows for the page: JSON-able, verbatim text, clipped long values, full values on demand."""

from __future__ import annotations

import json

import pytest

from dicomtab.errors import UsageError
from dicomtab.inspect.partial import Inspected, load
from dicomtab.inspect.tree import MAX_TEXT, PREVIEW_BYTES, rows, tree, value_of
from tests.conftest import bundled
from tests.core.inspect.conftest import LONG_TEXT, MARKUP


def _row(rows_: list[dict], path: str) -> dict:
    return next(r for r in rows_ if r["path"] == path)


def test_tree_is_plain_json(sample: Inspected) -> None:
    payload = tree(sample)
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload
    assert payload["problem"] is None and payload["fileName"] == "sample.dcm"


def test_element_rows(sample: Inspected) -> None:
    all_rows = rows(sample)
    name = _row(all_rows, "00100010")
    assert name["value"] == MARKUP + "^Jane" and name["values"] == [MARKUP + "^Jane"]
    assert (name["tag"], name["keyword"], name["name"], name["vr"], name["vm"]) == (
        "(0010,0010)",
        "PatientName",
        "Patient's Name",
        "PN",
        1,
    )
    assert name["phi"]["category"] == "direct-identifier" and name["phi"]["identifying"]
    assert name["parent"] is None and name["depth"] == 0 and not name["truncated"]
    types = _row(all_rows, "00080008")
    assert types["value"] == "ORIGINAL\\PRIMARY" and types["values"] == ["ORIGINAL", "PRIMARY"]
    meta = _row(all_rows, "00020010")
    assert meta["meta"] and all_rows[0]["path"] == "00020000"


def test_sequences_and_numbered_items(sample: Inspected) -> None:
    all_rows = rows(sample)
    seq = _row(all_rows, "00400275")
    assert seq["kind"] == "sequence" and seq["items"] == 2
    item = _row(all_rows, "00400275/1")
    assert item["kind"] == "item" and item["number"] == 2 and item["parent"] == "00400275"
    deep = _row(all_rows, "00400275/0/00400008/0/00080104")
    assert deep["depth"] == 4 and deep["parent"] == "00400275/0/00400008/0"
    order = [r["path"] for r in all_rows]
    assert order.index("00400275") < order.index("00400275/0") < order.index("00400275/0/00401001")


def test_private_rows(sample: Inspected) -> None:
    all_rows = rows(sample)
    creator = _row(all_rows, "00110010")
    assert creator["isPrivateCreator"] and creator["private"] and creator["value"] == "ACME 1.0"
    note = _row(all_rows, "00111001")
    assert note["private"] and note["privateCreator"] == "ACME 1.0"
    assert note["phi"]["category"] == "private" and note["phi"]["action"] == "X"


def test_long_text_is_clipped_and_value_of_gives_it_all(sample: Inspected) -> None:
    comments = _row(rows(sample), "00204000")
    assert comments["truncated"] and len(comments["value"]) == MAX_TEXT
    full = value_of(sample, "00204000")
    assert full["value"] == LONG_TEXT.rstrip() and not full["truncated"]
    assert value_of(sample, "(0020,4000)".strip("()").replace(",", ""))["vr"] == "LT"


def test_binary_rows_show_size_and_hex_preview(sample: Inspected) -> None:
    all_rows = rows(sample)
    blob = _row(all_rows, "00111002")
    assert blob["binary"] and blob["size"] == 40 and blob["truncated"]
    assert blob["value"] == bytes(range(PREVIEW_BYTES)).hex(" ")
    pixels = _row(all_rows, "7FE00010")
    assert pixels["size"] == 16 and not pixels["truncated"]
    assert value_of(sample, "7fe00010")["hex"] == bytes(range(16)).hex(" ")


def test_value_of_refuses_unknown_paths_and_sequences(sample: Inspected) -> None:
    with pytest.raises(UsageError, match="no element at path"):
        value_of(sample, "00100011")
    with pytest.raises(UsageError, match="sequence"):
        value_of(sample, "00400275")
    with pytest.raises(UsageError):
        value_of(sample, "00400275/0")


def test_phi_only_keeps_identifying_elements_and_their_containers(sample: Inspected) -> None:
    kept = rows(sample, phi_only=True)
    paths = {r["path"] for r in kept}
    assert {"00100010", "00400275", "00400275/0", "00400275/0/00401001"} <= paths
    assert "00280010" not in paths and "00080060" not in paths  # Rows, Modality
    for row in kept:
        if row["kind"] == "element":
            assert row["phi"]["identifying"], row["keyword"]


def test_a_damaged_file_ends_with_a_problem_row() -> None:
    inspected = load(bundled("MR_truncated.dcm").read_bytes(), "MR_truncated.dcm")
    payload = tree(inspected)
    last = payload["rows"][-1]
    assert last["kind"] == "problem" and last["tag"] == "(7FE0,0010)" and last["offset"] == 1488
    assert payload["problem"]["tag"] == "(7FE0,0010)"
