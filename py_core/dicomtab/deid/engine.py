"""De-identify one data set: a pure function from (dataset, profile, key) to new data + record.

The input dataset is never modified. The result carries the new dataset (with a rewritten file
meta group), the per-element record for the audit (tags, keywords, actions, paths; never
values), flags for what this tool cannot do itself (pixel cleaning), and the original->new
pairs needed for an optional crosswalk (kept apart from the audit on purpose).
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from pydicom.datadict import keyword_for_tag
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from dicomtab import __version__
from dicomtab.deid import dates, pseudonyms
from dicomtab.deid.actions import DATE_VRS, Decision, decide, dummy_value, empty_value
from dicomtab.deid.freetext import IDENTIFIER_KEYWORDS, TEXT_VRS, Scrubber, identifier_strings
from dicomtab.deid.keys import Key
from dicomtab.deid.methods import method_codes, method_text
from dicomtab.deid.profile import Profile
from dicomtab.deid.table import DeidTable, load_table
from dicomtab.deid.uids import UidMapper

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
PixelCleaner = Callable[[Dataset], Dataset]


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


def _is_creator_element(tag: int) -> bool:
    return (tag >> 16) % 2 == 1 and 0x0010 <= (tag & 0xFFFF) <= 0x00FF


class _Walker:
    """One pass over a dataset tree with the state that pass needs."""

    def __init__(self, profile: Profile, table: DeidTable, key: Key, source: Dataset) -> None:
        self.profile = profile
        self.table = table
        self.key = key
        self.uids = UidMapper(key)
        self.records: list[ElementRecord] = []
        self.patient_key = pseudonyms.patient_key(source)
        self.fields = pseudonyms.template_fields(key, self.patient_key)
        self.offset: int | None = None
        if profile.has("retain_long_modified_dates"):
            self.offset = profile.date_offset_days
            if self.offset is None:
                self.offset = dates.patient_offset_days(key, self.patient_key)
        self.scrubber = Scrubber(self._identifiers(source, None))

    # -- pass 1: the identifiers that will be removed, to search for in kept text ------------
    def _identifiers(self, ds: Dataset, tree: str | None) -> list[str]:
        found: list[str] = []
        for elem in ds:
            keyword = keyword_for_tag(elem.tag) or ""
            if elem.VR == "SQ":
                for item in elem.value or []:
                    found.extend(self._identifiers(item, tree))
                continue
            if elem.VR != "PN" and keyword not in IDENTIFIER_KEYWORDS:
                continue
            decision = self._decide(ds, elem, tree)
            if decision.action not in ("K", "C"):
                found.extend(identifier_strings(elem.VR, elem.value))
        return found

    def _decide(self, ds: Dataset, elem: DataElement, tree: str | None) -> Decision:
        keyword = keyword_for_tag(elem.tag) or ""
        creator = _creator_of(ds, elem.tag)
        return decide(elem.tag, elem.VR, keyword, creator, self.profile, self.table, tree)

    # -- pass 2: build the new dataset ------------------------------------------------------
    def walk(self, ds: Dataset, path: str, tree: str | None) -> Dataset:
        out = Dataset()
        kept_blocks: set[int] = set()
        for elem in ds:
            tag = int(elem.tag)
            if tag >> 16 == 0x0002 or _is_creator_element(tag):
                continue  # file meta is rebuilt; creators follow their blocks below
            keyword = keyword_for_tag(tag) or ""
            where = f"{path}{keyword or _tag_text(tag)}"
            decision = self._decide(ds, elem, tree)
            new = self._apply(elem, decision, keyword, where, tree)
            if new is not None:
                out.add(new)
                if tag >> 16 & 1:
                    kept_blocks.add(((tag >> 16) << 16) | ((tag & 0xFFFF) >> 8))
        for creator_tag in sorted(kept_blocks):
            if creator_tag in ds:
                src = ds[creator_tag]
                out.add(DataElement(creator_tag, src.VR, src.value))
        return out

    def _record(self, where: str, elem: DataElement, action: str, source: str) -> None:
        self.records.append(
            ElementRecord(where, _tag_text(int(elem.tag)), keyword_for_tag(elem.tag) or "",
                          elem.VR, action, source)
        )

    def _apply(
        self, elem: DataElement, d: Decision, keyword: str, where: str, tree: str | None
    ) -> DataElement | None:
        vr, action = elem.VR, d.action
        template = self.profile.templates.get(keyword)
        if template is not None and action in ("Z", "D"):
            # Also when empty: every file of a patient then carries the same pseudonym.
            self._record(where, elem, "D", "template")
            return DataElement(elem.tag, vr, pseudonyms.render(template, self.fields))
        if action == "X":
            self._record(where, elem, "X", d.source)
            return None
        if vr == "SQ":
            return self._sequence(elem, d, where, tree)
        if action == "Z":
            self._record(where, elem, "Z", d.source)
            return DataElement(elem.tag, vr, empty_value(vr))
        if action == "D":
            self._record(where, elem, "D", d.source)
            if vr == "UI":
                return self._map_uids(elem)
            return DataElement(elem.tag, vr, dummy_value(vr))
        if action == "U" or (vr == "UI" and action == "C"):
            new = self._map_uids(elem)
            if new.value != elem.value:
                self._record(where, elem, "U", d.source)
            return new
        if action == "C":
            return self._clean(elem, d, where)
        # K: kept, but kept text is still searched for identifiers removed elsewhere, unless
        # the profile explicitly asked to keep this very attribute.
        if vr in TEXT_VRS and d.source != "override":
            return self._scrubbed(elem, where, d.source)
        return elem

    def _sequence(
        self, elem: DataElement, d: Decision, where: str, tree: str | None
    ) -> DataElement:
        if d.action == "Z":
            self._record(where, elem, "Z", d.source)
            return DataElement(elem.tag, "SQ", Sequence([]))
        # D on a sequence: keep its items but de-identify them (a dummy of the same shape);
        # C: clean them; K/U: walk them so nested UIDs, names and dates still get their rules.
        inner = {"D": "D", "C": "C"}.get(d.action, tree)
        if d.action in ("D", "C"):
            self._record(where, elem, d.action, d.source)
        items = [self.walk(item, f"{where}[{i}].", inner) for i, item in enumerate(elem.value)]
        return DataElement(elem.tag, "SQ", Sequence(items))

    def _map_uids(self, elem: DataElement) -> DataElement:
        value = elem.value
        if isinstance(value, list | tuple):
            return DataElement(elem.tag, elem.VR, [self.uids.map(str(v)) for v in value])
        return DataElement(elem.tag, elem.VR, self.uids.map(str(value)) if value else value)

    def _clean(self, elem: DataElement, d: Decision, where: str) -> DataElement | None:
        vr = elem.VR
        if vr in DATE_VRS and not elem.is_empty:
            if self.offset is None:
                return elem  # C from an option that keeps dates as they are
            values = elem.value if isinstance(elem.value, list | tuple) else [elem.value]
            text = "\\".join(str(v) for v in values)
            shifted = dates.shift_values(vr, text, self.offset)
            if shifted is None:
                # An unparseable date cannot be shifted safely: empty it rather than leak it.
                self._record(where, elem, "Z", d.source + "+unparseable-date")
                return DataElement(elem.tag, vr, None)
            if shifted != text:
                self._record(where, elem, "C", d.source + "+date-shift")
            return DataElement(elem.tag, vr, shifted.split("\\") if "\\" in shifted else shifted)
        if vr in TEXT_VRS or vr == "PN":
            return self._scrubbed(elem, where, d.source)
        return elem

    def _scrubbed(self, elem: DataElement, where: str, source: str) -> DataElement:
        if not self.scrubber or elem.is_empty:
            return elem
        values = elem.value if isinstance(elem.value, list | tuple) else [elem.value]
        cleaned = [self.scrubber.scrub(str(v)) for v in values]
        if cleaned == [str(v) for v in values]:
            return elem
        self._record(where, elem, "C", source + "+free-text")
        return DataElement(elem.tag, elem.VR, cleaned if len(cleaned) > 1 else cleaned[0])


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


def _transfer_syntax(source: Dataset) -> str:
    meta = getattr(source, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta is not None else None
    if ts:
        return str(ts)
    implicit = getattr(source, "is_implicit_VR", None)
    return str(ImplicitVRLittleEndian if implicit in (True, None) else ExplicitVRLittleEndian)


def _file_meta(source: Dataset, out: Dataset, walker: _Walker) -> FileMetaDataset:
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
    for elem in old:
        if elem.keyword not in ("MediaStorageSOPClassUID", "TransferSyntaxUID",
                                "FileMetaInformationGroupLength", "FileMetaInformationVersion"):
            action = "U" if elem.keyword == "MediaStorageSOPInstanceUID" else "D"
            action = "X" if elem.keyword not in meta else action
            walker._record(f"FileMeta.{elem.keyword or _tag_text(elem.tag)}", elem, action,
                           "file-meta")
    return meta


def deidentify(
    source: Dataset,
    profile: Profile,
    key: Key,
    *,
    table: DeidTable | None = None,
    pixel_cleaner: PixelCleaner | None = None,
) -> DeidResult:
    """De-identify ``source`` under ``profile`` with ``key``; ``source`` is left untouched."""
    # pydicom warns about odd values *quoting them*; nothing may print a value from a file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _deidentify(source, profile, key, table or load_table(), pixel_cleaner)


def _deidentify(
    source: Dataset, profile: Profile, key: Key, table: DeidTable,
    pixel_cleaner: PixelCleaner | None,
) -> DeidResult:
    walker = _Walker(profile, table, key, source)
    out = walker.walk(source, "", None)

    flags: list[str] = []
    pixels_cleaned = False
    wants_pixels = profile.has("clean_pixel_data") or profile.has(
        "clean_recognizable_visual_features"
    )
    if needs_pixel_review(source):
        if wants_pixels and pixel_cleaner is not None:
            out = pixel_cleaner(out)
            pixels_cleaned = True
        else:
            flags.append("pixel-review")
    if profile.has("clean_graphics") and any(
        (int(t) >> 16) in range(0x6000, 0x6100, 2) for t in out.keys()
    ):
        flags.append("overlay-review")  # overlay bitmaps are kept; text in them is not read

    applied = sorted(o for o in profile.options if o not in
                     ("clean_pixel_data", "clean_recognizable_visual_features"))
    if pixels_cleaned:
        applied += [o for o in ("clean_pixel_data", "clean_recognizable_visual_features")
                    if profile.has(o)]
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = method_text(profile.name, table.edition(), applied)
    out.DeidentificationMethodCodeSequence = Sequence(method_codes(applied))
    out.LongitudinalTemporalInformationModified = (
        "MODIFIED" if profile.has("retain_long_modified_dates")
        else "UNMODIFIED" if profile.has("retain_long_full_dates") else "REMOVED"
    )
    if "SpecificCharacterSet" in source and "SpecificCharacterSet" not in out:
        out.SpecificCharacterSet = source.SpecificCharacterSet
    out.file_meta = _file_meta(source, out, walker)
    out.preamble = b"\x00" * 128
    pseudonym = str(out.get("PatientID", "")) or walker.fields["hash8"]
    original_id = str(source.get("PatientID", "") or "")
    return DeidResult(
        dataset=out,
        records=walker.records,
        flags=flags,
        uid_map=dict(walker.uids.seen),
        patient=(original_id, pseudonym),
        date_offset_days=walker.offset,
        methods=applied,
    )

