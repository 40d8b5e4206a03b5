"""Search by tag in any notation, keyword, name or value, at any depth."""

from __future__ import annotations

import pytest

from dicomtab.errors import UsageError
from dicomtab.inspect.partial import Inspected
from dicomtab.inspect.search import parse_tag, search


@pytest.mark.parametrize(
    "query", ["00100010", "0010,0010", "(0010,0010)", "(0010, 0010)", " 0010 0010 ", "0010,0010"]
)
def test_tag_notations(sample: Inspected, query: str) -> None:
    assert parse_tag(query) == 0x00100010
    result = search(sample.all_elements, query)
    first = result["matches"][0]
    assert first["path"] == "00100010" and "tag" in first["matched"]


def test_not_a_tag() -> None:
    assert parse_tag("PatientName") is None and parse_tag("0010,001") is None


def test_keyword_and_name(sample: Inspected) -> None:
    by_keyword = search(sample.all_elements, "patientname")["matches"]
    assert [m["path"] for m in by_keyword] == ["00100010"]
    assert by_keyword[0]["matched"] == ["keyword"]
    by_name = search(sample.all_elements, "Patient's Name")["matches"]
    assert [m["path"] for m in by_name] == ["00100010"]
    private = search(sample.all_elements, "csa image header")["matches"]
    assert [m["path"] for m in private] == ["00291010"]


def test_values_in_nested_items_with_paths_to_expand(sample: Inspected) -> None:
    found = search(sample.all_elements, "rp-9")["matches"]
    assert [m["path"] for m in found] == ["00400275/0/00401001"]
    assert found[0]["expand"] == ["00400275", "00400275/0"]
    deep = search(sample.all_elements, "<b>bold")["matches"]
    assert deep[0]["path"] == "00400275/0/00400008/0/00080104"
    assert deep[0]["expand"] == [
        "00400275",
        "00400275/0",
        "00400275/0/00400008",
        "00400275/0/00400008/0",
    ]


def test_binary_values_are_not_searched(sample: Inspected) -> None:
    assert search(sample.all_elements, "SV10")["total"] == 0


def test_creator_strings_are_values(sample: Inspected) -> None:
    found = search(sample.all_elements, "acme")["matches"]
    assert [m["path"] for m in found] == ["00110010"]


@pytest.mark.parametrize("query", ["", "   ", "x" * 2000])
def test_bad_queries(sample: Inspected, query: str) -> None:
    with pytest.raises(UsageError):
        search(sample.all_elements, query)
