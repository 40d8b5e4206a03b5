"""Identifiers inside free text (dicomtab/deid/freetext.py)."""

from __future__ import annotations

from pydicom.valuerep import PersonName

from dicomtab.deid.freetext import REPLACEMENT, Scrubber, identifier_strings


def test_person_name_contributes_components_and_natural_order() -> None:
    found = identifier_strings("PN", PersonName("Müller^Jürgen^Karl"))
    assert {"Müller^Jürgen^Karl", "Müller", "Jürgen", "Karl", "Jürgen Müller"} <= set(found)


def test_multi_valued_and_short_values() -> None:
    assert identifier_strings("LO", ["ID-1", "ID-2"]) == ["ID-1", "ID-2"]
    assert identifier_strings("LO", "A") == []


def test_scrubber_whole_words_case_insensitive_non_ascii() -> None:
    scrub = Scrubber(["Müller", "PID-4711", "Дмитрий"]).scrub
    assert scrub("seen by MÜLLER today") == f"seen by {REPLACEMENT} today"
    assert scrub("ID PID-4711, again pid-4711.") == f"ID {REPLACEMENT}, again {REPLACEMENT}."
    assert scrub("Дмитрий пришёл") == f"{REPLACEMENT} пришёл"
    # Not inside other words.
    assert scrub("Müllerstraße and XPID-47111") == "Müllerstraße and XPID-47111"


def test_longest_identifier_wins_and_empty_scrubber_is_identity() -> None:
    scrub = Scrubber(["Anna", "Anna Schmidt"]).scrub
    assert scrub("Anna Schmidt called") == f"{REPLACEMENT} called"
    assert Scrubber([]).scrub("Anna") == "Anna"
    assert not Scrubber([])
