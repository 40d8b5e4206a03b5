"""Colour: YBR to RGB, and palette colour lookup (PS3.3 C.7.6.3, C.7.9).

pydicom's processing functions are correct for these (and tested against here), so they
are used rather than re-implemented; what this module adds is the decision of when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_color_lut, convert_color_space

from dicomtab.errors import PixelDataError

if TYPE_CHECKING:
    from numpy.typing import NDArray


def ybr_to_rgb(array: NDArray) -> NDArray:
    """YBR_FULL (and YBR_FULL_422 once upsampled) to RGB, as pydicom's pixel_array does.

    PS3.3 C.7.6.3.1.2: R = Y + 1.402 (Cr − 128) and so on, rounded and clipped to 8 bits.

    Raises:
        PixelDataError: the samples are not unsigned 8-bit (a damaged Pixel Representation
        or Bits Allocated), which YBR_FULL cannot be.
    """
    if array.dtype.kind != "u" or array.dtype.itemsize != 1:
        raise PixelDataError("The image says YBR_FULL but its samples are not unsigned 8-bit "
                             "(Bits Allocated or Pixel Representation are damaged).")
    return convert_color_space(array, "YBR_FULL", "RGB")


def palette_to_rgb(array: NDArray, ds: Dataset) -> NDArray:
    """PALETTE COLOR stored values to RGB through the (possibly segmented) palette LUTs.

    The result keeps the LUT's bit depth (8 or 16 bits per channel), as pydicom returns it;
    :func:`to_rgb8` with :func:`palette_bits` scales it for display.
    """
    try:
        return apply_color_lut(array, ds)
    except Exception:  # missing/inconsistent LUT descriptors or data
        raise PixelDataError(
            "The palette colour lookup tables are missing or inconsistent."
        ) from None


def palette_bits(ds: Dataset) -> int:
    """Bits per entry of the palette LUTs (third value of the descriptor; PS3.3 C.7.6.3.1.5)."""
    try:
        return int(ds.RedPaletteColorLookupTableDescriptor[2])
    except (AttributeError, IndexError, TypeError, ValueError):
        return 16


def to_rgb8(rgb: NDArray, bits: int) -> NDArray:
    """RGB of ``bits`` significant bits per channel to 8 bits (the top 8 bits are kept)."""
    if rgb.dtype == np.uint8:
        return rgb
    shift = max(bits - 8, 0)
    return np.clip(rgb.astype(np.int64) >> shift, 0, 255).astype(np.uint8)
