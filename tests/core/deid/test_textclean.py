"""The allow-list cleaner of free text: what a demanding reader would blank in a kept
description, and the imaging vocabulary it must keep."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from dicomtab.deid.engine import deidentify
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile, profile_from_dict
from dicomtab.deid.textclean import TextCleaner, vocabulary

CLEANER = TextCleaner(["DOE^JANE", "DOE", "JANE", "PID-7741"])


def test_the_vocabulary_names_its_sources_and_is_read_once() -> None:
    words = vocabulary()
    assert words is vocabulary()
    packages = [s["package"] for s in words.header["sources"]]
    assert packages[0] == "philter-lite==0.6.0" and packages[1].startswith("pydicom==")
    assert all(len(s.get("member_sha256", "x" * 64)) == 64 for s in words.header["sources"])
    assert len(words.safe) == words.header["safe"] > 150_000
    assert {"rose", "young", "mark"} <= words.ambiguous <= words.safe
    assert not any(w.isdigit() for w in words.safe)  # numbers are judged by shape


@pytest.mark.parametrize("text", [
    "CT CHEST W/O CONTRAST", "MRI BRAIN T1 AX POST GAD 3mm", "Ax T2 FLAIR FS", "AX T2 TSE",
    "t1_mprage_sag_p2_iso", "Thorax^1HR_ThoraxRoutine_Adult (Adult)", "Series 3: B70f 1.0 mm",
    "PET/CT Skull Base to Mid Thigh", "ABD/PELVIS W CONTRAST 5MM", "L knee 3 views",
    "CTA HEAD AND NECK", "Dose Report", "Left Main Coronary Artery", "Head 5.0 H30s",
    "Young adult knee", "Mark the lesion", "Scout 512x512", "2nd phase 120kV",
    "45 year old, T2 90 slices",
])
def test_clinical_descriptors_are_kept_as_they_are(text: str) -> None:
    assert CLEANER.clean(text).text == text


@pytest.mark.parametrize(("text", "left", "gone"), [
    ("wife Mary Hunter drove her in", "wife *** drove her in", ["Mary", "Hunter"]),
    ("Referred by Dr. Rose Young for headache", "Referred by Dr. *** for headache",
     ["Rose", "Young"]),
    ("Seen at St. Mary's Medical Center, 123 Main Street, Springfield, IL 62704",
     "Seen at ***, ***, ***", ["Mary", "Main", "Springfield", "62704"]),
    ("Boston Children's Hospital follow up", "*** follow up", ["Boston"]),
    ("MRN 00456789 acc A12345678", "MRN *** acc ***", ["00456789", "A12345678"]),
    ("Scan date March 14, 2023 and 03/14/2023", "Scan date *** and ***", ["March", "14"]),
    ("Pt Jane Doe, 555-123-4567", "Pt *** ***, ***", ["Jane", "Doe", "555"]),
    ("cc: Dr Smith", "cc: Dr ***", ["Smith"]),
    ("mail jd@example.org", "mail ***", ["example"]),
    ("CT head, 92-year-old female, fall", "CT head, *** female, fall", ["92"]),
    ("seen 3/14 and 12/01", "seen *** and ***", ["14", "12"]),
    ("aged 101, history of stroke", "***, history of stroke", ["101"]),
])
def test_identifiers_nobody_named_are_replaced(text: str, left: str, gone: list[str]) -> None:
    cleaned = CLEANER.clean(text)
    assert cleaned.text == left and cleaned.replaced >= len(gone) - 1
    assert not [g for g in gone if g in cleaned.text]


def _study(description: str) -> Dataset:
    ds = Dataset()
    ds.PatientName, ds.PatientID, ds.Modality = "DOE^JANE", "PID-7741", "CT"
    ds.StudyDescription = description
    ds.ProtocolName = "Chest Dr Hunter"
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4"
    return ds


def test_profiles_that_keep_descriptors_clean_them_with_the_allow_list() -> None:
    result = deidentify(_study("CT chest, wife Mary Hunter present"), load_profile("research"),
                        Key(bytes(32)))
    assert result.dataset.StudyDescription == "CT chest, wife *** present"
    assert result.dataset.ProtocolName == "Chest Dr ***"
    record = next(r for r in result.records if r.keyword == "StudyDescription")
    assert record.action == "C" and record.source.endswith("+allowlist:2")  # a count, no text
    # A profile may clean one attribute with the patterns only.
    lenient = profile_from_dict({"name": "p", "options": ["clean_descriptors"],
                                 "clean_text_by_keyword": {"ProtocolName": "patterns"}})
    assert deidentify(_study("x"), lenient, Key(bytes(32))).dataset.ProtocolName == \
        "Chest Dr Hunter"


def test_patterns_keep_the_old_behaviour_when_a_profile_asks() -> None:
    data = {"name": "p", "options": ["clean_descriptors"], "clean_text": "patterns"}
    result = deidentify(_study("CT chest, wife Mary Hunter present, JANE"),
                        profile_from_dict(data), Key(bytes(32)))
    assert result.dataset.StudyDescription == "CT chest, wife Mary Hunter present, ***"


@pytest.mark.parametrize(("data", "words"), [
    ({"clean_text": "strict"}, "clean_text (and clean_text_by_keyword's values)"),
    ({"clean_text_by_keyword": {"StudyDescription": "off"}}, "must be one of allowlist"),
    ({"clean_text_by_keyword": {"NoSuchThing": "patterns"}}, "unknown keyword 'NoSuchThing'"),
])
def test_a_bad_clean_text_setting_is_named(data: dict[str, object], words: str) -> None:
    from dicomtab.errors import PolicyError

    with pytest.raises(PolicyError) as caught:
        profile_from_dict({"name": "p", **data})
    assert words in caught.value.message


def test_recall_and_utility_as_the_bench_measures_them() -> None:
    """A fixed sample of bench/textclean_bench.py: no injected identifier left in any
    category, and at least 95% of genuine clinical words kept."""
    from bench import textclean_bench

    results = textclean_bench.recall(480, seed=7)["allowlist"]
    assert len(results) == 12 and all(c["made"] == 40 for c in results.values())
    assert {k: c["leaked"] for k, c in results.items() if c["leaked"]} == {}
    by_profile = textclean_bench.recall_by_profile(44, seed=7)
    assert set(by_profile) == {"expert-determination-research", "hipaa-safe-harbor",
                               "research", "vendor-support"}
    assert {k: c["leaked"] for k, c in by_profile.items() if c["leaked"]} == {}
    total, kept, lost = textclean_bench.utility()
    assert kept / total >= 0.95, lost.most_common(10)


def test_verify_reports_what_patterns_kept_and_finds_nothing_after_the_allow_list() -> None:
    from dicomtab.deid.verify import verify_dataset

    ds = _study("CT chest, wife Mary Hunter present")
    allow = deidentify(ds, load_profile("research"), Key(bytes(32))).dataset
    assert not [f for f in verify_dataset(allow, "a.dcm") if f.kind == "identifying-text"]
    lenient = profile_from_dict({"name": "p", "options": ["clean_descriptors"],
                                 "clean_text": "patterns"})
    kept = deidentify(ds, lenient, Key(bytes(32))).dataset
    found = [f for f in verify_dataset(kept, "b.dcm") if f.kind == "identifying-text"]
    assert {f.path for f in found} == {"StudyDescription", "ProtocolName"}
    assert all("Mary" not in str(f) and "Hunter" not in str(f) for f in found)


def test_code_meanings_of_local_schemes_are_cleaned_in_every_profile() -> None:
    from pydicom.sequence import Sequence

    ds = _study("CT")
    local, public = Dataset(), Dataset()
    local.CodeValue, local.CodingSchemeDesignator, local.CodeMeaning = "X1", "99LOCAL", \
        "Reviewed by Hunter"
    public.CodeValue, public.CodingSchemeDesignator, public.CodeMeaning = "T-D3000", "SRT", "Chest"
    ds.AnatomicRegionSequence = Sequence([local, public])
    for profile in ("basic", "research"):
        out = deidentify(ds, load_profile(profile), Key(bytes(32))).dataset
        meanings = [str(i.CodeMeaning) for i in out.AnatomicRegionSequence]
        assert meanings == ["Reviewed by ***", "Chest"]  # the public scheme's is kept


def test_without_its_word_list_the_cleaner_says_so_and_cleans_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from dicomtab.deid import textclean
    from dicomtab.errors import UnsupportedError

    class Missing:
        def joinpath(self, *parts: str) -> Missing:
            return self

        def read_bytes(self) -> bytes:
            raise FileNotFoundError

    monkeypatch.setattr(textclean.resources, "files", lambda package: Missing())
    textclean.vocabulary.cache_clear()
    try:
        with pytest.raises(UnsupportedError) as caught:
            TextCleaner([])
        assert "word list for free text is not loaded" in caught.value.message
    finally:
        monkeypatch.undo()
        textclean.vocabulary.cache_clear()
