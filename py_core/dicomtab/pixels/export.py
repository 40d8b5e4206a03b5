"""Export of the current frame's raw values."""

from __future__ import annotations

import io

import numpy as np
from pydicom.dataset import Dataset

from dicomtab.pixels.decoders import REGISTRY, DecoderRegistry
from dicomtab.pixels.frames import decode_frame


def frame_npy(ds: Dataset, index: int, registry: DecoderRegistry = REGISTRY) -> bytes:
    """Frame ``index``'s decoded values (as pixel_array shows them) as a .npy file."""
    array, _ = decode_frame(ds, index, registry)
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(array), allow_pickle=False)
    return out.getvalue()
