"""The site's JS codecs decode like pydicom + pylibjpeg under CPython, frame by frame.

Every frame of every bundled pydicom test file whose transfer syntax a JS codec covers, plus
codestreams made here for what pydicom bundles no sample of (HTJ2K, JPEG Lossless with every
predictor, grey 8- and 12-bit JPEG, signed and planar JPEG-LS), is decoded once by ``web/app/worker/codecs/index.js`` under Node, loading the codecs
from the built ``dist/codecs/``. Each JS output then goes through the same pipeline as pydicom's
(``frames.decode_frame``: masking to Bits Stored, YBR to RGB) by way of a registry whose
decoder returns it, and is compared with the pipeline's output from pydicom's decoders:
bit for bit for lossless syntaxes, within :data:`LOSSY_TOLERANCE` for lossy ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import UID

from dicomtab.pixels.decoders import (
    TRANSFER_SYNTAXES,
    DecodedFrame,
    DecoderRegistry,
    FrameInfo,
    is_lossless,
    syntax_name,
)
from dicomtab.pixels.frames import decode_frame, encoded_frame, frame_info, number_of_frames
from tests.build.conftest import DIST
from tests.conftest import BUNDLED_DIR

HERE = Path(__file__).resolve().parent / "codecs"

#: The syntaxes the browser decodes with JS codecs: the JPEG family, JPEG-LS, JPEG 2000 and
#: HTJ2K (native and RLE data pydicom decodes itself in Pyodide).
JS_SYNTAXES = sorted(u for u in TRANSFER_SYNTAXES if u.startswith("1.2.840.10008.1.2.4."))

#: Largest difference allowed between two decoders of a lossy syntax, in stored-value units.
#: libjpeg-turbo (JS) and Thomas Richter's libjpeg (pylibjpeg-libjpeg) round the IDCT and the
#: chroma upsampling differently, as do OpenJPH (JS) and OpenJPEG the irreversible wavelet.
#: Seen: up to 3 for 8-bit JPEG, 1 for 12-bit JPEG and for lossy HTJ2K, 0 for the rest.
LOSSY_TOLERANCE = 3

#: Bundled files that pydicom + pylibjpeg cannot decode, so there is no reference. Each entry
#: names the file it is compared with instead (None: the JS codec must refuse it too).
NO_REFERENCE: dict[str, str | None] = {
    # libjpeg: "scan start must be zero ... for the sequential operating modes". The same
    # image as JPGExtended.dcm, whose codestream libjpeg reads.
    "JPEG-lossy.dcm": "JPGExtended.dcm",
    # No valid codestream where the frame should be: OpenJPEG fails in both worlds.
    "JPEG2000-embedded-sequence-delimiter.dcm": None,
}


@dataclass
class Case:
    """One data set to decode, every frame of it."""

    name: str
    ds: Dataset


def _bundled_cases(syntaxes: set[str]) -> list[Case]:
    cases = []
    for path in sorted(BUNDLED_DIR.glob("*.dcm")):
        try:
            with warnings.catch_warnings():  # some bundled files are deliberately odd
                warnings.simplefilter("ignore")
                ds = pydicom.dcmread(path)
            uid = str(ds.file_meta.TransferSyntaxUID)
        except Exception:  # not every bundled file is a readable image
            continue
        if uid in syntaxes and "PixelData" in ds:
            cases.append(Case(path.name, ds))
    return cases


def _made_cases() -> list[Case]:
    """Codestreams of what pydicom bundles no sample of, made with imagecodecs (a test extra)."""
    imagecodecs = pytest.importorskip("imagecodecs")
    from pydicom.encaps import encapsulate

    from tests.core.pixels.helpers import make_image, roundtrip

    ct = pydicom.dcmread(BUNDLED_DIR / "CT_small.dcm").pixel_array  # int16, 16 bits stored
    rgb = pydicom.dcmread(BUNDLED_DIR / "SC_rgb_rle.dcm").pixel_array  # uint8 RGB, 100×100
    rows, columns = np.mgrid[0:48, 0:40]
    twelve = ((rows * 97 + columns * columns * 13 + (rows * columns) % 7) % 4096).astype(np.uint16)

    def case(name: str, syntax: str, codestream: bytes, values: np.ndarray, bits: int) -> Case:
        samples = values.shape[2] if values.ndim == 3 else 1
        ds = make_image(
            encapsulate([codestream]), rows=values.shape[0], columns=values.shape[1],
            bits_allocated=values.dtype.itemsize * 8, bits_stored=bits,
            signed=values.dtype.kind == "i", samples=samples,
            photometric="RGB" if samples == 3 else "MONOCHROME2",
        )
        ds.file_meta.TransferSyntaxUID = UID(syntax)
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        return Case(name, roundtrip(ds))

    unsigned_ct = ct.view(np.uint16)  # the bit pattern a lossless JPEG codestream carries
    span = ct.astype(np.int64) - ct.min()
    grey8 = (span * 255 // span.max()).astype(np.uint8)
    grey12 = (span * 4095 // span.max()).astype(np.uint16)
    # libjpeg-turbo 3 (in imagecodecs) writes Process 14 with every predictor; 1 is SV1.
    lossless = [
        case(f"made: JPEG Lossless predictor {p}, signed 16-bit",
             "1.2.840.10008.1.2.4.70" if p == 1 else "1.2.840.10008.1.2.4.57",
             imagecodecs.jpeg8_encode(unsigned_ct, lossless=True, predictor=p, bitspersample=16),
             ct, 16)
        for p in range(1, 8)
    ]
    return [*lossless,
        case("made: JPEG Baseline grey", "1.2.840.10008.1.2.4.50", imagecodecs.jpeg8_encode(grey8, 90), grey8, 8),
        case("made: JPEG Extended 12-bit", "1.2.840.10008.1.2.4.51",
             imagecodecs.jpeg8_encode(grey12, 90, bitspersample=12), grey12, 12),
        case("made: HTJ2K 12-bit", "1.2.840.10008.1.2.4.201", imagecodecs.htj2k_encode(twelve), twelve, 12),
        case("made: HTJ2K signed 16-bit", "1.2.840.10008.1.2.4.201", imagecodecs.htj2k_encode(ct), ct, 16),
        case("made: HTJ2K RGB", "1.2.840.10008.1.2.4.201", imagecodecs.htj2k_encode(rgb), rgb, 8),
        case("made: HTJ2K with TLM, as .202", "1.2.840.10008.1.2.4.202", imagecodecs.htj2k_encode(twelve, tlm=True), twelve, 12),
        # Irreversible, quantisation step 0.0005: 2.7 kB, mean error 10 on this CT.
        case("made: HTJ2K lossy", "1.2.840.10008.1.2.4.203", imagecodecs.htj2k_encode(ct, 0.0005, reversible=False), ct, 16),
        case("made: JPEG Lossless 12-bit", "1.2.840.10008.1.2.4.57", imagecodecs.ljpeg_encode(twelve, bitspersample=12), twelve, 12),
        case("made: JPEG Lossless signed 16-bit", "1.2.840.10008.1.2.4.57", imagecodecs.ljpeg_encode(unsigned_ct, bitspersample=16), ct, 16),
        case("made: JPEG-LS signed 16-bit", "1.2.840.10008.1.2.4.80", imagecodecs.jpegls_encode(unsigned_ct), ct, 16),
        case("made: JPEG-LS RGB, one scan a plane", "1.2.840.10008.1.2.4.80",
             _planar_jpegls([imagecodecs.jpegls_encode(rgb[..., k].copy()) for k in range(3)]), rgb, 8),
    ]


def _planar_jpegls(planes: list[bytes]) -> bytes:
    """One JPEG-LS codestream of ILV_NONE (a scan per component) from three grey ones.

    The bundled colour JPEG-LS files are line and sample interleaved, and the encoder at hand
    writes sample interleaving only; CharLS hands ILV_NONE back plane by plane.
    """
    sof_at = planes[0].index(b"\xff\xf7")
    precision_and_size = planes[0][sof_at + 4 : sof_at + 9]
    components = b"".join(bytes([k + 1, 0x11, 0]) for k in range(3))
    out = b"\xff\xd8\xff\xf7" + (8 + len(components)).to_bytes(2, "big") + precision_and_size
    out += b"\x03" + components
    for k, plane in enumerate(planes):
        sos_at = plane.index(b"\xff\xda")
        scan = plane[sos_at + 10 : plane.rindex(b"\xff\xd9")]  # after its 10-byte SOS
        out += b"\xff\xda\x00\x08\x01" + bytes([k + 1]) + b"\x00\x00\x00\x00" + scan
    return out + b"\xff\xd9"


@dataclass
class Run:
    """What Node decoded: per (case name, frame), the output or the error."""

    codecs: dict[str, list[str]]
    warnings: list[str]
    outputs: dict[tuple[str, int], DecodedFrame | str]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return _bundled_cases(set(JS_SYNTAXES)) + _made_cases()


@pytest.fixture(scope="module")
def run(cases: list[Case], tmp_path_factory: pytest.TempPathFactory) -> Run:
    codecs = DIST / "codecs"
    assert (codecs / "openjpegwasm_decode.wasm").exists(), "dist/ is not built: run ./dev build"
    node = shutil.which("node")
    assert node, "Node.js is needed (the build needs it too)"
    jobs_dir = tmp_path_factory.mktemp("codec-jobs")
    jobs, keys = [], {}
    for case in cases:
        for index in range(number_of_frames(case.ds)):
            info = frame_info(case.ds, index)
            job = str(len(jobs))
            (jobs_dir / f"{job}.in").write_bytes(encoded_frame(case.ds, info))
            jobs.append({"id": job, "info": info.to_dict()})
            keys[job] = (case.name, index)
    (jobs_dir / "jobs.json").write_text(json.dumps(jobs))
    result = subprocess.run(
        [node, str(HERE / "decode_frames.mjs"), str(codecs), str(jobs_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    outputs: dict[tuple[str, int], DecodedFrame | str] = {}
    for job, out in report["results"].items():
        if "error" in out:
            outputs[keys[job]] = out["error"]
        else:
            data = (jobs_dir / f"{job}.out").read_bytes()
            outputs[keys[job]] = DecodedFrame(data, out["dtype"], out["photometric"])
    return Run(report["codecs"], report["warnings"], outputs)


def _js_registry(run: Run, name: str) -> DecoderRegistry:
    """A registry whose decoder for every syntax hands back what Node decoded for ``name``."""

    def decode(encoded: bytes, info: FrameInfo) -> DecodedFrame:
        out = run.outputs[(name, info.index)]
        if isinstance(out, str):
            raise RuntimeError(out)
        return out

    registry = DecoderRegistry()
    for uid in JS_SYNTAXES:
        registry.register(uid, decode, name="js")
    return registry


def _compare(run: Run, case: Case) -> str:
    """'exact', 'within N' or a description of the mismatch, for every frame of ``case``."""
    registry = _js_registry(run, case.name)
    reference_ds = case.ds
    if case.name in NO_REFERENCE:
        other = NO_REFERENCE[case.name]
        with pytest.raises(Exception):  # noqa: B017 - still no reference: keep the list honest
            decode_frame(case.ds, 0)
        if other is None:
            with pytest.raises(Exception):  # noqa: B017 - and the JS codec refuses it too
                decode_frame(case.ds, 0, registry)
            return "refused (as by pydicom)"
        reference_ds = pydicom.dcmread(BUNDLED_DIR / other)
    worst = 0
    for index in range(number_of_frames(case.ds)):
        expected, expected_photometric = decode_frame(reference_ds, index)
        actual, photometric = decode_frame(case.ds, index, registry)
        if actual.shape != expected.shape or actual.dtype != expected.dtype:
            return f"frame {index}: {actual.dtype}{actual.shape} vs {expected.dtype}{expected.shape}"
        if photometric != expected_photometric:
            return f"frame {index}: {photometric} vs {expected_photometric}"
        diff = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
        worst = max(worst, int(diff.max()))
    return "exact" if worst == 0 else f"within {worst}"


@pytest.fixture(scope="module")
def table(run: Run, cases: list[Case]) -> dict[str, tuple[str, str]]:
    """Per case: (its syntax's name, the comparison's outcome)."""
    rows = {}
    for case in cases:
        uid = str(case.ds.file_meta.TransferSyntaxUID)
        rows[case.name] = (uid, _compare(run, case))
    return rows


def test_every_codec_loads_and_every_syntax_has_one(run: Run) -> None:
    assert list(run.codecs) == ["jpeg", "jpeg-lossless", "charls", "openjpeg", "openjph"]
    assert run.warnings == []
    assert sorted(u for uids in run.codecs.values() for u in uids) == JS_SYNTAXES


def test_every_js_syntax_has_a_sample(table: dict[str, tuple[str, str]]) -> None:
    assert {uid for uid, _ in table.values()} == set(JS_SYNTAXES)


def test_js_codecs_match_pydicom(
    table: dict[str, tuple[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        print("\nJS codecs vs pydicom + pylibjpeg, per file (every frame):")
        for name, (uid, outcome) in table.items():
            print(f"  {uid.rsplit('.', 1)[-1]:>4} {syntax_name(uid)[:28]:<28} {name:<48} {outcome}")
    failures = {}
    for name, (uid, outcome) in table.items():
        if outcome.startswith("refused"):
            continue
        if is_lossless(uid):
            ok = outcome == "exact"
        else:
            ok = outcome == "exact" or (
                outcome.startswith("within ") and int(outcome.split()[1]) <= LOSSY_TOLERANCE
            )
        if not ok:
            failures[name] = outcome
    assert failures == {}


def test_a_codec_that_fails_to_load_leaves_the_others_working(tmp_path: Path) -> None:
    codecs = tmp_path / "codecs"
    shutil.copytree(DIST / "codecs", codecs)
    (codecs / "openjphjs.wasm").unlink()  # HTJ2K cannot instantiate
    (codecs / "jpeg-12bit.js").unlink()  # the JPEG codec keeps its 8-bit half
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    ds = pydicom.dcmread(BUNDLED_DIR / "JPGExtended.dcm")
    info = frame_info(ds, 0)
    (jobs / "0.in").write_bytes(encoded_frame(ds, info))
    (jobs / "jobs.json").write_text(json.dumps([{"id": "0", "info": info.to_dict()}]))
    node = shutil.which("node")
    assert node
    result = subprocess.run(
        [node, str(HERE / "decode_frames.mjs"), str(codecs), str(jobs)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(report["codecs"]) == ["jpeg", "jpeg-lossless", "charls", "openjpeg"]
    assert report["warnings"] == ["dicomtab: the openjph codec did not load"]
    assert result.stderr == ""  # nothing but the codec's name reaches the console
    assert report["results"]["0"]["error"] == "jpeg: no decoder for 12-bit samples here"
