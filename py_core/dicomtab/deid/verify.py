"""Scan de-identified files for what should not be there.

Findings name the file, the element path (and for a byte hit the offset) and the kind of
problem, never the value found. With the originals, every identifying value of theirs (names and
name parts, IDs, addresses, institutions, UIDs, dates) is searched for twice: in every decoded
element of every output, and in every byte of every output file (:mod:`dicomtab.deid.bytescan`),
which also reaches pixel data, binary and private elements and the preamble. Without the
originals, the checks that need none still run: private attributes not on the safe list, names
in free text, burned-in annotation without pixel cleaning, missing PatientIdentityRemoved.

Outputs of a HIPAA Safe Harbor profile (their DeidentificationMethod says so), or every output
when asked, are also checked against Safe Harbor's rules: any DA, DT or TM value more specific
than the year (DA must be ``YYYY0101``, DT ``YYYY``, TM empty; the fixed dummies of the D
action hold no date and pass), any age over 89 other than
``090Y``, any private attribute, identifier shapes (phone, e-mail, SSN, URL, IP, date) in text,
and any image that may show a face or recording of a voice.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pydicom.datadict import keyword_for_tag
from pydicom.dataset import Dataset
from pydicom.uid import UID

from dicomtab.deid.actions import DUMMY_BY_VR
from dicomtab.deid.bytescan import ByteScanner, encoded_forms, needles_for
from dicomtab.deid.elements import (
    ValueStrings,
    in_tag_order,
    keyword,
    peek_vr,
    value_strings,
    values_of,
)
from dicomtab.deid.freetext import (
    IDENTIFIER_KEYWORDS,
    PATTERNS,
    TEXT_VRS,
    identifier_strings,
    pattern_hits,
)
from dicomtab.deid.generalize import AGE_CAP, AGE_CAP_YEARS, age_years
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.methods import CODE_TO_OPTION, SAFE_HARBOR_NOTE, YEAR_NOTE
from dicomtab.deid.review import FACE_FLAG, VOICE_FLAG, review_flags
from dicomtab.deid.spans import Region, regions
from dicomtab.deid.table import PrivateKey, load_table
from dicomtab.deid.textclean import TextCleaner
from dicomtab.deid.uids import is_well_known
from dicomtab.errors import DicomtabError
from dicomtab.reading import check_written, read_dataset

#: Identifiers an option allows to stay: when the output says that option was applied, their
#: presence is expected and not reported.
RETAINED_BY: dict[str, str] = {
    "InstitutionName": "retain_institution_identity",
    "InstitutionAddress": "retain_institution_identity",
    "InstitutionalDepartmentName": "retain_institution_identity",
    "StationName": "retain_device_identity",
    "DeviceSerialNumber": "retain_device_identity",
}
#: "Family^Given" typed into text: a DICOM-formatted name where no name belongs.
NAME_IN_TEXT = re.compile(r"(?<!\w)[^\W\d_]{2,}\^[^\W\d_]{2,}")
BINARY_VRS = frozenset({"OB", "OW", "UN", "OD", "OF", "OL", "OV"})
#: The VRs of the originals' values that are collected (with IDENTIFIER_KEYWORDS' elements).
SOUGHT_VRS = frozenset({"SQ", "UI", "DA", "DT", "PN"})
PIXEL_KEYWORDS = frozenset({"PixelData", "FloatPixelData", "DoubleFloatPixelData"})
#: Finding kinds of the element scan that name an original value found in an element.
VALUE_KINDS = frozenset({"original-value", "name-in-free-text"})
#: What Safe Harbor allows of a date: a DA of the year (``YYYY0101``), a DT of the year only.
YEAR_ONLY = {"DA": re.compile(r"\d{4}0101"), "DT": re.compile(r"\d{4}")}
#: In ``Originals.search``: the outputs reduce dates to the year, so an original date that was
#: already on 1 January is expected to be seen again.
DATES_TO_YEAR = "dates-to-year"
#: Safe Harbor findings for files flagged by :mod:`dicomtab.deid.review`.
REVIEW_FINDINGS = {
    FACE_FLAG: ("PixelData", "recognizable-face", "may show a face (head volume or photograph)"),
    VOICE_FLAG: ("WaveformSequence", "voice-recording", "a recording of a voice"),
}


@dataclass(frozen=True)
class Finding:
    """One problem: where it is and what kind it is (never the value).

    ``offset`` is set for hits of the byte scan: the byte where the value starts, counted in
    the file, or in the inflated data set when ``region`` says so.
    """

    file: str
    path: str
    kind: str
    what: str
    offset: int | None = None
    region: str = "file"

    def __str__(self) -> str:
        path = self.path or ("(outside any element)" if self.offset is not None else "")
        text = f"{self.file}: {path}: {self.kind} ({self.what})"
        if self.offset is not None:
            where = "" if self.region == "file" else f" of the {self.region}"
            text += f" at byte {self.offset}{where}"
        return text


@dataclass
class Originals:
    """Identifying values of the original files, by category; kept in memory only."""

    values: dict[str, str] = field(default_factory=dict)  # value -> source keyword
    uids: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    #: value -> the byte strings it may appear as in a file (see bytescan.encoded_forms)
    forms: dict[str, set[bytes]] = field(default_factory=dict)
    _searches: dict[frozenset[str], _Search] = field(default_factory=dict, repr=False)

    def search(self, applied: frozenset[str]) -> _Search:
        """The searches for outputs that applied ``applied``: values an applied option lets
        stay are left out. Compiled once per set of options, not once per file."""
        found = self._searches.get(applied)
        if found is None:
            words = {v: k for v, k in self.values.items() if RETAINED_BY.get(k) not in applied}
            if "retain_uids" not in applied:
                words.update({u: "UID" for u in self.uids})
            if "retain_long_full_dates" not in applied:
                words.update({d: "date" for d in self.dates
                              if DATES_TO_YEAR not in applied or not d.endswith("0101")})
            found = self._searches[applied] = _Search(words, self.forms)
        return found

    def add_values(self, values: Iterable[tuple[int, str, str]], ds: Dataset) -> None:
        """Collect identifying values known apart from any element, as (tag, VR, value), tag
        0 when the owner is unknown (encoded in ``ds``'s character set)."""
        declared = ds.get("SpecificCharacterSet")
        charsets = [str(v) for v in values_of(declared)] if declared else None
        for tag, vr, s in values:
            self._searches.clear()
            owner = "PN" if vr == "PN" else (keyword_for_tag(tag) if tag else "") or "damaged"
            self.values.setdefault(s, owner)
            self.forms.setdefault(s, set()).update(encoded_forms(s, charsets))

    def add_dataset(self, ds: Dataset, charsets: list[str] | None = None,
                    strings: ValueStrings | None = None) -> None:
        """Collect the identifying values of ``ds`` (and of its sequence items).

        ``strings``: what the values of the files before decoded to (a batch's); a raw
        element's values are read from its bytes, without making a DataElement of it."""
        self._searches.clear()  # compiled for the values known so far
        declared = ds.get("SpecificCharacterSet")
        if declared:
            charsets = [str(v) for v in values_of(declared)]
        read = strings or value_strings
        encoding = ds._character_set  # asked once: a data set's lookup costs more than a read
        for raw in in_tag_order(ds):
            # Only elements that may hold an identifying value are decoded (decoding is most
            # of the cost); those whose VR is not known without decoding are decoded too.
            vr = peek_vr(raw)
            if vr not in SOUGHT_VRS and vr is not None and keyword(raw.tag) not in (
                    IDENTIFIER_KEYWORDS):
                continue
            found = read(ds, raw, encoding)
            if found is None:
                elem = ds[raw.tag]
                if elem.VR == "SQ":
                    for item in elem.value or []:
                        self.add_dataset(item, charsets, strings)
                    continue
                if elem.value is None or elem.is_empty:
                    continue
                self._add_values(elem.VR, keyword(elem.tag), elem.value, charsets)
            elif found:
                self._add_values(str(vr), keyword(raw.tag), found, charsets)

    def _add_values(self, vr: str, name: str, value: object, charsets: list[str] | None,
                    ) -> None:
        """Collect the identifying values of one element's ``value`` (decoded, or the strings
        its values print as)."""
        values = values_of(value)
        if vr == "UI":
            self.uids.update(str(v) for v in values if v and not is_well_known(str(v)))
        elif vr in ("DA", "DT"):
            self.dates.update(str(v)[:8] for v in values if len(str(v)) >= 8)
        elif vr == "PN" or name in IDENTIFIER_KEYWORDS:
            for s in identifier_strings(vr, value):
                self.values.setdefault(s, "PN" if vr == "PN" else name)
                self.forms.setdefault(s, set()).update(encoded_forms(s, charsets))


class _Search:
    """The searches for one set of applied options (built once per set)."""

    def __init__(self, words: dict[str, str], forms: dict[str, set[bytes]] | None = None) -> None:
        self.lookup = {w.lower(): k for w, k in words.items()}
        self.words = words
        #: Case-folded, the words cannot be missed by a plain substring test: every pair of
        #: characters a case-insensitive regular expression equates folds to the same text.
        self.folded = {w.casefold() for w in words}
        self._pattern: re.Pattern[str] | None = None
        self.bytes = ByteScanner(needles_for(words, forms or {}))

    def pattern_for(self, texts: list[str]) -> re.Pattern[str] | None:
        """The element search, or None when no word can be in ``texts``: compiling it costs
        more than the rest of an element scan, and a clean output has none of them."""
        joined = "\x00".join(texts).casefold()
        if not any(word in joined for word in self.folded):
            return None
        if self._pattern is None:
            self._pattern = _pattern(self.words)
        return self._pattern


def collect_originals(items: Iterable[InputItem]) -> tuple[Originals, list[str]]:
    """Read every original; unreadable ones are returned as value-free messages."""
    originals, problems = Originals(), []
    for item in items:
        try:
            originals.add_dataset(read_dataset(item.read(), item.name, stop_before_pixels=True))
        except DicomtabError as exc:
            problems.append(exc.message)
    return originals, problems


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w])",
                      re.IGNORECASE)


#: How a file's DeidentificationMethod says its burned-in text was blanked (engine.pixel_note).
PIXEL_NOTE_START = "burned-in text blanked in "

#: The options whose C actions clean free text, and SR's Text Value (0040,A160), which Clean
#: Structured Content cleans inside Content Sequence items.
TEXT_OPTIONS = ("clean_descriptors", "clean_structured_content")
TEXT_VALUE = 0x0040A160


class _Scanner:
    def __init__(self, name: str, ds: Dataset, originals: Originals | None,
                 safe_harbor: bool = False, strings: ValueStrings | None = None) -> None:
        self.name = name
        #: How an element's values are decoded: remembered across a batch's outputs, or not.
        self.strings = strings or value_strings
        self.findings: list[Finding] = []
        codes = ds.get("DeidentificationMethodCodeSequence") or []
        self.applied = {CODE_TO_OPTION.get(str(i.get("CodeValue", "")), "") for i in codes}
        method = ds.get("DeidentificationMethod") or []
        notes = {str(v).strip() for v in values_of(method)}
        self.notes = notes
        if YEAR_NOTE in notes:
            self.applied.add(DATES_TO_YEAR)
        self.safe_harbor = safe_harbor or SAFE_HARBOR_NOTE in notes
        table = load_table()
        self.safe = table.safe_private
        # Text the applied options clean: what the free-text detector looks at.
        self.cleaned_text = _cleaned_text(tuple(o for o in TEXT_OPTIONS if o in self.applied))
        self._detector: TextCleaner | None = None
        self.originals = originals
        search = _Search({}) if originals is None else originals.search(frozenset(self.applied))
        self.lookup, self.search, self.bytes = search.lookup, search, search.bytes
        self.pattern: re.Pattern[str] | None = None
        #: Whether ``ds`` is the data set a file was encoded from (not one read from it).
        self.in_memory = False
        #: What :meth:`scan` read, checked in that order by :meth:`check`: (path, tag, VR,
        #: the values to search or None, the data set holding the element)
        self.read: list[tuple[str, int, str, list[str] | None, Dataset]] = []

    def add(self, path: str, kind: str, what: str) -> None:
        self.findings.append(Finding(self.name, path, kind, what))

    def scan(self, ds: Dataset, prefix: str = "") -> None:
        """Read the elements of ``ds`` (and of its items) for :meth:`check`."""
        encoding = ds._character_set
        for raw in in_tag_order(ds):
            tag = int(raw.tag)
            name = keyword(tag)
            path = prefix + (name or f"({tag >> 16:04X},{tag & 0xFFFF:04X})")
            vr = peek_vr(raw)
            if name in PIXEL_KEYWORDS or vr in BINARY_VRS:
                # not text: the byte scan searches it, in every encoding
                self.read.append((path, tag, vr or "", None, ds))
                continue
            values = self.strings(ds, raw, encoding)
            if values is None:  # decoded by pydicom: text in a character set, sequences...
                elem = ds[tag]
                if elem.VR == "SQ":
                    for i, item in enumerate(elem.value or []):
                        self.scan(item, f"{path}[{i}].")
                    continue
                if elem.is_empty or elem.VR in BINARY_VRS:
                    self.read.append((path, tag, elem.VR, None, ds))
                    continue
                vr, values = elem.VR, [str(v) for v in values_of(elem.value)]
            self.read.append((path, tag, vr or "", values, ds))  # vr: the file gave it

    def check(self) -> None:
        """Check what :meth:`scan` read, element by element."""
        texts = [text for *_, values, _ in self.read if values for text in values]
        self.pattern = self.search.pattern_for(texts)
        for path, tag, vr, values, ds in self.read:
            self._private(ds, tag, path)
            if values:
                self._values(vr, values, path, tag)
        self.read = []

    def _private(self, ds: Dataset, tag: int, path: str) -> None:
        group, el = tag >> 16, tag & 0xFFFF
        if group % 2 == 0 or el < 0x1000:
            return
        creator = ds.get((group << 16) | (el >> 8))
        name = str(creator.value).strip() if creator is not None else ""
        if PrivateKey(name, group, el & 0xFF) not in self.safe:
            # Judged against the packaged safe list; a profile's own additions show up here
            # too, on purpose: they deserve a second look.
            self.add(path, "private-not-on-safe-list", "private attribute")
        elif self.safe_harbor:
            self.add(path, "private-attribute", "Safe Harbor output keeps a private attribute")

    def _free_text(self, text: str, path: str) -> None:
        """The free-text cleaner as a detector: words it would replace in cleaned text (an
        output made with clean_text "patterns" shows what that kept). Counted, not quoted."""
        if self._detector is None:
            self._detector = TextCleaner([])
        replaced = self._detector.clean(text).replaced
        if replaced:
            self.add(path, "identifying-text",
                     f"{replaced} word(s) neither known safe nor imaging text")

    def _values(self, vr: str, values: list[str], path: str, tag: int = 0) -> None:
        for text in values:
            if self.pattern is not None:
                for match in self.pattern.finditer(text):
                    what = self._what(match.group(0))
                    kind = "name-in-free-text" if vr in TEXT_VRS and what == "PN" else (
                        "original-value")
                    self.add(path, kind, what)
            if vr in TEXT_VRS and NAME_IN_TEXT.search(text):
                self.add(path, "name-like-text", "text shaped like Family^Given")
            if tag in self.cleaned_text and vr in TEXT_VRS:
                self._free_text(text, path)
            if self.safe_harbor:
                self._safe_harbor_value(vr, text, path)

    def _safe_harbor_value(self, vr: str, text: str, path: str) -> None:
        value = text.strip()
        if not value:
            return
        if value == DUMMY_BY_VR.get(vr):
            return  # D's fixed dummy (19000101, 19000101000000, 000000) holds no date
        if vr == "TM" or (vr in YEAR_ONLY and not YEAR_ONLY[vr].fullmatch(value)):
            self.add(path, "date-more-specific-than-year", vr)
        elif vr == "AS" and value != AGE_CAP and (age_years(value) or 0) >= AGE_CAP_YEARS:
            self.add(path, "age-over-89", vr)
        elif vr in TEXT_VRS:
            for shape in pattern_hits(value, PATTERNS):
                self.add(path, "identifier-shape-in-text", shape)

    def _what(self, found: str) -> str:
        """The category (source keyword, "PN", "UID", "date") of a matched original value."""
        return self.lookup.get(found.lower(), "identifier")

    def raw(self, data: bytes, ds: Dataset) -> None:
        """Search the file's bytes; a value the element scan already found there is not
        reported twice."""
        if not self.bytes:
            return
        deflated = _is_deflated(ds)
        if not deflated and not self.bytes.scan([Region(data, "file")]):
            return  # nothing to name: the walk that names offsets is not needed
        implicit, little = _encoding_of(ds) if self.in_memory else getattr(
            ds, "original_encoding", (False, True))
        reported = {(f.path, f.what) for f in self.findings if f.kind in VALUE_KINDS}
        layout = regions(data, implicit=bool(implicit), little=little is not False,
                         deflated=deflated)
        for hit in self.bytes.scan(layout):
            if (hit.path, hit.what) in reported:
                continue
            self.findings.append(Finding(self.name, hit.path, "original-value-in-bytes",
                                         hit.what, hit.offset, hit.region))

    def file_level(self, ds: Dataset) -> None:
        if str(ds.get("PatientIdentityRemoved", "")).upper() != "YES":
            self.add("PatientIdentityRemoved", "not-marked-deidentified", "attribute not YES")
        if (str(ds.get("BurnedInAnnotation", "")).upper() == "YES"
                and "clean_pixel_data" not in self.applied):
            # The file's marking says whether its pixels were blanked (engine.pixel_note).
            blanked = next((n for n in self.notes if n.startswith(PIXEL_NOTE_START)), None)
            self.add("BurnedInAnnotation", "burned-in-annotation",
                     "pixels " + blanked[len("burned-in text "):] if blanked
                     else "pixels not cleaned")
        if self.safe_harbor and "clean_recognizable_visual_features" not in self.applied:
            for flag in review_flags(ds):
                self.add(*REVIEW_FINDINGS[flag])


@lru_cache(maxsize=8)
def _cleaned_text(cleaning: tuple[str, ...]) -> frozenset[int]:
    """The tags whose text the options ``cleaning`` clean (C actions), SR's Text Value with
    Clean Structured Content: the same for every file made with those options."""
    return frozenset(
        tag for tag, row in load_table().rows.items()
        if any(row.options.get(o) == "C" for o in cleaning)) | (
        {TEXT_VALUE} if "clean_structured_content" in cleaning else frozenset())


def _encoding_of(ds: Dataset) -> tuple[bool, bool]:
    """(implicit VR, little endian) of the file written from ``ds``: its transfer syntax's, as
    the writer uses it (explicit VR little endian when it states none pydicom knows)."""
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    try:
        uid = UID(str(syntax or ""))
        if uid.is_transfer_syntax:
            return bool(uid.is_implicit_VR), bool(uid.is_little_endian)
    except ValueError:
        pass
    return False, True


def _is_deflated(ds: Dataset) -> bool:
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    try:
        return bool(syntax) and UID(str(syntax)).is_deflated
    except ValueError:  # a private transfer syntax: pydicom read it as not deflated
        return False


def verify_dataset(
    ds: Dataset, name: str, originals: Originals | None = None, data: bytes | None = None,
    *, safe_harbor: bool = False, in_memory: bool = False, strings: ValueStrings | None = None,
) -> list[Finding]:
    """Findings for one data set (and its file meta group); ``data``: its file's bytes.

    ``safe_harbor`` applies Safe Harbor's rules even when the file does not say it was made
    by a Safe Harbor profile. ``in_memory``: ``ds`` is the data set ``data`` was encoded from
    (its transfer syntax then says how ``data`` is encoded), not one read from ``data``.
    ``strings``: what decoded the values of the files checked before (a batch's outputs).
    """
    scanner = _Scanner(name, ds, originals, safe_harbor, strings)
    scanner.in_memory = in_memory
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        scanner.scan(meta, "FileMeta.")
    scanner.scan(ds)
    scanner.check()
    if data is not None:
        scanner.raw(data, ds)
    scanner.file_level(ds)
    return scanner.findings


def verify_output(source: Dataset, data: bytes, name: str,
                  hunted: Iterable[tuple[int, str, str]] = (),
                  written: Dataset | None = None,
                  strings: ValueStrings | None = None) -> list[Finding]:
    """Findings for one output file (``data``) against the values of its own original.

    ``hunted``: more identifying values of the original as (tag, VR, value), those a damaged
    original held where its data set could not show them (see :mod:`dicomtab.deid.damage`).
    ``written``: the data set ``data`` was encoded from, when the caller has it (a batch does):
    its elements are checked instead of parsing ``data`` back, and ``data`` is walked for its
    structure only (:func:`dicomtab.reading.check_written`). Every byte is searched either way.
    ``strings``: the values the outputs checked before decoded to (see ValueStrings).

    What a batch runs on each file it writes: every element and every byte of the output is
    searched for the identifying values of ``source``, and the checks that need no original
    run too. (``verify --originals`` searches each output for the values of *every* original.)
    """
    with warnings.catch_warnings():  # pydicom's warnings quote values
        warnings.simplefilter("ignore")
        originals = Originals()
        originals.add_dataset(source, strings=strings)
        originals.add_values(hunted, source)
        try:
            if written is None:
                ds = read_dataset(data, name)
            else:
                check_written(data, name)
                ds = written
        except DicomtabError as exc:
            return [Finding(name, "", "unreadable", exc.code)]
        return verify_dataset(ds, name, originals, data, in_memory=written is not None,
                              strings=strings)


def verify_items(
    items: Iterable[InputItem], originals: Originals | None = None, *, safe_harbor: bool = False
) -> list[Finding]:
    """Findings for every file; a file that is not readable DICOM is itself a finding."""
    findings: list[Finding] = []
    for item in items:
        try:
            data = item.read()
        except OSError:
            findings.append(Finding(item.name, "", "unreadable", "could not be read"))
            continue
        try:
            ds = read_dataset(data, item.name)
        except DicomtabError as exc:
            findings.append(Finding(item.name, "", "unreadable", exc.code))
            # Not DICOM (or damaged) is no reason to skip it: its bytes are still searched.
            scanner = _Scanner(item.name, Dataset(), originals, safe_harbor)
            scanner.raw(data, Dataset())
            findings.extend(scanner.findings)
            continue
        findings.extend(verify_dataset(ds, item.name, originals, data, safe_harbor=safe_harbor))
    return findings
