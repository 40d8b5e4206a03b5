"""Looking at elements without decoding them, so kept values pass through byte for byte.

pydicom keeps the elements of a file it read as raw bytes until they are used. Most elements
of an image are kept unchanged by every profile (pixel data, geometry, acquisition), so the
engine decides from the tag and VR alone, and copies a kept element's raw bytes to the output
when the output is encoded like the input. Decoding each value and encoding it again would cost
most of the time and could only change it (number formatting, padding).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydicom.datadict import dictionary_VR, keyword_for_tag
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
from pydicom.dataset import Dataset
from pydicom.errors import BytesLengthException
from pydicom.hooks import _LUT_DESCRIPTOR_TAGS
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.values import convert_value

Element = DataElement | RawDataElement
#: pydicom's tuple, as plain ints: a tag (an int subclass comparing in Python) was compared
#: with each of its members for every element.
LUT_DESCRIPTOR_TAGS = frozenset(int(tag) for tag in _LUT_DESCRIPTOR_TAGS)

def in_tag_order(ds: Dataset) -> list[Element]:
    """The elements of ``ds`` as ``ds.elements()`` gives them (in tag order, raw until decoded,
    a deferred value read), without its lookup of each element by tag: pydicom compares tags
    in Python, which made iterating most of the cost of a walk that decodes little."""
    found: list[Element] = []
    for tag, elem in sorted(ds.items(), key=_as_int):
        if isinstance(elem, RawDataElement) and elem.value is None:
            elem = ds.get_item(tag)  # a deferred read, or a value pydicom decodes on access
        found.append(elem)
    return found


def _as_int(item: tuple[BaseTag, Any]) -> int:
    return int(item[0])


def values_of(value: Any) -> list[Any]:
    """The values of an element as a list: each value of a multi-valued one (pydicom gives
    those as a MultiValue, which is not a list), else the one value."""
    if isinstance(value, MultiValue | list | tuple):
        return list(value)
    return [value]


@lru_cache(maxsize=8192)
def keyword(tag: int) -> str:
    """The keyword of a tag ("" for private and unknown ones); cached, it is asked often."""
    return keyword_for_tag(tag) or ""


@lru_cache(maxsize=8192)
def _dictionary_vr(tag: int) -> str | None:
    try:
        vr = str(dictionary_VR(tag))
    except KeyError:
        return None
    # "US or SS", "OB or OW": never a VR whose action depends on it (UI, dates, text, PN, SQ),
    # and an implicit VR element is written without its VR, so the first one serves.
    return vr.split(" or ")[0]


def peek_vr(elem: Element) -> str | None:
    """The element's VR if it is known without decoding the value, else None.

    Explicit VR elements carry it; implicit VR public ones take the dictionary's. Private
    implicit VR elements, and UN ones that pydicom may resolve to a known VR, need decoding.
    """
    if isinstance(elem, DataElement):
        return elem.VR
    vr = elem.VR
    if vr and vr != "UN":
        return str(vr)
    if vr is None and (elem.tag >> 16) % 2 == 0:
        return _dictionary_vr(int(elem.tag))
    return None


def passes_through(elem: Element, implicit: bool, little: bool) -> bool:
    """Whether ``elem`` is raw and encoded the way the output will be, so its bytes can stay."""
    return (
        isinstance(elem, RawDataElement)
        and elem.is_implicit_VR == implicit
        and elem.is_little_endian == little
    )


def mark_encoding(
    ds: Dataset, implicit: bool, little: bool, charset: str | list[str] | None = None
) -> None:
    """Tell pydicom which encoding the raw elements of ``ds`` (and of its items) are in.

    ``charset`` is the character set of the data set the raw elements came from (default: the
    one ``ds`` declares). Without this pydicom's writer decodes every raw element of a new
    data set before writing it; with it, it does so only when ``ds`` now declares another
    character set than its raw text was read in.
    """
    ds.set_original_encoding(implicit, little, charset or ds._character_set)
    for elem in ds._dict.values():
        if isinstance(elem, DataElement) and elem.VR == "SQ":
            for item in elem.value or []:
                mark_encoding(item, implicit, little)


def read_as(ds: Dataset, elem: Element, vr: str) -> DataElement:
    """``elem``, whose VR the file did not give (UN), decoded as ``vr``."""
    value = elem.value if isinstance(elem.value, bytes) else b""
    implicit, little = ds.original_encoding
    raw = RawDataElement(BaseTag(elem.tag), vr, len(value), value, 0, implicit is not False,
                         little is not False)
    return convert_raw_data_element(raw, encoding=ds._character_set, ds=ds)


def value_strings(ds: Dataset, elem: Element,
                  encoding: str | list[str] | None = None) -> list[str] | None:
    """The values of ``elem``, a raw element of ``ds``, as the strings its decoded values print
    as ([] when it is empty), decoded as pydicom decodes them but without making a DataElement,
    which costs most of the time of checking every element of a file (~50 µs an element,
    against ~12 µs for the value itself).

    None where pydicom's reading does more than convert the value: no VR in the file (implicit
    VR, or UN), sequences, a length the VR cannot have (pydicom then reads it as UN), the LUT
    descriptors (whose first value pydicom corrects). Those are read through ``ds[tag]``.
    ``encoding``: ``ds``'s character set, when the caller has it (it is looked up otherwise).
    """
    if not _decodable(elem):
        return None
    return _strings(elem,  # type: ignore[arg-type]  # _decodable: a raw element
                    ds._character_set if encoding is None else encoding)


def _decodable(elem: Element) -> bool:
    """Whether :func:`value_strings` decodes ``elem`` itself (see there)."""
    return isinstance(elem, RawDataElement) and elem.VR not in (None, "UN", "SQ") and (
        int(elem.tag) not in LUT_DESCRIPTOR_TAGS)


def _strings(elem: RawDataElement, encoding: str | list[str]) -> list[str] | None:
    try:
        value = convert_value(str(elem.VR), elem, encoding)
    except BytesLengthException:
        return None
    if value is None or value == "" or (isinstance(value, MultiValue | list) and not value):
        return []
    return [str(v) for v in values_of(value)]


_UNKNOWN: list[str] = []


class ValueStrings:
    """:func:`value_strings` remembering what it decoded, for the outputs of one batch.

    Most elements of the files of a series hold the same bytes (geometry, acquisition, the
    dummies and pseudonyms the engine wrote), and decoding them is most of the cost of
    checking an element: what bytes decode to, as a VR in a byte order and character set,
    is decoded once. Values of up to :data:`SHORT` bytes are remembered, at most
    :data:`LIMIT` of them; the lists given are shared, not to be changed.
    """

    SHORT = 256
    LIMIT = 8192

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], list[str] | None] = {}

    def __call__(self, ds: Dataset, elem: Element,
                 encoding: str | list[str] | None = None) -> list[str] | None:
        if not _decodable(elem):
            return None
        raw: RawDataElement = elem  # type: ignore[assignment]  # _decodable said so
        if encoding is None:
            encoding = ds._character_set
        value = raw.value
        if value is None or len(value) > self.SHORT:
            return _strings(raw, encoding)
        key = (raw.VR, value, raw.is_little_endian,
               encoding if isinstance(encoding, str) else tuple(encoding))
        known = self._known.get(key, _UNKNOWN)
        if known is _UNKNOWN:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            known = self._known[key] = _strings(raw, encoding)
        return known
