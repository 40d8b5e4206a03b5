"""Blanking rectangles of an image's pixels (PS3.15's Clean Pixel Data), every syntax.

What happens to the pixel data depends on its transfer syntax (the policy the README lists):

* native (implicit/explicit VR, big endian, deflated): the stored values are blanked in
  place and the syntax is kept; nothing outside the boxes changes, bit for bit;
* RLE Lossless: decoded, blanked and encoded again as RLE (pydicom's encoder, pure Python,
  so the same in CPython and the tab); lossless, so nothing outside the boxes changes;
* every other encapsulated syntax (the JPEG family, JPEG-LS, JPEG 2000, HTJ2K): decoded,
  blanked and written as Explicit VR Little Endian, the change recorded. A lossy original is
  never compressed again: its decoded values are what is kept, Lossy Image Compression stays
  "01" with its method. (Encoding lossless JPEG 2000 and JPEG-LS again, where both runtimes
  have an encoder, is planned.)

"Blank" is the darkest value the image shows: the smallest stored value of the frame for
MONOCHROME2 (the largest for MONOCHROME1), black for RGB and YBR, and the palette entry
nearest black for PALETTE COLOR. YBR_FULL_422 stores two pixels' colour together, so its
boxes are widened to even columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, RLELossless

from dicomtab.deid.regions import Box, check_boxes
from dicomtab.errors import UnsupportedError
from dicomtab.pixels.decoders import is_encapsulated, is_lossless, syntax_name
from dicomtab.pixels.frames import (
    decode_frame,
    frame_info,
    mask_stored,
    number_of_frames,
    transfer_syntax,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Lossy Image Compression Method (0028,2114) of the lossy syntaxes, when the file gives none.
LOSSY_METHODS = {
    "1.2.840.10008.1.2.4.50": "ISO_10918_1",
    "1.2.840.10008.1.2.4.51": "ISO_10918_1",
    "1.2.840.10008.1.2.4.81": "ISO_14495_1",
    "1.2.840.10008.1.2.4.91": "ISO_15444_1",
    "1.2.840.10008.1.2.4.203": "ISO_15444_15",
}


@dataclass(frozen=True)
class Redaction:
    """What was blanked and how the pixel data was written (no pixel values)."""

    #: Boxes as applied (after widening for 4:2:2), with the frames they were applied to.
    boxes: tuple[dict[str, Any], ...]
    syntax_before: str
    syntax_after: str
    #: "in place", "RLE encoded again" or "decoded and written uncompressed".
    how: str
    frames: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"boxes": list(self.boxes), "frames": self.frames,
                "transfer_syntax_before": self.syntax_before,
                "transfer_syntax_after": self.syntax_after, "how": self.how,
                "notes": list(self.notes)}


def _widened(box: Box, photometric: str) -> Box:
    if photometric != "YBR_FULL_422" or (box.x % 2 == 0 and box.width % 2 == 0):
        return box
    x = box.x - box.x % 2
    end = box.x + box.width
    return Box(x, box.y, end + end % 2 - x, box.height, box.frames)


def _darkest(values: NDArray, stored: NDArray, photometric: str) -> Any:
    """The stored word (from ``stored``) of the pixel that shows darkest (from ``values``)."""
    flat = values.reshape(-1)
    index = int(flat.argmax() if photometric == "MONOCHROME1" else flat.argmin())
    return stored.reshape(-1)[index]


def _palette_black(ds: Dataset) -> int:
    """The palette index whose colour is nearest black."""
    from dicomtab.pixels.color import palette_to_rgb

    descriptor = ds.get("RedPaletteColorLookupTableDescriptor")
    if descriptor is None or len(descriptor) != 3:
        raise UnsupportedError("The palette colour lookup table has no descriptor.")
    entries = int(descriptor[0]) or 65536
    first = int(descriptor[1])
    indices = np.arange(first, first + entries, dtype=np.uint16 if int(ds.BitsAllocated) > 8
                        else np.uint8)
    rgb = palette_to_rgb(indices, ds).astype(np.int64)
    return int(indices[int(rgb.sum(axis=-1).argmin())])


def _blank_frame(frame: NDArray, values: NDArray, photometric: str, boxes: list[Box],
                 palette_black: int | None, bits_stored: int) -> None:
    """Blank ``boxes`` in one frame, in place: ``frame`` rows x columns (x samples), its
    stored words; ``values`` the same as the image shows them (masked, signed)."""
    if photometric in ("MONOCHROME1", "MONOCHROME2"):
        fill: Any = _darkest(values, frame, photometric)
        if np.issubdtype(frame.dtype, np.integer) and bits_stored < frame.dtype.itemsize * 8:
            # Bits above High Bit may hold a (retired) overlay plane: blank them too.
            fill = fill & frame.dtype.type((1 << bits_stored) - 1)
    elif photometric == "PALETTE COLOR":
        fill = palette_black
    elif photometric.startswith("YBR") and frame.ndim == 3:
        middle = 1 << (bits_stored - 1)
        fill = np.array([16 if "PARTIAL" in photometric else 0, middle, middle],
                        dtype=frame.dtype)
    else:
        fill = 0
    for box in boxes:
        frame[box.y: box.y + box.height, box.x: box.x + box.width] = fill


def _frames_view(ds: Dataset, data: bytearray, photometric: str) -> NDArray:
    """A writable view of native pixel data: frames x rows x columns (x samples)."""
    info = frame_info(ds, 0)
    frames = number_of_frames(ds)
    if info.bits_allocated not in (8, 16, 32, 64):
        raise UnsupportedError(f"{info.bits_allocated}-bit pixel data cannot be redacted here.")
    syntax = transfer_syntax(ds)
    order = ">" if syntax == "1.2.840.10008.1.2.2" else "<"
    kind = "f" if info.pixel_keyword != "PixelData" else "u"
    dtype = np.dtype(f"{order}{kind}{info.bits_allocated // 8}")
    rows, columns, samples = info.rows, info.columns, info.samples_per_pixel
    if photometric == "YBR_FULL_422":
        if info.bits_allocated != 8:
            raise UnsupportedError("YBR_FULL_422 pixel data of more than 8 bits cannot be "
                                   "redacted here.")
        # Y Y Cb Cr for each pair of pixels: two bytes a pixel.
        shape: tuple[int, ...] = (frames, rows, columns * 2)
    elif samples > 1 and info.planar_configuration == 1:
        shape = (frames, samples, rows, columns)
    elif samples > 1:
        shape = (frames, rows, columns, samples)
    else:
        shape = (frames, rows, columns)
    needed = int(np.prod(shape)) * dtype.itemsize
    if len(data) < needed:
        raise UnsupportedError("The pixel data is shorter than the image it describes.")
    return np.frombuffer(data, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def _redact_native(ds: Dataset, boxes: list[Box], palette_black: int | None) -> None:
    info = frame_info(ds, 0)
    photometric = info.photometric_interpretation
    keyword = info.pixel_keyword
    data = bytearray(ds[keyword].value)
    view = _frames_view(ds, data, photometric)
    for index in range(view.shape[0]):
        chosen = [b for b in boxes if b.applies_to(index + 1)]
        if not chosen:
            continue
        frame = view[index]
        if photometric == "YBR_FULL_422":
            _blank_422(frame, chosen)
            continue
        if info.samples_per_pixel > 1 and info.planar_configuration == 1:
            frame = np.moveaxis(frame, 0, -1)  # a view: planes become samples
        values = mask_stored(frame.astype(frame.dtype.newbyteorder("=")), info) \
            if keyword == "PixelData" else frame
        _blank_frame(frame, values, photometric, chosen, palette_black, info.bits_stored)
    ds[keyword].value = bytes(data)


def _blank_422(frame: NDArray, boxes: list[Box]) -> None:
    """YBR_FULL_422 rows of Y Y Cb Cr: each (even-aligned) pair of pixels to black."""
    for box in boxes:
        area = frame[box.y: box.y + box.height, 2 * box.x: 2 * (box.x + box.width)]
        pairs = area.reshape(area.shape[0], -1, 4)
        pairs[...] = np.array([0, 0, 128, 128], dtype=frame.dtype)


def _decoded(ds: Dataset, boxes: list[Box],
             palette_black: int | None) -> tuple[NDArray, str]:
    """Every frame decoded (as pixel_array shows it) with the boxes blanked, stacked."""
    frames = []
    photometric = ""
    info = frame_info(ds, 0)
    for index in range(number_of_frames(ds)):
        array, photometric = decode_frame(ds, index)
        array = np.array(array)  # writable
        chosen = [b for b in boxes if b.applies_to(index + 1)]
        if chosen:
            _blank_frame(array, array, photometric, chosen, palette_black, info.bits_stored)
        frames.append(array)
    return np.stack(frames), photometric


def redact(ds: Dataset, boxes: list[Box], name: str) -> Redaction:
    """Blank ``boxes`` in the pixel data of ``ds`` (changed in place; see the module).

    Raises:
        PolicyError: a box does not fit the image (the file is then not cleaned).
        PixelDataError, MissingCodecError, UnsupportedError: the pixels cannot be read or
            written again.
    """
    info = frame_info(ds, 0)
    frames = number_of_frames(ds)
    photometric = info.photometric_interpretation
    boxes = [_widened(b, photometric) for b in boxes]
    check_boxes(boxes, info.rows, info.columns, frames, name)
    palette = _palette_black(ds) if photometric == "PALETTE COLOR" else None
    before = transfer_syntax(ds)
    applied = tuple(b.to_dict() for b in boxes)
    overlays = _blank_overlays(ds, boxes)
    notes: tuple[str, ...] = (f"overlay planes {', '.join(overlays)} blanked in the same boxes",) \
        if overlays else ()
    if not is_encapsulated(before):
        _redact_native(ds, boxes, palette)
        return Redaction(applied, before, before, "in place", frames, notes)
    array, shown = _decoded(ds, boxes, palette)
    signed = info.pixel_representation == 1
    if before == RLELossless:
        _write_rle(ds, array, shown)
        return Redaction(applied, before, before, "RLE encoded again", frames, notes)
    _write_native(ds, array, shown, before, signed)
    if not is_lossless(before):
        notes += (f"the lossy {syntax_name(before)} frames were decoded and written "
                  "uncompressed, never compressed again",)
    return Redaction(applied, before, str(ExplicitVRLittleEndian),
                     "decoded and written uncompressed", frames, notes)


def _blank_overlays(ds: Dataset, boxes: list[Box]) -> list[str]:
    """Clear, inside the boxes, the bits of every overlay plane kept in Overlay Data (text
    drawn in an overlay is as identifying as text in the pixels); the groups changed."""
    from dicomtab.pixels.overlays import overlay_groups, overlay_info

    changed = []
    for group in overlay_groups(ds):
        tag = (group << 16) | 0x3000
        if tag not in ds:
            continue  # an overlay in the pixel data's high bits: blanked with the pixels
        info = overlay_info(ds, group)
        rows, columns = info["rows"], info["columns"]
        data = bytes(ds[tag].value)
        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")
        top, left = info["origin"][0] - 1, info["origin"][1] - 1
        touched = False
        for plane in range(info["frames"]):
            chosen = [b for b in boxes if b.applies_to(info["firstFrame"] + plane)]
            start = plane * rows * columns
            if not chosen or start + rows * columns > bits.size:
                continue
            bitmap = bits[start: start + rows * columns].reshape(rows, columns)
            for box in chosen:
                r0, c0 = max(box.y - top, 0), max(box.x - left, 0)
                r1, c1 = min(box.y + box.height - top, rows), min(box.x + box.width - left, columns)
                if r0 < r1 and c0 < c1:
                    bitmap[r0:r1, c0:c1] = 0
                    touched = True
        if touched:
            ds[tag].value = np.packbits(bits, bitorder="little").tobytes()[: len(data)]
            changed.append(f"{group:04X}")
    return changed


def _set_colour(ds: Dataset, photometric: str, samples: int) -> None:
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = 0


def _write_rle(ds: Dataset, array: NDArray, photometric: str) -> None:
    _set_colour(ds, photometric, int(ds.get("SamplesPerPixel") or 1))
    data = array if int(ds.get("NumberOfFrames") or 1) > 1 else array[0]
    # The SOP Instance UID is the de-identified one: pydicom must not make a new one.
    ds.compress(RLELossless, data, encoding_plugin="pydicom", generate_instance_uid=False)


def _write_native(ds: Dataset, array: NDArray, photometric: str, before: str,
                  signed: bool) -> None:
    bits = int(ds.BitsAllocated)
    dtype = np.dtype(f"<{'i' if signed else 'u'}{bits // 8}")
    ds.PixelData = np.ascontiguousarray(array.astype(dtype, copy=False)).tobytes()
    ds["PixelData"].VR = "OB" if bits <= 8 else "OW"
    ds["PixelData"].is_undefined_length = False
    _set_colour(ds, photometric, int(ds.get("SamplesPerPixel") or 1))
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    if not is_lossless(before):
        ds.LossyImageCompression = "01"
        if "LossyImageCompressionMethod" not in ds:
            ds.LossyImageCompressionMethod = LOSSY_METHODS.get(before, "")
