"""Opening a file makes its summary from the structural walk (dicomtab.reading's
``_header_from_walk``) where pydicom would read the header as the walk did: the summaries,
notes and refusals must be those of pydicom's full reading, for every file.

The fast path is taken only for some files (explicit VR, nothing the walk and pydicom read
differently); each test also counts the files it took, so that it cannot pass by never
taking it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
import pytest
from bench import fuzz
from pydicom.dataset import Dataset

from dicomtab import reading
from dicomtab.errors import DicomtabError
from dicomtab.reading import open_dataset, quiet_pydicom
from dicomtab.session import Session
from dicomtab.summary import HEADER_TAGS, SUMMARY_KEYWORDS, is_dicomdir, summarize
from tests import badfiles
from tests.conftest import BUNDLED_DIR, bundled
from tests.core.deid.hipaa_set import write_hipaa_set
from tests.core.deid.phi_set import write_set

#: What Session adds to a summary around summarize's fields.
SESSION_FIELDS = ("instanceId", "fileName", "damaged", "downloadName")
NAME = "f.dcm"


class _Parses:
    """Counts pydicom's readings of a file (reading._parse) while it is installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        parse = reading._parse

        def counted(*args: Any) -> Dataset:
            self.count += 1
            return parse(*args)

        monkeypatch.setattr(reading, "_parse", counted)


def _outcome(action: Any) -> Any:
    try:
        with quiet_pydicom():
            return action()
    except DicomtabError as exc:
        return (type(exc).__name__, exc.message)


def _full(data: bytes) -> Any:
    """The summary from pydicom's reading of the whole file (no ``only``)."""
    def summary() -> dict[str, Any]:
        opened = open_dataset(data, NAME, stop_before_pixels=True)
        return {**summarize(opened), "dicomdir": is_dicomdir(opened.dataset, NAME)}
    return _outcome(summary)


def _session(data: bytes, *, by_parts: bool, first: int = 64 * 1024) -> Any:
    """The summary the worker's session makes, as the page gets it (ids aside)."""
    def summary() -> dict[str, Any]:
        session = Session()
        if by_parts:
            made = session.open_by_parts(data[:first], len(data), NAME,
                                         lambda start, end: data[start:end], lambda: data)
        else:
            made = session.open(data, NAME, lambda: data)
        return {k: v for k, v in made.items() if k not in SESSION_FIELDS}
    return _outcome(summary)


def _compare(files: Iterator[tuple[str, bytes]], parses: _Parses) -> int:
    """Assert each file's session summaries (whole, by parts) equal the full reading's;
    return how many of the session's openings were made from the walk."""
    from_walk = 0
    for name, data in files:
        expected = _full(data)
        for by_parts in (False, True):
            before = parses.count
            assert _session(data, by_parts=by_parts) == expected, (name, by_parts)
            from_walk += parses.count == before and isinstance(expected, dict)
    return from_walk


def _corpus() -> Iterator[tuple[str, bytes]]:
    for path in sorted(p for p in BUNDLED_DIR.rglob("*") if p.is_file()):
        yield str(path.relative_to(BUNDLED_DIR)), path.read_bytes()


def test_every_file_of_the_parity_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydicom's test files, every one (the corpus the pixel parity test decodes)."""
    parses = _Parses(monkeypatch)
    assert _compare(_corpus(), parses) >= 200


def test_every_file_of_pydicom_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydicom-data's files (a test extra): larger images, more vendors and syntaxes."""
    import data_store  # pydicom-data's package

    parses = _Parses(monkeypatch)
    folder = Path(data_store.__file__).parent / "data"
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    assert len(paths) > 50
    assert _compare(((p.name, p.read_bytes()) for p in paths), parses) >= 100


def test_generated_sets_with_identifying_values(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    """The PHI-seeded sets: names in several character sets, dates, UIDs, private tags."""
    parses = _Parses(monkeypatch)
    paths = [*write_set(tmp_path / "phi").values(), *write_hipaa_set(tmp_path / "hipaa").values()]
    assert _compare(((p.name, p.read_bytes()) for p in sorted(paths)), parses) >= 20


def test_bad_inputs_are_refused_or_summarised_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty, not DICOM, truncated, impossible lengths, unknown VRs, damaged DICOMDIRs."""
    parses = _Parses(monkeypatch)
    good = bundled("CT_small.dcm").read_bytes()
    bad = {**badfiles.all_bad_inputs(good),
           **badfiles.dicomdir_bad_inputs(bundled("dicomdirtests/DICOMDIR").read_bytes())}
    truncated = {f"cut-{n}": good[:n] for n in range(0, len(good), 97)}
    refused = sum(isinstance(_full(data), tuple) for data in [*bad.values(), *truncated.values()])
    assert refused >= 40
    _compare(iter([*bad.items(), *truncated.items()]), parses)


def test_mutated_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The fuzzer's mutations (bit flips, cuts, lengths, VRs, swapped tags, transfer
    syntaxes, deep nesting, huge sizes) of the corpus, with a fixed seed."""
    parses = _Parses(monkeypatch)
    files, _ = fuzz.corpus(tmp_path)
    rng = random.Random(14)
    cases = []
    for n in range(400):
        name, data = files[rng.randrange(len(files))]
        mutation = rng.choice(fuzz.MUTATIONS)
        cases.append((f"{n} {name} {mutation}", fuzz.mutate(data, mutation, rng)))
    assert _compare(iter(cases), parses) >= 120


def test_the_summary_reads_only_the_elements_a_header_is_made_of() -> None:
    """Every file's summary from its header restricted to HEADER_TAGS equals the summary from
    all of it: a field added to the summary must add its element to SUMMARY_KEYWORDS."""
    checked = 0
    for name, data in _corpus():
        try:
            with quiet_pydicom():
                opened = open_dataset(data, NAME, stop_before_pixels=True)
                whole = summarize(opened)
                kept = Dataset({tag: opened.dataset.get_item(tag) for tag in HEADER_TAGS
                                if tag in opened.dataset})
                kept.set_original_encoding(*opened.dataset.original_encoding,
                                           opened.dataset.original_character_set)
                kept.file_meta = opened.dataset.file_meta
                opened.dataset = kept
                assert summarize(opened) == whole, name
                checked += 1
        except DicomtabError:
            continue
    assert checked > 100
    assert len(HEADER_TAGS) == len(SUMMARY_KEYWORDS)


def test_reading_an_element_the_header_does_not_hold_is_refused() -> None:
    """The summary's own guard: asking for an element outside SUMMARY_KEYWORDS fails loudly
    rather than reading None from a header made of the others."""
    from dicomtab.summary import _text

    ds = pydicom.dcmread(bundled("CT_small.dcm"), stop_before_pixels=True)
    with pytest.raises(KeyError):
        _text(ds, "StationName")
