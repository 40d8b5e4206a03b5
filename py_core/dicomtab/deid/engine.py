"""De-identify one data set: a pure function from (dataset, profile, key) to new data + record.

The input dataset is never modified. The result carries the new dataset (with a rewritten file
meta group), the per-element record for the audit (tags, keywords, actions, paths; never
values), flags for what this tool cannot do itself (pixel cleaning), and the original->new
pairs needed for an optional crosswalk (kept apart from the audit on purpose).
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydicom import config
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomtab import __version__
from dicomtab.deid import dates, generalize, pseudonyms
from dicomtab.deid.actions import (
    DATE_VRS,
    Decision,
    decide,
    decision_cache,
    dummy_value,
    empty_value,
)
from dicomtab.deid.damage import Damage, holds_control_bytes
from dicomtab.deid.elements import (
    Element,
    ValueStrings,
    in_tag_order,
    keyword,
    mark_encoding,
    passes_through,
    peek_vr,
    read_as,
    value_strings,
    values_of,
)
from dicomtab.deid.freetext import IDENTIFIER_KEYWORDS, TEXT_VRS, Scrubber, identifier_strings
from dicomtab.deid.keys import Key
from dicomtab.deid.methods import (
    HIPAA_NOTES,
    METHOD_CODE_SEQUENCE,
    YEAR_NOTE,
    encoded_method_codes,
    method_text,
)
from dicomtab.deid.pixel_cleaning import PixelCleaning
from dicomtab.deid.profile import Profile
from dicomtab.deid.review import FACE_FLAG, VOICE_FLAG, review_flags
from dicomtab.deid.table import DeidTable, PrivateKey, load_table
from dicomtab.deid.textclean import TextCleaner
from dicomtab.deid.uids import UidMapper
from dicomtab.structure import STRING_VRS

#: VRs whose value is text, as pydicom names them (the structural walk's STRING_VRS).
STRING_VRS_TEXT = frozenset(vr.decode() for vr in STRING_VRS)

#: This tool's Implementation Class UID: a fixed UUID-derived UID (2.25 arc).
IMPLEMENTATION_CLASS_UID = "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, "dicomtab:implementation").int)
IMPLEMENTATION_VERSION_NAME = f"DICOMTAB_{__version__}"[:16]

#: Modalities whose pixels often carry burned-in text (PS3.15 E.3.1 lists the usual suspects).
PIXEL_RISK_MODALITIES = frozenset({"US", "SC", "XA", "ES", "OT"})
#: Projection radiography is at risk when taken by a portable unit, which writes its markers
#: into the image; there is no standard attribute for "portable", so look for the word.
PORTABLE_MODALITIES = frozenset({"DX", "CR"})
PORTABLE_HINTS = ("PORTABLE", "MOBILE")

#: Called with the de-identified dataset when the profile asks for Clean Pixel Data; returns
#: the dataset with burned-in text removed. None means no pixel cleaning is available.
#: The pixel step: (original, de-identified copy) -> what it did to the copy's pixels, or
#: None when nothing applies (see dicomtab.deid.pixel_cleaning).
PixelCleaner = Callable[[Dataset, Dataset], "PixelCleaning | None"]
#: A file flagged for burned-in text whose pixels were blanked but not checked for text.
PIXEL_CHECK_FLAG = "pixel-check-review"
#: A file flagged for burned-in text in which the text detector still finds text after blanking.
PIXEL_TEXT_FLAG = "pixel-text-review"
#: The flag of a file whose pixels may show burned-in text (needs_pixel_review).
PIXEL_REVIEW_FLAG = "pixel-review"
PIXEL_DATA_TAG = 0x7FE00010
#: (0008,0104) Code Meaning and (0008,0102) Coding Scheme Designator.
CODE_MEANING, CODING_SCHEME = 0x00080104, 0x00080102
#: Coding schemes whose meanings are published (pydicom's concept dictionaries and the
#: other public schemes PS3.16 Table 8-1 lists most); any other, "99…" private ones
#: included, is local: its meanings are cleaned as free text.
PUBLIC_SCHEMES = frozenset(
    "BARI DCM FMA I10 IBSI ITIS_TSN LN MDC MSH NCIt NDC NEU PUBCHEM_CID RADLEX RXNORM SCT "
    "UCUM UMLS SRT SNM3 I9C I10P ICD10 ACR ASTM-sigpurpose C4 C5 CD2 HPC ISO3166_1 ISO639_1 "
    "ISO639_2 MA NCDR NICIP RFC5646 UPC".split())


def _local_scheme(ds: Dataset) -> bool:
    """Whether the code in this item comes from a scheme that is not public."""
    scheme = ds.get(CODING_SCHEME)
    if scheme is None:
        return False
    value = str(scheme.value or "").strip()
    return bool(value) and value not in PUBLIC_SCHEMES


def pixel_note(cleaning: PixelCleaning) -> str:
    """The DeidentificationMethod note of a cleaned file: how many boxes, and whether a text
    detector checked the result (never where the text was)."""
    if cleaning.status == "no-text":
        return "no burned-in text found by a text detector"
    count = len((cleaning.redaction or {}).get("boxes", ()))
    checked = ("text still found by a text detector" if cleaning.status == "still-has-text"
               else "checked by a text detector" if cleaning.checked else "not checked for text")
    return f"burned-in text blanked in {count} region{'' if count == 1 else 's'} ({checked})"


@dataclass(frozen=True)
class ElementRecord:
    """What was done to one element. Holds no value, original or new."""

    path: str
    tag: str
    keyword: str
    vr: str
    action: str
    source: str


@dataclass
class DeidResult:
    """The outcome for one data set."""

    dataset: Dataset
    records: list[ElementRecord]
    flags: list[str]
    uid_map: dict[str, str]
    patient: tuple[str, str]
    date_offset_days: int | None
    methods: list[str] = field(default_factory=list)
    #: (original Patient's Name, its replacement) for the crosswalk; ("", "") when either is
    #: empty or the name was kept as it was.
    patient_name: tuple[str, str] = ("", "")
    #: What the pixel step did (None: no template applied to this file).
    pixels: PixelCleaning | None = None

    @property
    def sop_instance_uid(self) -> str:
        return str(self.dataset.get("SOPInstanceUID", ""))


def _tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _creator_of(ds: Dataset, tag: int) -> str | None:
    group, elem = tag >> 16, tag & 0xFFFF
    if group % 2 == 0 or elem < 0x1000:
        return None
    creator = ds.get((group << 16) | (elem >> 8))
    return str(creator.value).strip() if creator is not None and creator.value else ""


def _new(tag: int, vr: str, value: Any) -> DataElement:
    """A new element, unvalidated: its value is ours (dummy, empty, pseudonym, mapped UID,
    cleaned text), and pydicom's validation would only warn, quoting the value."""
    return DataElement(tag, vr, value, validation_mode=config.IGNORE)


def _is_creator_element(tag: int) -> bool:
    return (tag >> 16) % 2 == 1 and 0x0010 <= (tag & 0xFFFF) <= 0x00FF


class Walker:
    """One pass over a dataset tree with the state that pass needs."""

    def __init__(self, profile: Profile, table: DeidTable, key: Key, source: Dataset,
                 damage: Damage | None = None, strings: ValueStrings | None = None) -> None:
        self.profile = profile
        #: How a raw element's values are read when only they matter (not a DataElement):
        #: remembered across a batch's files, or not.
        self.strings = strings or value_strings
        self.table = table
        self.key = key
        self.uids = UidMapper(key)
        self.records: list[ElementRecord] = []
        self.patient_key = pseudonyms.patient_key(source)
        self.fields = pseudonyms.template_fields(key, self.patient_key)
        self.implicit, self.little = _encoding(source)
        self.decisions = decision_cache(profile, table)
        self.offset: int | None = None
        if profile.has("retain_long_modified_dates"):
            self.offset = profile.date_offset_days
            if self.offset is None:
                self.offset = dates.patient_offset_days(key, self.patient_key)
        #: A damaged file: the elements its reading doubted, and any text holding control
        #: bytes, are removed (see dicomtab.deid.damage).
        self.damaged = damage is not None
        self.doubted = damage.paths if damage else frozenset()
        hunted = self._identifiers(source, None) + self._damaged_identifiers(damage)
        self.scrubber = Scrubber(hunted, profile.scrub_patterns)
        self._hunted = hunted
        self._text_cleaner: TextCleaner | None = None

    # -- pass 1: the identifiers that will be removed, to search for in kept text ------------
    def _identifiers(self, ds: Dataset, tree: str | None) -> list[str]:
        found: list[str] = []
        for raw in in_tag_order(ds):
            tag = int(raw.tag)
            vr = peek_vr(raw) or ds[tag].VR
            if vr == "SQ":
                for item in ds[tag].value or []:
                    found.extend(self._identifiers(item, tree))
                continue
            if vr != "PN" and keyword(tag) not in IDENTIFIER_KEYWORDS:
                continue
            if self._decide(ds, tag, vr, tree).action not in ("K", "C"):
                values = self.strings(ds, raw)
                found.extend(identifier_strings(vr, ds[tag].value if values is None else values))
        return found

    def _damaged_identifiers(self, damage: Damage | None) -> list[str]:
        """The identifying values a damaged file held outside its readable elements, except
        those of attributes the profile keeps (a doubted element's text is always hunted)."""
        if damage is None:
            return []
        empty = Dataset()
        return [value for tag, vr, value in damage.identifiers
                if not tag or self._decide(empty, tag, vr, None).action not in ("K", "C")]

    def _decide(self, ds: Dataset, tag: int, vr: str, tree: str | None) -> Decision:
        # Decisions depend on the element's name, never its value: the same for every file of
        # a batch, so they are remembered per profile.
        creator = _creator_of(ds, tag)
        cache_key = (tag, vr, creator, tree)
        decision = self.decisions.get(cache_key)
        if decision is None:
            decision = decide(tag, vr, keyword(tag), creator, self.profile, self.table, tree)
            self.decisions[cache_key] = decision
        return decision

    # -- pass 2: build the new dataset ------------------------------------------------------
    def walk(self, ds: Dataset, path: str, tree: str | None, at: tuple[int, ...] = ()) -> Dataset:
        """The de-identified copy of ``ds``; ``path``/``at``: where it sits, as the audit
        names it and as tags and item indices."""
        out = Dataset()
        kept_blocks: set[int] = set()
        for raw in in_tag_order(ds):
            tag = int(raw.tag)
            if tag >> 16 == 0x0002 or _is_creator_element(tag):
                continue  # file meta is rebuilt; creators follow their blocks below
            elem: Element = raw
            vr = peek_vr(raw)
            if vr is None or not passes_through(raw, self.implicit, self.little):
                elem = ds[tag]
                vr = elem.VR
            if vr == "UN" and tag >> 16 & 1:
                elem, vr = self._private_vr(ds, tag, elem)
            if self.damaged and ((*at, tag) in self.doubted or (
                    vr in STRING_VRS_TEXT and holds_control_bytes(raw.value))):
                # Its value may be another element's (swapped tags, a swallowing length).
                self._record(path + (keyword(tag) or _tag_text(tag)), tag, vr, "X", "damaged")
                continue
            decision = self._decide(ds, tag, vr, tree)
            new = self._apply(ds, elem, vr, decision, path, tree, at)
            if new is not None:
                out.add(new)  # type: ignore[arg-type]  # pydicom stores raw elements too
                if tag >> 16 & 1:
                    kept_blocks.add(((tag >> 16) << 16) | ((tag & 0xFFFF) >> 8))
        for creator_tag in sorted(kept_blocks):
            if creator_tag in ds:
                src = ds[creator_tag]
                out.add(_new(creator_tag, src.VR, src.value))
        return out

    def _private_vr(self, ds: Dataset, tag: int, elem: Element) -> tuple[Element, str]:
        """A UN private element as the VR the safe list gives it (else as it is)."""
        key = PrivateKey(_creator_of(ds, tag) or "", tag >> 16, tag & 0xFF)
        vr = self.table.safe_private_vr.get(key)
        if vr is None or vr in ("SQ", "UN") or (tag & 0xFFFF) < 0x1000:
            return elem, "UN"
        return read_as(ds, ds[tag], vr), vr

    def _record(self, where: str, tag: int, vr: str, action: str, source: str) -> None:
        self.records.append(
            ElementRecord(where, _tag_text(tag), keyword(int(tag)), vr, action, source)
        )

    def _apply(
        self, ds: Dataset, raw: Element, vr: str, d: Decision, path: str, tree: str | None,
        at: tuple[int, ...] = (),
    ) -> Element | None:
        """The output element for ``raw`` under decision ``d`` (None: removed).

        ``raw`` may still be undecoded; it is decoded only where the value matters.
        """
        tag, action = int(raw.tag), d.action

        def decoded() -> DataElement:
            return raw if isinstance(raw, DataElement) else ds[tag]

        name = keyword(tag)
        where = path + (name or _tag_text(tag))
        template = self.profile.templates.get(name) if name else None
        if template is not None and action in ("Z", "D"):
            # Also when empty: every file of a patient then carries the same pseudonym.
            self._record(where, tag, vr, "D", "template")
            return _new(tag, vr, pseudonyms.render(template, self.fields))
        if action == "X":
            self._record(where, tag, vr, "X", d.source)
            return None
        if action in generalize.GENERALIZERS:
            if vr != "SQ" and generalize.applies(action, vr):
                return self._generalized(decoded(), action, d.source, where)
            action, d = "Z", Decision("Z", d.source + f"+not-{action}")
        if vr == "SQ":
            return self._sequence(decoded(), d, where, tree, (*at, tag))
        if action == "Z":
            self._record(where, tag, vr, "Z", d.source)
            return _new(tag, vr, empty_value(vr))
        if action == "D":
            self._record(where, tag, vr, "D", d.source)
            if vr == "UI":
                mapped = self._mapped(ds, raw, vr)
                if mapped is not None:  # a new element even when each UID maps to itself
                    return _new(tag, vr, mapped[1] if len(mapped[1]) > 1 else mapped[1][0])
                return self._map_uids(decoded())
            return _new(tag, vr, dummy_value(vr))
        # What follows may keep the value as it is: then the raw element goes out, so its
        # bytes are copied rather than encoded again.
        changed: DataElement | None = None
        if action == "U" or (vr == "UI" and action == "C"):
            mapped = self._mapped(ds, raw, vr)
            if mapped is not None:
                values, new_values = mapped
                if new_values == values:
                    return raw  # well-known UIDs (SOP Class, Transfer Syntax) map to themselves
                self._record(where, tag, vr, "U", d.source)
                return _new(tag, vr, new_values if len(new_values) > 1 else new_values[0])
            elem = decoded()
            new = self._map_uids(elem)
            if new.value == elem.value:
                return raw  # well-known UIDs (SOP Class, Transfer Syntax) map to themselves
            self._record(where, tag, vr, "U", d.source)
            return new
        if action == "C":
            elem = decoded()
            changed = self._clean(elem, d, where)
        elif tag == CODE_MEANING and d.source != "override" and _local_scheme(ds):
            # A local coding scheme's meaning is free text someone typed: no standard says
            # what it holds (an identifier passed through every profile that way).
            elem = decoded()
            changed = self._allowlisted(elem, where, d.source + "+local-code")
        elif vr in TEXT_VRS and d.source != "override":
            # K: kept, but kept text is still searched for identifiers removed elsewhere,
            # unless the profile explicitly asked to keep this very attribute.
            texts = None if isinstance(raw, DataElement) else self.strings(ds, raw)
            if texts is not None:
                return self._scrubbed_text(raw, vr, texts, where, d.source)
            elem = decoded()
            changed = self._scrubbed(elem, where, d.source)
        else:
            return raw
        return raw if changed is elem else changed

    def _sequence(
        self, elem: DataElement, d: Decision, where: str, tree: str | None,
        at: tuple[int, ...] = (),
    ) -> DataElement:
        if d.action == "Z":
            self._record(where, elem.tag, "SQ", "Z", d.source)
            return _new(elem.tag, "SQ", Sequence([]))
        # D on a sequence: keep its items but de-identify them (a dummy of the same shape);
        # C: clean them; K/U: walk them so nested UIDs, names and dates still get their rules.
        inner = {"D": "D", "C": "C"}.get(d.action, tree)
        if d.action in ("D", "C"):
            self._record(where, elem.tag, "SQ", d.action, d.source)
        items = [self.walk(item, f"{where}[{i}].", inner, (*at, i))
                 for i, item in enumerate(elem.value)]
        return _new(elem.tag, "SQ", Sequence(items))

    def _mapped(self, ds: Dataset, raw: Element, vr: str) -> tuple[list[str], list[str]] | None:
        """The UIDs of ``raw``, a raw UI element, read from its bytes (a DataElement is not
        made for the input's), and what they map to, as :meth:`_map_uids` maps them; None
        for what the element's own decoding must read (an empty value too)."""
        values = None if vr != "UI" or isinstance(raw, DataElement) else self.strings(ds, raw)
        if not values:
            return None
        return values, [self.uids.map(v) for v in values]

    def _map_uids(self, elem: DataElement) -> DataElement:
        value = elem.value
        if isinstance(value, MultiValue | list | tuple):
            return _new(elem.tag, elem.VR, [self.uids.map(str(v)) for v in value])
        return _new(elem.tag, elem.VR, self.uids.map(str(value)) if value else value)

    def _generalized(self, elem: DataElement, action: str, source: str,
                     where: str) -> DataElement:
        """``elem`` reduced by a generalisation action; emptied when it cannot be read."""
        if elem.is_empty:
            return elem
        text = "\\".join(str(v) for v in values_of(elem.value))
        reduced = generalize.generalize(action, elem.VR, text)
        if reduced is None:
            # A value the action cannot read cannot be reduced safely: empty it, never keep it.
            self._record(where, elem.tag, elem.VR, "Z", f"{source}+unreadable-for-{action}")
            return _new(elem.tag, elem.VR, None)
        self._record(where, elem.tag, elem.VR, action, source)
        if reduced == text:
            return elem
        return _new(elem.tag, elem.VR, reduced.split("\\") if "\\" in reduced else reduced or None)

    def _clean(self, elem: DataElement, d: Decision, where: str) -> DataElement | None:
        vr = elem.VR
        if vr in DATE_VRS and not elem.is_empty:
            if self.profile.date_precision is not None:
                # C on a date (a safe private one) under a profile that keeps only the year.
                return self._generalized(elem, self.profile.date_precision, d.source, where)
            if self.offset is None:
                return elem  # C from an option that keeps dates as they are
            text = "\\".join(str(v) for v in values_of(elem.value))
            shifted = dates.shift_values(vr, text, self.offset, self.profile.modified_times)
            if shifted is None:
                # An unparseable date cannot be shifted safely: empty it rather than leak it.
                self._record(where, elem.tag, vr, "Z", d.source + "+unparseable-date")
                return _new(elem.tag, vr, None)
            if shifted != text:
                self._record(where, elem.tag, vr, "C", d.source + "+date-shift")
            return _new(elem.tag, vr, shifted.split("\\") if "\\" in shifted else shifted)
        if vr in TEXT_VRS or vr == "PN":
            mode = self.profile.clean_text_by_keyword.get(keyword(int(elem.tag)) or "",
                                                          self.profile.clean_text)
            if mode == "allowlist":
                return self._allowlisted(elem, where, d.source)
            return self._scrubbed(elem, where, d.source)
        return elem

    def _allowlisted(self, elem: DataElement, where: str, source: str) -> DataElement:
        """Text cleaned with the allow-list (textclean): only known-safe words stay."""
        if elem.is_empty:
            return elem
        if self._text_cleaner is None:  # the vocabulary is read on first use only
            self._text_cleaner = TextCleaner(self._hunted)
        values = [str(v) for v in values_of(elem.value)]
        results = [self._text_cleaner.clean(v) for v in values]
        replaced = sum(r.replaced for r in results)
        if not replaced:
            return elem
        # The count, never the text: what the audit may say about free text.
        self._record(where, elem.tag, elem.VR, "C", f"{source}+allowlist:{replaced}")
        cleaned = [r.text for r in results]
        return _new(elem.tag, elem.VR, cleaned if len(cleaned) > 1 else cleaned[0])

    def _scrubbed_text(self, raw: Element, vr: str, values: list[str], where: str,
                       source: str) -> Element:
        """As :meth:`_scrubbed` for a raw element, from the strings its values print as."""
        if not self.scrubber or not values:
            return raw
        cleaned = [self.scrubber.scrub(v) for v in values]
        if cleaned == values:
            return raw
        self._record(where, raw.tag, vr, "C", source + "+free-text")
        return _new(raw.tag, vr, cleaned if len(cleaned) > 1 else cleaned[0])

    def _scrubbed(self, elem: DataElement, where: str, source: str) -> DataElement:
        if not self.scrubber or elem.is_empty:
            return elem
        values = values_of(elem.value)
        cleaned = [self.scrubber.scrub(str(v)) for v in values]
        if cleaned == [str(v) for v in values]:
            return elem
        self._record(where, elem.tag, elem.VR, "C", source + "+free-text")
        return _new(elem.tag, elem.VR, cleaned if len(cleaned) > 1 else cleaned[0])


def needs_pixel_review(ds: Dataset) -> bool:
    """Whether the pixels may show identifying text (Clean Pixel Data would be needed)."""
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        return True
    modality = str(ds.get("Modality", "")).upper()
    if modality in PIXEL_RISK_MODALITIES:
        return True
    if modality in PORTABLE_MODALITIES:
        text = " ".join(
            str(ds.get(k, "")) for k in ("ImageType", "StationName", "ManufacturerModelName",
                                         "ProtocolName", "SeriesDescription")
        ).upper()
        return any(h in text for h in PORTABLE_HINTS)
    return False


def flags_for(source: Dataset, profile: Profile, *, pixels_cleaned: bool = False,
              kept: Iterable[Any] | None = None) -> list[str]:
    """The review flags de-identifying ``source`` under ``profile`` gives.

    ``kept``: the output's tags (the source's when asked before de-identifying, as the
    page does to list the files that will be flagged before a run).
    """
    flags = []
    if needs_pixel_review(source) and not pixels_cleaned:
        flags.append(PIXEL_REVIEW_FLAG)
    tags = source.keys() if kept is None else kept
    if profile.has("clean_graphics") and any(
        (int(t) >> 16) in range(0x6000, 0x6100, 2) for t in tags
    ):
        flags.append("overlay-review")  # overlay bitmaps are kept; text in them is not read
    if profile.has("clean_recognizable_visual_features"):
        # Faces (and voices) are not removed by this tool: the file is flagged, and the option
        # is not claimed in its marking.
        flags += review_flags(source)
    return flags


def _encoding(source: Dataset) -> tuple[bool, bool]:
    """(implicit VR, little endian) of the output: that of the source's transfer syntax."""
    syntax = UID(_transfer_syntax(source))
    try:
        return bool(syntax.is_implicit_VR), bool(syntax.is_little_endian)
    except ValueError:  # a private transfer syntax: the encoding pydicom read it with
        implicit, little = source.original_encoding
        return implicit is not False, little is not False


def _transfer_syntax(source: Dataset) -> str:
    meta = getattr(source, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta is not None else None
    if ts:
        return str(ts)
    implicit = getattr(source, "is_implicit_VR", None)
    return str(ImplicitVRLittleEndian if implicit in (True, None) else ExplicitVRLittleEndian)


def _file_meta(source: Dataset, out: Dataset, walker: Walker) -> FileMetaDataset:
    meta = FileMetaDataset()
    # Absent in bare data sets (no SOP Common module); batch refuses to write those.
    if "SOPClassUID" in out:
        meta.MediaStorageSOPClassUID = out.SOPClassUID
    if "SOPInstanceUID" in out:
        meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    meta.TransferSyntaxUID = UID(_transfer_syntax(source))
    meta.ImplementationClassUID = UID(IMPLEMENTATION_CLASS_UID)
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    # SourceApplicationEntityTitle and any private meta are dropped: they name the sender.
    old = getattr(source, "file_meta", None) or Dataset()
    for raw in in_tag_order(old):  # the tags and VRs only: the values are not decoded
        tag = int(raw.tag)
        name = keyword(tag)
        if name not in ("MediaStorageSOPClassUID", "TransferSyntaxUID",
                        "FileMetaInformationGroupLength", "FileMetaInformationVersion"):
            action = "U" if name == "MediaStorageSOPInstanceUID" else "D"
            action = "X" if not name or name not in meta else action
            walker._record(f"FileMeta.{name or _tag_text(tag)}", tag,
                           peek_vr(raw) or old[tag].VR, action, "file-meta")
    return meta


def deidentify(
    source: Dataset,
    profile: Profile,
    key: Key,
    *,
    table: DeidTable | None = None,
    pixel_cleaner: PixelCleaner | None = None,
    damage: Damage | None = None,
    strings: ValueStrings | None = None,
) -> DeidResult:
    """De-identify ``source`` under ``profile`` with ``key``; ``source`` is left untouched.

    ``damage``: ``source`` is what could be read of a damaged file (see
    :mod:`dicomtab.deid.damage`). ``strings``: what the values of the files before decoded
    to (a batch's, see :class:`dicomtab.deid.elements.ValueStrings`)."""
    # pydicom warns about odd values *quoting them*; nothing may print a value from a file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _deidentify(source, profile, key, table or load_table(), pixel_cleaner, damage,
                           strings)


def _deidentify(
    source: Dataset, profile: Profile, key: Key, table: DeidTable,
    pixel_cleaner: PixelCleaner | None, damage: Damage | None,
    strings: ValueStrings | None = None,
) -> DeidResult:
    walker = Walker(profile, table, key, source, damage, strings)
    out = walker.walk(source, "", None)
    # The file meta first: the pixel step may change the transfer syntax.
    out.file_meta = _file_meta(source, out, walker)

    cleaning = None
    if pixel_cleaner is not None and profile.clean_pixels != "off":
        cleaning = pixel_cleaner(source, out)
    if cleaning is not None and cleaning.cleaned:
        walker._record("PixelData", PIXEL_DATA_TAG, str(out["PixelData"].VR)
                       if "PixelData" in out else "OB", "C",
                       "clean-pixels:" + ",".join(cleaning.templates))
    # Only a check by a text detector lets the file claim Clean Pixel Data.
    pixels_cleaned = cleaning is not None and cleaning.proven
    flags = flags_for(source, profile, pixels_cleaned=pixels_cleaned, kept=out.keys())
    if cleaning is not None and cleaning.cleaned and PIXEL_REVIEW_FLAG in flags:
        flags[flags.index(PIXEL_REVIEW_FLAG)] = PIXEL_TEXT_FLAG \
            if cleaning.status == "still-has-text" else PIXEL_CHECK_FLAG
    shows_person = [f for f in flags if f in (FACE_FLAG, VOICE_FLAG)]

    applied = sorted(o for o in profile.options if o not in
                     ("clean_pixel_data", "clean_recognizable_visual_features"))
    if pixels_cleaned:
        # The cleaner removes burned-in text; it never removes a face.
        claimable = ("clean_pixel_data",) + (
            () if shows_person else ("clean_recognizable_visual_features",))
        applied += [o for o in claimable if profile.has(o)]
        out.BurnedInAnnotation = "NO"
    notes = ((YEAR_NOTE,) if profile.date_precision == "year" else ()) + (
        (HIPAA_NOTES[profile.hipaa],) if profile.hipaa else ())
    if cleaning is not None and (cleaning.cleaned or cleaning.proven):
        notes += (pixel_note(cleaning),)
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = method_text(profile.name, table.edition(), applied, notes)
    out[METHOD_CODE_SEQUENCE] = encoded_method_codes(
        tuple(applied), walker.implicit, walker.little)
    out.LongitudinalTemporalInformationModified = (
        "MODIFIED" if profile.modifies_dates
        else "UNMODIFIED" if profile.has("retain_long_full_dates") else "REMOVED"
    )
    if "SpecificCharacterSet" in source and "SpecificCharacterSet" not in out:
        out.SpecificCharacterSet = source.SpecificCharacterSet
    mark_encoding(out, walker.implicit, walker.little, source._character_set)
    out.preamble = b"\x00" * 128
    pseudonym = str(out.get("PatientID", "")) or walker.fields["hash8"]
    original_id = str(source.get("PatientID", "") or "")
    names = (str(source.get("PatientName", "") or ""), str(out.get("PatientName", "") or ""))
    return DeidResult(
        dataset=out,
        records=walker.records,
        flags=flags,
        uid_map=dict(walker.uids.seen),
        patient=(original_id, pseudonym),
        date_offset_days=walker.offset,
        methods=applied,
        patient_name=names if all(names) and names[0] != names[1] else ("", ""),
        pixels=cleaning,
    )

