"""Identifiers inside free text (dicomtab/deid/freetext.py)."""

from __future__ import annotations

import pytest
from pydicom.valuerep import PersonName

from dicomtab.deid.freetext import (
    REPLACEMENT,
    Scrubber,
    identifier_strings,
    pattern_hits,
    unknown_patterns,
)


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


# -- identifier shapes (scrub_patterns) ---------------------------------------------------------

ALL_SHAPES = ["email", "url", "ip", "ssn", "phone", "date"]


@pytest.mark.parametrize(("text", "expected"), [
    # telephone and fax numbers, as people type them
    ("Call (603) 555-0142 or 603-555-0199", "Call *** or ***"),
    ("pager 603.555.0123 ext. 45, home 603 555 0177", "pager ***, home ***"),
    ("+1 603 555 0177 / +1-603-555-0177 / 1-800-555-0199", "*** / *** / ***"),
    ("fax +44 20 7946 0958; Tel: 030 1234567; Fax:(030) 123-4567", "fax ***; Tel: ***; Fax:***"),
    ("Phone 0301234567 (ward)", "Phone *** (ward)"),
    # e-mail inside a description
    ("MRI brain, results to margaret.obrien@example.com", "MRI brain, results to ***"),
    ("cc: Dr.Who+ct@radiology.example-hospital.org.", "cc: ***."),
    # URLs, e.g. in Image Comments
    ("Images at https://pacs.example-hospital.org/viewer?study=48213&x=1. Thanks",
     "Images at ***. Thanks"),
    ("see www.example.org/path, or ftp://files.example.org/x", "see ***, or ***"),
    # SSN-shaped numbers
    ("SSN 123-45-6789, alt 123 45 6789, SSN: 123456789", "SSN ***, alt ***, SSN: ***"),
    # IP addresses
    ("from 10.20.30.40:8080 and 192.168.1.1, v6 2001:db8::1 / fe80:0:0:0:200:f8ff:fe21:67cf",
     "from *** and ***, v6 *** / ***"),
    # dates written for people
    ("born 1929-07-04, seen 03/15/2024 and 3/1/24, 15.03.2024, 20240315",
     "born ***, seen *** and ***, ***, ***"),
    ("March 15, 2024 and 4th July 1929; scan 2024-03-15T10:00", "*** and ***; scan ***T10:00"),
])
def test_shapes_are_replaced(text: str, expected: str) -> None:
    assert Scrubber([], ALL_SHAPES).scrub(text) == expected


@pytest.mark.parametrize("text", [
    "Axial 5mm", "T1 MPRAGE 1.0 iso", "1.2.840.10008.5.1.4.1.1.2", "Series 10115",
    "kVp 120 mAs 250", "WW 400 WL 40", "VE11C 2019", "ref 1.2.3.4.5", "version 1.2.24",
    "DLP 345.67 mGy*cm", "2024", "March 2024", "12/2024", "10:15:30", "FOV 240 x 240",
    "Room 101-2", "IMG-0001-0002", "hotel 1234567", "Contrast +5 10 ml", "Slice 3 of 120",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Scrubber([], ALL_SHAPES).scrub(text) == text
    assert pattern_hits(text) == []


def test_only_the_named_shapes_and_shapes_before_identifiers() -> None:
    text = "mail margaret.obrien@example.com or call 603-555-0142"
    assert Scrubber([], ["phone"]).scrub(text) == "mail margaret.obrien@example.com or call ***"
    # The address holds a removed name: it goes as one piece, not as "***.obrien@…".
    assert Scrubber(["Margaret"], ["email"]).scrub(text) == "mail *** or call 603-555-0142"
    assert Scrubber([], ["ssn"])  # shapes alone make a scrubber
    assert pattern_hits(text) == ["email", "phone"]
    assert unknown_patterns(["phone", "vin"]) == ["vin"]
