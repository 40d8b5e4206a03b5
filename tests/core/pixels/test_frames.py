"""Stored values: masking, sign, bit depths, float data, and typed errors for bad data."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from dicomtab.errors import PixelDataError, UnsupportedError
from dicomtab.pixels.frames import decode_frame, frame_info, mask_stored
from tests.conftest import bundled
from tests.core.pixels.helpers import make_image, roundtrip, u16


def test_signed_12_bit_with_garbage_in_the_high_bits() -> None:
    # Bits 12-15 hold garbage (e.g. an old overlay); PS3.5 8.1.1: only bits 0-11 are the
    # value, two's complement in 12 bits.
    words = [0xF7FF, 0x0800, 0xA001, 0x0FFF, 0x5000, 0x57FF]
    ds = roundtrip(make_image(u16(words), rows=2, columns=3, bits_stored=12, signed=True))
    decoded, _ = decode_frame(ds, 0)
    assert decoded.dtype == np.int16
    assert decoded.ravel().tolist() == [2047, -2048, 1, -1, 0, 2047]


def test_unsigned_12_bit_with_garbage_in_the_high_bits() -> None:
    words = [0xF7FF, 0x0800, 0xA001, 0x0FFF]
    ds = roundtrip(make_image(u16(words), rows=2, columns=2, bits_stored=12))
    assert decode_frame(ds, 0)[0].ravel().tolist() == [0x7FF, 0x800, 0x001, 0xFFF]


def test_mask_of_decoder_output_is_idempotent() -> None:
    info = frame_info(make_image(u16([1]), rows=1, columns=1, bits_stored=10, signed=True), 0)
    values = np.array([-512, 511, 0, -1], dtype=np.int16)
    assert mask_stored(values, info).tolist() == values.tolist()


def test_8_and_32_bit() -> None:
    ds8 = roundtrip(make_image(bytes([0, 7, 255, 128]), rows=2, columns=2, bits_allocated=8))
    assert decode_frame(ds8, 0)[0].tolist() == [[0, 7], [255, 128]]
    raw = np.array([0, 70000, 2**31 + 5, 1], dtype="<u4").tobytes()
    ds32 = roundtrip(make_image(raw, rows=2, columns=2, bits_allocated=32))
    assert decode_frame(ds32, 0)[0].ravel().tolist() == [0, 70000, 2**31 + 5, 1]


def test_1_bit_frames_not_on_byte_boundaries() -> None:
    # 3 frames of 3x3 bits: frames 2 and 3 start in the middle of a byte (PS3.5 8.1.1).
    bits = np.array([1, 0, 0, 0, 1, 0, 0, 0, 1] + [0, 1, 0] * 3 + [1] * 9, dtype=np.uint8)
    raw = np.packbits(bits, bitorder="little").tobytes()
    raw += b"\0" * (len(raw) % 2)
    ds = roundtrip(make_image(raw, rows=3, columns=3, bits_allocated=1, frames=3))
    assert decode_frame(ds, 0)[0].tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert decode_frame(ds, 1)[0].tolist() == [[0, 1, 0]] * 3
    assert decode_frame(ds, 2)[0].tolist() == [[1, 1, 1]] * 3


@pytest.mark.parametrize("keyword,dtype", [("FloatPixelData", "<f4"), ("DoubleFloatPixelData", "<f8")])
def test_float_pixel_data(keyword: str, dtype: str) -> None:
    values = np.array([[-1.5, 0.25], [3e5, np.pi]], dtype=dtype)
    bits = 32 if dtype == "<f4" else 64
    ds = roundtrip(make_image(values.tobytes(), rows=2, columns=2, bits_allocated=bits, keyword=keyword))
    decoded, _ = decode_frame(ds, 0)
    assert decoded.dtype == np.dtype(dtype) and np.array_equal(decoded, values)


def test_truncated_native_pixel_data() -> None:
    ds = pydicom.dcmread(bundled("MR_truncated.dcm"))
    with pytest.raises(PixelDataError) as caught:
        decode_frame(ds, 0)
    assert caught.value.code == "pixel-data"
    assert "Explicit VR Little Endian" in caught.value.message


def test_missing_frame_and_missing_pixels() -> None:
    ds = pydicom.dcmread(bundled("CT_small.dcm"))
    with pytest.raises(PixelDataError, match="Frame 2 does not exist"):
        decode_frame(ds, 1)
    del ds.PixelData
    with pytest.raises(PixelDataError, match="no pixel data"):
        decode_frame(ds, 0)


def test_unsupported_photometric_does_not_quote_the_value() -> None:
    ds = make_image(u16([1, 2]), rows=1, columns=2, photometric="SECRET_NAME")
    with pytest.raises(UnsupportedError) as caught:
        decode_frame(ds, 0)
    assert "SECRET" not in caught.value.message


def test_incomplete_pixel_module() -> None:
    ds = make_image(u16([1, 2]), rows=1, columns=2)
    del ds.BitsAllocated
    with pytest.raises(PixelDataError, match="incomplete"):
        decode_frame(ds, 0)


def test_decoder_returning_the_wrong_size() -> None:
    from dicomtab.pixels.decoders import DecoderRegistry

    registry = DecoderRegistry()
    registry.register("1.2.840.10008.1.2.1", lambda encoded, info: b"\0" * 3, name="short")
    with pytest.raises(PixelDataError, match="3 bytes where 8"):
        decode_frame(make_image(u16([1, 2, 3, 4]), rows=2, columns=2), 0, registry)


def test_damaged_fragments_are_a_pixel_data_error() -> None:
    ds = pydicom.dcmread(bundled("JPEG2000.dcm"))
    ds.PixelData = ds.PixelData[:20]  # the Basic Offset Table and the start of a fragment
    with pytest.raises(PixelDataError) as caught:
        decode_frame(ds, 0)
    assert "JPEG 2000" in caught.value.message and "truncated or corrupt" in caught.value.message


def test_a_bytes_only_codec_for_ybr_rct_is_labelled_rgb() -> None:
    from dicomtab.pixels.decoders import REGISTRY, DecoderRegistry, pydicom_decode

    ds = pydicom.dcmread(bundled("GDCMJ2K_TextGBR.dcm"))
    assert ds.PhotometricInterpretation == "YBR_RCT"
    registry = DecoderRegistry()
    registry.register(str(ds.file_meta.TransferSyntaxUID),
                      lambda encoded, info: pydicom_decode(encoded, info).data, name="bytes")
    decoded, photometric = decode_frame(ds, 0, registry)
    assert photometric == "RGB"
    assert np.array_equal(decoded, decode_frame(ds, 0, REGISTRY)[0])


def test_a_frame_too_large_to_decode_is_refused_before_decoding() -> None:
    """A damaged header claiming 65535 x 65535 16-bit pixels (8 GB once decoded): refused
    from the header alone, before any buffer is made or widened."""
    ds = make_image(u16([1, 2]), rows=1, columns=2)
    ds.Rows = ds.Columns = 65535
    with pytest.raises(PixelDataError, match=r"would need 8191 MB once decoded, more than the 512 MB"):
        frame_info(ds, 0)
    ds.Rows = ds.Columns = 8192  # 128 MB: allowed (the data is then found to be short)
    assert frame_info(ds, 0).rows == 8192
