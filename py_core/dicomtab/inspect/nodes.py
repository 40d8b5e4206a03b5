"""The element tree of one instance, built once from a pydicom Dataset and the file's bytes.

Each :class:`Element` holds what every view needs: tag, VR, VM, the length as encoded, its
values as text, and for binary values (OB/OW/…/UN and pixel data) a zero-copy view of the
bytes. Large binary values are never read or decoded through pydicom: the Dataset is read
with ``defer_size``, and a deferred value is sliced out of the file's bytes at the offset
pydicom recorded, so a 40 MB multi-frame lists as fast as a small one.

Paths name an element unambiguously, private ones included: tags as 8 hex digits and item
indexes (from 0) separated by ``/``, e.g. ``00081115/0/0020000E``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from pydicom.datadict import (
    dictionary_description,
    dictionary_has_tag,
    dictionary_VR,
    keyword_for_tag,
    private_dictionary_description,
)
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.valuerep import IS, DSdecimal, DSfloat

from dicomtab.structure import LONG_VRS, PIXEL_TAGS, UNDEFINED_LENGTH, fragment_lengths

#: VRs whose value is bytes or a packed array: shown as a size and a hex preview, not text.
BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})

_LONG_VRS = frozenset(vr.decode() for vr in LONG_VRS)


@dataclass(eq=False)
class Item:
    """One item of a sequence."""

    path: str
    index: int
    depth: int
    elements: list[Element]
    #: True when the file encodes the item with an undefined length (and an item delimiter).
    undefined_length: bool

    @property
    def length(self) -> int | None:
        """Bytes of the item's content (None when encoded with undefined length)."""
        if self.undefined_length:
            return None
        return self.content_size()

    def content_size(self) -> int | None:
        """Bytes of the encoded elements of this item, or None when one cannot be sized."""
        total = 0
        for element in self.elements:
            size = element.encoded_size()
            if size is None:
                return None
            total += size
        return total


@dataclass(eq=False)
class Element:
    """One data element, its values as text, and where its bytes are."""

    path: str
    depth: int
    tag: int
    vr: str
    vm: int
    #: Value length in bytes as encoded; None for an undefined length.
    length: int | None
    keyword: str
    name: str
    #: Every value as text (one entry per value); empty for binary values and sequences.
    values: list[str]
    #: The value's bytes for binary VRs and pixel data (a view into the file where possible).
    data: bytes | memoryview | None = None
    items: list[Item] | None = None
    #: The private creator of a private element (the block's creator string).
    private_creator: str | None = None
    #: The pydicom element; None when a large binary value was left unread.
    element: DataElement | None = None
    #: Number of items of encapsulated (fragmented) pixel data, offset table included.
    fragments: list[int] | None = None
    #: The file meta group (0002,xxxx).
    meta: bool = False
    #: Bytes of the element header in this encoding (8 or 12).
    header: int = 8
    #: A value-free remark, e.g. that the value could not be decoded.
    note: str | None = None
    #: Set on the element whose parsing stopped in a damaged file.
    damaged: bool = False

    @property
    def tag_text(self) -> str:
        """``(gggg,eeee)``, upper-case hex as the standard writes tags."""
        return tag_text(self.tag)

    @property
    def is_private(self) -> bool:
        """An element of an odd group (private creator elements included)."""
        return bool((self.tag >> 16) % 2)

    @property
    def is_private_creator(self) -> bool:
        """A private creator element (gggg,0010-00FF) of an odd group."""
        return self.is_private and 0x0010 <= (self.tag & 0xFFFF) <= 0x00FF

    @property
    def is_sequence(self) -> bool:
        return self.items is not None

    @property
    def is_binary(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        """Bytes of a binary value (0 for other values)."""
        return len(self.data) if self.data is not None else 0

    def text(self) -> str:
        """All values as one string, multiple values separated by a backslash."""
        return "\\".join(self.values)

    def encoded_size(self) -> int | None:
        """Bytes of header plus value (plus delimiters) as encoded, when it can be known."""
        if self.length is not None:
            return self.header + self.length
        if self.items is not None:
            total = self.header + 8  # the sequence delimitation item
            for item in self.items:
                content = item.content_size()
                if content is None:
                    return None
                total += 8 + content + (8 if item.undefined_length else 0)
            return total
        if self.data is not None:
            return self.header + len(self.data) + 8
        return None


def tag_text(tag: int) -> str:
    """``(gggg,eeee)`` for a tag."""
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def tag_key(tag: int) -> str:
    """The 8-hex-digit form used in paths and in the DICOM JSON model."""
    return f"{tag:08X}"


def walk(elements: list[Element]) -> Any:
    """Every element of the tree, depth first, in file order (a generator)."""
    for element in elements:
        yield element
        for item in element.items or ():
            yield from walk(item.elements)


# -- building ----------------------------------------------------------------------------


@dataclass
class _Context:
    source: bytes | None
    implicit: bool
    little: bool
    meta: bool


def _value_text(value: Any) -> str:
    if isinstance(value, BaseTag):
        return tag_text(int(value))
    if isinstance(value, DSfloat | DSdecimal | IS):
        return str(value)  # the string as written in the file, not a re-formatted number
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return value.hex(" ")
    return str(value)


def value_texts(element: DataElement) -> list[str]:
    """Each value of a non-binary element as text."""
    value = element.value
    if value is None or value == "" or element.VM == 0:
        return []
    if isinstance(value, MultiValue | list | tuple):
        return [_value_text(v) for v in value]
    return [_value_text(value)]


def _resolve_vr(raw: RawDataElement, tag: int, ctx: _Context) -> str:
    """The VR of an element pydicom has not converted (implicit VR files carry none)."""
    vr = raw.VR
    if not vr:
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            vr = "UN"
    if " or " in vr:
        # Only large deferred values get here (pixel data, LUT data): in implicit VR these
        # are words (PS3.5 A.1), and a preview does not depend on the exact choice.
        vr = "OW" if "OW" in vr else vr.split(" or ")[0]
    return str(vr)


def _names(tag: int, creator: str | None) -> tuple[str, str]:
    """(keyword, name): the data dictionary's, or the private dictionary's name."""
    group, elem = tag >> 16, tag & 0xFFFF
    if group % 2:
        if 0x0010 <= elem <= 0x00FF:
            return "", "Private Creator"
        if elem == 0:
            return "", "Private Group Length"
        if creator:
            try:
                return "", private_dictionary_description(tag, creator)
            except KeyError:
                pass
        return "", "Private tag data"
    keyword = keyword_for_tag(tag) or ""
    if dictionary_has_tag(tag):
        return keyword, dictionary_description(tag)
    if elem == 0:
        return "", "Group Length"
    try:
        return keyword, dictionary_description(tag)  # repeating groups (50xx, 60xx)
    except KeyError:
        return keyword, ""


def _creator(ds: Dataset, tag: int) -> str | None:
    group, elem = tag >> 16, tag & 0xFFFF
    if group % 2 == 0 or elem < 0x1000:
        return None
    creator_tag = (group << 16) | (elem >> 8)
    if creator_tag not in ds:
        return ""
    try:
        value = ds[creator_tag].value
    except Exception:  # an unreadable creator is reported as unknown, not raised
        return ""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value or "").strip()


def _encoded_length(element: DataElement, ctx: _Context, ds: Dataset) -> int | None:
    """The value length of an element pydicom holds converted (no raw length recorded)."""
    if element.is_undefined_length:
        return None
    fp = DicomBytesIO()
    fp.is_implicit_VR = ctx.implicit
    fp.is_little_endian = ctx.little
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            write_data_element(fp, element, getattr(ds, "_character_set", None))
    except Exception:  # a value pydicom cannot encode: length unknown rather than a crash
        return None
    return fp.tell() - _header_size(element.VR, ctx)


def _header_size(vr: str, ctx: _Context) -> int:
    if ctx.implicit:
        return 8
    return 12 if vr in _LONG_VRS else 8


def _encapsulated_items(data: bytes | memoryview, little: bool) -> list[int]:
    return fragment_lengths(memoryview(data), 0, little)[1]


def build_elements(
    ds: Dataset,
    source: bytes | None = None,
    *,
    meta: bool = False,
    implicit: bool | None = None,
    little: bool | None = None,
) -> list[Element]:
    """The element tree of ``ds`` (a data set or a file meta group).

    ``source`` is the buffer pydicom read ``ds`` from: the offsets of deferred values point
    into it. ``implicit``/``little`` default to the encoding pydicom read ``ds`` with
    (explicit VR little endian for a file meta group or a data set built in memory).
    """
    if meta:
        implicit, little = False, True
    if implicit is None or little is None:
        read_implicit, read_little = getattr(ds, "original_encoding", (None, None))
        implicit = bool(read_implicit) if implicit is None else implicit
        little = (read_little is not False) if little is None else little
    ctx = _Context(source, implicit, little, meta)
    with warnings.catch_warnings():
        # pydicom's warnings about odd values quote the values: they must not reach a console.
        warnings.simplefilter("ignore")
        return _dataset(ds, "", 0, ctx)


def _dataset(ds: Dataset, prefix: str, depth: int, ctx: _Context) -> list[Element]:
    # Sorted like pydicom iterates (and writes) a data set; a file is in this order anyway.
    return [_element(ds, int(tag), prefix, depth, ctx) for tag in sorted(ds.keys())]


def _element(ds: Dataset, tag: int, prefix: str, depth: int, ctx: _Context) -> Element:
    path = prefix + tag_key(tag)
    raw = ds.get_item(tag, keep_deferred=True)
    creator = _creator(ds, tag)
    keyword, name = _names(tag, creator)
    length: int | None = None
    have_length = False
    if isinstance(raw, RawDataElement):
        have_length = True
        length = None if raw.length == UNDEFINED_LENGTH else raw.length
        vr = _resolve_vr(raw, tag, ctx)
        deferred = raw.value is None and raw.length != 0
        if deferred and (vr in BINARY_VRS or tag in PIXEL_TAGS) and ctx.source is not None:
            return _deferred_binary(raw, tag, vr, path, depth, ctx, keyword, name, creator)
    try:
        element = ds[tag]
    except Exception:  # pydicom could not convert the value: show its bytes instead
        return _undecodable(raw, tag, path, depth, ctx, keyword, name, creator, length)
    vr = str(element.VR)
    if not have_length:
        length = _encoded_length(element, ctx, ds)
    common: dict[str, Any] = {
        "path": path,
        "depth": depth,
        "tag": tag,
        "vr": vr,
        "length": length,
        "keyword": keyword,
        "name": name,
        "private_creator": creator,
        "element": element,
        "meta": ctx.meta,
        "header": _header_size(vr, ctx),
    }
    if vr == "SQ":
        items = [
            _item(item, f"{path}/{index}", index, depth + 1, ctx)
            for index, item in enumerate(element.value or Sequence([]))
        ]
        return Element(vm=1, values=[], items=items, **common)
    if vr in BINARY_VRS or tag in PIXEL_TAGS or isinstance(element.value, bytes):
        data = element.value if isinstance(element.value, bytes) else b""
        fragments = None
        if tag in PIXEL_TAGS and (element.is_undefined_length or length is None):
            fragments = _encapsulated_items(data, ctx.little)
        return Element(vm=1 if data else 0, values=[], data=data, fragments=fragments, **common)
    return Element(vm=element.VM, values=value_texts(element), **common)


def _item(item: Dataset, path: str, index: int, depth: int, ctx: _Context) -> Item:
    undefined = bool(getattr(item, "is_undefined_length_sequence_item", False))
    return Item(path, index, depth, _dataset(item, path + "/", depth + 1, ctx), undefined)


def _deferred_binary(
    raw: RawDataElement,
    tag: int,
    vr: str,
    path: str,
    depth: int,
    ctx: _Context,
    keyword: str,
    name: str,
    creator: str | None,
) -> Element:
    """A large binary value pydicom left unread: a view of its bytes in the file."""
    assert ctx.source is not None
    view = memoryview(ctx.source)
    start = raw.value_tell
    fragments = None
    if raw.length == UNDEFINED_LENGTH:
        end, fragments = fragment_lengths(view, start, ctx.little)
        length = None
    else:
        end = min(start + raw.length, len(view))
        length = raw.length
    return Element(
        path=path,
        depth=depth,
        tag=tag,
        vr=vr,
        vm=1,
        length=length,
        keyword=keyword,
        name=name,
        values=[],
        data=view[start:end],
        private_creator=creator,
        fragments=fragments,
        meta=ctx.meta,
        header=_header_size(vr, ctx),
    )


def _undecodable(
    raw: Any,
    tag: int,
    path: str,
    depth: int,
    ctx: _Context,
    keyword: str,
    name: str,
    creator: str | None,
    length: int | None,
) -> Element:
    data = raw.value if isinstance(raw, RawDataElement) and isinstance(raw.value, bytes) else b""
    vr = _resolve_vr(raw, tag, ctx) if isinstance(raw, RawDataElement) else "UN"
    return Element(
        path=path,
        depth=depth,
        tag=tag,
        vr=vr,
        vm=1 if data else 0,
        length=length if length is not None else len(data),
        keyword=keyword,
        name=name,
        values=[],
        data=data,
        private_creator=creator,
        meta=ctx.meta,
        header=_header_size(vr, ctx),
        note="the value could not be decoded for its VR; its bytes are shown",
    )
