"""Decoders keyed by transfer syntax UID: which syntax decodes, and with what.

The decode path never branches on a UID literal. It asks :data:`REGISTRY` for the codec of a
syntax; each codec says whether it is available here and decodes one frame. Under CPython the
default codecs delegate to pydicom's pixel backends (its own native and RLE decoders, and
pylibjpeg & co. for the JPEG family, when installed: ``pip install dicomtab[pixels]``). In
the browser pydicom has no JPEG codecs, so the worker registers JS-backed (WebAssembly)
decoders for those syntaxes with :meth:`DecoderRegistry.register`; a later registration wins
over an earlier one, so a JS codec can also replace a Python one.

The interface a decoder implements (:data:`FrameDecoder`)::

    decode(encoded: bytes | memoryview, info: FrameInfo) -> bytes | DecodedFrame

* for an encapsulated syntax, ``encoded`` is the one frame's codestream (all its fragments
  joined); for a native syntax, it is the whole Pixel Data value (often a memoryview of the
  file's bytes) and ``info.index`` says which frame (frames of 1-bit data need not start on a
  byte boundary, so a slice would not do);
* it returns the frame's stored values, samples interleaved (rows × columns × samples),
  little endian. Plain ``bytes`` mean "one sample per BitsAllocated-wide integer, in the
  stored photometric interpretation"; a :class:`DecodedFrame` can state another dtype, or that
  the codec already converted colour (e.g. a JPEG codec returning RGB for YBR_FULL_422).

This module imports neither numpy nor pydicom's pixel modules at import time, so the worker
may register codecs before numpy is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydicom.uid import UID

from dicomtab.errors import MissingCodecError


@dataclass(frozen=True)
class FrameInfo:
    """What a decoder needs to know about one frame, from the image pixel module."""

    transfer_syntax: str
    index: int
    rows: int
    columns: int
    samples_per_pixel: int
    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    photometric_interpretation: str
    planar_configuration: int
    number_of_frames: int
    #: "PixelData", "FloatPixelData" or "DoubleFloatPixelData".
    pixel_keyword: str = "PixelData"
    #: The pixel element's VR: 8-bit data in an OW value is byte-swapped in big endian.
    pixel_vr: str = "OB"

    def to_dict(self) -> dict[str, Any]:
        """The info as JSON-able data, the form a JS decoder receives it in."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class DecodedFrame:
    """A decoder's output when plain bytes would not say enough.

    ``dtype`` is a numpy dtype string (``"<u2"``, ``"|u1"``...); ``photometric`` is the colour
    space of ``data`` when the codec converted it (None: as stored).
    """

    data: bytes
    dtype: str | None = None
    photometric: str | None = None


#: decode(encoded, info) → the frame's stored values; see the module docstring.
FrameDecoder = Callable[["bytes | memoryview", FrameInfo], "bytes | DecodedFrame"]


@dataclass(frozen=True)
class Codec:
    """One way to decode one transfer syntax."""

    transfer_syntax: str
    name: str
    decode: FrameDecoder
    #: Asked on every lookup: a codec may become available later (numpy loaded, JS ready).
    available: Callable[[], bool]


#: The transfer syntaxes the viewer handles (PS3.5 Table A-1 / PS3.6 Table A-1), each with
#: whether it is lossless (so that every decoder must agree bit for bit). Data, not
#: branches: the registry and the tests are driven by this table.
TRANSFER_SYNTAXES: dict[str, bool] = {
    "1.2.840.10008.1.2": True,  # Implicit VR Little Endian
    "1.2.840.10008.1.2.1": True,  # Explicit VR Little Endian
    "1.2.840.10008.1.2.1.99": True,  # Deflated Explicit VR Little Endian
    "1.2.840.10008.1.2.2": True,  # Explicit VR Big Endian
    "1.2.840.10008.1.2.5": True,  # RLE Lossless
    "1.2.840.10008.1.2.4.50": False,  # JPEG Baseline (Process 1)
    "1.2.840.10008.1.2.4.51": False,  # JPEG Extended (Process 2 & 4)
    "1.2.840.10008.1.2.4.57": True,  # JPEG Lossless (Process 14)
    "1.2.840.10008.1.2.4.70": True,  # JPEG Lossless SV1
    "1.2.840.10008.1.2.4.80": True,  # JPEG-LS Lossless
    "1.2.840.10008.1.2.4.81": False,  # JPEG-LS Near-Lossless
    "1.2.840.10008.1.2.4.90": True,  # JPEG 2000 Lossless
    "1.2.840.10008.1.2.4.91": False,  # JPEG 2000 (lossless or lossy)
    "1.2.840.10008.1.2.4.201": True,  # HTJ2K Lossless
    "1.2.840.10008.1.2.4.202": True,  # HTJ2K Lossless RPCL
    "1.2.840.10008.1.2.4.203": False,  # HTJ2K (lossless or lossy)
}


def syntax_name(uid: str) -> str:
    """The syntax's name for messages (the UID itself when pydicom does not know it)."""
    name = UID(uid).name
    return name if name and name != uid else f"transfer syntax {uid}"


def is_encapsulated(uid: str) -> bool:
    """Whether frames of this syntax are fragments of a codestream (PS3.5 A.4)."""
    return bool(UID(uid).is_encapsulated)


def is_lossless(uid: str) -> bool:
    """Whether the syntax is lossless, i.e. decoders must agree bit for bit."""
    return TRANSFER_SYNTAXES.get(str(uid), False)


class DecoderRegistry:
    """Codecs per transfer syntax; the most recently registered available one is used."""

    def __init__(self) -> None:
        self._codecs: dict[str, list[Codec]] = {}

    def register(
        self,
        transfer_syntax: str,
        decode: FrameDecoder,
        *,
        name: str,
        available: Callable[[], bool] | None = None,
    ) -> None:
        """Add a codec for ``transfer_syntax``; it takes precedence over earlier ones.

        The worker calls this with a JS function (proxied by Pyodide) as ``decode``; it must
        follow :data:`FrameDecoder`. ``available`` defaults to "always".
        """
        codec = Codec(str(transfer_syntax), name, decode, available or (lambda: True))
        self._codecs.setdefault(codec.transfer_syntax, []).append(codec)

    def unregister(self, transfer_syntax: str, name: str) -> None:
        """Remove the codecs called ``name`` for ``transfer_syntax`` (tests, codec reloads)."""
        codecs = self._codecs.get(str(transfer_syntax), [])
        self._codecs[str(transfer_syntax)] = [c for c in codecs if c.name != name]

    def codec_for(self, transfer_syntax: str) -> Codec:
        """The codec to use, or a MissingCodecError naming the syntax."""
        for codec in reversed(self._codecs.get(str(transfer_syntax), [])):
            if codec.available():
                return codec
        if str(transfer_syntax) not in self._codecs:
            raise MissingCodecError(
                f"Images in {syntax_name(transfer_syntax)} cannot be shown: this viewer has "
                "no decoder for that transfer syntax."
            )
        raise MissingCodecError(
            f"Images in {syntax_name(transfer_syntax)} cannot be shown here: its decoder is "
            "not available (under CPython install dicomtab[pixels], i.e. pylibjpeg, "
            "pylibjpeg-libjpeg, pylibjpeg-openjpeg)."
        )

    def is_available(self, transfer_syntax: str) -> bool:
        """Whether some codec can decode ``transfer_syntax`` here and now."""
        return any(c.available() for c in self._codecs.get(str(transfer_syntax), []))

    def status(self) -> list[dict[str, Any]]:
        """Per known syntax: its name, whether it decodes here and with which codec."""
        rows = []
        for uid in TRANSFER_SYNTAXES:
            codec = None
            if self.is_available(uid):
                codec = self.codec_for(uid).name
            rows.append({"transferSyntax": uid, "name": syntax_name(uid), "codec": codec})
        return rows


def _pydicom_available(uid: str) -> Callable[[], bool]:
    def available() -> bool:
        try:
            import pydicom.config
            from pydicom.pixels import get_decoder

            # Without numpy pydicom decodes nothing; in the browser numpy comes later.
            return bool(pydicom.config.have_numpy) and bool(get_decoder(uid).is_available)
        except Exception:  # NotImplementedError (no decoder), ImportError
            return False

    return available


def pydicom_decode(encoded: bytes | memoryview, info: FrameInfo) -> DecodedFrame:
    """Decode one frame with pydicom's pixel backend (its plugins: pylibjpeg & co.)."""
    from pydicom.encaps import encapsulate
    from pydicom.pixels import get_decoder

    src: bytes | memoryview = encoded
    index: int | None = info.index
    frames = info.number_of_frames
    if is_encapsulated(info.transfer_syntax):
        # pydicom decodes a buffer of encapsulated data: wrap the lone frame as one.
        src, index, frames = encapsulate([bytes(encoded)]), 0, 1
    options: dict[str, Any] = {
        "transfer_syntax_uid": UID(info.transfer_syntax),
        "rows": info.rows,
        "columns": info.columns,
        "samples_per_pixel": info.samples_per_pixel,
        "bits_allocated": info.bits_allocated,
        "bits_stored": info.bits_stored,
        "pixel_representation": info.pixel_representation,
        "photometric_interpretation": info.photometric_interpretation,
        "number_of_frames": frames,
        "pixel_keyword": info.pixel_keyword,
        "pixel_vr": info.pixel_vr,
    }
    if info.samples_per_pixel > 1:
        options["planar_configuration"] = info.planar_configuration
    # raw=True: colour conversion is the pipeline's job (dicomtab.pixels.color), once, for
    # every codec alike; pydicom still tells us when the codec itself converted.
    array, meta = get_decoder(info.transfer_syntax).as_array(
        src, index=index, raw=True, **options
    )
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    photometric = str(meta.get("photometric_interpretation", info.photometric_interpretation))
    return DecodedFrame(array.tobytes(), array.dtype.str, photometric)


def default_registry() -> DecoderRegistry:
    """A registry holding pydicom's decoder for every syntax of :data:`TRANSFER_SYNTAXES`."""
    registry = DecoderRegistry()
    for uid in TRANSFER_SYNTAXES:
        registry.register(uid, pydicom_decode, name="pydicom", available=_pydicom_available(uid))
    return registry


#: The registry the pixel pipeline uses; the worker registers its JS codecs here.
REGISTRY = default_registry()
