"""Keyed replacements: keys.py, uids.py, dates.py, pseudonyms.py."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from dicomtab.deid import dates, pseudonyms
from dicomtab.deid.keys import Key, generate_key_file, read_key_file
from dicomtab.deid.uids import UidMapper, is_well_known, keyed_uid
from dicomtab.errors import PolicyError
from tests.core.deid.conftest import KEY, OTHER_KEY

UID = "1.2.826.0.1.3680043.9.9999.1.1.1"


def test_keyed_uid_is_repeatable_keyed_and_valid() -> None:
    new = keyed_uid(KEY, UID)
    assert new == keyed_uid(KEY, UID)
    assert new != keyed_uid(OTHER_KEY, UID)
    assert new.startswith("2.25.") and len(new) <= 64
    assert new[5:].isdigit() and not new[5:].startswith("0")
    # Not an unkeyed hash of the UID.
    assert new[5:] != str(int.from_bytes(hashlib.sha256(UID.encode()).digest()[:16], "big"))


@pytest.mark.parametrize(
    "uid",
    [CTImageStorage, ExplicitVRLittleEndian, "1.2.840.10008.1.2.4.50", "1.2.840.10008.99.99",
     "1.2.840.10008.5.1.4.1.1.88.11"],
)
def test_well_known_uids_are_never_changed(uid: str) -> None:
    assert is_well_known(uid)
    assert UidMapper(KEY).map(uid) == uid


def test_mapper_records_only_what_it_changed() -> None:
    mapper = UidMapper(KEY)
    mapper.map(UID)
    mapper.map(CTImageStorage)
    assert list(mapper.seen) == [UID]


def test_key_file_round_trip_and_refusals(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    generate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keyed_uid(read_key_file(path), UID) == keyed_uid(read_key_file(path), UID)
    with pytest.raises(PolicyError):
        generate_key_file(path)
    with pytest.raises(PolicyError, match="keygen"):
        read_key_file(None)
    with pytest.raises(PolicyError, match="keygen"):
        read_key_file(tmp_path / "missing.key")
    with pytest.raises(PolicyError):
        Key(b"short")
    assert "secret" in repr(KEY) and "\\x00" not in repr(KEY)


def test_patient_offset_is_per_patient_keyed_and_in_range() -> None:
    a = dates.patient_offset_days(KEY, "id:A")
    assert a == dates.patient_offset_days(KEY, "id:A")
    assert -dates.MAX_SHIFT_DAYS <= a <= -dates.MIN_SHIFT_DAYS
    offsets = {dates.patient_offset_days(KEY, f"id:{i}") for i in range(20)}
    assert len(offsets) > 10
    assert dates.patient_offset_days(OTHER_KEY, "id:A") != a or len(offsets) > 1


@pytest.mark.parametrize(
    ("vr", "value", "days", "expected"),
    [
        ("DA", "20240131", -31, "20231231"),
        ("DA", "20240301", -1, "20240229"),
        ("DA", "20240110\\20240131", -10, "20231231\\20240121"),
        ("DT", "20240131102100.000000", -1, "20240130102100.000000"),
        ("DT", "20240131102100+0100", -31, "20231231102100+0100"),
        ("DT", "2024", -400, "2022"),
        ("DT", "202403", -1, "202402"),
        ("DT", "202403+0100", -1, "202402+0100"),
        ("DT", "2024-0500", -400, "2022-0500"),
        ("DT", "20240131235959.5-1000", -1, "20240130235959.5-1000"),
        ("DT", "20240", -1, None),
        ("TM", "102100", -1000, "102100"),
        ("DA", "notadate", -1, None),
        ("DA", "20241341", -1, None),
    ],
)
def test_shift_values(vr: str, value: str, days: int, expected: str | None) -> None:
    assert dates.shift_values(vr, value, days) == expected


def test_pseudonym_fields_depend_on_patient_and_key() -> None:
    ds = Dataset()
    ds.PatientID, ds.IssuerOfPatientID, ds.PatientName = "123", "H1", "Doe^John"
    pkey = pseudonyms.patient_key(ds)
    assert pkey == "id:123\x00H1"
    fields = pseudonyms.template_fields(KEY, pkey)
    assert fields == pseudonyms.template_fields(KEY, pkey)
    assert fields != pseudonyms.template_fields(OTHER_KEY, pkey)
    assert len(fields["hash8"]) == 8 and fields["hash12"].startswith(fields["hash8"])
    assert pseudonyms.render("ANON^{hash8}", fields) == "ANON^" + fields["hash8"]
    other = Dataset()
    other.PatientID, other.IssuerOfPatientID = "123", "H2"
    assert pseudonyms.patient_key(other) != pkey
    nameonly = Dataset()
    nameonly.PatientName = "Doe^John"
    assert pseudonyms.patient_key(nameonly) == "name:Doe^John"
