"""One frame's stored values: find its bytes, decode them through the registry, check them.

The result is the frame exactly as pydicom's ``pixel_array`` shows it (rows × columns, or
rows × columns × samples; YBR_FULL/YBR_FULL_422 converted to RGB as pydicom does by
default), whichever codec decoded it. That is what :func:`frame_digest` hashes, so a JS
codec in the browser and pylibjpeg under CPython can be compared bit for bit.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
from pydicom.dataset import Dataset
from pydicom.encaps import get_frame

from dicomtab.errors import NOT_CAUGHT, MissingCodecError, PixelDataError, UnsupportedError
from dicomtab.pixels.decoders import (
    REGISTRY,
    DecodedFrame,
    DecoderRegistry,
    FrameInfo,
    is_encapsulated,
    syntax_name,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Photometric interpretations the pipeline can show (PS3.3 C.7.6.3.1.2).
PHOTOMETRICS = frozenset(
    {
        "MONOCHROME1",
        "MONOCHROME2",
        "PALETTE COLOR",
        "RGB",
        "YBR_FULL",
        "YBR_FULL_422",
        "YBR_ICT",
        "YBR_RCT",
        "YBR_PARTIAL_420",
    }
)

#: Colour spaces pydicom's pixel_array converts to RGB by default; we do the same.
_TO_RGB = frozenset({"YBR_FULL", "YBR_FULL_422"})

#: JPEG 2000's component transforms: the codec itself gives RGB back (PS3.5 8.2.4), even
#: when (like a JS codec returning plain bytes) it does not say so.
_CODEC_GIVES_RGB = frozenset({"YBR_ICT", "YBR_RCT"})

#: The pixel data elements, in the order they are looked for.
PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")


def pixel_keyword(ds: Dataset) -> str | None:
    """Which pixel data element the data set has, if any."""
    return next((k for k in PIXEL_KEYWORDS if k in ds), None)


def number_of_frames(ds: Dataset) -> int:
    """Number of Frames, 1 when absent or empty."""
    try:
        return max(int(ds.get("NumberOfFrames") or 1), 1)
    except (TypeError, ValueError):
        raise PixelDataError("The image's Number of Frames is not a number.") from None


def transfer_syntax(ds: Dataset) -> str:
    """The data set's transfer syntax (as read, when the file did not state one)."""
    uid = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if uid:
        return str(uid)
    implicit, little = ds.original_encoding
    if implicit:
        return "1.2.840.10008.1.2"
    return "1.2.840.10008.1.2.1" if little or little is None else "1.2.840.10008.1.2.2"


#: The most bytes one decoded frame may take (before the modality step widens it to 32 bits):
#: 8192 x 8192 16-bit RGB fits, an absurd Rows x Columns from a damaged header does not.
MAX_FRAME_BYTES = 512 * 2**20


def frame_info(ds: Dataset, index: int) -> FrameInfo:
    """Everything a decoder needs for frame ``index``, with the image module checked."""
    keyword = pixel_keyword(ds)
    if keyword is None:
        raise PixelDataError("This object has no pixel data.")
    frames = number_of_frames(ds)
    if not 0 <= index < frames:
        raise PixelDataError(f"Frame {index + 1} does not exist; the image has {frames}.")
    try:
        rows, columns = int(ds.Rows), int(ds.Columns)
        bits_allocated = int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel") or 1)
        bits_stored = int(ds.get("BitsStored") or bits_allocated)
        representation = int(ds.get("PixelRepresentation") or 0)
        planar = int(ds.get("PlanarConfiguration") or 0)
    except (AttributeError, TypeError, ValueError):
        raise PixelDataError(
            "The image pixel module is incomplete or invalid (Rows, Columns, Bits Allocated, "
            "Samples per Pixel, Bits Stored or Pixel Representation)."
        ) from None
    photometric = str(ds.get("PhotometricInterpretation") or "").strip().upper()
    if photometric not in PHOTOMETRICS:
        raise UnsupportedError(
            "The image's Photometric Interpretation is not one this viewer can show."
        )
    if rows < 1 or columns < 1 or bits_allocated not in (1, 8, 16, 32, 64):
        raise PixelDataError("The image's Rows, Columns or Bits Allocated are invalid.")
    if not 1 <= bits_stored <= bits_allocated:
        raise PixelDataError("The image's Bits Stored exceeds its Bits Allocated.")
    decoded = rows * columns * max(samples, 1) * max(bits_allocated // 8, 1)
    if decoded > MAX_FRAME_BYTES:
        # Checked before anything is decoded or widened: the modality step doubles 16-bit data.
        raise PixelDataError(
            f"This frame would need {decoded // 2**20} MB once decoded, more than the "
            f"{MAX_FRAME_BYTES // 2**20} MB a frame may take here; the tags can still be inspected."
        )
    return FrameInfo(
        transfer_syntax=transfer_syntax(ds),
        index=index,
        rows=rows,
        columns=columns,
        samples_per_pixel=samples,
        bits_allocated=bits_allocated,
        bits_stored=bits_stored,
        pixel_representation=representation,
        photometric_interpretation=photometric,
        planar_configuration=planar,
        number_of_frames=frames,
        pixel_keyword=keyword,
        pixel_vr=str(ds[keyword].VR),
    )


class _ViewReader:
    """A read-only file over a buffer, without copying it (io.BytesIO would copy)."""

    def __init__(self, view: memoryview) -> None:
        self._view, self._pos = view, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        chunk = bytes(self._view[self._pos : end])
        self._pos += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def encoded_frame(ds: Dataset, info: FrameInfo) -> bytes | memoryview:
    """What a decoder gets: one frame's codestream, or the whole native value.

    The native value is handed over as it is held (a memoryview of the file when
    :mod:`dicomtab.pixels.api` parsed it), never copied whole for each frame.
    """
    value = ds[info.pixel_keyword].value
    if not is_encapsulated(info.transfer_syntax):
        return value if isinstance(value, bytes | memoryview) else bytes(value)
    extended = None
    if "ExtendedOffsetTable" in ds and "ExtendedOffsetTableLengths" in ds:
        extended = (ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths)
    source = _ViewReader(value) if isinstance(value, memoryview) else value
    try:
        return get_frame(
            source, info.index, extended_offsets=extended, number_of_frames=info.number_of_frames
        )
    except Exception:  # ValueError and friends from a damaged item structure
        raise PixelDataError(
            f"Frame {info.index + 1} cannot be found in the encapsulated pixel data "
            f"({syntax_name(info.transfer_syntax)}): the data is truncated or corrupt."
        ) from None


def _default_dtype(info: FrameInfo) -> np.dtype:
    if info.pixel_keyword != "PixelData":
        return np.dtype("<f4" if info.pixel_keyword == "FloatPixelData" else "<f8")
    if info.bits_allocated == 1:
        return np.dtype("u1")
    kind = "i" if info.pixel_representation else "u"
    return np.dtype(f"<{kind}{info.bits_allocated // 8}")


def mask_stored(array: NDArray, info: FrameInfo) -> NDArray:
    """Keep the Bits Stored low bits; sign-extend them for signed data (PS3.5 8.1.1).

    Bits above High Bit may hold overlays or garbage; they are not part of the value.
    High Bit is assumed to be Bits Stored − 1, as the standard has required since 2004.
    """
    if array.dtype.kind not in "iu" or info.bits_stored >= array.dtype.itemsize * 8:
        return array
    shift = array.dtype.itemsize * 8 - info.bits_stored
    if info.pixel_representation:
        signed = array.view(np.dtype(f"<i{array.dtype.itemsize}"))
        return (signed << shift) >> shift
    return array & np.array((1 << info.bits_stored) - 1, dtype=array.dtype)


#: Syntaxes whose codestream must end with an end marker to be decoded: a JPEG-LS stream
#: ends with EOI (ITU-T T.87); a cut one keeps CharLS busy for seconds before it fails.
END_MARKERS = {"1.2.840.10008.1.2.4.80": b"\xff\xd9", "1.2.840.10008.1.2.4.81": b"\xff\xd9"}


def _ends_as_required(encoded: bytes | memoryview, transfer_syntax: str) -> bool:
    """Whether ``encoded`` ends with its syntax's end marker (padding after it aside)."""
    marker = END_MARKERS.get(transfer_syntax)
    if marker is None:
        return True
    tail = bytes(encoded[-16:]).rstrip(b"\x00")
    return tail.endswith(marker)


def decode_frame(
    ds: Dataset, index: int, registry: DecoderRegistry = REGISTRY
) -> tuple[NDArray, str]:
    """Frame ``index`` as pixel_array shows it, and its photometric interpretation after
    decoding (RGB where YBR_FULL/YBR_FULL_422 were converted, or where the codec did).

    Raises:
        PixelDataError, MissingCodecError, UnsupportedError
    """
    info = frame_info(ds, index)
    codec = registry.codec_for(info.transfer_syntax)
    encoded = encoded_frame(ds, info)
    try:
        if not _ends_as_required(encoded, info.transfer_syntax):
            raise ValueError("no end marker")  # reported below as truncated or corrupt
        out = codec.decode(encoded, info)
    except (MissingCodecError, PixelDataError, *NOT_CAUGHT):
        raise
    except BaseException:  # a native decoder's panic (PyO3's PanicException) too
        # The codec's message may quote bytes of the file; say what failed instead.
        raise PixelDataError(
            f"Frame {index + 1} could not be decoded as {syntax_name(info.transfer_syntax)}: "
            "the pixel data is truncated or corrupt."
        ) from None
    decoded = out if isinstance(out, DecodedFrame) else DecodedFrame(bytes(out))
    dtype = np.dtype(decoded.dtype) if decoded.dtype else _default_dtype(info)
    photometric = (decoded.photometric or info.photometric_interpretation).upper()
    samples = info.samples_per_pixel
    expected = info.rows * info.columns * samples * dtype.itemsize
    if len(decoded.data) != expected:
        raise PixelDataError(
            f"Frame {index + 1} decoded to {len(decoded.data)} bytes where {expected} were "
            f"expected ({syntax_name(info.transfer_syntax)}): the pixel data is truncated or "
            "does not match the image's dimensions."
        )
    shape = (info.rows, info.columns, samples) if samples > 1 else (info.rows, info.columns)
    array = np.frombuffer(decoded.data, dtype=dtype).reshape(shape)
    array = mask_stored(array, info)
    if samples == 3 and photometric in _CODEC_GIVES_RGB:
        photometric = "RGB"
    if samples == 3 and photometric in _TO_RGB:
        from dicomtab.pixels.color import ybr_to_rgb

        array, photometric = ybr_to_rgb(array), "RGB"
    return array, photometric


def little_endian_bytes(array: NDArray) -> bytes:
    """The array's values as little-endian bytes, C order."""
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return np.ascontiguousarray(array).tobytes()


def digest_of(array: NDArray) -> str:
    """sha256 hex of an array's values as little-endian bytes in C order."""
    return hashlib.sha256(little_endian_bytes(array)).hexdigest()


def frame_digest(ds: Dataset, index: int, registry: DecoderRegistry = REGISTRY) -> str:
    """frameDigest: sha256 hex of frame ``index``'s decoded values in pixel_array's layout."""
    return digest_of(decode_frame(ds, index, registry)[0])
