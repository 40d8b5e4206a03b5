"""Reading values straight from their bytes gives what pydicom's decoding gives
(elements.value_strings, which verification uses for every element of every output)."""

from __future__ import annotations

import warnings

import pydicom
import pytest
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from dicomtab.deid.elements import ValueStrings, value_strings, values_of
from tests.conftest import BUNDLED_DIR

FILES = sorted(str(p) for p in BUNDLED_DIR.rglob("*.dcm"))


def _compare(ds: Dataset, mismatches: list[str], counted: list[int]) -> None:
    for raw in list(ds.elements()):
        fast = value_strings(ds, raw)
        elem = ds[raw.tag]
        if elem.VR == "SQ":
            for item in elem.value or []:
                _compare(item, mismatches, counted)
            continue
        if fast is None:
            continue
        counted[0] += 1
        decoded = [] if elem.is_empty else [str(v) for v in values_of(elem.value)]
        if fast != decoded:
            mismatches.append(f"{elem.tag} {elem.VR}: {fast!r} != {decoded!r}")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_value_strings_equal_pydicom_decoding(path: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path, force=True)
            mismatches: list[str] = []
            counted = [0]
            _compare(ds, mismatches, counted)
        except Exception as exc:  # a file pydicom itself cannot decode is not this test's
            pytest.skip(f"pydicom cannot decode it ({type(exc).__name__})")
    assert not mismatches


def test_value_strings_leaves_what_needs_pydicom() -> None:
    ds = Dataset()
    implicit = RawDataElement(0x00100010, None, 6, b"Doe^J ", 0, True, True)
    assert value_strings(ds, implicit) is None  # the VR comes from the dictionary
    cut = RawDataElement(0x00280010, "US", 3, b"\x00\x02\x00", 0, False, True)
    assert value_strings(ds, cut) is None  # a length the VR cannot have: pydicom says UN
    assert value_strings(ds, RawDataElement(0x00280010, "US", 2, b"\x00\x02", 0, False,
                                            False)) == ["2"]  # big endian
    assert value_strings(ds, RawDataElement(0x00080020, "DA", 0, None, 0, False, True)) == []
    latin = Dataset()
    latin.SpecificCharacterSet = "ISO_IR 100"
    name = RawDataElement(0x00100010, "PN", 6, "Müller".encode("latin-1"), 0, False, True)
    assert value_strings(latin, name) == ["Müller"]


def test_most_elements_of_an_explicit_vr_file_are_read_straight() -> None:
    ds = pydicom.dcmread(BUNDLED_DIR / "CT_small.dcm")
    counted = [0]
    mismatches: list[str] = []
    _compare(ds, mismatches, counted)
    assert not mismatches and counted[0] > 0.8 * len(ds)


def _pairs(ds: Dataset) -> list[tuple[Dataset, object]]:
    """Every element of ``ds`` and of its items, raw as read, with the data set holding it."""
    found: list[tuple[Dataset, object]] = []
    for raw in list(ds.elements()):
        found.append((ds, raw))
        if raw.VR == "SQ" or value_strings(ds, raw) is None and ds[raw.tag].VR == "SQ":
            for item in ds[raw.tag].value or []:
                found.extend(_pairs(item))
    return found


def test_value_strings_remembered_across_files_are_those_of_each_file() -> None:
    """One ValueStrings for every bundled file (as a batch keeps one for all its outputs):
    each element, asked twice, gives what value_strings gives for it in its own file, whatever
    the files before held (other character sets, byte orders, VRs for the same bytes)."""
    strings = ValueStrings()
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in FILES:
            try:
                ds = pydicom.dcmread(path, force=True)
                pairs = _pairs(ds)
            except Exception:  # a file pydicom itself cannot decode is not this test's
                continue
            for _ in range(2):
                for holder, raw in pairs:
                    expected = value_strings(holder, raw)  # type: ignore[arg-type]
                    assert strings(holder, raw) == expected, (path, raw)  # type: ignore[arg-type]
                    checked += expected is not None
    assert checked > 1000


def test_value_strings_remembered_tell_encodings_apart() -> None:
    strings = ValueStrings()
    latin, utf8 = Dataset(), Dataset()
    latin.SpecificCharacterSet, utf8.SpecificCharacterSet = "ISO_IR 100", "ISO_IR 192"
    name = RawDataElement(0x00100010, "PN", 7, "Müller".encode(), 0, False, True)
    assert strings(utf8, name) == ["Müller"]
    assert strings(latin, name) == ["MÃ¼ller"] == value_strings(latin, name)
    little = RawDataElement(0x00280010, "US", 2, b"\x00\x02", 0, False, True)
    big = RawDataElement(0x00280010, "US", 2, b"\x00\x02", 0, False, False)
    assert strings(latin, little) == ["512"] and strings(latin, big) == ["2"]
    as_text = RawDataElement(0x00081030, "LO", 2, b"\x00\x02", 0, False, True)
    assert strings(latin, as_text) == value_strings(latin, as_text)
    assert strings(latin, RawDataElement(0x00280010, "US", 3, b"\x00\x02\x00", 0, False,
                                         True)) is None  # left to pydicom, as value_strings


def test_engine_and_verification_read_the_same_with_values_remembered() -> None:
    """De-identifying and verifying with one ValueStrings for all files (as a batch does:
    the inputs' values read from their bytes where only the values matter, remembered) gives
    the bytes, audit records and findings that reading each such element as a DataElement
    (pydicom's decoding, ``ds[tag]``) gives."""
    import io

    from dicomtab.deid.engine import deidentify
    from dicomtab.deid.profile import load_profile
    from dicomtab.deid.verify import verify_output
    from dicomtab.deid.writer import encode
    from dicomtab.reading import read_dataset
    from tests.core.deid.conftest import KEY
    from tests.core.deid.phi_set import build_set

    def pydicoms(ds: Dataset, elem: object, encoding: object = None) -> None:
        return None  # read nothing from bytes: every element through ds[tag], as before

    files = {}
    for name, ds in build_set().items():
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        files[name] = buffer.getvalue()
        if "PatientName" in ds and ds.PatientName.family_name:
            # Kept text naming the patient: the engine's free-text scrubbing, as read.
            ds.Manufacturer = f"{ds.PatientName.family_name} Imaging"
            ds.SeriesDescription = f"head of {ds.PatientName.family_name}"
            buffer = io.BytesIO()
            ds.save_as(buffer, enforce_file_format=True)
            files[f"named-{name}"] = buffer.getvalue()
    for path in FILES[:40]:
        files[path.rsplit("/", 1)[-1]] = open(path, "rb").read()
    strings = ValueStrings()
    compared = scrubbed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile_name in ("basic", "research", "hipaa-safe-harbor"):
            profile = load_profile(profile_name)
            for _ in range(2):  # the second time, every value is remembered
                for name, data in files.items():
                    try:
                        plain_source = read_dataset(data, name)
                        plain = deidentify(plain_source, profile, KEY,
                                           strings=pydicoms)  # type: ignore[arg-type]
                        plain_bytes = encode(plain.dataset)
                    except Exception:  # refused or not writable: not this test's
                        continue
                    source = read_dataset(data, name)
                    result = deidentify(source, profile, KEY, strings=strings)
                    output = encode(result.dataset)
                    assert output == plain_bytes, (profile_name, name)
                    assert result.records == plain.records, (profile_name, name)
                    assert verify_output(source, output, name, written=result.dataset,
                                         strings=strings) == verify_output(
                        plain_source, plain_bytes, name, written=plain.dataset,
                        strings=pydicoms), name  # type: ignore[arg-type]
                    compared += 1
                    scrubbed += any(r.source.endswith("+free-text") for r in result.records)
    assert compared > 100 and scrubbed > 10
