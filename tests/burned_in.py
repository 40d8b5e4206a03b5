"""Images with a patient's name and ID burned into the pixels, in every photometric
interpretation and transfer syntax the redaction handles, with the mask of every glyph pixel
(so a test can check that each one changed, and that nothing else did).

Text is drawn with a small 5 x 7 bitmap font, scaled; the background is a smooth gradient
with a little deterministic noise, as an ultrasound or a fluoroscopy frame has.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.uid import UID, RLELossless

from tests.core.pixels.helpers import make_image

#: 5 x 7 glyphs, rows top to bottom, "#" is ink.
_FONT = {
    "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
    "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "N": ["#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"],
    "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    "3": ["####.", "....#", "....#", ".###.", "....#", "....#", "####."],
    "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    " ": ["....."] * 7,
}
TEXT = "DOE JANE 1234"
ROWS, COLUMNS = 96, 128
#: Where the text is drawn, and the box that covers it (with a margin).
TEXT_AT = (6, 4)
SCALE = 1
BOX = {"x": 2, "y": 2, "width": 86, "height": 12}
MANUFACTURER = "ACME MEDICAL"


def text_mask(text: str = TEXT, at: tuple[int, int] = TEXT_AT, scale: int = SCALE,
              shape: tuple[int, int] = (ROWS, COLUMNS)) -> np.ndarray:
    """Boolean rows x columns: True on every ink pixel of ``text`` drawn at (x, y)."""
    mask = np.zeros(shape, dtype=bool)
    x, y = at
    for char in text:
        glyph = np.array([[c == "#" for c in row] for row in _FONT[char]])
        glyph = np.kron(glyph, np.ones((scale, scale), dtype=bool))
        mask[y: y + glyph.shape[0], x: x + glyph.shape[1]] |= glyph
        x += 6 * scale
    return mask


def _background(samples: int, maximum: int, seed: int) -> np.ndarray:
    rows, columns = np.mgrid[0:ROWS, 0:COLUMNS]
    base = (rows * 3 + columns * 2) % (maximum // 2 + 1)
    noise = np.random.default_rng(seed).integers(0, max(maximum // 16, 2), (ROWS, COLUMNS))
    value = (base + noise).astype(np.int64)
    if samples == 3:
        return np.stack([value, (value * 3) % (maximum // 2), (value * 5) % (maximum // 3)], -1)
    return value


def values(kind: str, frames: int) -> np.ndarray:
    """frames x rows x columns (x 3): the image with the text burned in, as stored."""
    samples = 3 if kind in ("rgb", "ybr422", "jpeg-rgb") else 1
    maximum = 4095 if kind in ("mono2-12", "mono1-16") else 255
    mask = text_mask()
    out = []
    for frame in range(frames):
        image = _background(samples, maximum, seed=frame)
        # MONOCHROME1 shows low values white; the palette made here maps 0 to white.
        ink = 0 if kind in ("mono1-16", "palette") else maximum
        image[mask] = ink
        out.append(image)
    return np.stack(out)


def burned_dataset(kind: str, syntax: str, frames: int = 1) -> tuple[Dataset, np.ndarray]:
    """An image of ``kind`` in ``syntax`` and the values it holds (frames x ...), written and
    read back as a file.

    ``kind``: ``mono2-8``, ``mono2-12`` (16 bits allocated), ``mono1-16``, ``rgb``,
    ``palette``, ``ybr422`` (native YBR_FULL_422), ``jpeg-rgb`` (for JPEG baseline).
    """
    stored = values(kind, frames)
    bits = 16 if kind in ("mono2-12", "mono1-16") else 8
    photometric = {"mono1-16": "MONOCHROME1", "rgb": "RGB", "palette": "PALETTE COLOR",
                   "ybr422": "YBR_FULL_422", "jpeg-rgb": "YBR_FULL_422"}.get(kind, "MONOCHROME2")
    samples = 3 if stored.ndim == 4 else 1
    extra = {"Modality": "US", "Manufacturer": MANUFACTURER, "BurnedInAnnotation": "YES",
             "PatientName": "DOE^JANE", "PatientID": "1234",
             "StudyInstanceUID": "1.2.826.0.1.3680043.9.9999.8.1",
             "SeriesInstanceUID": "1.2.826.0.1.3680043.9.9999.8.2"}
    if kind == "palette":
        lut = np.arange(256, dtype=np.uint16)
        # A grey palette running from white (index 0) to black (index 255).
        extra.update({f"{c}PaletteColorLookupTableDescriptor": [256, 0, 16]
                      for c in ("Red", "Green", "Blue")})
        for c in ("Red", "Green", "Blue"):
            extra[f"{c}PaletteColorLookupTableData"] = ((255 - lut) * 257).astype("<u2").tobytes()
    raw = _native_bytes(stored, kind, bits)
    ds = make_image(raw, rows=ROWS, columns=COLUMNS, bits_allocated=bits,
                    bits_stored=12 if kind in ("mono2-12", "mono1-16") else 8,
                    samples=samples, photometric=photometric,
                    frames=frames if frames > 1 else None, **extra)
    return _in_syntax(ds, stored, syntax, bits), stored


def _in_syntax(ds: Dataset, stored: np.ndarray, syntax: str, bits: int,
               photometric_after: str | None = None) -> Dataset:
    """``ds`` (native pixel data holding ``stored``) in ``syntax``, written and read back.
    ``photometric_after``: the colour space a JPEG codestream holds, when not the stored one."""
    frames = stored.shape[0]
    if syntax == str(RLELossless):
        typed = stored.astype(np.uint16 if bits > 8 else np.uint8)
        ds.compress(RLELossless, typed if frames > 1 else typed[0], encoding_plugin="pydicom",
                    generate_instance_uid=False)
    elif syntax not in ("1.2.840.10008.1.2.1", "1.2.840.10008.1.2"):
        _encapsulate(ds, stored, syntax)
        if photometric_after:
            ds.PhotometricInterpretation = photometric_after
    else:
        ds.file_meta.TransferSyntaxUID = UID(syntax)
    out = BytesIO()
    ds.save_as(out, enforce_file_format=True, implicit_vr=syntax == "1.2.840.10008.1.2",
               little_endian=True)
    return pydicom.dcmread(BytesIO(out.getvalue()))


def _native_bytes(stored: np.ndarray, kind: str, bits: int) -> bytes:
    if kind == "ybr422":
        return _ybr422(stored)
    return stored.astype(f"<u{bits // 8}").tobytes()


def _ybr422(rgb: np.ndarray) -> bytes:
    """Native YBR_FULL_422 bytes (Y Y Cb Cr per pair) of RGB values, as in PS3.3 C.7.6.3.1.2."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    y, cb, cr = (np.clip(np.rint(c), 0, 255).astype(np.uint8) for c in (y, cb, cr))
    pairs = np.stack([y[..., 0::2], y[..., 1::2], cb[..., 0::2], cr[..., 0::2]], -1)
    return pairs.tobytes()


def _encapsulate(ds: Dataset, stored: np.ndarray, syntax: str) -> None:
    import imagecodecs

    encoders = {
        "1.2.840.10008.1.2.4.50": lambda a: imagecodecs.jpeg8_encode(a.astype(np.uint8), level=95),
        "1.2.840.10008.1.2.4.70": lambda a: imagecodecs.ljpeg_encode(a, bitspersample=12
                                                                     if a.dtype == np.uint16
                                                                     else 8),
        "1.2.840.10008.1.2.4.80": lambda a: imagecodecs.jpegls_encode(a),
        "1.2.840.10008.1.2.4.90": lambda a: imagecodecs.jpeg2k_encode(a, level=0),
        "1.2.840.10008.1.2.4.201": lambda a: imagecodecs.htj2k_encode(a),
    }
    dtype = np.uint16 if int(ds.BitsAllocated) > 8 else np.uint8
    frames = [encoders[syntax](np.ascontiguousarray(f.astype(dtype))) for f in stored]
    ds.PixelData = encapsulate([bytes(f) for f in frames])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = UID(syntax)
    if syntax == "1.2.840.10008.1.2.4.50":
        ds.LossyImageCompression = "01"
    elif int(ds.SamplesPerPixel) == 3:
        ds.PhotometricInterpretation = "RGB"


def burned_files(folder: Path, cases: list[tuple[str, str]]) -> list[Path]:
    """One file per (kind, syntax) in ``folder`` (us0.dcm, us1.dcm, ...), each its own
    instance, sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (kind, syntax) in enumerate(cases):
        ds, _ = burned_dataset(kind, syntax)
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = \
            f"1.2.826.0.1.3680043.9.9999.5.{n}"
        ds.save_as(folder / f"us{n}.dcm", enforce_file_format=True)
    return sorted(folder.glob("us*.dcm"))


def template_json(box: dict[str, int] | None = None, match: dict[str, object] | None = None,
                  name: str = "ACME header") -> bytes:
    """A redaction template file with one template (default: the text's box, on ACME)."""
    import json

    return json.dumps({"format": "dicomtab-redaction-template", "version": 1,
                       "templates": [{"name": name,
                                      "match": {"Manufacturer": MANUFACTURER} if match is None
                                      else match,
                                      "boxes": [box or BOX]}]}).encode()


# --- Text drawn with a real font (Pillow's), at the sizes and places scanners burn it in ---

#: Lines a device burns in: name, ID, birth date, institution, time (frame-dependent).
DRAWN_LINES = ("DOE, JANE A", "ID 48213377", "DOB 03/14/1961", "ST MARY GENERAL", "12:41:0{frame}")


def drawn_text(rows: int, columns: int, frame: int, size: int,
               ) -> tuple[list[tuple[tuple[int, int], str]], np.ndarray]:
    """Where each line goes on frame ``frame`` (three at the top left, two at the bottom
    right) and the mask of every ink pixel."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size)
    step = int(size * 1.4)
    placed = [((8, 6 + step * i), DRAWN_LINES[i]) for i in range(3)]
    placed += [((columns - size * 9, rows - 2 * step - 6 + step * i),
                DRAWN_LINES[3 + i].format(frame=frame)) for i in range(2)]
    mask = Image.new("L", (columns, rows), 0)
    draw = ImageDraw.Draw(mask)
    for at, line in placed:
        draw.text(at, line, fill=255, font=font)
    return placed, np.asarray(mask) > 127


def drawn_values(kind: str, rows: int, columns: int, frames: int, size: int,
                 ink: float) -> tuple[np.ndarray, np.ndarray]:
    """frames x rows x columns (x 3) stored values with text drawn in (``ink``: its
    brightness, 0-1, of the image's range), and the glyph masks (frames x rows x columns)."""
    samples = 3 if kind in ("rgb", "jpeg-rgb") else 1
    maximum = 4095 if kind in ("mono2-12", "mono1-16") else 255
    yy, xx = np.mgrid[0:rows, 0:columns]
    # A sector of speckle, dark outside, as an ultrasound (or a collimated X-ray) shows.
    sector = (np.abs(xx - columns / 2) < (yy + rows * 0.1) * 0.7) & (yy < rows * 0.85)
    images, masks = [], []
    for frame in range(frames):
        speckle = np.random.default_rng(frame + size).rayleigh(maximum * 0.12, (rows, columns))
        image = np.where(sector, np.clip(speckle, 0, maximum * 0.6), maximum * 0.02)
        _placed, mask = drawn_text(rows, columns, frame, size)
        image = np.where(mask, maximum * ink, image).astype(np.int64)
        if kind == "mono1-16":
            image = maximum - image  # MONOCHROME1: low values show white
        if samples == 3:
            # Text in yellow, the image grey-blue.
            image = np.stack([image, image, np.where(mask, 0, image * 0.9 + 10)], -1)
            image = np.clip(image, 0, maximum).astype(np.int64)
        images.append(image)
        masks.append(mask)
    return np.stack(images), np.stack(masks)


def drawn_dataset(kind: str, syntax: str, *, modality: str = "US", frames: int = 1,
                  rows: int = 240, columns: int = 320, size: int = 12, ink: float = 1.0,
                  ) -> tuple[Dataset, np.ndarray, np.ndarray]:
    """An image with burned-in text drawn in a real font: the dataset (written and read
    back), its stored values and its glyph masks. ``kind`` as :func:`burned_dataset`'s
    (``mono2-8``, ``mono2-12``, ``mono1-16``, ``rgb``, ``jpeg-rgb``); ``modality`` US, SC, XA
    or CR, with the header such devices write."""
    stored, masks = drawn_values(kind, rows, columns, frames, size, ink)
    bits = 16 if kind in ("mono2-12", "mono1-16") else 8
    photometric = {"mono1-16": "MONOCHROME1", "rgb": "RGB",
                   "jpeg-rgb": "YBR_FULL_422"}.get(kind, "MONOCHROME2")
    samples = 3 if stored.ndim == 4 else 1
    extra = {"Modality": modality, "Manufacturer": "ACME MEDICAL", "PatientName": "DOE^JANE",
             "PatientID": "48213377", "StudyInstanceUID": "1.2.826.0.1.3680043.9.9999.8.1",
             "SeriesInstanceUID": f"1.2.826.0.1.3680043.9.9999.8.{2 + len(modality)}"}
    if modality in ("US", "SC"):
        extra["BurnedInAnnotation"] = "YES"
    if modality == "SC":
        extra["ImageType"] = ["DERIVED", "SECONDARY", "SCREEN SAVE"]
    if modality == "CR":
        extra["StationName"] = "PORTABLE 2"  # portable X-ray: labels burned in
    raw = stored.astype(f"<u{bits // 8}").tobytes()
    ds = make_image(raw, rows=rows, columns=columns, bits_allocated=bits,
                    bits_stored=12 if bits == 16 else 8, samples=samples,
                    photometric="RGB" if samples == 3 else photometric,
                    frames=frames if frames > 1 else None, **extra)
    # A baseline JPEG of RGB samples holds YBR_FULL_422 (the encoder's colour transform).
    ycc = photometric if syntax == "1.2.840.10008.1.2.4.50" and samples == 3 else None
    return _in_syntax(ds, stored, syntax, bits, ycc), stored, masks
