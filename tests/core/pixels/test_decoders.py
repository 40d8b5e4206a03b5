"""The decoder registry, and bit-exact parity with pydicom's pixel_array per transfer syntax."""

from __future__ import annotations

import warnings
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLossless,
    JPEGLosslessSV1,
    RLELossless,
)

from dicomtab.errors import MissingCodecError, PixelDataError
from dicomtab.pixels import decoders
from dicomtab.pixels.decoders import (
    TRANSFER_SYNTAXES,
    DecodedFrame,
    DecoderRegistry,
    FrameInfo,
    default_registry,
)
from dicomtab.pixels.frames import decode_frame, digest_of, frame_digest, number_of_frames
from tests.conftest import BUNDLED_DIR, bundled


def _decodable_bundled() -> list[tuple[Path, pydicom.Dataset, np.ndarray]]:
    """Every bundled file pydicom itself decodes here, with its pixel_array."""
    found: list[tuple[Path, pydicom.Dataset, np.ndarray]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted(p for p in BUNDLED_DIR.rglob("*") if p.is_file()):
            try:
                ds = pydicom.dcmread(path, force=True)
                reference = ds.pixel_array
            except Exception:
                continue
            found.append((path, ds, reference))
    return found


BUNDLED = _decodable_bundled()


def test_the_bundled_set_covers_most_syntaxes() -> None:
    seen = {str(ds.file_meta.TransferSyntaxUID) for _, ds, _ in BUNDLED}
    # .57 and HTJ2K have no bundled sample: codestreams for them are made below.
    missing = set(TRANSFER_SYNTAXES) - seen
    assert missing == {str(JPEGLossless), *(u for u in TRANSFER_SYNTAXES if u.endswith((".201", ".202", ".203")))}
    assert len(BUNDLED) >= 80


@pytest.mark.parametrize("path,ds,reference", BUNDLED, ids=[str(p.relative_to(BUNDLED_DIR)) for p, _, _ in BUNDLED])
def test_frame_digest_equals_pixel_array_digest(path: Path, ds: pydicom.Dataset, reference: np.ndarray) -> None:
    frames = number_of_frames(ds)
    for index in range(frames):
        expected = reference[index] if frames > 1 else reference
        assert frame_digest(ds, index) == digest_of(expected), f"{path.name} frame {index}"


def _bytes_only_decoder(encoded: bytes, info: FrameInfo) -> bytes:
    """Stands in for a JS codec: the same values, handed back as plain bytes."""
    out = decoders.pydicom_decode(encoded, info)
    assert out.dtype in ("|u1", "<u2", "<i2", "<u4", "<i4")
    return out.data


@pytest.mark.parametrize(
    "name", ["JPEG2000.dcm", "MR_small_jpeg_ls_lossless.dcm", "JPGExtended.dcm", "SC_rgb_jpeg_dcmtk.dcm", "MR_small_RLE.dcm"]
)
def test_a_registered_bytes_decoder_replaces_the_default(name: str) -> None:
    ds = pydicom.dcmread(bundled(name))
    registry = default_registry()
    uid = str(ds.file_meta.TransferSyntaxUID)
    registry.register(uid, _bytes_only_decoder, name="js-stand-in")
    assert registry.codec_for(uid).name == "js-stand-in"
    assert frame_digest(ds, 0, registry) == frame_digest(ds, 0)


def test_frame_info_is_json_for_a_js_decoder() -> None:
    ds = pydicom.dcmread(bundled("JPEG2000.dcm"))
    seen: list[dict[str, object]] = []

    def spy(encoded: bytes, info: FrameInfo) -> DecodedFrame:
        seen.append(info.to_dict())
        assert encoded[:2] == b"\xff\x4f"  # a J2K codestream starts with SOC
        return decoders.pydicom_decode(encoded, info)

    registry = DecoderRegistry()
    registry.register(str(JPEG2000Lossless), spy, name="spy")
    registry.register("1.2.840.10008.1.2.4.91", spy, name="spy")
    decode_frame(ds, 0, registry)
    assert seen[0]["rows"] == ds.Rows and seen[0]["bits_stored"] == ds.BitsStored


def test_missing_codec_names_the_transfer_syntax() -> None:
    ds = pydicom.dcmread(bundled("JPEG2000.dcm"))
    registry = DecoderRegistry()
    registry.register("1.2.840.10008.1.2.4.91", _bytes_only_decoder, name="off", available=lambda: False)
    with pytest.raises(MissingCodecError) as caught:
        decode_frame(ds, 0, registry)
    assert "JPEG 2000" in caught.value.message and caught.value.code == "missing-codec"
    with pytest.raises(MissingCodecError, match="no decoder"):
        decode_frame(ds, 0, DecoderRegistry())


def test_status_lists_every_syntax_with_its_codec() -> None:
    status = {row["transferSyntax"]: row["codec"] for row in default_registry().status()}
    assert set(status) == set(TRANSFER_SYNTAXES)
    # With pylibjpeg & co. installed every syntax has a decoder here.
    assert all(codec == "pydicom" for codec in status.values()), status


# -- Syntaxes without a bundled sample, and bit-exactness against the original values ------


def _rewritten(name: str, syntax: str) -> pydicom.Dataset:
    ds = pydicom.dcmread(bundled(name))
    if syntax == str(RLELossless) or syntax == str(JPEG2000Lossless):
        ds.compress(syntax, encoding_plugin="pylibjpeg" if syntax == str(JPEG2000Lossless) else "")
    else:
        ds.file_meta.TransferSyntaxUID = UID(syntax)
    out = BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return pydicom.dcmread(BytesIO(out.getvalue()))


@pytest.mark.parametrize(
    "syntax",
    [ImplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, RLELossless, JPEG2000Lossless],
)
def test_lossless_syntaxes_give_back_the_original_values(syntax: str) -> None:
    original = pydicom.dcmread(bundled("CT_small.dcm")).pixel_array
    ds = _rewritten("CT_small.dcm", str(syntax))
    assert str(ds.file_meta.TransferSyntaxUID) == str(syntax)
    decoded, _ = decode_frame(ds, 0)
    assert decoded.dtype == original.dtype and np.array_equal(decoded, original)


@pytest.mark.parametrize(
    "little,other",
    [("MR_small.dcm", "MR_small_bigendian.dcm"), ("MR_small.dcm", "MR_small_jp2klossless.dcm"),
     ("MR_small.dcm", "MR_small_jpeg_ls_lossless.dcm"), ("MR_small.dcm", "MR_small_RLE.dcm"),
     ("SC_rgb_small_odd.dcm", "SC_rgb_small_odd_big_endian.dcm"), ("rtdose.dcm", "rtdose_expb.dcm")],
)
def test_the_same_image_in_another_syntax_decodes_the_same(little: str, other: str) -> None:
    ds, ds_other = pydicom.dcmread(bundled(little)), pydicom.dcmread(bundled(other))
    assert ds_other.file_meta.TransferSyntaxUID != ds.file_meta.TransferSyntaxUID
    for index in range(number_of_frames(ds)):
        assert np.array_equal(decode_frame(ds, index)[0], decode_frame(ds_other, index)[0])


def test_sv1_codestream_labelled_process_14_decodes() -> None:
    # An SV1 codestream is a valid Process 14 codestream: relabel the bundled SV1 file.
    source = pydicom.dcmread(bundled("SC_rgb_jpeg_gdcm.dcm"))
    assert source.file_meta.TransferSyntaxUID == JPEGLosslessSV1
    reference, _ = decode_frame(source, 0)
    source.file_meta.TransferSyntaxUID = JPEGLossless
    decoded, _ = decode_frame(source, 0)
    assert np.array_equal(decoded, reference)


def test_corrupt_codestream_is_a_pixel_data_error_naming_the_syntax() -> None:
    ds = pydicom.dcmread(bundled("JPEG2000.dcm"))
    from pydicom.encaps import encapsulate, get_frame

    frame = get_frame(ds.PixelData, 0, number_of_frames=1)
    ds.PixelData = encapsulate([frame[:40] + bytes(len(frame) - 40)])
    with pytest.raises(PixelDataError) as caught:
        decode_frame(ds, 0)
    assert "JPEG 2000" in caught.value.message


@pytest.mark.parametrize("name", ["JPEGLSNearLossless_16.dcm", "MR_small_jpeg_ls_lossless.dcm"])
def test_a_cut_jpeg_ls_codestream_is_refused_before_the_codec_runs(name: str) -> None:
    """CharLS spends seconds on some cut streams before it fails (found by
    bench/codec_fuzz.py): a JPEG-LS stream without its end marker is refused at once."""
    from pydicom.encaps import encapsulate, get_frame

    ds = pydicom.dcmread(bundled(name))
    frame = get_frame(ds.PixelData, 0, number_of_frames=1)
    called = []

    def codec(encoded: bytes, info: object) -> bytes:
        called.append(True)
        raise AssertionError("not reached")

    registry = decoders.default_registry()
    registry.register(str(ds.file_meta.TransferSyntaxUID), codec, name="spy")
    ds.PixelData = encapsulate([frame[: len(frame) // 2]])
    with pytest.raises(PixelDataError) as caught:
        decode_frame(ds, 0, registry)
    assert "JPEG-LS" in caught.value.message and "truncated or corrupt" in caught.value.message
    assert not called
    ds.PixelData = encapsulate([frame])  # with its end marker (and padding): decoded
    with pytest.raises(PixelDataError):
        decode_frame(ds, 0, registry)
    assert called


# -- Codestreams made here for the syntaxes pydicom bundles no sample of -------------------


def _encapsulated(codestream: bytes, syntax: str, values: np.ndarray, bits_stored: int) -> pydicom.Dataset:
    from pydicom.encaps import encapsulate

    from tests.core.pixels.helpers import make_image, roundtrip

    ds = make_image(encapsulate([codestream]), rows=values.shape[0], columns=values.shape[1],
                    bits_stored=bits_stored)
    ds.file_meta.TransferSyntaxUID = UID(syntax)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    return roundtrip(ds)


def _test_image() -> np.ndarray:
    # 12-bit values with structure in both directions, so every predictor does some work.
    rows, columns = np.mgrid[0:48, 0:40]
    return ((rows * 97 + columns * columns * 13 + (rows * columns) % 7) % 4096).astype(np.uint16)


@pytest.mark.parametrize("syntax", [u for u in TRANSFER_SYNTAXES if u.endswith((".201", ".202", ".203"))])
def test_htj2k_decodes_bit_exact(syntax: str) -> None:
    imagecodecs = pytest.importorskip("imagecodecs")
    values = _test_image()
    codestream = imagecodecs.htj2k_encode(values)  # OpenJPH, reversible by default
    ds = _encapsulated(codestream, syntax, values, 12)
    decoded, _ = decode_frame(ds, 0)
    assert np.array_equal(decoded, values)
    assert frame_digest(ds, 0) == digest_of(ds.pixel_array)


def test_jpeg_lossless_process_14_with_predictor_6() -> None:
    imagecodecs = pytest.importorskip("imagecodecs")
    values = _test_image()
    codestream = imagecodecs.ljpeg_encode(values, bitspersample=12)
    start_of_scan = codestream.index(b"\xff\xda")
    assert codestream[start_of_scan + 7] == 6  # predictor (Ss) 6: not SV1
    ds = _encapsulated(codestream, str(JPEGLossless), values, 12)
    decoded, _ = decode_frame(ds, 0)
    assert np.array_equal(decoded, values)
